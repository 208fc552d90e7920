package dev.trcr.cluster;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two clustered nodes over Hazelcast on 127.0.0.1 with a cluster name of their own: the edge node runs {@code bridge}
 * and a second {@code timers}; the core node runs {@code api,workspace,timers}. One PostgreSQL behind both.
 */
class ClusterTest {

  private static Node edge;
  private static Node core;
  private static Vertx clientVertx;
  private static Api api;
  private static final AtomicInteger startsOnEdge = new AtomicInteger();
  private static final AtomicInteger startsOnCore = new AtomicInteger();

  @BeforeAll
  static void startCluster() {
    TestNodes.TwoNodes cluster = TestNodes.startTwo(TestNodes.config(), "bridge,timers", "api,workspace,timers");
    edge = cluster.edge();
    core = cluster.core();
    TestNodes.countInbound(edge, "timers.start", startsOnEdge);
    TestNodes.countInbound(core, "timers.start", startsOnCore);
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
  void aSubscriberOnTheBridgeNodeSeesATimerStartedThroughTheOtherNode() {
    Session ada = api.signup("Ada");
    Session bob = api.signup("Bob");
    String team = api.createTeam(ada, "Acme");
    api.addMember(ada, team, bob, "member");
    String project = api.createProject(ada, team, "Website");

    try (BridgeClient socket = BridgeClient.connect(clientVertx, edge.bridgePort())) {
      socket.register("team." + team + ".timers", ada.token());
      JsonObject frame = null;
      for (int i = 0; i < 50 && frame == null; i++) {
        expect(201, api.startTimer(bob, team, project));
        frame = socket.nextMatching(f -> "rec".equals(f.getString("type")), 200);
      }
      assertNotNull(frame, "the bridge node never received the event");
      JsonObject event = frame.getJsonObject("body");
      assertTrue(event.getString("type").startsWith("timer."), event.encode());
      assertEquals(team, event.getString("teamId"));
    }
  }

  @Test
  void everyCommandIsHandledExactlyOnceWithTimersOnBothNodes() {
    Session ada = api.signup("Ada");
    String team = api.createTeam(ada, "Acme");
    String project = api.createProject(ada, team, "Website");
    Session[] users = new Session[4];
    for (int i = 0; i < users.length; i++) {
      users[i] = api.signup("User " + i);
      api.addMember(ada, team, users[i], "member");
    }

    try (BridgeClient socket = BridgeClient.connect(clientVertx, edge.bridgePort())) {
      socket.register("team." + team + ".timers", ada.token());
      // Until the subscription is in place, Ada's own timer changes serve as the probe.
      JsonObject probe = null;
      for (int i = 0; i < 50 && probe == null; i++) {
        expect(201, api.startTimer(ada, team, project));
        probe = socket.nextMatching(f -> "rec".equals(f.getString("type")), 200);
      }
      assertNotNull(probe);
      expect(200, api.post("/api/teams/" + team + "/timer/stop", ada.token(), null));
      while (socket.next(300) != null) {
        // drain
      }
      int before = startsOnEdge.get() + startsOnCore.get();
      int edgeBefore = startsOnEdge.get();

      int commands = 40;
      Set<String> replied = new HashSet<>();
      for (int i = 0; i < commands; i++) {
        Session user = users[i % users.length];
        if (i % 2 == 0) {
          replied.add(expect(201, api.startTimer(user, team, project)).json().getString("id"));
        } else {
          JsonObject reply = socket.request("timers.start",
              new JsonObject().put("teamId", team).put("projectId", project), user.token());
          assertEquals("rec", reply.getString("type"), reply.encode());
          replied.add(reply.getJsonObject("body").getString("id"));
        }
      }
      assertEquals(commands, replied.size(), "each command created its own entry");
      assertEquals(commands, startsOnEdge.get() + startsOnCore.get() - before, "each command was handled once");
      assertTrue(startsOnEdge.get() > edgeBefore && startsOnCore.get() > 0,
          "both timers instances took commands: edge " + startsOnEdge.get() + ", core " + startsOnCore.get());

      Set<String> started = new HashSet<>();
      JsonObject frame;
      while ((frame = socket.nextMatching(f -> "rec".equals(f.getString("type")), 1_000)) != null) {
        JsonObject event = frame.getJsonObject("body");
        if ("timer.started".equals(event.getString("type"))) {
          assertTrue(started.add(event.getJsonObject("entry").getString("id")), "an event arrived twice");
        }
      }
      assertEquals(replied, started, "one timer.started per command, no more, no less");

      int entries = 0;
      for (Session user : users) {
        entries += expect(200, api.get("/api/teams/" + team + "/time-entries?userId=" + user.id() + "&limit=200",
            ada.token())).json().getJsonArray("items").size();
      }
      assertEquals(commands, entries);
      assertEquals(users.length, expect(200, api.get("/api/teams/" + team + "/timers/running", ada.token()))
          .array().size(), "one running timer per user");
    }
  }

  @Test
  void logoutThroughOneNodeClosesTheUsersSocketsOnTheOtherAtOnce() {
    Session ada = api.signup("Ada");
    Session bob = api.signup("Bob");
    JsonObject teamless = new JsonObject().put("teamId", java.util.UUID.randomUUID().toString());
    try (BridgeClient adaSocket = BridgeClient.connect(clientVertx, edge.bridgePort());
         BridgeClient bobSocket = BridgeClient.connect(clientVertx, edge.bridgePort())) {
      // A 404 reply proves each socket's token was accepted on the edge node (whose cache asked the core's workspace).
      assertEquals(404, adaSocket.request("timers.stop", teamless, ada.token()).getInteger("failureCode"));
      assertEquals(404, bobSocket.request("timers.stop", teamless, bob.token()).getInteger("failureCode"));

      assertEquals(204, api.post("/api/auth/logout", ada.token(), null).status());

      assertEquals(4401, adaSocket.awaitClose(1_000), "the edge node heard the revocation within a second");
      assertEquals(null, bobSocket.awaitClose(200));
      assertEquals(404, bobSocket.request("timers.stop", teamless, bob.token()).getInteger("failureCode"));
    }
    try (BridgeClient again = BridgeClient.connect(clientVertx, edge.bridgePort())) {
      JsonObject denied = again.request("timers.stop", teamless, ada.token());
      assertEquals("access_denied", denied.getString("body"), denied.encode());
    }
  }
}
