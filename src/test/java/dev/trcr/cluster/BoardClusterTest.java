package dev.trcr.cluster;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The board on two clustered nodes, both running {@code board} against one PostgreSQL: the edge node runs
 * {@code bridge,board}, the core node {@code api,workspace,timers,board}. Concurrent moves handled by both nodes' board
 * verticles converge, and a subscriber on the edge node reaches the same order.
 */
class BoardClusterTest {

  private static Node edge;
  private static Node core;
  private static Vertx clientVertx;
  private static Api api;
  private static final AtomicInteger movesOnEdge = new AtomicInteger();
  private static final AtomicInteger movesOnCore = new AtomicInteger();

  @BeforeAll
  static void startCluster() {
    TestNodes.TwoNodes cluster = TestNodes.startTwo(TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0), "bridge,board", "api,workspace,timers,board");
    edge = cluster.edge();
    core = cluster.core();
    TestNodes.countInbound(edge, "board.move", movesOnEdge);
    TestNodes.countInbound(core, "board.move", movesOnCore);
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, core.httpPort());
  }

  @AfterAll
  static void stopCluster() {
    api.close();
    clientVertx.close().await();
    Future.join(edge.close(), core.close()).await();
  }

  @Test
  void concurrentMovesOnBothNodesConvergeForASubscriberOnTheBridgeNode() {
    Session ada = api.signup("Ada");
    Session bob = api.signup("Bob");
    String team = api.createTeam(ada, "Acme");
    api.addMember(ada, team, bob, "member");
    String project = api.createProject(ada, team, "Website");
    String base = "/api/teams/" + team + "/projects/" + project;
    String stream = "team." + team + ".board." + project;

    try (BridgeClient socket = BridgeClient.connect(clientVertx, edge.bridgePort())) {
      socket.register(stream, ada.token());
      JsonObject probe = null;
      for (int i = 0; i < 50 && probe == null; i++) {
        expect(201, api.post(base + "/tasks", bob.token(), new JsonObject().put("title", "probe " + i)));
        probe = socket.nextMatching(f -> "rec".equals(f.getString("type")), 200);
      }
      assertNotNull(probe, "the bridge node never received a board event");

      List<String> columns = board(ada, base).stream().map(c -> ((JsonObject) c).getString("id")).toList();
      List<JsonObject> cards = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        cards.add(expect(201, api.post(base + "/tasks", bob.token(), new JsonObject().put("title", "card " + i)
            .put("columnId", columns.get(i % columns.size())))).json());
      }
      Map<String, List<String>> local = order(board(ada, base));
      while (socket.next(300) != null) {
        // creations: the subscriber starts from the board read after them
      }
      movesOnEdge.set(0);
      movesOnCore.set(0);

      WebClient client = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(core.httpPort()), new PoolOptions().setHttp1MaxSize(30));
      Random random = new Random(7);
      List<Future<Integer>> moves = new ArrayList<>();
      for (JsonObject card : cards) {
        moves.add(client.post(base + "/tasks/" + card.getString("id") + "/move")
            .putHeader("Authorization", "Bearer " + bob.token())
            .sendJsonObject(new JsonObject().put("version", 1).put("columnId", columns.get(random.nextInt(columns.size()))))
            .map(r -> r.statusCode()));
      }
      Future.all(moves).await();
      client.close();
      moves.forEach(m -> assertEquals(200, m.result()));
      assertEquals(30, movesOnEdge.get() + movesOnCore.get(), "each move handled exactly once");
      assertTrue(movesOnEdge.get() > 0 && movesOnCore.get() > 0,
          "both nodes' board verticles handled moves: " + movesOnEdge + " / " + movesOnCore);

      for (int i = 0; i < 30; i++) {
        JsonObject frame = socket.nextMatching(f -> "rec".equals(f.getString("type")), 5_000);
        assertNotNull(frame, "the subscriber missed a move (got " + i + ")");
        JsonObject task = frame.getJsonObject("body").getJsonObject("task");
        local.values().forEach(ids -> ids.remove(task.getString("id")));
        local.get(task.getString("columnId")).add(task.getInteger("position"), task.getString("id"));
      }
      assertEquals(order(board(ada, base)), local, "the subscriber on the other node converges to the server's order");
    }
  }

  private static JsonArray board(Session who, String base) {
    return expect(200, api.get(base + "/board", who.token())).json().getJsonArray("columns");
  }

  private static Map<String, List<String>> order(JsonArray columns) {
    Map<String, List<String>> order = new LinkedHashMap<>();
    for (Object c : columns) {
      List<String> ids = new ArrayList<>();
      ((JsonObject) c).getJsonArray("tasks").forEach(t -> ids.add(((JsonObject) t).getString("id")));
      order.put(((JsonObject) c).getString("id"), ids);
    }
    return order;
  }
}
