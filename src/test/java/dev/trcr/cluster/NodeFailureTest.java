package dev.trcr.cluster;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.ChildNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Losing a node loses nothing anyone was told had succeeded. Three clustered nodes: the edge (api, bridge) and one
 * domain node (bridge, workspace, timers) in this JVM, a second domain node in a JVM of its own that is killed with
 * {@code kill -9} while a client sends commands at a steady rate, or stopped with SIGTERM.
 */
class NodeFailureTest {

  /** Hazelcast drops a silent member after this long (TRCR_CLUSTER_FAILURE_TIMEOUT_SECONDS). */
  private static final int FAILURE_TIMEOUT_S = 5;
  private static final int BUS_TIMEOUT_MS = 3_000;

  private static String clusterName;
  private static JsonObject shared;
  private static int edgePort;
  private static int domainPort;
  private static Node edge;
  private static Node domain;
  private static Vertx clientVertx;
  private static Api api;

  @BeforeAll
  static void startCluster() {
    clusterName = TestNodes.uniqueClusterName();
    edgePort = TestNodes.freePort();
    domainPort = TestNodes.freePort();
    shared = TestNodes.config()
        .put("TRCR_CLUSTER_FAILURE_TIMEOUT_SECONDS", FAILURE_TIMEOUT_S)
        .put("TRCR_BUS_TIMEOUT_MS", BUS_TIMEOUT_MS)
        .put("TRCR_JOURNAL_RELAY_MS", 500)
        .put("TRCR_JOURNAL_RELAY_GRACE_MS", 1000);
    Future<Node> e = Node.start(TestNodes.clustered(shared, clusterName, edgePort, edgePort, domainPort)
        .put("TRCR_VERTICLES", "api,bridge"));
    Future<Node> d = Node.start(TestNodes.clustered(shared, clusterName, domainPort, edgePort, domainPort)
        .put("TRCR_VERTICLES", "workspace,timers,bridge"));
    edge = e.await();
    domain = d.await();
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, edge.httpPort());
  }

  @AfterAll
  static void stopCluster() {
    api.close();
    clientVertx.close().await();
    Future.join(edge.close(), domain.close()).await();
  }

  private static ChildNode child() {
    int port = TestNodes.freePort();
    return ChildNode.start(TestNodes.clustered(shared, clusterName, port, edgePort, domainPort, port)
        .put("TRCR_VERTICLES", "workspace,timers,bridge")
        .put("TRCR_BRIDGE_PORT", TestNodes.freePort()));
  }

  private static int bridgePortOf(ChildNode child) {
    return child.config().getInteger("TRCR_BRIDGE_PORT");
  }

  private static JsonObject awaitFirstEvent(BridgeClient socket, Runnable poke) {
    for (int i = 0; i < 100; i++) {
      poke.run();
      JsonObject frame = socket.nextMatching(f -> "rec".equals(f.getString("type")), 200);
      if (frame != null) {
        return frame.getJsonObject("body");
      }
    }
    throw new AssertionError("never subscribed");
  }

  @Test
  void killingADomainNodeLosesNoAcknowledgedCommandAndNoCommittedEvent() throws Exception {
    Session ada = api.signup("Ada");
    String team = api.createTeam(ada, "Acme");
    String project = api.createProject(ada, team, "Website");
    List<Session> users = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Session u = api.signup("User " + i);
      api.addMember(ada, team, u, "member");
      users.add(u);
    }
    String stream = "team." + team + ".timers";
    try (ChildNode doomed = child();
         BridgeClient survivorSocket = BridgeClient.connect(clientVertx, edge.bridgePort())) {
      BridgeClient doomedSocket = BridgeClient.connect(clientVertx, bridgePortOf(doomed));
      doomedSocket.register(stream, ada.token());
      survivorSocket.register(stream, ada.token());
      awaitFirstEvent(doomedSocket, () -> expect(201, api.startTimer(ada, team, project)));
      awaitFirstEvent(survivorSocket, () -> expect(201, api.startTimer(ada, team, project)));

      WebClient client = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(edge.httpPort()));
      Set<String> acknowledged = new HashSet<>();
      long worstMs = 0;
      long killedAt = 0;
      int commands = 80;
      for (int i = 0; i < commands; i++) {
        if (i == 20) {
          doomed.kill();
          killedAt = System.currentTimeMillis();
        }
        Session user = users.get(i % users.size());
        String key = UUID.randomUUID().toString();
        long first = System.currentTimeMillis();
        // A client that keeps its idempotency key and retries until it is answered: the way a real one must.
        HttpResponse<Buffer> response = null;
        while (System.currentTimeMillis() - first < 60_000) {
          try {
            response = client.post("/api/teams/" + team + "/timer/start")
                .putHeader("Authorization", "Bearer " + user.token()).putHeader("Idempotency-Key", key)
                .sendJsonObject(new JsonObject().put("projectId", project)).await();
          } catch (Exception e) {
            response = null;
          }
          if (response != null && response.statusCode() == 201) {
            break;
          }
          Thread.sleep(100);
        }
        assertNotNull(response);
        assertEquals(201, response.statusCode(), response.bodyAsString());
        acknowledged.add(response.bodyAsJsonObject().getString("id"));
        worstMs = Math.max(worstMs, System.currentTimeMillis() - first);
        Thread.sleep(50);
      }
      client.close();
      System.out.printf("node failure: worst time to an answer %d ms (failure detection %d s, bus timeout %d ms)%n",
          worstMs, FAILURE_TIMEOUT_S, BUS_TIMEOUT_MS);
      assertTrue(worstMs <= (FAILURE_TIMEOUT_S + 1) * 1000L + 2L * BUS_TIMEOUT_MS,
          "commands reached the surviving instance within the bound; worst " + worstMs + " ms");

      // Every acknowledged command is in the database.
      Set<String> stored = new HashSet<>();
      for (Session u : users) {
        expect(200, api.get("/api/teams/" + team + "/time-entries?limit=200&userId=" + u.id(), ada.token())).json()
            .getJsonArray("items").forEach(o -> stored.add(((JsonObject) o).getString("id")));
      }
      assertTrue(stored.containsAll(acknowledged), "acknowledged but not stored: " + diff(acknowledged, stored));
      assertEquals(commands, acknowledged.size());

      // Every committed start reaches the surviving subscriber (the relay covers what the dead node had not sent).
      Set<String> started = new HashSet<>();
      long deadline = System.currentTimeMillis() + 15_000;
      while (!started.containsAll(stored) && System.currentTimeMillis() < deadline) {
        JsonObject frame = survivorSocket.nextMatching(f -> "rec".equals(f.getString("type")), 500);
        if (frame != null && "timer.started".equals(frame.getJsonObject("body").getString("type"))) {
          started.add(frame.getJsonObject("body").getJsonObject("entry").getString("id"));
        }
      }
      assertTrue(started.containsAll(stored), "committed but never delivered: " + diff(stored, started));
      assertTrue(killedAt > 0);
    }
  }

  @Test
  void aBridgeClientOfTheKilledNodeReconnectsElsewhereAndRecovers() {
    Session ada = api.signup("Ada");
    String team = api.createTeam(ada, "Acme");
    String project = api.createProject(ada, team, "Website");
    String stream = "team." + team + ".timers";
    JsonObject last;
    try (ChildNode doomed = child()) {
      BridgeClient socket = BridgeClient.connect(clientVertx, bridgePortOf(doomed));
      socket.register(stream, ada.token());
      last = awaitFirstEvent(socket, () -> expect(201, api.startTimer(ada, team, project)));
      JsonObject more;
      while ((more = socket.nextMatching(f -> "rec".equals(f.getString("type")), 300)) != null) {
        last = more.getJsonObject("body");
      }
      doomed.kill();
    }
    for (int i = 0; i < 5; i++) {
      startRetrying(ada, team, project);
    }
    try (BridgeClient again = BridgeClient.connect(clientVertx, domain.bridgePort())) {
      again.register(stream, ada.token(), last.getLong("seq"), last.getString("epoch"));
      for (int i = 1; i <= 10; i++) { // five starts, each stopping the one before: ten events
        JsonObject frame = again.nextMatching(f -> "rec".equals(f.getString("type")), 10_000);
        assertNotNull(frame, "only " + (i - 1) + " of 10 events recovered");
        assertEquals(last.getLong("seq") + i, frame.getJsonObject("body").getLong("seq"));
      }
    }
  }

  @Test
  void sigtermFinishesInFlightWorkTellsSocketsToReconnectAndExitsZero() throws Exception {
    Session ada = api.signup("Ada");
    String team = api.createTeam(ada, "Acme");
    String project = api.createProject(ada, team, "Website");
    ChildNode stopping = child();
    WebSocketClient wsClient = clientVertx.createWebSocketClient();
    try {
      CompletableFuture<Short> closed = new CompletableFuture<>();
      List<JsonObject> frames = new ArrayList<>();
      WebSocket ws = wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(bridgePortOf(stopping)).setURI("/eventbus/websocket")).await();
      ws.handler(b -> {
        synchronized (frames) {
          frames.add(new JsonObject(b));
        }
      });
      ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
      ws.writeTextMessage(new JsonObject().put("type", "send").put("address", "timers.start").put("replyAddress", "r")
          .put("body", new JsonObject().put("teamId", team).put("projectId", project))
          .put("headers", new JsonObject().put("authorization", "Bearer " + ada.token())).encode()).await();
      int exit = stopping.terminate(30);
      assertEquals(0, exit, stopping.output());
      assertEquals((short) 1001, closed.get(10, TimeUnit.SECONDS));
      JsonObject reply;
      synchronized (frames) {
        reply = frames.stream().filter(f -> "r".equals(f.getString("address"))).findFirst().orElse(null);
      }
      JsonObject running = expect(200, api.get("/api/teams/" + team + "/timers/running", ada.token())).array().stream()
          .map(JsonObject.class::cast).filter(e -> ada.id().equals(e.getString("userId"))).findFirst().orElse(null);
      if (reply == null) {
        // SIGTERM came before the node read the frame: then the command must not have run either.
        assertEquals(null, running, "a command ran but its answer was lost: " + running);
      } else if ("rec".equals(reply.getString("type"))) {
        String id = reply.getJsonObject("body").getString("id");
        assertTrue(expect(200, api.get("/api/teams/" + team + "/timers/running", ada.token())).array().stream()
            .anyMatch(o -> id.equals(((JsonObject) o).getString("id"))), "an acknowledged start is stored");
      } else {
        assertEquals(503, reply.getInteger("failureCode"), reply.encode());
      }
      // The rest of the cluster goes on.
      expect(201, api.startTimer(ada, team, project));
    } finally {
      wsClient.close().await();
      stopping.close();
    }
  }

  /** Starts a timer the way a careful client does around a failure: same idempotency key, retried until answered. */
  private static String startRetrying(Session user, String team, String project) {
    String key = UUID.randomUUID().toString();
    long first = System.currentTimeMillis();
    while (System.currentTimeMillis() - first < 60_000) {
      Api.Response r = api.call(io.vertx.core.http.HttpMethod.POST, "/api/teams/" + team + "/timer/start",
          user.token(), new JsonObject().put("projectId", project), io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("Idempotency-Key", key));
      if (r.status() == 201) {
        return r.json().getString("id");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("no answer within 60 s");
  }

  private static Set<String> diff(Set<String> a, Set<String> b) {
    Set<String> d = new HashSet<>(a);
    d.removeAll(b);
    return d;
  }
}
