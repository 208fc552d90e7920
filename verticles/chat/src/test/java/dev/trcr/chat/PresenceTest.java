package dev.trcr.chat;

import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.function.Predicate;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presence on one node with every verticle, through real bridge sockets: online from a socket's first authenticated
 * frame, offline once the last socket has been closed for the grace period, and a reload within the grace is never
 * seen. Short timings: grace 1 s, heartbeat 200 ms, node timeout 2 s.
 */
class PresenceTest {

  static final long GRACE_MS = 1_000;

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config()
      .put("TRCR_RATE_LIMIT_PER_SECOND", 0)
      .put("TRCR_PRESENCE_GRACE_MS", GRACE_MS)
      .put("TRCR_PRESENCE_HEARTBEAT_MS", 200)
      .put("TRCR_PRESENCE_NODE_TIMEOUT_MS", 2_000));

  private Session ada;
  private Session bob;
  private Session eve;
  private String teamId;

  @BeforeEach
  void team() {
    ada = NODE.api().signup("Ada");
    bob = NODE.api().signup("Bob");
    eve = NODE.api().signup("Eve");
    teamId = NODE.api().createTeam(ada, "Acme");
    NODE.api().addMember(ada, teamId, bob, "member");
  }

  private String stream() {
    return "team." + teamId + ".presence";
  }

  static Predicate<JsonObject> presence(Session who, String status) {
    return f -> "rec".equals(f.getString("type")) && f.getJsonObject("body") != null
        && "presence".equals(f.getJsonObject("body").getString("type"))
        && who.id().equals(f.getJsonObject("body").getString("userId"))
        && status.equals(f.getJsonObject("body").getString("status"));
  }

  private String statusOf(Session who) {
    JsonArray members = expect(200, NODE.api().get("/api/teams/" + teamId + "/presence", ada.token())).array();
    for (Object o : members) {
      JsonObject m = (JsonObject) o;
      if (who.id().equals(m.getString("userId"))) {
        return m.getString("status");
      }
    }
    throw new AssertionError(who.name() + " is not listed: " + members.encode());
  }

  /** Registration has no acknowledgement: the observer is online (its register was handled), then a moment more. */
  private BridgeClient observer(int bridgePort) throws InterruptedException {
    BridgeClient observer = BridgeClient.connect(NODE.clientVertx(), bridgePort);
    observer.register(stream(), ada.token());
    awaitStatus(ada, "online", 5_000);
    Thread.sleep(200);
    return observer;
  }

  private void awaitStatus(Session who, String status, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (!status.equals(statusOf(who))) {
      assertTrue(System.currentTimeMillis() < deadline, who.name() + " never became " + status);
      Thread.sleep(50);
    }
  }

  /** Any authenticated frame counts; this one also subscribes the socket to its team's presence. */
  private BridgeClient socketOf(Session who) {
    BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort());
    socket.register(stream(), who.token());
    return socket;
  }

  @Test
  void aUserIsOnlineFromTheFirstAuthenticatedFrameAndOfflineAfterTheLastSocketClosesAndTheGrace() throws Exception {
    try (BridgeClient watching = observer(NODE.node().bridgePort())) {
      BridgeClient bobs = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort());
      Thread.sleep(500);
      assertEquals("offline", statusOf(bob), "a socket without a token does not count");

      bobs.register(stream(), bob.token());
      JsonObject online = watching.nextMatching(presence(bob, "online"), 3_000);
      assertNotNull(online, "the team saw Bob come online");
      JsonObject body = online.getJsonObject("body");
      assertEquals(teamId, body.getString("teamId"));
      assertNotNull(body.getLong("ts"));
      assertNull(body.getValue("seq"), "presence is not journaled");
      assertEquals("online", statusOf(bob));

      long closedAt = System.currentTimeMillis();
      bobs.close();
      JsonObject offline = watching.nextMatching(presence(bob, "offline"), GRACE_MS + 3_000);
      long after = System.currentTimeMillis() - closedAt;
      assertNotNull(offline, "the team saw Bob go offline");
      assertTrue(after >= GRACE_MS - 50, "not before the grace: " + after + " ms");
      assertTrue(after <= GRACE_MS + 2_000, "soon after the grace: " + after + " ms");
      assertEquals("offline", statusOf(bob));
      assertNull(watching.nextMatching(presence(bob, "online").or(presence(bob, "offline")), 300), "told once");
    }
  }

  @Test
  void aReloadWithinTheGraceNeverShowsOffline() throws Exception {
    try (BridgeClient watching = observer(NODE.node().bridgePort())) {
      BridgeClient first = socketOf(bob);
      assertNotNull(watching.nextMatching(presence(bob, "online"), 3_000));

      // A second tab, then the first one closes: still online.
      BridgeClient second = socketOf(bob);
      Thread.sleep(200);
      first.close();
      // A reload: the page's socket closes and a new one authenticates a moment later.
      Thread.sleep(200);
      second.close();
      Thread.sleep(300);
      BridgeClient reloaded = socketOf(bob);

      assertNull(watching.nextMatching(presence(bob, "offline").or(presence(bob, "online")), GRACE_MS + 1_000),
          "neither offline nor a second online while Bob reloads");
      assertEquals("online", statusOf(bob));

      reloaded.close();
      assertNotNull(watching.nextMatching(presence(bob, "offline"), GRACE_MS + 3_000), "then offline once gone");
    }
  }

  @Test
  void presenceListsTheTeamsMembersForMembersOnly() throws Exception {
    try (BridgeClient bobs = socketOf(bob)) {
      awaitStatus(bob, "online", 5_000);
      JsonArray members = expect(200, NODE.api().get("/api/teams/" + teamId + "/presence", bob.token())).array();
      assertEquals(2, members.size(), members.encode());
      JsonObject adaRow = members.getJsonObject(0);
      assertEquals(ada.id(), adaRow.getString("userId"));
      assertEquals("Ada", adaRow.getString("name"));
      assertEquals("offline", adaRow.getString("status"));
      JsonObject bobRow = members.getJsonObject(1);
      assertEquals(bob.id(), bobRow.getString("userId"));
      assertEquals("online", bobRow.getString("status"));
      assertNotNull(bobRow.getString("since"));
    }
    Api.Response outsider = NODE.api().get("/api/teams/" + teamId + "/presence", eve.token());
    assertEquals(404, outsider.status(), outsider.toString());
    assertEquals("team_not_found", outsider.errorCode());
    assertEquals(400, NODE.api().get("/api/teams/not-a-team/presence", ada.token()).status());
    assertEquals(401, NODE.api().get("/api/teams/" + teamId + "/presence", null).status());
  }

  @Test
  void nonMembersCannotRegisterOnATeamsPresence() {
    try (BridgeClient outsider = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      outsider.register(stream(), eve.token());
      JsonObject refused = outsider.nextMatching(f -> "err".equals(f.getString("type")), 3_000);
      assertNotNull(refused, "the register was refused");
      assertEquals("access_denied", refused.getString("body"));
      try (BridgeClient bobs = socketOf(bob)) {
        assertNull(outsider.nextMatching(f -> "rec".equals(f.getString("type")), 1_000), "nothing reaches Eve");
      }
    }
  }
}
