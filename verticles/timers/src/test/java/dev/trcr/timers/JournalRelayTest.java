package dev.trcr.timers;

import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashSet;
import java.util.Set;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose publishing path after commit is cut ({@code TRCR_JOURNAL_FAST_PUBLISH=false}: as if it died between
 * commit and publish every time): the relay still delivers every committed event, once, in order.
 */
class JournalRelayTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config()
      .put("TRCR_JOURNAL_FAST_PUBLISH", false)
      .put("TRCR_JOURNAL_RELAY_MS", 200)
      .put("TRCR_JOURNAL_RELAY_GRACE_MS", 0));

  @Test
  void committedEventsReachSubscribersThroughTheRelayExactlyOnce() {
    Session ada = NODE.api().signup("Ada");
    String team = NODE.api().createTeam(ada, "Acme");
    String project = NODE.api().createProject(ada, team, "Website");
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      socket.register("team." + team + ".timers", ada.token());
      JsonObject first = null;
      for (int i = 0; i < 20 && first == null; i++) {
        expect(201, NODE.api().startTimer(ada, team, project));
        JsonObject frame = socket.nextMatching(f -> "rec".equals(f.getString("type")), 1_000);
        first = frame == null ? null : frame.getJsonObject("body");
      }
      assertNotNull(first, "the relay delivered nothing");
      JsonObject more;
      long last = first.getLong("seq");
      while ((more = socket.nextMatching(f -> "rec".equals(f.getString("type")), 1_000)) != null) {
        last = more.getJsonObject("body").getLong("seq");
      }
      for (int i = 0; i < 10; i++) {
        expect(201, NODE.api().startTimer(ada, team, project));
      }
      // Each start after the first stops the previous timer: 20 events.
      Set<Long> seen = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        JsonObject frame = socket.nextMatching(f -> "rec".equals(f.getString("type")), 5_000);
        assertNotNull(frame, "only " + i + " of 20 events arrived");
        long seq = frame.getJsonObject("body").getLong("seq");
        assertEquals(last + 1, seq, "in order, without repeats");
        assertTrue(seen.add(seq));
        last = seq;
      }
      assertTrue(socket.quietFor(1_000), "nothing twice");
    }
  }
}
