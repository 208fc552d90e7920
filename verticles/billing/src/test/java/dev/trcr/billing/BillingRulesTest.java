package dev.trcr.billing;

import dev.trcr.testing.Api.Response;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Year;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static dev.trcr.billing.BillingFixture.JAN;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules of clients, drafts, numbers, payments and voids, through the REST API of one real node. */
class BillingRulesTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));

  private BillingFixture f;

  @BeforeEach
  void team() {
    f = new BillingFixture(NODE.api(), "100.00", "EUR", 14);
  }

  private String p(String rest) {
    return f.path(rest);
  }

  @Test
  void ownersAndAdminsManageClientsMembersAndOutsidersDoNot() {
    JsonObject created = expect(201,
        NODE.api().post(p("/clients"), f.admin.token(), new JsonObject().put("name", "Initech")
        .put("email", "Bills@Initech.example"))).json();
    assertEquals("EUR", created.getString("currency"));
    assertEquals("0.00", created.getString("taxRatePercent"));
    assertEquals(14, created.getInteger("paymentTermsDays"));
    assertEquals("bills@initech.example", created.getString("email"));
    String id = created.getString("id");

    assertEquals("client_name_taken", NODE.api().post(p("/clients"), f.owner.token(), new JsonObject()
        .put("name", "initech").put("email", "x@y.example")).errorCode());
    Response forbidden = NODE.api().post(p("/clients"), f.member.token(), new JsonObject().put("name", "M")
        .put("email", "m@m.example"));
    assertEquals(403, forbidden.status());
    assertEquals("forbidden", forbidden.errorCode());
    assertEquals(403, NODE.api().get(p("/clients"), f.member.token()).status(), "members do not read money");
    assertEquals(403, NODE.api().get(p("/clients/" + id), f.member.token()).status());
    assertEquals("team_not_found", NODE.api().get(p("/clients"), f.outsider.token()).errorCode());
    assertEquals(404, NODE.api().get(p("/clients/" + id), f.outsider.token()).status());

    JsonObject changed = expect(200, NODE.api().patch(p("/clients/" + id), f.owner.token(), new JsonObject()
        .put("paymentTermsDays", 0).put("taxRatePercent", 7.5).put("currency", "usd").putNull("address"))).json();
    assertEquals(0, changed.getInteger("paymentTermsDays"));
    assertEquals("7.50", changed.getString("taxRatePercent"));
    assertEquals("USD", changed.getString("currency"));
    assertEquals("Initech", changed.getString("name"));
    assertEquals(changed, expect(200, NODE.api().get(p("/clients/" + id), f.admin.token())).json());
    JsonArray all = expect(200, NODE.api().get(p("/clients"), f.owner.token())).array();
    assertEquals(List.of("Globex", "Initech"), all.stream().map(c -> ((JsonObject) c).getString("name")).toList());
    assertEquals("client_not_found", NODE.api().get(p("/clients/" + java.util.UUID.randomUUID()), f.owner.token())
        .errorCode());
    assertEquals("client_name_taken", NODE.api().patch(p("/clients/" + id), f.owner.token(),
        new JsonObject().put("name", "GLOBEX")).errorCode());
  }

  @Test
  void aDraftBillsTheClientsStoppedEntriesOfThePeriodAtTheirRates() {
    f.memberRate(f.projectId, f.member, "120.00");
    String other = f.project("Mobile app", "80", "EUR");
    f.entry(f.owner, f.projectId, JAN.plusSeconds(9 * 3600), 5400, "Hero");           // 1.5 h × 100
    f.entry(f.member, f.projectId, JAN.plusSeconds(30 * 3600), 1200, "Footer");       // 20 min × 120
    f.entry(f.member, other, JAN.plusSeconds(50 * 3600), 1000, "Login");              // 1000 s × 80
    f.entry(f.owner, f.projectId, BillingFixture.FEB.plusSeconds(3600), 3600, "Next month");
    JsonObject draft = expect(201, f.draft(f.owner, f.draftBody("project")
        .put("notes", "Thanks!"))).json();
    assertEquals("draft", draft.getString("status"));
    assertNull(draft.getString("number"));
    assertEquals("Globex", draft.getString("clientName"));
    JsonArray lines = draft.getJsonArray("lines");
    assertEquals(3, lines.size(), lines.encodePrettily());
    assertEquals("Mobile app", lines.getJsonObject(0).getString("description"));
    assertEquals("22.22", lines.getJsonObject(0).getString("amount"));
    assertEquals("0.28", lines.getJsonObject(0).getString("hours"));
    assertEquals("Website (Max Member)", lines.getJsonObject(1).getString("description"));
    assertEquals("120.00", lines.getJsonObject(1).getString("rate"));
    assertEquals("40.00", lines.getJsonObject(1).getString("amount"));
    assertEquals("Website (Olga Owner)", lines.getJsonObject(2).getString("description"));
    assertEquals("150.00", lines.getJsonObject(2).getString("amount"));
    assertEquals("212.22", draft.getString("subtotal"));
    assertEquals("40.32", draft.getString("tax"));
    assertEquals("252.54", draft.getString("total"));
    assertEquals("19.00", draft.getString("taxRatePercent"));
    assertEquals("Thanks!", draft.getString("notes"));
    assertEquals(draft, expect(200, NODE.api().get(p("/invoices/" + draft.getString("id")), f.owner.token())).json()
        .put("overdue", draft.getBoolean("overdue")));

    // the February entry is left; nothing else in January
    assertEquals("nothing_to_invoice", f.draft(f.owner, f.draftBody("project")).errorCode());
    assertEquals(1, expect(200, NODE.api().get(p("/invoices"), f.owner.token())).json().getJsonArray("items").size(),
        "the empty draft was not kept");
    assertEquals(403, f.draft(f.member, f.draftBody("project")).status());
  }

  @Test
  void roundingAndLinesPerTaskOrPerEntry() {
    f.entry(f.owner, f.projectId, JAN.plusSeconds(3600), 61, "Call");
    f.entry(f.member, f.projectId, JAN.plusSeconds(7200), 14 * 60, "Mail");
    Response preview = NODE.api().post(p("/invoices/preview"), f.owner.token(), f.draftBody("entry")
        .put("rounding", new JsonObject().put("minutes", 15).put("mode", "up")));
    JsonObject pv = expect(200, preview).json();
    assertEquals(2, pv.getJsonArray("lines").size());
    assertEquals("Website — Call — 2026-01-01 — Olga Owner", pv.getJsonArray("lines").getJsonObject(0)
        .getString("description"));
    assertEquals("0.25", pv.getJsonArray("lines").getJsonObject(0).getString("hours"));
    assertEquals("50.00", pv.getString("subtotal"));
    assertEquals(2, pv.getInteger("entries"));

    JsonObject draft = expect(201, f.draft(f.owner, f.draftBody("task")
        .put("rounding", new JsonObject().put("minutes", 15).put("mode", "nearest")))).json();
    JsonArray lines = draft.getJsonArray("lines");
    assertEquals(1, lines.size());
    assertEquals("Website — no task", lines.getJsonObject(0).getString("description"));
    assertEquals(900, lines.getJsonObject(0).getLong("seconds"), "61 s → 0, 14 min → 15 min");
    assertEquals("25.00", draft.getString("subtotal"));
    // the preview shows only what is left to bill
    assertEquals(0, expect(200, NODE.api().post(p("/invoices/preview"), f.owner.token(), f.draftBody("entry"))).json()
        .getJsonArray("lines").size());
  }

  @Test
  void linesPerTaskNameTheTasksKeyAndTitle() {
    JsonObject hero = expect(201, NODE.api().post(p("/projects/" + f.projectId + "/tasks"), f.member.token(),
        new JsonObject().put("title", "Hero"))).json();
    expect(201, NODE.api().post(p("/time-entries"), f.member.token(), new JsonObject().put("projectId", f.projectId)
        .put("taskId", hero.getString("id")).put("startedAt", JAN.plusSeconds(3600).toString())
        .put("stoppedAt", JAN.plusSeconds(7200).toString())));
    f.entry(f.owner, f.projectId, JAN.plusSeconds(9000), 1800, "Untracked task");
    JsonArray lines = expect(201, f.draft(f.owner, f.draftBody("task"))).json().getJsonArray("lines");
    assertEquals(List.of("Website — " + hero.getString("key") + " Hero", "Website — no task"),
        lines.stream().map(l -> ((JsonObject) l).getString("description")).toList());
    assertEquals(hero.getString("id"), lines.getJsonObject(0).getString("taskId"));
    assertEquals("100.00", lines.getJsonObject(0).getString("amount"));
    assertEquals("50.00", lines.getJsonObject(1).getString("amount"));
  }

  @Test
  void yenInvoicesHaveNoMinorUnit() {
    BillingFixture yen = new BillingFixture(NODE.api(), "5000", "JPY", 30);
    yen.entry(yen.owner, yen.projectId, JAN.plusSeconds(3600), 1000, "Consulting");
    JsonObject draft = yen.draft();
    assertEquals("JPY", draft.getString("currency"));
    assertEquals("1389", draft.getString("subtotal"));
    assertEquals("264", draft.getString("tax")); // 19 % of 1389 = 263.91
    assertEquals("1653", draft.getString("total"));
    assertEquals("5000", draft.getJsonArray("lines").getJsonObject(0).getString("rate"));
    String id = draft.getString("id");
    yen.issue(id);
    assertEquals("validation_failed", NODE.api().post(yen.path("/invoices/" + id + "/payments"), yen.owner.token(),
        new JsonObject().put("amount", "1.5")).errorCode(), "no fractions of a yen");
    assertEquals("paid", expect(201, NODE.api().post(yen.path("/invoices/" + id + "/payments"), yen.owner.token(),
        new JsonObject().put("amount", "1653"))).json().getString("status"));
  }

  @Test
  void entriesOnADraftAreLockedUntilItIsDeleted() {
    JsonObject entry = f.entry(f.member, f.projectId, JAN.plusSeconds(3600), 3600, "Work");
    String draftId = f.draft().getString("id");
    Response locked = NODE.api().patch(p("/time-entries/" + entry.getString("id")), f.member.token(),
        new JsonObject().put("description", "Changed"));
    assertEquals(409, locked.status(), locked.toString());
    assertEquals("entry_locked", locked.errorCode());
    assertEquals("entry_locked", NODE.api().delete(p("/time-entries/" + entry.getString("id")), f.owner.token())
        .errorCode());

    expect(204, NODE.api().delete(p("/invoices/" + draftId), f.owner.token()));
    assertEquals("invoice_not_found", NODE.api().get(p("/invoices/" + draftId), f.owner.token()).errorCode());
    expect(200, NODE.api().patch(p("/time-entries/" + entry.getString("id")), f.member.token(),
        new JsonObject().put("description", "Changed")));
    assertEquals(1, f.draft().getJsonArray("lines").size(), "released entries can go on a new draft");
  }

  @Test
  void twoConcurrentDraftsNeverShareAnEntry() throws Exception {
    Set<String> entryIds = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      entryIds.add(f.entry(i % 2 == 0 ? f.owner : f.member, f.projectId, JAN.plusSeconds(3600L * (i + 1)), 600,
          "e" + i).getString("id"));
    }
    List<CompletableFuture<Response>> racing = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      racing.add(CompletableFuture.supplyAsync(() -> f.draft(f.owner, f.draftBody("entry"))));
    }
    long billed = 0;
    int created = 0;
    for (CompletableFuture<Response> r : racing) {
      Response response = r.get();
      if (response.status() == 201) {
        created++;
        billed += response.json().getJsonArray("lines").size();
      } else {
        assertEquals("nothing_to_invoice", response.errorCode(), response.toString());
      }
    }
    assertTrue(created >= 1);
    assertEquals(entryIds.size(), billed, "every entry is billed exactly once across the drafts");
    JsonArray drafts = expect(200, NODE.api().get(p("/invoices?status=draft"), f.owner.token())).json()
        .getJsonArray("items");
    assertEquals(created, drafts.size());
  }

  @Test
  void issuingNumbersInvoicesAndPaymentsSettleThem() {
    f.entry(f.owner, f.projectId, JAN.plusSeconds(3600), 36_000, "Build"); // 1000.00 + 190.00
    String id = f.draft().getString("id");
    MultiMap key = MultiMap.caseInsensitiveMultiMap().add("Idempotency-Key", "issue-" + id);
    JsonObject issued = expect(200, NODE.api().call(HttpMethod.POST, p("/invoices/" + id + "/issue"), f.owner.token(),
        new JsonObject(), key)).json();
    int year = Year.now(ZoneOffset.UTC).getValue();
    assertEquals("INV-" + year + "-0001", issued.getString("number"));
    assertEquals("issued", issued.getString("status"));
    assertEquals("1190.00", issued.getString("total"));
    assertEquals("1190.00", issued.getString("due"));
    assertNotNull(issued.getString("issuedAt"));
    assertEquals(java.time.Instant.parse(issued.getString("issuedAt")).plus(java.time.Duration.ofDays(14)),
        java.time.Instant.parse(issued.getString("dueAt")));
    assertFalse(issued.getBoolean("overdue"));
    assertEquals(issued.getString("number"),
        expect(200, NODE.api().call(HttpMethod.POST, p("/invoices/" + id + "/issue"),
        f.owner.token(), new JsonObject(), key)).json().getString("number"), "a retried issue replays");
    assertEquals("invoice_state", NODE.api().post(p("/invoices/" + id + "/issue"), f.owner.token(), null).errorCode());

    Response over = NODE.api().post(p("/invoices/" + id + "/payments"), f.owner.token(), new JsonObject()
        .put("amount", "1190.01"));
    assertEquals(422, over.status());
    assertEquals("overpayment", over.errorCode());
    MultiMap payKey = MultiMap.caseInsensitiveMultiMap().add("Idempotency-Key", "pay-1");
    JsonObject part = new JsonObject().put("amount", "1000.00").put("paidAt", "2026-03-01T10:00:00Z")
        .put("note", "wire");
    JsonObject partly = expect(201,
        NODE.api().call(HttpMethod.POST, p("/invoices/" + id + "/payments"), f.owner.token(),
        part, payKey)).json();
    expect(201, NODE.api().call(HttpMethod.POST, p("/invoices/" + id + "/payments"), f.owner.token(), part, payKey));
    assertEquals("issued", partly.getString("status"));
    assertEquals("190.00", partly.getString("due"));
    assertEquals(1, expect(200, NODE.api().get(p("/invoices/" + id), f.owner.token())).json().getJsonArray("payments")
        .size(), "a retried payment is recorded once");
    JsonObject paid = expect(201, NODE.api().post(p("/invoices/" + id + "/payments"), f.owner.token(),
        new JsonObject().put("amount", "190"))).json();
    assertEquals("paid", paid.getString("status"));
    assertEquals("0.00", paid.getString("due"));
    assertEquals(2, paid.getJsonArray("payments").size());
    assertEquals("invoice_state", NODE.api().post(p("/invoices/" + id + "/payments"), f.owner.token(),
        new JsonObject().put("amount", "1")).errorCode());
    assertEquals("invoice_state", NODE.api().post(p("/invoices/" + id + "/void"), f.owner.token(), null).errorCode());
    assertEquals("invoice_state", NODE.api().delete(p("/invoices/" + id), f.owner.token()).errorCode());

    f.entry(f.owner, f.projectId, JAN.plusSeconds(90_000), 3600, "More");
    assertEquals("INV-" + year + "-0002", f.issue(f.draft().getString("id")).getString("number"));
    JsonObject paidOnes = expect(200, NODE.api().get(p("/invoices?status=paid"), f.owner.token())).json();
    assertEquals(1, paidOnes.getJsonArray("items").size());
  }

  @Test
  void voidingReleasesTheEntriesAndCanBeRepeated() {
    JsonObject entry = f.entry(f.owner, f.projectId, JAN.plusSeconds(3600), 3600, "Work");
    String id = f.draft().getString("id");
    assertEquals("invoice_state", NODE.api().post(p("/invoices/" + id + "/void"), f.owner.token(), null).errorCode(),
        "a draft is deleted, not voided");
    f.issue(id);
    assertEquals("entry_locked", NODE.api().patch(p("/time-entries/" + entry.getString("id")), f.owner.token(),
        new JsonObject().put("description", "x")).errorCode());
    JsonObject voided = expect(200, NODE.api().post(p("/invoices/" + id + "/void"), f.owner.token(), null)).json();
    assertEquals("void", voided.getString("status"));
    assertNotNull(voided.getString("voidedAt"));
    assertEquals(voided, expect(200, NODE.api().post(p("/invoices/" + id + "/void"), f.owner.token(), null)).json()
        .put("overdue", voided.getBoolean("overdue")));
    expect(200, NODE.api().patch(p("/time-entries/" + entry.getString("id")), f.owner.token(),
        new JsonObject().put("description", "Rebilled")));
    JsonObject again = f.draft();
    assertEquals(1, again.getJsonArray("lines").size(), "the entry goes on a new invoice");
    assertEquals("INV-" + Year.now(ZoneOffset.UTC).getValue() + "-0002", f.issue(again.getString("id"))
        .getString("number"), "a void keeps its number; the counter goes on");
  }

  @Test
  void listsArePaginatedAndFiltered() {
    for (int i = 0; i < 5; i++) {
      f.entry(f.owner, f.projectId, JAN.plusSeconds(3600L * (i + 1) * 24), 600, "e" + i);
      String id = f.draft().getString("id");
      if (i % 2 == 0) {
        f.issue(id);
      }
    }
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = expect(200, NODE.api().get(p("/invoices?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)),
          f.owner.token())).json();
      page.getJsonArray("items").forEach(i -> seen.add(((JsonObject) i).getString("id")));
      cursor = page.getString("next");
      pages++;
    } while (cursor != null);
    assertEquals(5, seen.size());
    assertEquals(3, pages);
    assertEquals(3, expect(200, NODE.api().get(p("/invoices?status=issued&clientId=" + f.clientId), f.owner.token()))
        .json().getJsonArray("items").size());
    assertEquals(0, expect(200, NODE.api().get(p("/invoices?clientId=" + java.util.UUID.randomUUID()), f.owner.token()))
        .json().getJsonArray("items").size());
    assertEquals(403, NODE.api().get(p("/invoices"), f.member.token()).status());
  }

  @Test
  void unbilledMoneyCountsStoppedEntriesAndRunningTimers() {
    f.entry(f.member, f.projectId, JAN.plusSeconds(3600), 1800, "Half an hour");
    JsonObject unbilled = expect(200,
        NODE.api().get(p("/clients/" + f.clientId + "/unbilled"), f.owner.token())).json();
    assertEquals(1800, unbilled.getLong("seconds"));
    assertEquals("50.00", unbilled.getString("amount"));
    assertEquals("EUR", unbilled.getString("currency"));
    expect(201, NODE.api().startTimer(f.owner, f.teamId, f.projectId));
    JsonObject running = expect(200, NODE.api().get(p("/clients/" + f.clientId + "/unbilled"), f.owner.token())).json();
    assertTrue(running.getLong("seconds") >= 1800, running.encode());
    assertEquals(403, NODE.api().get(p("/clients/" + f.clientId + "/unbilled"), f.member.token()).status());
  }

  @Test
  void aMissingRateRefusesTheDraftAndReleasesTheEntries() {
    String noRate = f.project("Pro bono", null, "EUR");
    JsonObject entry = f.entry(f.member, noRate, JAN.plusSeconds(3600), 3600, "Free?");
    Response r = f.draft(f.owner, f.draftBody("project"));
    assertEquals(422, r.status(), r.toString());
    assertEquals("rate_missing", r.errorCode());
    expect(200, NODE.api().patch(p("/time-entries/" + entry.getString("id")), f.member.token(),
        new JsonObject().put("description", "not locked")));
    assertEquals(0, expect(200, NODE.api().get(p("/invoices"), f.owner.token())).json().getJsonArray("items").size());
    f.memberRate(noRate, f.member, "10");
    assertEquals("10.00", f.draft().getString("subtotal"));
  }

  @Test
  void settingsShapeTheNumbers() {
    JsonObject defaults = expect(200, NODE.api().get(p("/billing-settings"), f.admin.token())).json();
    assertEquals("INV-{yyyy}-{seq:4}", defaults.getString("invoiceNumberPattern"));
    JsonObject set = expect(200,
        NODE.api().call(HttpMethod.PUT, p("/billing-settings"), f.owner.token(), new JsonObject()
        .put("invoiceNumberPattern", "AC-{seq:3}").put("sellerAddress", "2 Studio Lane").put("sellerTaxId", "DE1")))
        .json();
    assertEquals("AC-{seq:3}", set.getString("invoiceNumberPattern"));
    assertEquals(set, expect(200, NODE.api().get(p("/billing-settings"), f.owner.token())).json());
    assertEquals("validation_failed", NODE.api().call(HttpMethod.PUT, p("/billing-settings"), f.owner.token(),
        new JsonObject().put("invoiceNumberPattern", "AC-{yyyy}")).errorCode());
    assertEquals(403, NODE.api().get(p("/billing-settings"), f.member.token()).status());
    f.entry(f.owner, f.projectId, JAN.plusSeconds(3600), 3600, "Work");
    assertEquals("AC-001", f.issue(f.draft().getString("id")).getString("number"));
  }
}
