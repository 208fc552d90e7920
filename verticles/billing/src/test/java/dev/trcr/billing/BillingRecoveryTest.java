package dev.trcr.billing;

import dev.trcr.kernel.Address;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.trcr.billing.BillingFixture.JAN;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A void or a deleted draft owes timers a release. When timers cannot be reached at that moment, the void still
 * stands, the entries stay locked (never silently half-billed), and billing's sweeper releases them once timers answers.
 */
class BillingRecoveryTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
      .put("TRCR_BILLING_RELEASE_SWEEP_MS", 300));

  /** While set, every release request fails at once, as if timers were unreachable. */
  private static final AtomicBoolean TIMERS_DOWN = new AtomicBoolean();
  private static final AtomicInteger REFUSED = new AtomicInteger();

  private BillingFixture f;

  @BeforeAll
  static void interceptReleases() {
    NODE.node().vertx().eventBus().addOutboundInterceptor(ctx -> {
      if (TIMERS_DOWN.get() && Address.TIMERS_ENTRIES_RELEASE.address().equals(ctx.message().address())) {
        REFUSED.incrementAndGet();
        ctx.message().fail(503, "timers is unreachable (test)");
        return;
      }
      ctx.next();
    });
  }

  @BeforeEach
  void team() {
    f = new BillingFixture(NODE.api(), "100.00", "EUR", 14);
  }

  @AfterEach
  void timersBack() {
    TIMERS_DOWN.set(false);
  }

  private int patchEntry(String entryId) {
    return NODE.api().patch(f.path("/time-entries/" + entryId), f.owner.token(),
        new JsonObject().put("description", "x"))
        .status();
  }

  private void awaitEditable(String entryId) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (patchEntry(entryId) != 200) {
      assertTrue(System.currentTimeMillis() < deadline, "the owed release was never paid");
      Thread.sleep(100);
    }
  }

  @Test
  void aVoidWhileTimersIsDownStandsAndTheEntriesAreReleasedLater() throws InterruptedException {
    String entry = f.entry(f.owner, f.projectId, JAN.plusSeconds(3600), 3600, "Work").getString("id");
    String id = f.draft().getString("id");
    f.issue(id);
    TIMERS_DOWN.set(true);
    int refusedBefore = REFUSED.get();
    JsonObject voided = expect(200, NODE.api().post(f.path("/invoices/" + id + "/void"), f.owner.token(), null)).json();
    assertEquals("void", voided.getString("status"));
    assertTrue(REFUSED.get() > refusedBefore, "the release was attempted and refused");
    assertEquals(409, patchEntry(entry), "still locked while timers is down");
    Thread.sleep(1_000); // several sweeps fail
    assertEquals(409, patchEntry(entry));
    TIMERS_DOWN.set(false);
    awaitEditable(entry);
  }

  @Test
  void aDraftDeletedWhileTimersIsDownReleasesItsEntriesLater() throws InterruptedException {
    String entry = f.entry(f.owner, f.projectId, JAN.plusSeconds(3600), 3600, "Work").getString("id");
    String id = f.draft().getString("id");
    TIMERS_DOWN.set(true);
    expect(204, NODE.api().delete(f.path("/invoices/" + id), f.owner.token()));
    assertEquals("invoice_not_found", NODE.api().get(f.path("/invoices/" + id), f.owner.token()).errorCode());
    assertEquals(409, patchEntry(entry));
    TIMERS_DOWN.set(false);
    awaitEditable(entry);
    assertEquals(1, f.draft().getJsonArray("lines").size(), "the entry can be billed again");
  }
}
