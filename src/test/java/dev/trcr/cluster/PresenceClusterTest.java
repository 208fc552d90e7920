package dev.trcr.cluster;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.ChildNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.function.Predicate;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presence across a cluster: node A runs workspace, chat, api and bridge, node B chat and bridge (both in this JVM),
 * and a bridge-only node C runs in a JVM of its own so that it can be killed with {@code kill -9}. A socket on one
 * node is seen by an observer on another; the users of a killed node go offline within the stated bound, node
 * timeout + sweep + grace, while their sockets on surviving nodes keep them online.
 */
class PresenceClusterTest {

  private static final long GRACE_MS = 1_000;
  private static final long HEARTBEAT_MS = 250;
  private static final long NODE_TIMEOUT_MS = 1_000;
  /** The chat instances look for silent nodes every node timeout / 4 (at most 1 s). */
  private static final long SWEEP_MS = NODE_TIMEOUT_MS / 4;
  /** What the README states: a dead node's users are offline within node timeout + sweep + grace (+ one write). */
  private static final long BOUND_MS = NODE_TIMEOUT_MS + SWEEP_MS + GRACE_MS;

  private static String clusterName;
  private static JsonObject shared;
  private static int portA;
  private static int portB;
  private static Node a;
  private static Node b;
  private static Vertx clientVertx;
  private static Api api;

  private Session ada;
  private Session bob;
  private Session cid;
  private String teamId;

  @BeforeAll
  static void startCluster() {
    clusterName = TestNodes.uniqueClusterName();
    portA = TestNodes.freePort();
    portB = TestNodes.freePort();
    shared = TestNodes.config()
        .put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        .put("TRCR_CLUSTER_FAILURE_TIMEOUT_SECONDS", 5)
        .put("TRCR_PRESENCE_GRACE_MS", GRACE_MS)
        .put("TRCR_PRESENCE_HEARTBEAT_MS", HEARTBEAT_MS)
        .put("TRCR_PRESENCE_NODE_TIMEOUT_MS", NODE_TIMEOUT_MS);
    Future<Node> startA = Node.start(TestNodes.clustered(shared, clusterName, portA, portA, portB)
        .put("TRCR_VERTICLES", "workspace,chat,api,bridge"));
    Future<Node> startB = Node.start(TestNodes.clustered(shared, clusterName, portB, portA, portB)
        .put("TRCR_VERTICLES", "chat,bridge"));
    a = startA.await();
    b = startB.await();
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, a.httpPort());
  }

  @AfterAll
  static void stopCluster() {
    api.close();
    clientVertx.close().await();
    Future.join(b.close(), a.close()).await();
  }

  @BeforeEach
  void team() {
    ada = api.signup("Ada");
    bob = api.signup("Bob");
    cid = api.signup("Cid");
    teamId = api.createTeam(ada, "Acme");
    api.addMember(ada, teamId, bob, "member");
    api.addMember(ada, teamId, cid, "member");
  }

  private String stream() {
    return "team." + teamId + ".presence";
  }

  private static Predicate<JsonObject> presence(Session who, String status) {
    return f -> "rec".equals(f.getString("type")) && f.getJsonObject("body") != null
        && "presence".equals(f.getJsonObject("body").getString("type"))
        && who.id().equals(f.getJsonObject("body").getString("userId"))
        && status.equals(f.getJsonObject("body").getString("status"));
  }

  private String statusOf(Session who) {
    JsonArray members = expect(200, api.get("/api/teams/" + teamId + "/presence", ada.token())).array();
    return members.stream().map(JsonObject.class::cast).filter(m -> who.id().equals(m.getString("userId")))
        .findFirst().orElseThrow().getString("status");
  }

  private void awaitStatus(Session who, String status) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!status.equals(statusOf(who))) {
      assertTrue(System.currentTimeMillis() < deadline, who.name() + " never became " + status);
      Thread.sleep(50);
    }
  }

  /** Ada watches the team's presence from node B; her own register is what makes her online. */
  private BridgeClient observerOnB() throws InterruptedException {
    BridgeClient observer = BridgeClient.connect(clientVertx, b.bridgePort());
    observer.register(stream(), ada.token());
    awaitStatus(ada, "online");
    Thread.sleep(200);
    return observer;
  }

  private BridgeClient socketOf(Session who, int bridgePort) {
    BridgeClient socket = BridgeClient.connect(clientVertx, bridgePort);
    socket.register(stream(), who.token());
    return socket;
  }

  @Test
  void anObserverOnOneNodeSeesAUserOfAnotherNodeComeAndGo() throws Exception {
    try (BridgeClient watching = observerOnB()) {
      BridgeClient bobOnA = socketOf(bob, a.bridgePort());
      assertNotNull(watching.nextMatching(presence(bob, "online"), 3_000), "online seen on node B");
      long closedAt = System.currentTimeMillis();
      bobOnA.close();
      assertNotNull(watching.nextMatching(presence(bob, "offline"), GRACE_MS + 3_000), "offline seen on node B");
      long after = System.currentTimeMillis() - closedAt;
      assertTrue(after >= GRACE_MS - 50, "after the grace: " + after + " ms");
      // Two chat instances followed the same reports: each change is told once.
      assertNull(watching.nextMatching(presence(bob, "online").or(presence(bob, "offline")), 500));
    }
  }

  @Test
  void theUsersOfAKilledNodeGoOfflineWithinTheBound() throws Exception {
    int bridgePort = TestNodes.freePort();
    int clusterPort = TestNodes.freePort();
    try (BridgeClient watching = observerOnB();
         ChildNode doomed = ChildNode.start(TestNodes.clustered(shared, clusterName, clusterPort, portA, portB,
             clusterPort).put("TRCR_VERTICLES", "bridge").put("TRCR_BRIDGE_PORT", bridgePort))) {
      BridgeClient bobOnC = socketOf(bob, bridgePort);
      BridgeClient cidOnC = socketOf(cid, bridgePort);
      assertNotNull(watching.nextMatching(presence(bob, "online"), 5_000), "Bob online through node C");
      assertNotNull(watching.nextMatching(presence(cid, "online"), 5_000), "Cid online through node C");
      try (BridgeClient cidOnA = socketOf(cid, a.bridgePort())) {
        Thread.sleep(300);

        doomed.kill();
        long killedAt = System.currentTimeMillis();
        JsonObject offline = watching.nextMatching(presence(bob, "offline"), BOUND_MS + 10_000);
        long tookMs = System.currentTimeMillis() - killedAt;
        System.out.printf("presence: a killed node's user went offline after %d ms (bound %d ms: node timeout %d, "
            + "sweep %d, grace %d)%n", tookMs, BOUND_MS, NODE_TIMEOUT_MS, SWEEP_MS, GRACE_MS);
        assertNotNull(offline, "Bob went offline");
        assertTrue(tookMs <= BOUND_MS + 1_000, "within the bound (+1 s for the write and the publish): " + tookMs
            + " ms");
        assertEquals("offline", statusOf(bob));

        assertNull(watching.nextMatching(presence(cid, "offline"), 1_000), "Cid's socket on node A keeps her online");
        assertEquals("online", statusOf(cid));
      }
      quietly(bobOnC);
      quietly(cidOnC);
    }
  }

  /** A socket of a killed node is already broken: closing it may fail, which is fine. */
  private static void quietly(BridgeClient socket) {
    try {
      socket.close();
    } catch (RuntimeException ignored) {
      // the peer is gone
    }
  }
}
