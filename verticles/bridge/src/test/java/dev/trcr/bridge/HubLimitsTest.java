package dev.trcr.bridge;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.trcr.testing.Api.expect;
import static dev.trcr.testing.Await.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hub's limits: every refusal is a clear err frame or close reason, and a stalled client costs bounded memory. */
class HubLimitsTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config()
      .put("TRCR_BRIDGE_MAX_SOCKETS", 6)
      .put("TRCR_BRIDGE_MAX_SUBSCRIPTIONS", 3)
      .put("TRCR_BRIDGE_MAX_FRAME_BYTES", 2048)
      .put("TRCR_BRIDGE_MAX_ADDRESS_LENGTH", 120)
      .put("TRCR_BRIDGE_PING_TIMEOUT_MS", 2500)
      .put("TRCR_BRIDGE_SLOW_CLIENT_MS", 1500)
      .put("TRCR_BRIDGE_MAX_QUEUED_BYTES", 256 * 1024));

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
    sockets.clear();
    awaitTrue(() -> stat("bridge.sockets") == 0, "sockets are released");
  }

  private BridgeClient socket() {
    BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort());
    sockets.add(socket);
    return socket;
  }

  private static int stat(String key) {
    LocalMap<String, Object> stats = NODE.node().vertx().sharedData().getLocalMap(Node.LOCAL_MAP);
    Object value = stats.get(key);
    return value instanceof Integer i ? i : -1;
  }

  private static String error(BridgeClient socket) {
    JsonObject err = socket.nextMatching(f -> "err".equals(f.getString("type")) && f.getString("address") == null, 5_000);
    assertNotNull(err, "no err frame");
    return err.getString("body");
  }

  @Test
  void aSocketMayHoldOnlySoManySubscriptions() {
    BridgeClient s = socket();
    s.register("team." + teamId + ".timers", ada.token());
    s.register("user." + ada.id() + ".timers", ada.token());
    String other = NODE.api().createTeam(ada, "Other");
    s.register("team." + other + ".timers", ada.token());
    String third = NODE.api().createTeam(ada, "Third");
    s.register("team." + third + ".timers", ada.token());
    assertEquals("max_handlers_reached", error(s));
    s.register("team." + teamId + ".timers", ada.token());
    assertEquals("address_already_registered", error(s));
  }

  @Test
  void oversizedFramesAndAddressesAreRefused() {
    BridgeClient s = socket();
    s.send(new JsonObject().put("type", "send").put("address", "timers.start").put("replyAddress", "r")
        .put("body", new JsonObject().put("description", "x".repeat(4000)))
        .put("headers", new JsonObject().put("authorization", "Bearer " + ada.token())));
    assertEquals("frame_too_large", error(s));
    s.register("team." + "x".repeat(200), ada.token());
    assertEquals("max_address_length_reached", error(s));
    s.send(new JsonObject().put("type", "dance"));
    assertEquals("invalid_type", error(s));
    s.send(new JsonObject().put("address", "timers.start"));
    assertEquals("missing_type", error(s));
    s.send(new JsonObject().put("type", "register"));
    assertEquals("missing_address", error(s));
    s.send(new JsonObject().put("type", "send").put("address", "timers.start").put("replyAddress", "r".repeat(37))
        .put("headers", new JsonObject().put("authorization", "Bearer " + ada.token())));
    assertEquals("invalid_reply_address", error(s));
    // The socket is still usable after every refusal.
    JsonObject reply = s.request("timers.stop", new JsonObject().put("teamId", teamId), ada.token());
    assertEquals(409, reply.getInteger("failureCode"));
  }

  @Test
  void aNodeRefusesSocketsBeyondItsLimitWithAReason() throws Exception {
    for (int i = 0; i < 6; i++) {
      socket();
    }
    awaitTrue(() -> stat("bridge.sockets") == 6, "six sockets are held");
    WebSocketClient client = NODE.clientVertx().createWebSocketClient();
    try {
      CompletableFuture<String> closed = new CompletableFuture<>();
      // The refusal may arrive at once: install the close handler in the same event-loop turn as the connection.
      client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(NODE.node().bridgePort())
              .setURI("/eventbus/websocket"))
          .onSuccess(extra -> {
            try {
              extra.closeHandler(v -> closed.complete(extra.closeStatusCode() + " " + extra.closeReason()));
            } catch (IllegalStateException alreadyClosed) {
              // Vert.x refuses a close handler on a socket that is already closed: the refusal came first.
              closed.complete(extra.closeStatusCode() + " " + extra.closeReason());
            }
            // onSuccess runs on the test thread when the connection completed first: the close may be in already.
            if (extra.isClosed()) {
              closed.complete(extra.closeStatusCode() + " " + extra.closeReason());
            }
          })
          .await();
      String why = closed.get(5, TimeUnit.SECONDS);
      assertTrue(why.startsWith("4029 "), why);
      assertTrue(why.contains("limit"), why);
    } finally {
      client.close().await();
    }
  }

  @Test
  void aSilentSocketIsClosedAfterThePingTimeout() throws Exception {
    WebSocketClient client = NODE.clientVertx().createWebSocketClient();
    try {
      WebSocket silent = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(NODE.node().bridgePort())
          .setURI("/eventbus/websocket")).await();
      CompletableFuture<Short> closed = new CompletableFuture<>();
      silent.closeHandler(v -> closed.complete(silent.closeStatusCode()));
      assertEquals((short) 4000, closed.get(8, TimeUnit.SECONDS));
    } finally {
      client.close().await();
    }
  }

  @Test
  void aClientThatStopsReadingIsDisconnectedAndItsResourcesReturn() throws Exception {
    WebSocketClient client = NODE.clientVertx().createWebSocketClient();
    try {
      WebSocket stalled = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(NODE.node().bridgePort())
          .setURI("/eventbus/websocket")).await();
      CompletableFuture<String> closed = new CompletableFuture<>();
      stalled.closeHandler(v -> closed.complete(stalled.closeStatusCode() + " " + stalled.closeReason()));
      String address = "team." + teamId + ".timers";
      stalled.writeTextMessage(new JsonObject().put("type", "register").put("address", address)
          .put("headers", new JsonObject().put("authorization", "Bearer " + ada.token())).encode()).await();
      awaitTrue(() -> stat("bridge.consumers") == 2, "the team stream has its consumer");
      long pinger = NODE.clientVertx().setPeriodic(500, id -> stalled.writeTextMessage("{\"type\":\"ping\"}"));
      stalled.pause();

      // 64 MiB of events: far beyond what loopback buffers hold for a reader that stopped.
      JsonObject big = new JsonObject().put("type", "entry.updated").put("pad", "x".repeat(64 * 1024));
      for (int i = 0; i < 1024 && !closed.isDone(); i++) {
        NODE.node().vertx().eventBus().publish(address, big);
        if (i % 64 == 0) {
          Thread.sleep(20);
        }
      }
      // The server lets go first: the close frame waits behind everything the client has not read.
      awaitTrue(() -> stat("bridge.sockets") == 0 && stat("bridge.consumers") == 1,
          "the node dropped the socket and the stream's consumer");
      NODE.clientVertx().cancelTimer(pinger);
      stalled.resume();
      String why = closed.get(30, TimeUnit.SECONDS);
      assertTrue(why.startsWith("4008 ") && why.contains("slow consumer"), why);
    } finally {
      client.close().await();
    }
  }

  @Test
  void perUserStreamsAreForTheirUserOnlyAndFollowThemAcrossTeams() {
    BridgeClient bobSocket = socket();
    bobSocket.register("user." + ada.id() + ".timers", bob.token());
    assertEquals("access_denied", error(bobSocket));

    BridgeClient adaSocket = socket();
    adaSocket.register("user." + ada.id() + ".timers", ada.token());
    String side = NODE.api().createTeam(ada, "Side");
    String sideProject = NODE.api().createProject(ada, side, "Blog");
    JsonObject frame = null;
    for (int i = 0; i < 50 && frame == null; i++) {
      expect(201, NODE.api().startTimer(ada, side, sideProject));
      frame = adaSocket.nextMatching(f -> "rec".equals(f.getString("type")), 200);
    }
    assertNotNull(frame, "no event on the per-user stream");
    assertEquals("user." + ada.id() + ".timers", frame.getString("address"));
    assertEquals(side, frame.getJsonObject("body").getString("teamId"));

    expect(201, NODE.api().startTimer(bob, teamId, projectId));
    assertTrue(adaSocket.nextMatching(f -> "rec".equals(f.getString("type"))
        && bob.id().equals(f.getJsonObject("body").getJsonObject("entry").getString("userId")), 500) == null,
        "Ada's stream carries only Ada's timers");
  }

  @Test
  void afterUnregisterNoMoreEventsArrive() {
    BridgeClient s = socket();
    String address = "team." + teamId + ".timers";
    s.register(address, ada.token());
    JsonObject frame = null;
    for (int i = 0; i < 50 && frame == null; i++) {
      expect(201, NODE.api().startTimer(bob, teamId, projectId));
      frame = s.nextMatching(f -> "rec".equals(f.getString("type")), 200);
    }
    assertNotNull(frame);
    s.send(new JsonObject().put("type", "unregister").put("address", address)
        .put("headers", new JsonObject().put("authorization", "Bearer " + ada.token())));
    awaitTrue(() -> stat("bridge.consumers") == 1, "the consumer went with its last subscriber");
    while (s.next(200) != null) {
      // drain what was in flight
    }
    expect(201, NODE.api().startTimer(bob, teamId, projectId));
    assertTrue(s.quietFor(500));
  }
}
