package dev.trcr.cluster;

import com.hazelcast.multimap.MultiMap;
import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub and the journal on a two-node cluster: both nodes run a bridge and timers; registrations follow nodes, not
 * sockets; a stream's seq stays gap-free under concurrent commands on both nodes; recovery works on either node.
 */
class HubClusterTest {

  private static Node edge;
  private static Node core;
  private static Vertx clientVertx;
  private static Api api;

  @BeforeAll
  static void startCluster() {
    TestNodes.TwoNodes cluster = TestNodes.startTwo(TestNodes.config(), "bridge,timers", "workspace,timers,api,bridge");
    edge = cluster.edge();
    core = cluster.core();
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, core.httpPort());
  }

  @AfterAll
  static void stopCluster() {
    api.close();
    clientVertx.close().await();
    Future.join(edge.close(), core.close()).await();
  }

  /** Entries for an address in the cluster's subscription registry (Vert.x keeps it in a Hazelcast multimap). */
  private static int clusterRegistrations(String address) {
    HazelcastClusterManager manager = (HazelcastClusterManager) ((VertxInternal) core.vertx()).clusterManager();
    MultiMap<String, Object> subs = manager.getHazelcastInstance().getMultiMap("__vertx.subs");
    return subs.valueCount(address);
  }

  private static JsonObject awaitEvent(BridgeClient socket, Runnable poke) {
    for (int i = 0; i < 50; i++) {
      poke.run();
      JsonObject frame = socket.nextMatching(f -> "rec".equals(f.getString("type")), 200);
      if (frame != null) {
        return frame;
      }
    }
    return null;
  }

  @Test
  void subscribersOnBothNodesReceiveEachEventExactlyOnce() {
    Session ada = api.signup("Ada");
    String team = api.createTeam(ada, "Acme");
    String project = api.createProject(ada, team, "Website");
    String address = "team." + team + ".timers";
    List<BridgeClient> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        BridgeClient s = BridgeClient.connect(clientVertx, (i % 2 == 0 ? edge : core).bridgePort());
        sockets.add(s);
        s.register(address, ada.token());
      }
      for (BridgeClient s : sockets) {
        assertNotNull(awaitEvent(s, () -> expect(201, api.startTimer(ada, team, project))), "a socket never subscribed");
      }
      for (BridgeClient s : sockets) {
        while (s.next(300) != null) {
          // drain the warm-up events
        }
      }
      int commands = 20;
      for (int i = 0; i < commands; i++) {
        expect(201, api.startTimer(ada, team, project));
      }
      for (BridgeClient s : sockets) {
        Map<String, Integer> seen = new HashMap<>();
        JsonObject frame;
        while ((frame = s.nextMatching(f -> "rec".equals(f.getString("type")), 1_000)) != null) {
          JsonObject event = frame.getJsonObject("body");
          seen.merge(event.getString("type") + " " + event.getJsonObject("entry").getString("id"), 1, Integer::sum);
        }
        long started = seen.keySet().stream().filter(k -> k.startsWith("timer.started")).count();
        assertEquals(commands, started, "every start once on every socket");
        seen.forEach((key, count) -> assertEquals(1, count, key + " arrived " + count + " times"));
      }
    } finally {
      sockets.forEach(BridgeClient::close);
    }
  }

  @Test
  void seqStaysGapFreeUnderConcurrentCommandsOnBothNodes() {
    Session ada = api.signup("Ada");
    String team = api.createTeam(ada, "Acme");
    String project = api.createProject(ada, team, "Website");
    List<Session> users = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Session u = api.signup("User " + i);
      api.addMember(ada, team, u, "member");
      users.add(u);
    }
    String address = "team." + team + ".timers";
    try (BridgeClient watcher = BridgeClient.connect(clientVertx, edge.bridgePort());
         BridgeClient sender = BridgeClient.connect(clientVertx, edge.bridgePort())) {
      watcher.register(address, ada.token());
      JsonObject first = awaitEvent(watcher, () -> expect(201, api.startTimer(ada, team, project)));
      assertNotNull(first);
      long last = first.getJsonObject("body").getLong("seq");
      JsonObject more;
      while ((more = watcher.nextMatching(f -> "rec".equals(f.getString("type")), 500)) != null) {
        last = more.getJsonObject("body").getLong("seq");
      }
      // Eight users start at once, half through the core node's REST API and half through the edge's bridge; each
      // command lands on either node's timers. Then once more, so that each start also stops one: 24 events.
      var client = io.vertx.ext.web.client.WebClient.create(clientVertx, new io.vertx.ext.web.client.WebClientOptions()
          .setDefaultHost("127.0.0.1").setDefaultPort(core.httpPort()));
      for (int round = 0; round < 2; round++) {
        List<Future<?>> starts = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
          Session u = users.get(i);
          if (i % 2 == 0) {
            starts.add(client.post("/api/teams/" + team + "/timer/start").putHeader("Authorization", "Bearer " + u.token())
                .sendJsonObject(new JsonObject().put("projectId", project)));
          } else {
            sender.send(new JsonObject().put("type", "send").put("address", "timers.start")
                .put("replyAddress", "r-" + round + "-" + i)
                .put("body", new JsonObject().put("teamId", team).put("projectId", project))
                .put("headers", new JsonObject().put("authorization", "Bearer " + u.token())));
          }
        }
        Future.all(starts).await();
      }
      client.close();
      for (int i = 0; i < 24; i++) {
        JsonObject frame = watcher.nextMatching(f -> "rec".equals(f.getString("type")), 5_000);
        assertNotNull(frame, "only " + i + " of 24 events arrived");
        assertEquals(last + 1, frame.getJsonObject("body").getLong("seq"), "gap-free, in order, once");
        last++;
      }
      assertTrue(watcher.quietFor(500), "no repeats");
    }
  }

  @Test
  void aClientRecoversOnTheOtherNode() {
    Session ada = api.signup("Ada");
    String team = api.createTeam(ada, "Acme");
    String project = api.createProject(ada, team, "Website");
    String address = "team." + team + ".timers";
    JsonObject last;
    try (BridgeClient onEdge = BridgeClient.connect(clientVertx, edge.bridgePort())) {
      onEdge.register(address, ada.token());
      last = awaitEvent(onEdge, () -> expect(201, api.startTimer(ada, team, project))).getJsonObject("body");
      JsonObject more;
      while ((more = onEdge.nextMatching(f -> "rec".equals(f.getString("type")), 500)) != null) {
        last = more.getJsonObject("body");
      }
    }
    for (int i = 0; i < 5; i++) {
      expect(201, api.startTimer(ada, team, project));
      expect(200, api.post("/api/teams/" + team + "/timer/stop", ada.token(), null));
    }
    try (BridgeClient onCore = BridgeClient.connect(clientVertx, core.bridgePort())) {
      onCore.register(address, ada.token(), last.getLong("seq"), last.getString("epoch"));
      for (int i = 1; i <= 10; i++) {
        JsonObject frame = onCore.nextMatching(f -> "rec".equals(f.getString("type")), 5_000);
        assertNotNull(frame, "only " + (i - 1) + " of 10 missed events arrived");
        assertEquals(last.getLong("seq") + i, frame.getJsonObject("body").getLong("seq"));
      }
    }
  }

  @Test
  void clusterRegistrationsDoNotGrowWithLocalSubscribers() {
    Session ada = api.signup("Ada");
    String team = api.createTeam(ada, "Acme");
    String project = api.createProject(ada, team, "Website");
    String address = "team." + team + ".timers";
    List<BridgeClient> sockets = new ArrayList<>();
    try {
      BridgeClient first = BridgeClient.connect(clientVertx, edge.bridgePort());
      sockets.add(first);
      first.register(address, ada.token());
      assertNotNull(awaitEvent(first, () -> expect(201, api.startTimer(ada, team, project))));
      int withOne = clusterRegistrations(address);

      for (int i = 0; i < 199; i++) {
        BridgeClient s = BridgeClient.connect(clientVertx, edge.bridgePort());
        sockets.add(s);
        s.register(address, ada.token());
      }
      BridgeClient last = sockets.get(sockets.size() - 1);
      assertNotNull(awaitEvent(last, () -> expect(201, api.startTimer(ada, team, project))));
      int withTwoHundred = clusterRegistrations(address);

      assertEquals(1, withOne, "one registration for the node's one consumer");
      assertEquals(withOne, withTwoHundred, "200 local subscribers, still one registration");
      assertTrue(clusterRegistrations("bridge.user-events") == 2, "one per-user consumer per node, whatever the users");
    } finally {
      sockets.forEach(BridgeClient::close);
    }
  }
}
