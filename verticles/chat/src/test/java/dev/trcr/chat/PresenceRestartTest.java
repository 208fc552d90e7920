package dev.trcr.chat;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Presence lives in memory and in the one table the chat instances agree in: a user still marked online when every
 * node stopped (their grace had not ended) is announced offline once a restarted chat instance has heard every live
 * bridge node, i.e. after its first node timeout.
 */
class PresenceRestartTest {

  private static JsonObject config;
  private static Vertx clientVertx;

  @BeforeAll
  static void configure() {
    config = TestNodes.config()
        .put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        // Longer than the node takes to stop: Bob's offline is still pending when chat goes.
        .put("TRCR_PRESENCE_GRACE_MS", 30_000)
        .put("TRCR_PRESENCE_HEARTBEAT_MS", 200)
        // The restarted instance reconciles 5 s after it starts (node timeout + a 1 s sweep): time to watch it.
        .put("TRCR_PRESENCE_NODE_TIMEOUT_MS", 4_000);
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void close() {
    clientVertx.close().await();
  }

  private static String statusOf(Api api, Session asker, String teamId, Session who) {
    return expect(200, api.get("/api/teams/" + teamId + "/presence", asker.token())).array().stream()
        .map(JsonObject.class::cast).filter(m -> who.id().equals(m.getString("userId"))).findFirst().orElseThrow()
        .getString("status");
  }

  @Test
  void aUserLeftOnlineWhenEveryNodeStoppedIsOfflineAfterTheRestart() throws Exception {
    Session ada;
    Session bob;
    String teamId;
    Node first = TestNodes.start(config);
    Api api = new Api(clientVertx, first.httpPort());
    try {
      ada = api.signup("Ada");
      bob = api.signup("Bob");
      teamId = api.createTeam(ada, "Acme");
      api.addMember(ada, teamId, bob, "member");
      BridgeClient bobs = BridgeClient.connect(clientVertx, first.bridgePort());
      bobs.register("team." + teamId + ".presence", bob.token());
      long deadline = System.currentTimeMillis() + 5_000;
      while (!"online".equals(statusOf(api, ada, teamId, bob))) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("Bob never came online");
        }
        Thread.sleep(50);
      }
    } finally {
      api.close();
      first.close().await();
    }

    Node second = TestNodes.start(config);
    Api again = new Api(clientVertx, second.httpPort());
    try (BridgeClient watching = BridgeClient.connect(clientVertx, second.bridgePort())) {
      assertEquals("online", statusOf(again, ada, teamId, bob), "the table still says what was last announced");
      watching.register("team." + teamId + ".presence", ada.token());
      JsonObject offline = watching.nextMatching(PresenceTest.presence(bob, "offline"), 15_000);
      assertNotNull(offline, "Bob was announced offline once the new chat instance had heard every bridge node");
      assertEquals("offline", statusOf(again, ada, teamId, bob));
      assertEquals("online", statusOf(again, ada, teamId, ada), "Ada, whose socket is open, stays online");
    } finally {
      again.close();
      second.close().await();
    }
  }
}
