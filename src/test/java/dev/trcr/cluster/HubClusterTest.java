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

/** The hub on a two-node cluster: both nodes run a bridge; registrations follow nodes, not sockets. */
class HubClusterTest {

  private static Node edge;
  private static Node core;
  private static Vertx clientVertx;
  private static Api api;

  @BeforeAll
  static void startCluster() {
    String name = TestNodes.uniqueClusterName();
    int edgePort = TestNodes.freePort();
    int corePort = TestNodes.freePort();
    JsonObject shared = TestNodes.config();
    Future<Node> e = Node.start(TestNodes.clustered(shared, name, edgePort, edgePort, corePort)
        .put("TRCR_VERTICLES", "bridge"));
    Future<Node> c = Node.start(TestNodes.clustered(shared, name, corePort, edgePort, corePort)
        .put("TRCR_VERTICLES", "workspace,timers,api,bridge"));
    edge = e.await();
    core = c.await();
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
