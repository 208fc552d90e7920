package dev.trcr.board;

import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The board live: concurrent moves converge to one order on the server and on every subscriber, and the board's
 * stream and {@code board.move} work through the bridge. One node without the per-user rate limit (bursts of moves).
 */
class BoardLiveTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));

  private final List<BridgeClient> sockets = new ArrayList<>();
  private Session ada;
  private Session bob;
  private Session eve;
  private String teamId;
  private String projectId;

  @BeforeEach
  void team() {
    ada = NODE.api().signup("Ada");
    bob = NODE.api().signup("Bob");
    eve = NODE.api().signup("Eve");
    teamId = NODE.api().createTeam(ada, "Acme");
    NODE.api().addMember(ada, teamId, bob, "member");
    projectId = NODE.api().createProject(ada, teamId, "Website");
  }

  @AfterEach
  void closeSockets() {
    sockets.forEach(BridgeClient::close);
  }

  private BridgeClient socket() {
    BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort());
    sockets.add(socket);
    return socket;
  }

  private String path(String rest) {
    return "/api/teams/" + teamId + "/projects/" + projectId + rest;
  }

  private String stream() {
    return "team." + teamId + ".board." + projectId;
  }

  private JsonArray columns() {
    return expect(200, NODE.api().get(path("/board"), ada.token())).json().getJsonArray("columns");
  }

  private JsonObject createTask(String title, String columnId) {
    return expect(201, NODE.api().post(path("/tasks"), bob.token(),
        new JsonObject().put("title", title).put("columnId", columnId))).json();
  }

  /** A register is not acknowledged: create tasks until each subscriber has seen one, then drain. */
  private void awaitSubscribed(BridgeClient... subscribers) {
    Set<BridgeClient> waiting = new HashSet<>(List.of(subscribers));
    for (int i = 0; i < 50 && !waiting.isEmpty(); i++) {
      createTask("warm-up " + i, null);
      waiting.removeIf(s -> s.nextMatching(f -> "rec".equals(f.getString("type")), 200) != null);
    }
    assertTrue(waiting.isEmpty(), "a subscription never took effect");
    for (BridgeClient s : subscribers) {
      while (s.next(300) != null) {
        // drain the warm-up events
      }
    }
  }

  /** Column id → task ids in order. */
  private static Map<String, List<String>> order(JsonArray columns) {
    Map<String, List<String>> order = new LinkedHashMap<>();
    for (Object c : columns) {
      JsonObject column = (JsonObject) c;
      List<String> ids = new ArrayList<>();
      column.getJsonArray("tasks").forEach(t -> ids.add(((JsonObject) t).getString("id")));
      order.put(column.getString("id"), ids);
    }
    return order;
  }

  /** What a client does with a task.moved event: take the card out, put it at its position in its column. */
  private static void apply(Map<String, List<String>> board, JsonObject task) {
    board.values().forEach(ids -> ids.remove(task.getString("id")));
    board.get(task.getString("columnId")).add(task.getInteger("position"), task.getString("id"));
  }

  @Test
  void fiftyConcurrentMovesConvergeToOneOrderOnTheServerAndEverySubscriber() {
    BridgeClient first = socket();
    BridgeClient second = socket();
    first.register(stream(), ada.token());
    second.register(stream(), bob.token());
    awaitSubscribed(first, second);

    List<String> columnIds = columns().stream().map(c -> ((JsonObject) c).getString("id")).toList();
    // Ten anchors that stay put, so that every move may name an afterTaskId that is still where the client saw it.
    List<JsonObject> anchors = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      anchors.add(createTask("anchor " + i, columnIds.get(i % columnIds.size())));
    }
    List<JsonObject> cards = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      cards.add(createTask("card " + i, columnIds.get(i % columnIds.size())));
    }
    Map<String, List<String>> before = order(columns());
    for (BridgeClient s : List.of(first, second)) {
      while (s.next(300) != null) {
        // the creations: the subscribers start from the board read after them
      }
    }

    WebClient client = WebClient.create(NODE.clientVertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(NODE.node().httpPort()), new PoolOptions().setHttp1MaxSize(50));
    Random random = new Random(42);
    List<Future<Integer>> moves = new ArrayList<>();
    for (JsonObject card : cards) {
      JsonObject anchor = anchors.get(random.nextInt(anchors.size()));
      boolean top = random.nextInt(3) == 0;
      JsonObject body = new JsonObject().put("version", card.getInteger("version"))
          .put("columnId", top ? columnIds.get(random.nextInt(columnIds.size())) : anchor.getString("columnId"))
          .put("afterTaskId", top ? null : anchor.getString("id"));
      moves.add(client.post(path("/tasks/" + card.getString("id") + "/move"))
          .putHeader("Authorization", "Bearer " + (random.nextBoolean() ? ada : bob).token())
          .sendJsonObject(body).map(r -> r.statusCode()));
    }
    Future.all(moves).await();
    client.close();
    moves.forEach(m -> assertEquals(200, m.result(), "moves of different tasks all succeed"));

    JsonArray after = columns();
    Set<String> seen = new HashSet<>();
    int total = 0;
    for (Object c : after) {
      JsonArray tasks = ((JsonObject) c).getJsonArray("tasks");
      for (int i = 0; i < tasks.size(); i++) {
        assertEquals(i, tasks.getJsonObject(i).getInteger("position"), "positions are 0..n-1 without repeats");
        assertTrue(seen.add(tasks.getJsonObject(i).getString("id")), "a card shows once");
        assertEquals(2, tasks.getJsonObject(i).getString("title").startsWith("card") ? tasks.getJsonObject(i)
            .getInteger("version") : 2, "each card moved once");
        total++;
      }
    }
    int warmUps = before.values().stream().mapToInt(List::size).sum() - 60;
    assertEquals(60 + warmUps, total, "no card lost");

    Map<String, List<String>> server = order(after);
    for (BridgeClient s : List.of(first, second)) {
      Map<String, List<String>> local = new LinkedHashMap<>();
      before.forEach((column, ids) -> local.put(column, new ArrayList<>(ids)));
      long lastSeq = -1;
      for (int i = 0; i < 50; i++) {
        JsonObject frame = s.nextMatching(f -> "rec".equals(f.getString("type")), 5_000);
        assertNotNull(frame, "a subscriber missed a move (got " + i + ")");
        JsonObject event = frame.getJsonObject("body");
        assertEquals("task.moved", event.getString("type"));
        assertTrue(lastSeq < 0 || event.getLong("seq") == lastSeq + 1, "events arrive in seq order");
        lastSeq = event.getLong("seq");
        apply(local, event.getJsonObject("task"));
      }
      assertEquals(server, local, "the subscriber converges to the server's order");
    }
  }

  @Test
  void theMoveCommandOverTheBridgeRepliesWithTheTaskAndPublishes() {
    BridgeClient adaSocket = socket();
    adaSocket.register(stream(), ada.token());
    awaitSubscribed(adaSocket);

    List<String> columnIds = columns().stream().map(c -> ((JsonObject) c).getString("id")).toList();
    JsonObject task = createTask("Hero", null);
    adaSocket.nextMatching(f -> "rec".equals(f.getString("type")), 1_000);

    BridgeClient bobSocket = socket();
    JsonObject reply = bobSocket.request("board.move", new JsonObject().put("teamId", teamId)
        .put("projectId", projectId).put("taskId", task.getString("id")).put("columnId", columnIds.get(2))
        .put("version", 1), bob.token());
    assertNotNull(reply, "no reply");
    assertEquals("rec", reply.getString("type"), reply.encode());
    JsonObject moved = reply.getJsonObject("body");
    assertEquals(task.getString("id"), moved.getString("id"));
    assertEquals(columnIds.get(2), moved.getString("columnId"));
    assertEquals(2, moved.getInteger("version"));
    assertEquals("WEB-" + task.getString("key").substring(4), moved.getString("key"));

    JsonObject frame = adaSocket.nextMatching(f -> "rec".equals(f.getString("type")), 1_000);
    assertNotNull(frame, "Ada saw nothing");
    assertEquals(stream(), frame.getString("address"));
    JsonObject event = frame.getJsonObject("body");
    assertEquals("task.moved", event.getString("type"));
    assertEquals(teamId, event.getString("teamId"));
    assertEquals(projectId, event.getString("projectId"));
    assertEquals(columnIds.get(2), event.getJsonObject("task").getString("columnId"));
    assertNotNull(event.getLong("ts"));
    assertNotNull(event.getLong("seq"));

    JsonObject stale = bobSocket.request("board.move", new JsonObject().put("teamId", teamId)
        .put("projectId", projectId).put("taskId", task.getString("id")).put("columnId", columnIds.get(0))
        .put("version", 1), bob.token());
    assertEquals("err", stale.getString("type"), stale.encode());
    assertEquals(409, stale.getInteger("failureCode"));
    assertTrue(stale.getString("message").contains("version_conflict"), stale.encode());
  }

  @Test
  void everyKindOfChangeIsPublished() {
    BridgeClient adaSocket = socket();
    adaSocket.register(stream(), ada.token());
    awaitSubscribed(adaSocket);
    JsonObject task = createTask("Hero", null);
    expect(200, NODE.api().patch(path("/tasks/" + task.getString("id")), bob.token(),
        new JsonObject().put("version", 1).put("title", "Hero v2")));
    expect(204, NODE.api().delete(path("/tasks/" + task.getString("id")), bob.token()));
    JsonObject column = expect(201,
        NODE.api().post(path("/columns"), ada.token(), new JsonObject().put("name", "QA"))).json();

    List<String> types = new ArrayList<>();
    JsonObject last = null;
    for (int i = 0; i < 4; i++) {
      JsonObject frame = adaSocket.nextMatching(f -> "rec".equals(f.getString("type")), 2_000);
      assertNotNull(frame, "missing event " + i + " after " + types);
      last = frame.getJsonObject("body");
      types.add(last.getString("type"));
    }
    assertEquals(List.of("task.created", "task.updated", "task.deleted", "columns.changed"), types);
    JsonArray columns = last.getJsonArray("columns");
    assertEquals(5, columns.size());
    assertEquals(column.getString("id"), columns.getJsonObject(4).getString("id"));
  }

  @Test
  void onlyTeamMembersMayRegisterOnTheBoardStream() {
    BridgeClient eveSocket = socket();
    eveSocket.register(stream(), eve.token());
    JsonObject refused = eveSocket.nextMatching(f -> "err".equals(f.getString("type")), 2_000);
    assertNotNull(refused, "a non-member's register is refused");
    assertEquals("access_denied", refused.getString("body"));
    createTask("Secret", null);
    assertTrue(eveSocket.nextMatching(f -> "rec".equals(f.getString("type")), 500) == null);

    JsonObject denied = eveSocket.request("board.move", new JsonObject().put("teamId", teamId)
        .put("projectId", projectId).put("taskId", java.util.UUID.randomUUID().toString())
        .put("columnId", java.util.UUID.randomUUID().toString()).put("version", 1), eve.token());
    assertEquals(404, denied.getInteger("failureCode"), denied.encode());
    assertTrue(denied.getString("message").contains("team_not_found"), denied.encode());
  }
}
