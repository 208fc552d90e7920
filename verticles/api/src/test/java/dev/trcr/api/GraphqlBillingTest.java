package dev.trcr.api;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Predicate;

import static dev.trcr.api.GraphqlClient.code;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Billing and notifications over GraphQL on one node with every verticle: clients and the invoice lifecycle with
 * exact decimal strings, who may see them, the caller's notifications from a real chat mention, and the
 * billingEvents / notificationEvents subscriptions over graphql-transport-ws.
 */
class GraphqlBillingTest {

  private static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");

  private static Node node;
  private static Vertx clientVertx;
  private static Api api;
  private static GraphqlClient graphql;

  @BeforeAll
  static void startNode() {
    node = TestNodes.start(TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        .put("TRCR_NOTIFICATIONS_POLL_MS", 300));
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, node.httpPort());
    graphql = new GraphqlClient(api);
  }

  @AfterAll
  static void stopNode() {
    api.close();
    clientVertx.close().await();
    node.close().await();
  }

  private static JsonObject vars(Object... pairs) {
    JsonObject v = new JsonObject();
    for (int i = 0; i < pairs.length; i += 2) {
      v.put((String) pairs[i], pairs[i + 1]);
    }
    return v;
  }

  /** A team with an owner, an admin, a member and an outsider; a client (19 % tax) and a project at 100.00 EUR/h. */
  private record Billed(Session owner, Session admin, Session member, Session outsider, String team, String client,
                        String project) {
    String path(String rest) {
      return "/api/teams/" + team + rest;
    }

    /** A stopped entry of {@code seconds} starting at {@code start}, by the owner. */
    void entry(Instant start, long seconds) {
      expect(201, api.post(path("/time-entries"), owner.token(), new JsonObject().put("projectId", project)
          .put("startedAt", start.toString()).put("stoppedAt", start.plusSeconds(seconds).toString())
          .put("description", "Work")));
    }
  }

  private static Billed billed(String prefix) {
    Session owner = api.signup(prefix + "Owner");
    Session admin = api.signup(prefix + "Admin");
    Session member = api.signup(prefix + "Member");
    Session outsider = api.signup(prefix + "Outsider");
    String team = api.createTeam(owner, prefix + " Studio");
    api.addMember(owner, team, admin, "admin");
    api.addMember(owner, team, member, "member");
    JsonObject client = graphql.data(owner.token(), """
        mutation($t: ID!) { createClient(teamId: $t, input: {name: "Globex", email: "ap@globex.example",
          currency: "EUR", taxRatePercent: "19", paymentTermsDays: 14}) { id teamId name currency taxRatePercent paymentTermsDays } }""",
        vars("t", team)).getJsonObject("createClient");
    assertEquals("19.00", client.getString("taxRatePercent"));
    assertEquals(14, client.getInteger("paymentTermsDays"));
    String project = expect(201, api.post("/api/teams/" + team + "/projects", owner.token(), new JsonObject()
        .put("name", "Website").put("hourlyRate", "100.00").put("currency", "EUR"))).json().getString("id");
    expect(200, api.patch("/api/teams/" + team + "/projects/" + project, owner.token(),
        new JsonObject().put("clientId", client.getString("id"))));
    return new Billed(owner, admin, member, outsider, team, client.getString("id"), project);
  }

  private static JsonObject draftInput(Billed b, Instant from, Instant to) {
    return new JsonObject().put("clientId", b.client()).put("from", from.toString()).put("to", to.toString())
        .put("groupBy", "project");
  }

  private static final String INVOICE_FIELDS = "id status number currency subtotal tax total paid due";

  @Test
  void clientsAndTheInvoiceLifecycleWithExactDecimalStrings() {
    Billed b = billed("Life");
    b.entry(JAN.plus(1, ChronoUnit.DAYS), 5_400);      // January: 1.5 h → 150.00 + 28.50 tax
    b.entry(JAN.plus(40, ChronoUnit.DAYS), 3_600);     // February: 1 h
    b.entry(JAN.plus(70, ChronoUnit.DAYS), 1_800);     // March: 0.5 h
    Instant feb = Instant.parse("2026-02-01T00:00:00Z");
    Instant mar = Instant.parse("2026-03-01T00:00:00Z");
    Instant apr = Instant.parse("2026-04-01T00:00:00Z");

    JsonObject team = graphql.data(b.admin().token(), """
        query($id: ID!) { team(id: $id) { clients { id name email unbilled { seconds amount currency } } } }""",
        vars("id", b.team())).getJsonObject("team");
    JsonObject client = team.getJsonArray("clients").getJsonObject(0);
    assertEquals("Globex", client.getString("name"));
    assertEquals(new JsonObject().put("seconds", 10_800).put("amount", "300.00").put("currency", "EUR"),
        client.getJsonObject("unbilled"));

    JsonObject updated = graphql.data(b.owner().token(), """
        mutation($t: ID!, $c: ID!) { updateClient(teamId: $t, clientId: $c, input: {address: "1 Globex Way"}) { address name } }""",
        vars("t", b.team(), "c", b.client())).getJsonObject("updateClient");
    assertEquals(new JsonObject().put("address", "1 Globex Way").put("name", "Globex"), updated);

    JsonObject preview = graphql.data(b.owner().token(), """
        query($t: ID!, $in: InvoiceDraftInput!) { previewInvoice(teamId: $t, input: $in) { currency subtotal tax total entries lines { hours amount } } }""",
        vars("t", b.team(), "in", draftInput(b, JAN, feb))).getJsonObject("previewInvoice");
    assertEquals("178.50", preview.getString("total"));
    assertEquals(1, preview.getInteger("entries"));

    String create = "mutation($t: ID!, $in: InvoiceDraftInput!) { createInvoice(teamId: $t, input: $in) { "
        + INVOICE_FIELDS + " } }";
    JsonObject draft = graphql.data(b.owner().token(), create, vars("t", b.team(), "in", draftInput(b, JAN, feb)))
        .getJsonObject("createInvoice");
    assertEquals("draft", draft.getString("status"));
    assertNull(draft.getString("number"));
    assertEquals("150.00", draft.getString("subtotal"));
    assertEquals("28.50", draft.getString("tax"));
    assertEquals("178.50", draft.getString("total"));
    assertEquals("178.50", draft.getString("due"));
    String id = draft.getString("id");

    JsonObject full = graphql.data(b.admin().token(), """
        query($t: ID!, $id: ID!) { invoice(teamId: $t, id: $id) { status total
          lines { position description projectId seconds hours rate amount } payments { amount } } }""",
        vars("t", b.team(), "id", id)).getJsonObject("invoice");
    JsonObject line = full.getJsonArray("lines").getJsonObject(0);
    assertEquals(5_400, line.getInteger("seconds"));
    assertEquals("1.50", line.getString("hours"));
    assertEquals("100.00", line.getString("rate"));
    assertEquals("150.00", line.getString("amount"));
    assertEquals(b.project(), line.getString("projectId"));
    assertEquals(new JsonArray(), full.getJsonArray("payments"));

    JsonObject issued = graphql.data(b.owner().token(), """
        mutation($t: ID!, $id: ID!) { issueInvoice(teamId: $t, invoiceId: $id) { status number issuedAt dueAt } }""",
        vars("t", b.team(), "id", id)).getJsonObject("issueInvoice");
    assertEquals("issued", issued.getString("status"));
    assertTrue(issued.getString("number").matches("INV-\\d{4}-0001"), issued.encode());
    assertNotNull(issued.getString("dueAt"));

    String pay = "mutation($t: ID!, $id: ID!, $a: Decimal!) { recordPayment(teamId: $t, invoiceId: $id, amount: $a, note: \"wire\") { "
        + INVOICE_FIELDS + " } }";
    JsonObject partly = graphql.data(b.owner().token(), pay, vars("t", b.team(), "id", id, "a", "78.50"))
        .getJsonObject("recordPayment");
    assertEquals("issued", partly.getString("status"));
    assertEquals("78.50", partly.getString("paid"));
    assertEquals("100.00", partly.getString("due"));
    // A JSON float might already have lost digits: Decimal takes strings.
    assertEquals("validation_failed", code(graphql.error(b.owner().token(), pay,
        vars("t", b.team(), "id", id, "a", 100.5))));
    assertEquals("overpayment", code(graphql.error(b.owner().token(), pay, vars("t", b.team(), "id", id, "a", "100.01"))));
    JsonObject paid = graphql.data(b.owner().token(), pay, vars("t", b.team(), "id", id, "a", "100.00"))
        .getJsonObject("recordPayment");
    assertEquals("paid", paid.getString("status"));
    assertEquals("0.00", paid.getString("due"));
    assertEquals("invoice_state", code(graphql.error(b.owner().token(), """
        mutation($t: ID!, $id: ID!) { voidInvoice(teamId: $t, invoiceId: $id) { status } }""",
        vars("t", b.team(), "id", id))));

    // February: issued, then voided.
    String second = graphql.data(b.owner().token(), create, vars("t", b.team(), "in", draftInput(b, feb, mar)))
        .getJsonObject("createInvoice").getString("id");
    JsonObject secondIssued = graphql.data(b.owner().token(), """
        mutation($t: ID!, $id: ID!) { issueInvoice(teamId: $t, invoiceId: $id) { number total } }""",
        vars("t", b.team(), "id", second)).getJsonObject("issueInvoice");
    assertTrue(secondIssued.getString("number").endsWith("-0002"), secondIssued.encode());
    assertEquals("119.00", secondIssued.getString("total"));
    JsonObject voided = graphql.data(b.owner().token(), """
        mutation($t: ID!, $id: ID!) { voidInvoice(teamId: $t, invoiceId: $id) { status number due voidedAt } }""",
        vars("t", b.team(), "id", second)).getJsonObject("voidInvoice");
    assertEquals("void", voided.getString("status"));
    assertEquals(secondIssued.getString("number"), voided.getString("number"));
    assertEquals("0.00", voided.getString("due"));

    // March: a draft, deleted.
    String third = graphql.data(b.owner().token(), create, vars("t", b.team(), "in", draftInput(b, mar, apr)))
        .getJsonObject("createInvoice").getString("id");
    assertEquals(third, graphql.data(b.owner().token(), """
        mutation($t: ID!, $id: ID!) { deleteInvoice(teamId: $t, invoiceId: $id) }""",
        vars("t", b.team(), "id", third)).getString("deleteInvoice"));
    assertEquals("invoice_not_found", code(graphql.error(b.owner().token(), """
        query($t: ID!, $id: ID!) { invoice(teamId: $t, id: $id) { id } }""", vars("t", b.team(), "id", third))));

    // The list: a cursor connection over billing.invoices.list, with filters.
    String list = """
        query($t: ID!, $f: InvoiceFilter, $after: String) { invoices(teamId: $t, filter: $f, first: 1, after: $after) {
          edges { cursor node { id status number total lines { amount } } } pageInfo { hasNextPage endCursor } } }""";
    JsonObject first = graphql.data(b.admin().token(), list, vars("t", b.team())).getJsonObject("invoices");
    assertTrue(first.getJsonObject("pageInfo").getBoolean("hasNextPage"));
    JsonObject newest = first.getJsonArray("edges").getJsonObject(0).getJsonObject("node");
    assertEquals(second, newest.getString("id"));
    assertNull(newest.getValue("lines"), "lists carry no lines");
    JsonObject rest = graphql.data(b.admin().token(), list, vars("t", b.team(), "after",
        first.getJsonObject("pageInfo").getString("endCursor"))).getJsonObject("invoices");
    assertEquals(id, rest.getJsonArray("edges").getJsonObject(0).getJsonObject("node").getString("id"));
    assertFalse(rest.getJsonObject("pageInfo").getBoolean("hasNextPage"));
    JsonObject onlyPaid = graphql.data(b.admin().token(), list, vars("t", b.team(), "f",
        new JsonObject().put("status", "paid").put("clientId", b.client()))).getJsonObject("invoices");
    assertEquals(1, onlyPaid.getJsonArray("edges").size());
    assertEquals("paid", onlyPaid.getJsonArray("edges").getJsonObject(0).getJsonObject("node").getString("status"));
  }

  @Test
  void membersAreForbiddenAndNonMembersSeeTeamNotFound() {
    Billed b = billed("Rule");
    JsonObject clients = graphql.error(b.member().token(), "query($id: ID!) { team(id: $id) { name clients { id } } }",
        vars("id", b.team()));
    assertEquals("forbidden", code(clients));
    assertEquals(List.of("team", "clients"), clients.getJsonArray("path").getList());
    String invoices = "query($t: ID!) { invoices(teamId: $t) { edges { node { id } } } }";
    assertEquals("forbidden", code(graphql.error(b.member().token(), invoices, vars("t", b.team()))));
    assertEquals("forbidden", code(graphql.error(b.member().token(), """
        mutation($t: ID!) { createClient(teamId: $t, input: {name: "Initech", email: "a@initech.example"}) { id } }""",
        vars("t", b.team()))));
    assertEquals("forbidden", code(graphql.error(b.member().token(), """
        query($t: ID!, $id: ID!) { invoice(teamId: $t, id: $id) { id } }""",
        vars("t", b.team(), "id", java.util.UUID.randomUUID().toString()))));
    assertEquals("team_not_found", code(graphql.error(b.outsider().token(), invoices, vars("t", b.team()))));
    assertEquals("team_not_found", code(graphql.error(b.outsider().token(), """
        query($t: ID!, $id: ID!) { client(teamId: $t, id: $id) { name } }""", vars("t", b.team(), "id", b.client()))));
  }

  @Test
  void billingSettingsAreReadAndChangedByOwnersAndAdmins() {
    Billed b = billed("Set");
    String settings = "query($t: ID!) { billingSettings(teamId: $t) { teamId invoiceNumberPattern sellerAddress sellerTaxId } }";
    JsonObject initial = graphql.data(b.admin().token(), settings, vars("t", b.team())).getJsonObject("billingSettings");
    assertEquals("INV-{yyyy}-{seq:4}", initial.getString("invoiceNumberPattern"));
    String update = """
        mutation($t: ID!, $in: BillingSettingsInput!) { updateBillingSettings(teamId: $t, input: $in) {
          invoiceNumberPattern sellerAddress sellerTaxId } }""";
    JsonObject changed = graphql.data(b.owner().token(), update, vars("t", b.team(), "in", new JsonObject()
        .put("invoiceNumberPattern", "ACME-{seq:5}").put("sellerTaxId", "DE123"))).getJsonObject("updateBillingSettings");
    assertEquals(new JsonObject().put("invoiceNumberPattern", "ACME-{seq:5}").put("sellerAddress", null)
        .put("sellerTaxId", "DE123"), changed);
    assertEquals("validation_failed", code(graphql.error(b.owner().token(), update, vars("t", b.team(), "in",
        new JsonObject().put("invoiceNumberPattern", "ACME")))));
    assertEquals("forbidden", code(graphql.error(b.member().token(), settings, vars("t", b.team()))));

    b.entry(JAN, 3_600);
    String id = graphql.data(b.owner().token(), """
        mutation($t: ID!, $in: InvoiceDraftInput!) { createInvoice(teamId: $t, input: $in) { id } }""",
        vars("t", b.team(), "in", draftInput(b, JAN, JAN.plus(1, ChronoUnit.DAYS)))).getJsonObject("createInvoice")
        .getString("id");
    assertEquals("ACME-00001", graphql.data(b.owner().token(), """
        mutation($t: ID!, $id: ID!) { issueInvoice(teamId: $t, invoiceId: $id) { number } }""",
        vars("t", b.team(), "id", id)).getJsonObject("issueInvoice").getString("number"));
  }

  @Test
  void aRetriedPaymentWithAnIdempotencyKeyIsRecordedOnce() {
    Billed b = billed("Retry");
    b.entry(JAN, 3_600);
    String id = graphql.data(b.owner().token(), """
        mutation($t: ID!, $in: InvoiceDraftInput!) { createInvoice(teamId: $t, input: $in) { id } }""",
        vars("t", b.team(), "in", draftInput(b, JAN, JAN.plus(1, ChronoUnit.DAYS)))).getJsonObject("createInvoice")
        .getString("id");
    graphql.data(b.owner().token(), "mutation($t: ID!, $id: ID!) { issueInvoice(teamId: $t, invoiceId: $id) { id } }",
        vars("t", b.team(), "id", id));
    JsonObject body = new JsonObject().put("query", """
        mutation($t: ID!, $id: ID!) { recordPayment(teamId: $t, invoiceId: $id, amount: "50.00") { paid due payments { amount } } }""")
        .put("variables", vars("t", b.team(), "id", id));
    io.vertx.core.MultiMap key = io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("Idempotency-Key", "pay-once");
    JsonObject first = graphql.raw(io.vertx.core.http.HttpMethod.POST, "/graphql", b.owner().token(), body, key).json();
    JsonObject again = graphql.raw(io.vertx.core.http.HttpMethod.POST, "/graphql", b.owner().token(), body, key).json();
    assertNull(first.getValue("errors"), first.encode());
    assertEquals(first, again, "the retry replays the first outcome");
    JsonObject invoice = graphql.data(b.owner().token(), """
        query($t: ID!, $id: ID!) { invoice(teamId: $t, id: $id) { paid due payments { amount } } }""",
        vars("t", b.team(), "id", id)).getJsonObject("invoice");
    assertEquals("50.00", invoice.getString("paid"));
    assertEquals("69.00", invoice.getString("due"));
    assertEquals(1, invoice.getJsonArray("payments").size());
  }

  /** The general channel of a team. */
  private static String general(Session who, String team) {
    return expect(200, api.get("/api/teams/" + team + "/channels", who.token())).array().stream()
        .map(JsonObject.class::cast).filter(c -> "general".equals(c.getString("kind"))).findFirst().orElseThrow()
        .getString("id");
  }

  private static void mention(Session author, String team, String channel, Session mentioned, String text) {
    expect(201, api.post("/api/teams/" + team + "/channels/" + channel + "/messages", author.token(),
        new JsonObject().put("text", text + " @" + mentioned.name().replace(" ", ""))));
  }

  private static final String NOTIFICATIONS = """
      query($u: Boolean, $after: String) { notifications(unread: $u, first: 10, after: $after) { unread
        edges { cursor node { id kind teamId title body link data createdAt readAt } } pageInfo { hasNextPage endCursor } } }""";

  /** The caller's notifications, once at least {@code count} are unread (notifications arrive asynchronously). */
  private static JsonObject awaitUnread(Session who, int count) throws InterruptedException {
    JsonObject page = null;
    for (int i = 0; i < 100; i++) {
      page = graphql.data(who.token(), NOTIFICATIONS, vars("u", true)).getJsonObject("notifications");
      if (page.getInteger("unread") >= count) {
        return page;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no " + count + " unread notifications: " + page);
  }

  @Test
  void notificationsFromAMentionAreListedReadAndAllRead() throws InterruptedException {
    Session nora = api.signup("Nora Notified");
    Session paul = api.signup("Paul");
    String team = api.createTeam(nora, "Inbox");
    api.addMember(nora, team, paul, "member");
    String channel = general(nora, team);

    mention(paul, team, channel, nora, "hi");
    JsonObject page = awaitUnread(nora, 1);
    assertEquals(1, page.getInteger("unread"));
    JsonObject note = page.getJsonArray("edges").getJsonObject(0).getJsonObject("node");
    assertEquals("mention", note.getString("kind"));
    assertEquals(team, note.getString("teamId"));
    assertTrue(note.getString("title").contains("Paul"), note.encode());
    assertNull(note.getValue("readAt"));
    assertEquals(note.getString("id"), page.getJsonArray("edges").getJsonObject(0).getString("cursor"));
    assertTrue(note.getValue("data") instanceof JsonObject, note.encode());

    JsonObject read = graphql.data(nora.token(), "mutation($id: ID!) { markNotificationRead(id: $id) { id readAt } }",
        vars("id", note.getString("id"))).getJsonObject("markNotificationRead");
    assertNotNull(read.getString("readAt"));
    assertEquals("notification_not_found", code(graphql.error(paul.token(),
        "mutation($id: ID!) { markNotificationRead(id: $id) { id } }", vars("id", note.getString("id")))));
    JsonObject none = graphql.data(nora.token(), NOTIFICATIONS, vars("u", true)).getJsonObject("notifications");
    assertEquals(0, none.getInteger("unread"));
    assertEquals(0, none.getJsonArray("edges").size());

    mention(paul, team, channel, nora, "again");
    mention(paul, team, channel, nora, "and again");
    awaitUnread(nora, 2);
    JsonObject all = graphql.data(nora.token(), "mutation { markAllNotificationsRead { marked unread } }", null)
        .getJsonObject("markAllNotificationsRead");
    assertEquals(new JsonObject().put("marked", 2).put("unread", 0), all);
    JsonObject everything = graphql.data(nora.token(), NOTIFICATIONS, vars("u", false)).getJsonObject("notifications");
    assertEquals(3, everything.getJsonArray("edges").size());
    assertEquals(0, everything.getInteger("unread"));

    JsonObject settings = graphql.data(nora.token(), """
        mutation { updateNotificationSettings(email: {task_assigned: false}) { emailEnabled email { mention task_assigned } } }""",
        null).getJsonObject("updateNotificationSettings");
    assertEquals(new JsonObject().put("mention", true).put("task_assigned", false), settings.getJsonObject("email"));
    assertEquals(settings, graphql.data(nora.token(),
        "{ notificationSettings { emailEnabled email { mention task_assigned } } }", null)
        .getJsonObject("notificationSettings"));
  }

  // --- subscriptions ------------------------------------------------------------------------------------------------

  private static GraphqlClient.Socket socket(Session user) {
    return GraphqlClient.Socket.connect(clientVertx, node.httpPort()).init(user.token());
  }

  private static Predicate<JsonObject> next(String id) {
    return m -> "next".equals(m.getString("type")) && id.equals(m.getString("id"));
  }

  private static JsonObject event(JsonObject next, String field) {
    return next.getJsonObject("payload").getJsonObject("data").getJsonObject(field);
  }

  private static final String BILLING = """
      subscription($t: ID!) { billingEvents(teamId: $t) { type teamId seq at invoice { id status number total currency } } }""";

  @Test
  void anAdminsBillingEventsReceiveInvoiceIssued() {
    Billed b = billed("Live");
    for (int day = 0; day < 20; day++) {
      b.entry(JAN.plus(day, ChronoUnit.DAYS), 3_600);
    }
    try (GraphqlClient.Socket socket = socket(b.admin())) {
      socket.subscribe("billing", BILLING, new JsonObject().put("t", b.team()));
      // Drafts of one day each until the subscription hears one (it is live once admitted).
      JsonObject created = null;
      String draft = null;
      for (int day = 0; day < 20 && created == null; day++) {
        draft = expect(201, api.post(b.path("/invoices"), b.owner().token(), draftInput(b,
            JAN.plus(day, ChronoUnit.DAYS), JAN.plus(day + 1, ChronoUnit.DAYS)))).json().getString("id");
        created = socket.nextMatching(next("billing"), 300);
      }
      assertNotNull(created, "the subscription never received an event");
      assertEquals("invoice.created", event(created, "billingEvents").getString("type"));

      expect(200, api.post(b.path("/invoices/" + draft + "/issue"), b.owner().token(), null));
      String issuedId = draft;
      JsonObject issued = socket.nextMatching(m -> next("billing").test(m)
          && "invoice.issued".equals(event(m, "billingEvents").getString("type")), 5_000);
      assertNotNull(issued, "no invoice.issued");
      JsonObject e = event(issued, "billingEvents");
      assertEquals(b.team(), e.getString("teamId"));
      assertEquals(issuedId, e.getJsonObject("invoice").getString("id"));
      assertEquals("issued", e.getJsonObject("invoice").getString("status"));
      assertEquals("119.00", e.getJsonObject("invoice").getString("total"));
      assertNotNull(e.getJsonObject("invoice").getString("number"));
      assertTrue(e.getInteger("seq") > 0 && e.getString("at").endsWith("Z"), e.encode());
    }
  }

  @Test
  void membersAndOutsidersAreRefusedBillingEventsWithTheirCodes() {
    Billed b = billed("Deny");
    for (Session who : new Session[]{b.member(), b.outsider()}) {
      try (GraphqlClient.Socket socket = socket(who)) {
        socket.subscribe("billing", BILLING, new JsonObject().put("t", b.team()));
        JsonObject error = socket.nextMatching(m -> "billing".equals(m.getString("id")), 5_000);
        assertNotNull(error, "no answer to the subscription");
        assertEquals("error", error.getString("type"), error.encode());
        assertEquals(who == b.member() ? "forbidden" : "team_not_found", error.getJsonArray("payload").getJsonObject(0)
            .getJsonObject("extensions").getString("code"), error.encode());
        assertNull(socket.awaitClose(200), "the socket stays open");
      }
    }
  }

  @Test
  void notificationEventsReceiveTheCallersMentions() {
    Session rita = api.signup("Rita Receiver");
    Session sam = api.signup("Sam");
    String team = api.createTeam(rita, "Live inbox");
    api.addMember(rita, team, sam, "member");
    String channel = general(rita, team);
    try (GraphqlClient.Socket mine = socket(rita); GraphqlClient.Socket his = socket(sam)) {
      String query = "subscription { notificationEvents { type unread seq at notification { id kind title readAt } } }";
      mine.subscribe("inbox", query, null);
      his.subscribe("inbox", query, null);
      JsonObject created = null;
      for (int i = 0; i < 20 && created == null; i++) {
        mention(sam, team, channel, rita, "ping " + i);
        created = mine.nextMatching(next("inbox"), 1_000);
      }
      assertNotNull(created, "no notification event");
      JsonObject e = event(created, "notificationEvents");
      assertEquals("notification.created", e.getString("type"), e.encode());
      assertEquals("mention", e.getJsonObject("notification").getString("kind"));
      assertTrue(e.getJsonObject("notification").getString("title").contains("Sam"), e.encode());
      assertTrue(e.getInteger("unread") >= 1);
      assertTrue(e.getInteger("seq") > 0 && e.getString("at").endsWith("Z"), e.encode());
      assertNull(his.nextMatching(next("inbox"), 300), "another user's notifications stay theirs");

      graphql.data(rita.token(), "mutation { markAllNotificationsRead { marked } }", null);
      JsonObject readAll = mine.nextMatching(m -> next("inbox").test(m)
          && "notifications.read-all".equals(event(m, "notificationEvents").getString("type")), 5_000);
      assertNotNull(readAll, "no notifications.read-all");
      assertEquals(0, event(readAll, "notificationEvents").getInteger("unread"));
    }
  }
}
