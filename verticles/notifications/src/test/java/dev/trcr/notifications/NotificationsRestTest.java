package dev.trcr.notifications;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Node;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.Api;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The notification routes: a user's list (unread filter, pages), marking read, read-all, nobody else's ids, the email
 * settings and their validation. Notifications come from overdue invoices of a stand-in billing (owners and admins
 * are told). One node without SMTP.
 */
class NotificationsRestTest {

  private static Node node;
  private static Vertx clientVertx;
  private static Api api;
  private static FakeBilling billing;

  private Session ada;
  private Session bob;
  private Session eve;
  private String teamId;

  private static final java.util.List<String> STARTUP_LOG = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Held strongly: JUL keeps loggers weakly, and a collected logger loses the handler. */
  private static final java.util.logging.Logger VERTICLE_LOG =
      java.util.logging.Logger.getLogger(NotificationsVerticle.class.getName());
  private static final java.util.logging.Handler CAPTURE = new java.util.logging.Handler() {
    @Override
    public void publish(java.util.logging.LogRecord record) {
      STARTUP_LOG.add(record.getLevel() + " " + record.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeAll
  static void startNode() {
    VERTICLE_LOG.addHandler(CAPTURE);
    node = TestNodes.start(TestNodes.config().put("TRCR_VERTICLES", FakeBilling.WITHOUT_BILLING)
        .put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        .put("TRCR_NOTIFICATIONS_POLL_MS", 300));
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, node.httpPort());
    billing = new FakeBilling(node.vertx());
  }

  @AfterAll
  static void stopNode() {
    VERTICLE_LOG.removeHandler(CAPTURE);
    billing.close();
    api.close();
    clientVertx.close().await();
    node.close().await();
  }

  @BeforeEach
  void team() {
    ada = api.signup("Ada");
    bob = api.signup("Bob");
    eve = api.signup("Eve");
    teamId = api.createTeam(ada, "Acme");
    api.addMember(ada, teamId, bob, "admin");
  }

  static void eventually(BooleanSupplier condition, String what) {
    dev.trcr.testing.Await.awaitTrue(condition, what, 15000);
  }


  private JsonObject list(Session who, String query) {
    return expect(200, api.get("/api/notifications" + query, who.token())).json();
  }

  private void overdue(int n) {
    Set<String> numbers = new HashSet<>();
    for (int i = 1; i <= n; i++) {
      billing.overdue(teamId, "INV-" + i);
      numbers.add("INV-" + i);
    }
    eventually(() -> list(ada, "?limit=100").getJsonArray("items").size() == n, n + " notifications for Ada");
  }

  @Test
  void ownersAndAdminsSeeOverdueInvoicesNewestFirstWithTheUnreadCount() {
    overdue(3);
    JsonObject page = list(ada, "");
    JsonArray items = page.getJsonArray("items");
    assertEquals(3, items.size());
    assertEquals(3, page.getLong("unread"));
    assertNull(page.getString("next"));
    JsonObject newest = items.getJsonObject(0);
    assertEquals("invoice_overdue", newest.getString("kind"));
    assertEquals("Invoice INV-3 to Globex is overdue", newest.getString("title"));
    assertEquals(teamId, newest.getString("teamId"));
    assertNull(newest.getString("readAt"));
    assertNull(newest.getValue("email"), "no SMTP: no email queued");
    assertTrue(newest.getString("link").contains("/invoices/"));
    eventually(() -> list(bob, "").getJsonArray("items").size() == 3, "the admin is told too");
    assertEquals(0, list(eve, "").getJsonArray("items").size(), "someone outside the team is not");
  }

  @Test
  void pagesFollowTheNextCursorWithoutRepeatsOrGaps() {
    overdue(5);
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = list(ada, "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
      page.getJsonArray("items").forEach(n -> assertTrue(seen.add(((JsonObject) n).getString("id")), "a repeat"));
      cursor = page.getString("next");
      pages++;
    } while (cursor != null);
    assertEquals(5, seen.size());
    assertEquals(3, pages);
    assertEquals("validation_failed", api.get("/api/notifications?cursor=" + UUID.randomUUID(), ada.token())
        .errorCode());
  }

  @Test
  void markingReadChangesTheUnreadListAndCount() {
    overdue(3);
    JsonArray items = list(ada, "").getJsonArray("items");
    String first = items.getJsonObject(0).getString("id");
    JsonObject read = expect(200, api.post("/api/notifications/" + first + "/read", ada.token(), null)).json();
    assertEquals(first, read.getString("id"));
    assertNotNull(read.getString("readAt"));
    JsonObject again = expect(200, api.post("/api/notifications/" + first + "/read", ada.token(), null)).json();
    assertEquals(read.getString("readAt"), again.getString("readAt"), "reading twice changes nothing");

    JsonObject unread = list(ada, "?unread=true");
    assertEquals(2, unread.getJsonArray("items").size());
    assertEquals(2, unread.getLong("unread"));
    assertFalse(unread.getJsonArray("items").stream().anyMatch(n -> ((JsonObject) n).getString("id").equals(first)));
    assertEquals(3, list(ada, "").getJsonArray("items").size(), "read ones stay in the full list");
    assertEquals(3, list(bob, "").getLong("unread"), "Bob's are his own");

    JsonObject all = expect(200, api.post("/api/notifications/read-all", ada.token(), null)).json();
    assertEquals(2, all.getInteger("marked"));
    assertEquals(0, list(ada, "?unread=true").getJsonArray("items").size());
    assertEquals(0, list(ada, "").getLong("unread"));
    assertEquals(0, expect(200, api.post("/api/notifications/read-all", ada.token(), null)).json().getInteger("marked"));
  }

  @Test
  void nobodyReadsAnotherUsersNotification() {
    overdue(1);
    String adas = list(ada, "").getJsonArray("items").getJsonObject(0).getString("id");
    Api.Response r = api.post("/api/notifications/" + adas + "/read", eve.token(), null);
    assertEquals(404, r.status());
    assertEquals("notification_not_found", r.errorCode());
    assertEquals(404, api.post("/api/notifications/" + UUID.randomUUID() + "/read", ada.token(), null).status());
    assertNull(list(ada, "").getJsonArray("items").getJsonObject(0).getString("readAt"), "still unread");
    assertEquals(401, api.get("/api/notifications", null).status());
  }

  @Test
  void withoutSmtpTheStartSaysEmailIsOff() {
    assertTrue(STARTUP_LOG.stream().anyMatch(l -> l.startsWith("INFO ") && l.contains("email is off")), STARTUP_LOG
        .toString());
  }

  @Test
  void emailSettingsDefaultToOnAndChangePerKind() {
    JsonObject settings = expect(200, api.get("/api/me/notification-settings", ada.token())).json();
    assertEquals(new JsonObject().put("invoice_issued", true).put("invoice_overdue", true).put("mention", true)
        .put("task_assigned", true).put("timer_forgotten", true).put("webhook_disabled", true), settings.getJsonObject("email"));
    assertFalse(settings.getBoolean("emailEnabled"), "no SMTP configured");

    JsonObject changed = expect(200, api.call(HttpMethod.PUT, "/api/me/notification-settings", ada.token(),
        new JsonObject().put("email", new JsonObject().put("mention", false)))).json();
    assertFalse(changed.getJsonObject("email").getBoolean("mention"));
    assertTrue(changed.getJsonObject("email").getBoolean("task_assigned"));
    changed = expect(200, api.call(HttpMethod.PUT, "/api/me/notification-settings", ada.token(),
        new JsonObject().put("email", new JsonObject().put("task_assigned", false)))).json();
    assertFalse(changed.getJsonObject("email").getBoolean("mention"), "kinds not given stay");
    assertFalse(changed.getJsonObject("email").getBoolean("task_assigned"));
    assertEquals(changed, expect(200, api.get("/api/me/notification-settings", ada.token())).json());
    assertTrue(expect(200, api.get("/api/me/notification-settings", bob.token())).json().getJsonObject("email")
        .getBoolean("mention"), "settings are per user");
  }

  private static int failureCode(String address, Object body, String userId) {
    DeliveryOptions options = new DeliveryOptions();
    if (userId != null) {
      options.addHeader(Bus.USER_HEADER, userId);
    }
    try {
      node.vertx().eventBus().request(address, body, options).await();
      return 200;
    } catch (ReplyException e) {
      return e.failureCode();
    }
  }

  @Test
  void badInputGetsAClearFourHundredAndTheNodeKeepsServing() {
    String path = "/api/me/notification-settings";
    assertEquals("validation_failed", api.call(HttpMethod.PUT, path, ada.token(),
        new JsonObject().put("email", new JsonObject().put("carrier_pigeon", true))).errorCode());
    assertEquals("validation_failed", api.call(HttpMethod.PUT, path, ada.token(),
        new JsonObject().put("email", new JsonObject().put("mention", "yes"))).errorCode());
    assertEquals("validation_failed", api.call(HttpMethod.PUT, path, ada.token(),
        new JsonObject().put("email", true)).errorCode());
    assertEquals("validation_failed", api.call(HttpMethod.PUT, path, ada.token(), new JsonObject()).errorCode());
    assertEquals("invalid_json", api.call(HttpMethod.PUT, path, ada.token(), Buffer.buffer("{not json")).errorCode());
    assertEquals("invalid_json", api.call(HttpMethod.PUT, path, ada.token(), Buffer.buffer("[]")).errorCode());
    assertEquals("invalid_id", api.post("/api/notifications/not-a-uuid/read", ada.token(), null).errorCode());
    assertEquals("validation_failed", api.get("/api/notifications?limit=0", ada.token()).errorCode());
    assertEquals("validation_failed", api.get("/api/notifications?limit=1000", ada.token()).errorCode());
    assertEquals("validation_failed", api.get("/api/notifications?limit=abc", ada.token()).errorCode());
    assertEquals("validation_failed", api.get("/api/notifications?unread=maybe", ada.token()).errorCode());
    assertEquals("invalid_id", api.get("/api/notifications?cursor=nope", ada.token()).errorCode());
    assertEquals(400, api.get("/api/notifications?limit=abc", ada.token()).status());
    // on the bus: no caller, or a body that is not an object
    for (Address command : List.of(Address.NOTIFICATIONS_LIST,
        Address.NOTIFICATIONS_READ, Address.NOTIFICATIONS_READ_ALL,
        Address.NOTIFICATIONS_SETTINGS_GET, Address.NOTIFICATIONS_SETTINGS_UPDATE)) {
      assertEquals(401, failureCode(command.address(), new JsonObject(), null), command.address());
      assertEquals(400, failureCode(command.address(), "not an object", ada.id()), command.address());
    }
    assertEquals(400, failureCode(Address.NOTIFICATIONS_JOURNAL_READ.address(),
        new JsonObject().put("stream", "user." + ada.id() + ".notifications").put("after", "x"), null));
    // still serving, settings unchanged by the refusals
    assertTrue(expect(200, api.get(path, ada.token())).json().getJsonObject("email").getBoolean("mention"));
    expect(200, api.get("/api/notifications", ada.token()));
  }
}
