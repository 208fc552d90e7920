package dev.trcr.timers;

import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event journal on one node: numbered events, recovery after a reconnect, and reset when too far behind. */
class JournalTest {

  // A thousand writes in a few seconds: far over a user's rate limit, which is not what this test is about.
  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));

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

  private String stream() {
    return "team." + teamId + ".timers";
  }

  /** Subscribes and returns the first event seen, produced by Bob's starts until the subscription is in place. */
  private JsonObject subscribed(BridgeClient socket) {
    socket.register(stream(), ada.token());
    for (int i = 0; i < 50; i++) {
      expect(201, NODE.api().startTimer(bob, teamId, projectId));
      JsonObject frame = socket.nextMatching(f -> "rec".equals(f.getString("type")), 200);
      if (frame != null) {
        return frame.getJsonObject("body");
      }
    }
    throw new AssertionError("never subscribed");
  }

  private List<JsonObject> events(BridgeClient socket, int count) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      JsonObject frame = socket.nextMatching(f -> "rec".equals(f.getString("type")), 5_000);
      assertNotNull(frame, "only " + out.size() + " of " + count + " events arrived");
      out.add(frame.getJsonObject("body"));
    }
    return out;
  }

  @Test
  void eventsCarryAGapFreeSeqAndTheStreamsEpoch() {
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      JsonObject first = subscribed(socket);
      while (socket.next(300) != null) {
        // the probes' own events
      }
      expect(201, NODE.api().startTimer(ada, teamId, projectId));
      expect(200, NODE.api().post("/api/teams/" + teamId + "/timer/stop", ada.token(), null));
      expect(201, NODE.api().startTimer(bob, teamId, projectId));
      List<JsonObject> seen = events(socket, 4); // started, stopped, Bob's previous stopped, Bob's started
      long expected = seen.get(0).getLong("seq");
      assertTrue(expected > first.getLong("seq"));
      for (JsonObject event : seen) {
        assertEquals(expected++, event.getLong("seq"), "seq grows by one: " + seen);
        assertEquals(first.getString("epoch"), event.getString("epoch"));
        assertNotNull(event.getLong("ts"));
      }
    }
  }

  @Test
  void aClientThatReconnectsGetsExactlyWhatItMissedInOrderBeforeLiveEvents() {
    JsonObject last;
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      last = subscribed(socket);
      JsonObject more;
      while ((more = socket.nextMatching(f -> "rec".equals(f.getString("type")), 300)) != null) {
        last = more.getJsonObject("body");
      }
    }
    // Twenty events while Ada is away: ten starts and ten stops of her own timer.
    for (int i = 0; i < 10; i++) {
      expect(201, NODE.api().startTimer(ada, teamId, projectId));
      expect(200, NODE.api().post("/api/teams/" + teamId + "/timer/stop", ada.token(), null));
    }
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      socket.register(stream(), ada.token(), last.getLong("seq"), last.getString("epoch"));
      List<JsonObject> replay = events(socket, 20);
      for (int i = 0; i < 20; i++) {
        assertEquals(last.getLong("seq") + 1 + i, replay.get(i).getLong("seq"));
        assertEquals(i % 2 == 0 ? "timer.started" : "timer.stopped", replay.get(i).getString("type"));
      }
      expect(201, NODE.api().startTimer(bob, teamId, projectId));
      List<JsonObject> live = events(socket, 1);
      assertTrue(live.get(0).getLong("seq") > last.getLong("seq") + 20, "then live, without repeats");
    }
  }

  @Test
  void aClientTooFarBehindIsToldToReload() {
    JsonObject last;
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      last = subscribed(socket);
    }
    // A thousand events while Ada is away, written sixteen at a time.
    var executor = java.util.concurrent.Executors.newFixedThreadPool(16);
    try {
      List<java.util.concurrent.Future<Api.Response>> writes = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        writes.add(executor.submit(this::manualEntry));
      }
      for (var write : writes) {
        expect(201, write.get());
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      executor.shutdown();
    }
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      socket.register(stream(), ada.token(), last.getLong("seq"), last.getString("epoch"));
      JsonObject first = events(socket, 1).get(0);
      assertEquals(new JsonObject().put("type", "reset").put("stream", stream()), first);
    }
  }

  @Test
  void aClientFromAnotherEpochIsToldToReload() {
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      subscribed(socket);
    }
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      socket.register(stream(), ada.token(), 1, "not-this-history");
      assertEquals("reset", events(socket, 1).get(0).getString("type"));
    }
  }

  @Test
  void repeatsAreDroppedAndLateEventsAreDeliveredInOrder() {
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      JsonObject last = subscribed(socket);
      JsonObject more;
      while ((more = socket.nextMatching(f -> "rec".equals(f.getString("type")), 300)) != null) {
        last = more.getJsonObject("body");
      }
      long seq = last.getLong("seq");
      var bus = NODE.node().vertx().eventBus();
      bus.publish(stream(), last.copy()); // what a relay sends again after a crash
      bus.publish(stream(), last.copy().put("type", "probe").put("seq", seq + 2));
      bus.publish(stream(), last.copy().put("type", "probe").put("seq", seq + 1));
      List<JsonObject> seen = events(socket, 2);
      assertEquals(seq + 1, seen.get(0).getLong("seq"));
      assertEquals(seq + 2, seen.get(1).getLong("seq"));
      assertTrue(socket.quietFor(300), "the repeat was dropped");
    }
  }

  @Test
  void aGapTheJournalCannotFillTellsSubscribersToReload() {
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      JsonObject last = subscribed(socket);
      JsonObject more;
      while ((more = socket.nextMatching(f -> "rec".equals(f.getString("type")), 300)) != null) {
        last = more.getJsonObject("body");
      }
      NODE.node().vertx().eventBus().publish(stream(),
          last.copy().put("type", "probe").put("seq", last.getLong("seq") + 5));
      List<JsonObject> seen = events(socket, 2);
      assertEquals("reset", seen.get(0).getString("type"), "no silent gap: " + seen);
      assertEquals(last.getLong("seq") + 5, seen.get(1).getLong("seq"));
    }
  }

  private Api.Response manualEntry() {
    return NODE.api().post("/api/teams/" + teamId + "/time-entries", bob.token(),
        new JsonObject().put("projectId", projectId)
        .put("startedAt", "2026-01-02T09:00:00Z").put("stoppedAt", "2026-01-02T10:00:00Z"));
  }
}
