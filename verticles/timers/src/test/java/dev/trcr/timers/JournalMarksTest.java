package dev.trcr.timers;

import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fast path marks what it published (several commands' events in one statement), so the relay, which publishes
 * whatever is still unmarked after its grace period, never sends those events a second time.
 */
class JournalMarksTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config()
      .put("TRCR_RATE_LIMIT_PER_SECOND", 0)
      .put("TRCR_JOURNAL_RELAY_MS", 200)
      .put("TRCR_JOURNAL_RELAY_GRACE_MS", 500));

  @Test
  void eventsPublishedAfterCommitAreNotPublishedAgainByTheRelay() throws Exception {
    Session ada = NODE.api().signup("Ada");
    String team = NODE.api().createTeam(ada, "Acme");
    String project = NODE.api().createProject(ada, team, "Website");
    Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
    // On the bus itself, below the bridge's hub (which would drop repeats): every publish of the stream counts.
    MessageConsumer<JsonObject> consumer = NODE.node().vertx().eventBus().consumer("team." + team + ".timers",
        m -> seen.computeIfAbsent(m.body().getLong("seq"), k -> new AtomicInteger()).incrementAndGet());
    consumer.completion().await();
    try {
      for (int i = 0; i < 10; i++) {
        expect(201, NODE.api().startTimer(ada, team, project));
      }
      // Each start after the first also stops the previous timer: 19 events; then several relay passes past grace.
      Thread.sleep(2_500);
      Map<Long, Integer> counts = new TreeMap<>();
      seen.forEach((seq, n) -> counts.put(seq, n.get()));
      assertEquals(19, counts.size(), counts.toString());
      counts.forEach((seq, n) -> assertEquals(1, n, "seq " + seq + " was published " + n + " times: " + counts));
    } finally {
      consumer.unregister().await();
    }
  }
}
