package dev.trcr.billing;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.trcr.billing.BillingFixture.JAN;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Billing on two clustered nodes sharing one PostgreSQL, both running {@code api} and {@code billing} (the core also
 * workspace and timers), with the overdue job every second on both: concurrent issues over both nodes number
 * invoices 1..n without a gap or a repeat, and every overdue invoice gets exactly one overdue event.
 */
class BillingClusterTest {

  private static Node edge;
  private static Node core;
  private static Vertx clientVertx;
  private static Api edgeApi;
  private static Api coreApi;
  private static final AtomicInteger issuesOnEdge = new AtomicInteger();
  private static final AtomicInteger issuesOnCore = new AtomicInteger();

  @BeforeAll
  static void startCluster() {
    TestNodes.TwoNodes cluster = TestNodes.startTwo(TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        .put("TRCR_OVERDUE_CHECK_SECONDS", 1), "api,billing", "api,workspace,timers,billing");
    edge = cluster.edge();
    core = cluster.core();
    TestNodes.countInbound(edge, Address.BILLING_INVOICES_ISSUE.address(), issuesOnEdge);
    TestNodes.countInbound(core, Address.BILLING_INVOICES_ISSUE.address(), issuesOnCore);
    clientVertx = Vertx.vertx();
    edgeApi = new Api(clientVertx, edge.httpPort());
    coreApi = new Api(clientVertx, core.httpPort());
  }

  @AfterAll
  static void stopCluster() {
    edgeApi.close();
    coreApi.close();
    clientVertx.close().await();
    Future.join(edge.close(), core.close()).await();
  }

  /** n drafts of one entry each. */
  private static List<String> drafts(BillingFixture f, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Instant start = JAN.plusSeconds(3600L * (i + 1));
      f.entry(f.owner, f.projectId, start, 600, "e" + i);
      ids.add(expect(201, f.draft(f.owner, f.draftBody("project").put("from", start.toString())
          .put("to", start.plusSeconds(60).toString()))).json().getString("id"));
    }
    return ids;
  }

  @Test
  void concurrentIssuesOnBothNodesNumberInvoicesWithoutGapsOrRepeats() throws Exception {
    BillingFixture f = new BillingFixture(coreApi, "100.00", "EUR", 14);
    expect(200, coreApi.call(io.vertx.core.http.HttpMethod.PUT, f.path("/billing-settings"), f.owner.token(),
        new JsonObject().put("invoiceNumberPattern", "N{seq}")));
    List<String> ids = drafts(f, 20);
    issuesOnEdge.set(0);
    issuesOnCore.set(0);
    List<CompletableFuture<Response>> racing = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      Api api = i % 2 == 0 ? edgeApi : coreApi;
      String path = f.path("/invoices/" + ids.get(i) + "/issue");
      racing.add(CompletableFuture.supplyAsync(() -> api.post(path, f.owner.token(), null)));
    }
    Set<String> numbers = new TreeSet<>();
    for (CompletableFuture<Response> r : racing) {
      numbers.add(expect(200, r.get()).json().getString("number"));
    }
    Set<String> expected = IntStream.rangeClosed(1, 20).mapToObj(i -> "N" + i).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(expected, numbers);
    assertTrue(issuesOnEdge.get() > 0 && issuesOnCore.get() > 0,
        "both nodes' billing issued some: edge " + issuesOnEdge + ", core " + issuesOnCore);
    f.entry(f.owner, f.projectId, JAN.plusSeconds(3600L * 100), 600, "one more");
    assertEquals("N21", f.issue(f.draft().getString("id")).getString("number"));
  }

  @Test
  void everyOverdueInvoiceGetsExactlyOneOverdueEvent() throws Exception {
    BillingFixture f = new BillingFixture(coreApi, "100.00", "EUR", 0);
    Map<String, AtomicInteger> events = new ConcurrentHashMap<>();
    AtomicInteger teamEvents = new AtomicInteger();
    MessageConsumer<JsonObject> consumer = edge.vertx().eventBus().consumer(
        Address.EVENTS_INVOICE_OVERDUE.address(), m -> {
          if (f.teamId.equals(m.body().getString("teamId"))) {
            events.computeIfAbsent(m.body().getJsonObject("invoice").getString("id"), k -> new AtomicInteger())
                .incrementAndGet();
          }
        });
    MessageConsumer<JsonObject> stream = edge.vertx().eventBus().consumer(Address.TEAM_BILLING.address(f.teamId),
        m -> {
          if ("invoice.overdue".equals(m.body().getString("type"))) {
            teamEvents.incrementAndGet();
          }
        });
    consumer.completion().await();
    stream.completion().await();
    try {
      List<String> ids = drafts(f, 6);
      for (String id : ids.subList(0, 5)) {
        f.issue(id); // due at once: paymentTermsDays 0
      }
      long deadline = System.currentTimeMillis() + 15_000;
      while (events.size() < 5 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      Thread.sleep(4_000); // several more passes of the job on both nodes
      assertEquals(5, events.size(), events.toString());
      events.forEach((invoice, count) -> assertEquals(1, count.get(), "events for " + invoice));
      assertEquals(5, teamEvents.get(), "one invoice.overdue on the team's billing stream each");
      for (String id : ids.subList(0, 5)) {
        JsonObject invoice = expect(200, coreApi.get(f.path("/invoices/" + id), f.owner.token())).json();
        assertTrue(invoice.getBoolean("overdue"));
        assertTrue(invoice.getString("overdueAt") != null);
      }
      JsonObject draft = expect(200, coreApi.get(f.path("/invoices/" + ids.get(5)), f.owner.token())).json();
      assertEquals(null, draft.getString("overdueAt"), "drafts are never overdue");
      assertEquals(5, expect(200, coreApi.get(f.path("/invoices?status=overdue"), f.owner.token())).json()
          .getJsonArray("items").size());
      // the journaled stream the notifications verticle reads holds them too, once each
      JsonObject journal = core.vertx().eventBus().<JsonObject>request(Address.BILLING_JOURNAL_READ.address(),
          new JsonObject().put("stream", Address.EVENTS_INVOICE_OVERDUE.address()).put("after", 0)
              .put("limit", 10_000)).await().body();
      long mine = journal.getJsonArray("events").stream()
          .filter(e -> f.teamId.equals(((JsonObject) e).getString("teamId"))).count();
      assertEquals(5, mine);
      // a node started later (a restart) runs the job over the same invoices and announces none of them again
      Node later = TestNodes.start(TestNodes.config().put("TRCR_PG_URL", core.config().getString("TRCR_PG_URL"))
          .put("TRCR_VERTICLES", "billing").put("TRCR_OVERDUE_CHECK_SECONDS", 1));
      try {
        Thread.sleep(3_000);
        JsonObject after = later.vertx().eventBus().<JsonObject>request(Address.BILLING_JOURNAL_READ.address(),
            new JsonObject().put("stream", Address.EVENTS_INVOICE_OVERDUE.address()).put("after", 0)
                .put("limit", 10_000)).await().body();
        assertEquals(5, after.getJsonArray("events").stream()
            .filter(e -> f.teamId.equals(((JsonObject) e).getString("teamId"))).count());
      } finally {
        later.close().await();
      }
      events.forEach((invoice, count) -> assertEquals(1, count.get(), "events for " + invoice));
      // paying an overdue invoice still works and settles it
      JsonObject paid = expect(201, coreApi.post(f.path("/invoices/" + ids.get(0) + "/payments"), f.owner.token(),
          new JsonObject().put("amount", "19.84"))).json();
      assertEquals("paid", paid.getString("status"));
      assertEquals(false, paid.getBoolean("overdue"));
    } finally {
      consumer.unregister().await();
      stream.unregister().await();
    }
  }
}
