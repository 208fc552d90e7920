package dev.trcr.bridge;

import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SockJS bridge end to end on one node: real sockets, real bus, real PostgreSQL. */
class BridgeTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode();

  private final List<BridgeClient> sockets = new ArrayList<>();
  private Session ada;
  private Session bob;
  private String teamId;
  private String projectId;

  @BeforeEach
  void team() {
    ada = NODE.api().signup("Ada");
    bob = NODE.api().signup("Bob");
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

  private String timers() {
    return "team." + teamId + ".timers";
  }

  /**
   * The bridge does not acknowledge a register: until the first event arrives we cannot know it is in place. Repeat a
   * harmless change (Ada's timer start) until the subscriber sees one, then drain what came.
   */
  private void awaitSubscribed(BridgeClient socket) {
    for (int i = 0; i < 50; i++) {
      expect(201, NODE.api().startTimer(ada, teamId, projectId));
      if (socket.nextMatching(f -> "rec".equals(f.getString("type")), 200) != null) {
        expect(200, NODE.api().post("/api/teams/" + teamId + "/timer/stop", ada.token(), null));
        while (socket.next(300) != null) {
          // drain the warm-up events
        }
        return;
      }
    }
    throw new AssertionError("the subscription never took effect");
  }

  @Test
  void aMemberSeesATeammatesTimerStartWithinOneSecond() {
    BridgeClient adaSocket = socket();
    adaSocket.register(timers(), ada.token());
    awaitSubscribed(adaSocket);

    long sent = System.nanoTime();
    JsonObject started = expect(201, NODE.api().startTimer(bob, teamId, projectId)).json();
    JsonObject frame = adaSocket.nextMatching(f -> "rec".equals(f.getString("type")), 1_000);
    long millis = (System.nanoTime() - sent) / 1_000_000;

    assertNotNull(frame, "no event within 1 s");
    assertTrue(millis < 1_000, "took " + millis + " ms");
    assertEquals(timers(), frame.getString("address"));
    JsonObject event = frame.getJsonObject("body");
    assertEquals("timer.started", event.getString("type"));
    assertEquals(teamId, event.getString("teamId"));
    assertEquals(started.getString("id"), event.getJsonObject("entry").getString("id"));
    assertEquals(bob.id(), event.getJsonObject("entry").getString("userId"));
    assertEquals("Bob", event.getJsonObject("entry").getJsonObject("user").getString("name"));
    assertTrue(Math.abs(event.getLong("ts") - System.currentTimeMillis()) < 60_000, "ts is epoch millis");
  }

  @Test
  void theStartCommandOverTheBridgeRepliesAndPublishes() {
    BridgeClient adaSocket = socket();
    adaSocket.register(timers(), ada.token());
    awaitSubscribed(adaSocket);

    BridgeClient bobSocket = socket();
    JsonObject reply = bobSocket.request("timers.start",
        new JsonObject().put("teamId", teamId).put("projectId", projectId).put("description", "from the browser"),
        bob.token());
    assertNotNull(reply, "no reply");
    assertEquals("rec", reply.getString("type"), reply.encode());
    JsonObject entry = reply.getJsonObject("body");
    assertEquals(bob.id(), entry.getString("userId"), "the user comes from the token");
    assertEquals("from the browser", entry.getString("description"));

    JsonObject event = adaSocket.nextMatching(f -> "rec".equals(f.getString("type")), 1_000);
    assertNotNull(event, "Ada saw nothing");
    assertEquals("timer.started", event.getJsonObject("body").getString("type"));
    assertEquals(entry.getString("id"), event.getJsonObject("body").getJsonObject("entry").getString("id"));

    JsonObject stopped = bobSocket.request("timers.stop", new JsonObject().put("teamId", teamId), bob.token());
    assertEquals(entry.getString("id"), stopped.getJsonObject("body").getString("id"));
    assertNotNull(stopped.getJsonObject("body").getString("stoppedAt"));
    JsonObject stoppedEvent = adaSocket.nextMatching(f -> "rec".equals(f.getString("type")), 1_000);
    assertEquals("timer.stopped", stoppedEvent.getJsonObject("body").getString("type"));
  }

  @Test
  void aFailedCommandRepliesWithTheHttpLikeCodeAndTheErrorObject() {
    BridgeClient bobSocket = socket();
    JsonObject failure = bobSocket.request("timers.stop", new JsonObject().put("teamId", teamId), bob.token());
    assertEquals("err", failure.getString("type"), failure.encode());
    assertEquals(409, failure.getInteger("failureCode"));
    assertEquals("RECIPIENT_FAILURE", failure.getString("failureType"));
    assertEquals("no_running_timer",
        new JsonObject(failure.getString("message")).getJsonObject("error").getString("code"));

    JsonObject invalid = bobSocket.request("timers.start", new JsonObject().put("teamId", teamId), bob.token());
    assertEquals(400, invalid.getInteger("failureCode"));

    bobSocket.send(new JsonObject().put("type", "send").put("address", "timers.start").put("replyAddress", "r-text")
        .put("body", "start please").put("headers", new JsonObject().put("authorization", "Bearer " + bob.token())));
    JsonObject notAnObject = bobSocket.nextMatching(f -> "r-text".equals(f.getString("address")), 5_000);
    assertEquals(400, notAnObject.getInteger("failureCode"), notAnObject.encode());
    assertEquals("invalid_json", new JsonObject(notAnObject.getString("message")).getJsonObject("error").getString("code"));
  }

  @Test
  void theUserAlwaysComesFromTheTokenNeverFromTheFrame() {
    BridgeClient bobSocket = socket();
    JsonObject frame = new JsonObject().put("type", "send").put("address", "timers.start")
        .put("replyAddress", "r-1")
        .put("body", new JsonObject().put("teamId", teamId).put("projectId", projectId))
        .put("headers", new JsonObject().put("authorization", "Bearer " + bob.token()).put("trcr-user", ada.id()));
    bobSocket.send(frame);
    JsonObject reply = bobSocket.nextMatching(f -> "r-1".equals(f.getString("address")), 5_000);
    assertEquals(bob.id(), reply.getJsonObject("body").getString("userId"));
  }

  @Test
  void nonMembersCannotSubscribeToTeamTimers() {
    Session eve = NODE.api().signup("Eve");
    BridgeClient eveSocket = socket();
    eveSocket.register(timers(), eve.token());
    JsonObject denied = eveSocket.nextMatching(f -> "err".equals(f.getString("type")), 5_000);
    assertNotNull(denied, "no denial");
    assertEquals("access_denied", denied.getString("body"));

    expect(201, NODE.api().startTimer(bob, teamId, projectId));
    assertTrue(eveSocket.quietFor(500), "a non-member received an event");
  }

  @Test
  void anUnauthenticatedSocketIsDeniedEverything() {
    BridgeClient anonymous = socket();
    anonymous.register(timers(), null);
    assertEquals("access_denied", anonymous.nextMatching(f -> "err".equals(f.getString("type")), 5_000).getString("body"));
    anonymous.register(timers(), "garbage-token");
    assertEquals("access_denied", anonymous.nextMatching(f -> "err".equals(f.getString("type")), 5_000).getString("body"));

    anonymous.send(new JsonObject().put("type", "send").put("address", "timers.start").put("replyAddress", "r-2")
        .put("body", new JsonObject().put("teamId", teamId).put("projectId", projectId)));
    JsonObject denied = anonymous.nextMatching(f -> "err".equals(f.getString("type")), 5_000);
    assertEquals("access_denied", denied.getString("body"));
    assertEquals(0,
        expect(200, NODE.api().get("/api/teams/" + teamId + "/timers/running", ada.token())).array().size());
  }

  @Test
  void internalAddressesAreUnreachableFromABrowser() {
    BridgeClient bobSocket = socket();
    for (String address : List.of("workspace.access", "workspace.members.add", "timers.entries.delete")) {
      bobSocket.send(new JsonObject().put("type", "send").put("address", address).put("replyAddress", "r-" + address)
          .put("body", new JsonObject().put("teamId", teamId).put("userId", bob.id()))
          .put("headers", new JsonObject().put("authorization", "Bearer " + bob.token())));
      JsonObject denied = bobSocket.nextMatching(f -> "err".equals(f.getString("type")), 5_000);
      assertEquals("access_denied", denied.getString("body"), address);
    }
    bobSocket.send(new JsonObject().put("type", "publish").put("address", timers())
        .put("body", new JsonObject().put("type", "timer.started"))
        .put("headers", new JsonObject().put("authorization", "Bearer " + bob.token())));
    assertEquals("access_denied", bobSocket.nextMatching(f -> "err".equals(f.getString("type")), 5_000).getString("body"));
    bobSocket.register("workspace.signup", bob.token());
    assertEquals("access_denied", bobSocket.nextMatching(f -> "err".equals(f.getString("type")), 5_000).getString("body"));
  }

  @Test
  void aPageFromAForeignOriginCannotOpenTheBridge() {
    WebSocketClient client = NODE.clientVertx().createWebSocketClient();
    try {
      WebSocketConnectOptions foreign = new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(NODE.node().bridgePort())
          .setURI("/eventbus/websocket").addHeader("Origin", "http://evil.example");
      Exception refused = assertThrows(Exception.class, () -> client.connect(foreign).await());
      assertTrue(refused.getMessage().contains("403"), refused.getMessage());

      WebSocketConnectOptions own = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(NODE.node().bridgePort())
          .setURI("/eventbus/websocket").addHeader("Origin", "http://127.0.0.1:" + NODE.node().httpPort());
      client.connect(own).await().close().await();
    } finally {
      client.close().await();
    }
  }

  @Test
  void theRawWebSocketEndpointAnswersPlainHttpClearly() {
    var http = NODE.clientVertx().createHttpClient();
    try {
      var post = http.request(io.vertx.core.http.HttpMethod.POST, NODE.node().bridgePort(), "127.0.0.1",
          "/eventbus/websocket").compose(r -> r.send()).await();
      assertEquals(405, post.statusCode());
      assertEquals("GET", post.getHeader("Allow"));
      var get = http.request(io.vertx.core.http.HttpMethod.GET, NODE.node().bridgePort(), "127.0.0.1",
          "/eventbus/websocket").compose(r -> r.send()).await();
      assertEquals(400, get.statusCode());
    } finally {
      http.close().await();
    }
  }
}
