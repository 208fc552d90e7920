package dev.trcr.integrations;

import dev.trcr.kernel.Address;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.trcr.integrations.Receiver.eventually;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outgoing webhooks end to end on one node: a real receiver on 127.0.0.1 (the one host allowed), fast retries, a
 * short run of failures before a webhook is disabled.
 */
class WebhooksTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
      .put("TRCR_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1").put("TRCR_INTEGRATIONS_POLL_MS", 100)
      .put("TRCR_WEBHOOK_RETRY_BASE_MS", 100).put("TRCR_WEBHOOK_RETRY_MAX_MS", 1_000)
      .put("TRCR_WEBHOOK_TIMEOUT_MS", 2_000).put("TRCR_WEBHOOK_DISABLE_AFTER", 5)
      .put("TRCR_NOTIFICATIONS_POLL_MS", 200));

  private Api api;
  private Session owner;
  private String teamId;
  private String projectId;
  private final List<Receiver> receivers = new ArrayList<>();

  @BeforeEach
  void team() {
    api = NODE.api();
    owner = api.signup("Olga");
    teamId = api.createTeam(owner, "Acme");
    projectId = api.createProject(owner, teamId, "Website");
  }

  @AfterEach
  void closeReceivers() {
    receivers.forEach(Receiver::close);
  }

  private Receiver receiver() {
    Receiver r = Receiver.start(NODE.clientVertx());
    receivers.add(r);
    return r;
  }

  private String path(String rest) {
    return "/api/teams/" + teamId + rest;
  }

  private JsonObject register(String url, String... events) {
    return expect(201, api.post(path("/webhooks"), owner.token(), new JsonObject().put("url", url)
        .put("events", new JsonArray(List.of(events))))).json();
  }

  private void startTimer() {
    expect(201, api.startTimer(owner, teamId, projectId));
  }

  private void stopTimer() {
    expect(200, api.post(path("/timer/stop"), owner.token(), new JsonObject()));
  }

  private JsonArray deliveries(String webhookId) {
    return expect(200, api.get(path("/webhooks/" + webhookId + "/deliveries"), owner.token())).json()
        .getJsonArray("items");
  }

  @Test
  void aReceiverThatFailsThreeTimesGetsTheEventAFourthTimeWithTheSameDeliveryIdAndAValidSignature() throws Exception {
    Receiver receiver = receiver().failNext(3, 503);
    JsonObject hook = register(receiver.url(), "timer.started");
    String secret = hook.getString("secret");
    assertTrue(secret.startsWith("whsec_") && secret.length() == 6 + 64, "a generated secret, shown once: " + secret);

    startTimer();
    eventually(() -> receiver.received().size() == 4, "three failures and one success");

    List<Receiver.Received> got = receiver.received();
    assertEquals(List.of(503, 503, 503, 204), got.stream().map(Receiver.Received::answered).toList());
    Set<String> ids = got.stream().map(Receiver.Received::delivery).collect(Collectors.toSet());
    assertEquals(1, ids.size(), "one delivery id across the retries");
    for (Receiver.Received r : got) {
      assertEquals("timer.started", r.event());
      assertTrue(Receiver.verify(secret, r.signature(), r.body()), "a valid signature: " + r.signature());
      assertFalse(Receiver.verify(secret + "x", r.signature(), r.body()), "another secret does not verify");
      assertFalse(Receiver.verify(secret, r.signature(), r.body() + " "), "another body does not verify");
      assertEquals(got.get(0).body(), r.body(), "the same body each time");
    }
    JsonObject body = got.get(3).json();
    assertEquals(got.get(3).delivery(), body.getString("id"));
    assertEquals("timer.started", body.getString("event"));
    assertEquals(teamId, body.getString("teamId"));
    assertNotNull(body.getString("occurredAt"));
    JsonObject data = body.getJsonObject("data");
    assertEquals(projectId, data.getJsonObject("entry").getString("projectId"));
    assertFalse(data.containsKey("seq") || data.containsKey("epoch") || data.containsKey("ts"), data.encode());

    eventually(() -> "delivered".equals(deliveries(hook.getString("id")).getJsonObject(0).getString("status")),
        "the delivery recorded as delivered");
    JsonObject delivery = deliveries(hook.getString("id")).getJsonObject(0);
    assertEquals(got.get(0).delivery(), delivery.getString("id"));
    assertEquals(4, delivery.getInteger("attempts"));
    assertEquals(204, delivery.getInteger("responseCode"));
    assertEquals("timer.started", delivery.getString("event"));
    assertEquals(0, expect(200, api.get(path("/webhooks/" + hook.getString("id")), owner.token())).json()
        .getInteger("consecutiveFailures"), "a success resets the run of failures");
  }

  @Test
  void theEventsOfOneWebhookArriveInJournalOrder() {
    Receiver receiver = receiver();
    register(receiver.url(), "timer.started", "timer.stopped");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      startTimer();
      stopTimer();
      expected.add("timer.started");
      expected.add("timer.stopped");
    }
    eventually(() -> receiver.received().size() >= expected.size(), "eight events");
    assertEquals(expected, receiver.events());
    List<String> entries = receiver.received().stream()
        .map(r -> r.json().getJsonObject("data").getJsonObject("entry").getString("id")).toList();
    for (int i = 0; i < entries.size(); i += 2) {
      assertEquals(entries.get(i), entries.get(i + 1), "each entry started, then stopped");
      if (i > 0) {
        assertFalse(entries.get(i).equals(entries.get(i - 2)), "one entry per round");
      }
    }
  }

  @Test
  void theFilterPicksTypesStarTakesAllAndDirectMessagesNeverLeave() {
    Receiver stops = receiver();
    Receiver all = receiver();
    register(stops.url(), "timer.stopped");
    register(all.url(), "*");
    Session bob = api.signup("Bob");
    api.addMember(owner, teamId, bob, "member");

    startTimer();
    stopTimer();
    JsonArray channels = expect(200, api.get(path("/channels"), owner.token())).array();
    String general = channels.stream().map(c -> (JsonObject) c).filter(c -> "general".equals(c.getString("kind")))
        .findFirst().orElseThrow().getString("id");
    String dm = expect(200, api.post(path("/dms"), owner.token(), new JsonObject().put("userId", bob.id()))).json()
        .getString("id");
    JsonObject secretChannel = expect(201, api.post(path("/channels"), owner.token(), new JsonObject()
        .put("name", "secret").put("private", true).put("memberIds", new JsonArray().add(bob.id())))).json();
    expect(201, api.post(path("/channels/" + dm + "/messages"), owner.token(), new JsonObject().put("text", "psst")));
    expect(201, api.post(path("/channels/" + secretChannel.getString("id") + "/messages"), owner.token(),
        new JsonObject().put("text", "hush")));
    expect(201, api.post(path("/channels/" + general + "/messages"), owner.token(),
        new JsonObject().put("text", "hello all")));

    // The general message comes after the private ones in the chat journal: once it is here, they were passed over.
    eventually(() -> all.events().contains("message.created"), "the public message");
    List<String> chat = all.received().stream().filter(r -> r.event().startsWith("message."))
        .map(r -> r.json().getJsonObject("data").getJsonObject("message").getString("text")).toList();
    assertEquals(List.of("hello all"), chat, "only the general channel's message left the system");
    // The timers journal is another feed, read on its own: its events may come before or after the chat's.
    eventually(() -> all.events().containsAll(List.of("timer.started", "timer.stopped")), "the timer events");
    assertTrue(all.events().indexOf("timer.started") < all.events().indexOf("timer.stopped"));

    eventually(() -> stops.events().contains("timer.stopped"), "the stop");
    assertEquals(List.of("timer.stopped"), stops.events(), "only what it asked for");
  }

  @Test
  void privateAndNonHttpAddressesAreRefusedAtRegistrationAndUpdate() {
    for (String url : List.of("http://10.0.0.1/hook", "http://192.168.1.1/hook", "http://169.254.169.254/latest",
        "http://172.16.5.4/", "http://100.64.0.1/", "http://127.0.0.2:8080/", "http://[::1]/", "http://0.0.0.0/",
        "ftp://127.0.0.1/hook", "http://user:pw@127.0.0.1/hook", "file:///etc/passwd", "not a url")) {
      Api.Response r = api.post(path("/webhooks"), owner.token(), new JsonObject().put("url", url)
          .put("events", new JsonArray().add("*")));
      assertEquals(422, r.status(), url + ": " + r);
      assertEquals("url_not_allowed", r.errorCode(), url);
    }
    JsonObject hook = register(receiver().url(), "*");
    Api.Response moved = api.patch(path("/webhooks/" + hook.getString("id")), owner.token(),
        new JsonObject().put("url", "http://169.254.169.254/latest/meta-data"));
    assertEquals("url_not_allowed", expect(422, moved).errorCode());
    assertEquals(0, expect(200, api.get(path("/webhooks"), owner.token())).array().stream()
        .filter(w -> ((JsonObject) w).getString("url").contains("169.254")).count(), "nothing registered");
  }

  @Test
  void badEventNamesAndSecretsAreRefusedListingTheKnownTypes() {
    Receiver receiver = receiver();
    Api.Response unknown = api.post(path("/webhooks"), owner.token(), new JsonObject().put("url", receiver.url())
        .put("events", new JsonArray().add("timer.exploded")));
    assertEquals("validation_failed", expect(400, unknown).errorCode());
    assertTrue(unknown.text().contains("timer.started") && unknown.text().contains("invoice.overdue"), unknown.text());
    assertEquals("validation_failed", expect(400, api.post(path("/webhooks"), owner.token(), new JsonObject()
        .put("url", receiver.url()).put("events", new JsonArray()))).errorCode());
    assertEquals("validation_failed", expect(400, api.post(path("/webhooks"), owner.token(), new JsonObject()
        .put("url", receiver.url()).put("events", new JsonArray().add("*")).put("secret", "short"))).errorCode());
  }

  @Test
  void theSecretIsShownOnCreateAndWhenChangedButNeverByGet() {
    Receiver receiver = receiver();
    String mine = "my-own-secret-of-some-length";
    JsonObject hook = expect(201, api.post(path("/webhooks"), owner.token(), new JsonObject().put("url", receiver.url())
        .put("events", new JsonArray().add("*")).put("secret", mine))).json();
    assertEquals(mine, hook.getString("secret"));
    String id = hook.getString("id");
    JsonObject got = expect(200, api.get(path("/webhooks/" + id), owner.token())).json();
    assertFalse(got.containsKey("secret"));
    assertEquals(List.of("*"), got.getJsonArray("events").getList());
    assertTrue(got.getBoolean("enabled"));
    JsonObject listed = expect(200, api.get(path("/webhooks"), owner.token())).array().getJsonObject(0);
    assertFalse(listed.containsKey("secret"));
    assertFalse(expect(200, api.get(path("/webhooks"), owner.token())).text().contains(mine));

    JsonObject renamed = expect(200, api.patch(path("/webhooks/" + id), owner.token(),
        new JsonObject().put("events", new JsonArray().add("task.created")))).json();
    assertFalse(renamed.containsKey("secret"), "unchanged: not shown");
    assertEquals(List.of("task.created"), renamed.getJsonArray("events").getList());
    JsonObject rotated = expect(200, api.patch(path("/webhooks/" + id), owner.token(),
        new JsonObject().put("secret", "a-brand-new-secret-123"))).json();
    assertEquals("a-brand-new-secret-123", rotated.getString("secret"));

    expect(204, api.delete(path("/webhooks/" + id), owner.token()));
    assertEquals("webhook_not_found", expect(404, api.get(path("/webhooks/" + id), owner.token())).errorCode());
  }

  @Test
  void membersAreForbiddenAndOutsidersDoNotSeeTheTeam() {
    Session member = api.signup("Mia");
    api.addMember(owner, teamId, member, "member");
    Session admin = api.signup("Adam");
    api.addMember(owner, teamId, admin, "admin");
    Session outsider = api.signup("Otto");
    Receiver receiver = receiver();
    JsonObject body = new JsonObject().put("url", receiver.url()).put("events", new JsonArray().add("*"));
    String id = expect(201, api.post(path("/webhooks"), admin.token(), body)).json().getString("id");

    assertEquals("forbidden", expect(403, api.post(path("/webhooks"), member.token(), body)).errorCode());
    assertEquals("forbidden", expect(403, api.get(path("/webhooks"), member.token())).errorCode());
    assertEquals("forbidden", expect(403, api.get(path("/webhooks/" + id + "/deliveries"), member.token())).errorCode());
    assertEquals("forbidden", expect(403, api.delete(path("/webhooks/" + id), member.token())).errorCode());
    assertEquals("team_not_found", expect(404, api.post(path("/webhooks"), outsider.token(), body)).errorCode());
    assertEquals("team_not_found", expect(404, api.get(path("/webhooks/" + id), outsider.token())).errorCode());
    assertEquals("team_not_found", expect(404, api.patch(path("/webhooks/" + id), outsider.token(),
        new JsonObject().put("enabled", false))).errorCode());

    String otherTeam = api.createTeam(outsider, "Elsewhere");
    assertEquals("webhook_not_found", expect(404, api.get("/api/teams/" + otherTeam + "/webhooks/" + id,
        outsider.token())).errorCode(), "a webhook of another team is not found in yours");
  }

  @Test
  void aWebhookThatKeepsFailingIsDisabledItsOwnerToldAndEnablingItResumes() {
    Session admin = api.signup("Adam");
    api.addMember(owner, teamId, admin, "admin");
    Receiver receiver = receiver().failAlways(true);
    JsonObject hook = register(receiver.url(), "timer.started");
    String id = hook.getString("id");

    startTimer();
    eventually(() -> !expect(200, api.get(path("/webhooks/" + id), owner.token())).json().getBoolean("enabled"),
        "disabled after five failed attempts");
    JsonObject disabled = expect(200, api.get(path("/webhooks/" + id), owner.token())).json();
    assertEquals(5, disabled.getInteger("consecutiveFailures"));
    assertNotNull(disabled.getString("disabledAt"));
    assertEquals(5, receiver.received().size(), "no attempt after it was disabled");
    JsonObject pending = deliveries(id).getJsonObject(0);
    assertEquals("pending", pending.getString("status"), "the delivery waits for the webhook to come back");
    assertEquals(5, pending.getInteger("attempts"));
    assertEquals(500, pending.getInteger("responseCode"));
    assertEquals("HTTP 500", pending.getString("lastError"));

    eventually(() -> notes(owner, "webhook_disabled").size() == 1, "the owner's in-app notification");
    JsonObject note = notes(owner, "webhook_disabled").getJsonObject(0);
    assertTrue(note.getString("body").contains(receiver.url()), note.encode());
    assertEquals(id, note.getJsonObject("data").getString("webhookId"));
    assertEquals(0, notes(admin, "webhook_disabled").size(), "owners are told, not admins");

    eventually(() -> changes(id).stream().anyMatch(c -> "disabled".equals(((JsonObject) c).getString("action"))),
        "the disabling audited");
    JsonObject audited = changes(id).stream().map(c -> (JsonObject) c)
        .filter(c -> "disabled".equals(c.getString("action"))).findFirst().orElseThrow();
    assertEquals("system", audited.getString("origin"));
    assertNull(audited.getString("actorId"));

    receiver.failAlways(false);
    JsonObject enabled = expect(200, api.patch(path("/webhooks/" + id), owner.token(),
        new JsonObject().put("enabled", true))).json();
    assertTrue(enabled.getBoolean("enabled"));
    assertEquals(0, enabled.getInteger("consecutiveFailures"));
    assertNull(enabled.getString("disabledAt"));
    eventually(() -> "delivered".equals(deliveries(id).getJsonObject(0).getString("status")), "delivered at last");
    assertEquals(6, deliveries(id).getJsonObject(0).getInteger("attempts"));
    assertEquals(1, receiver.received().stream().map(Receiver.Received::delivery).distinct().count());
  }

  @Test
  void registrationChangesAndDeletionAreAuditedWithoutTheSecret() {
    Receiver receiver = receiver();
    String mine = "audit-secret-abcdefghij";
    String rotated = "audit-secret-rotated-xyz";
    String id = expect(201, api.post(path("/webhooks"), owner.token(), new JsonObject().put("url", receiver.url())
        .put("events", new JsonArray().add("*")).put("secret", mine))).json().getString("id");
    expect(200, api.patch(path("/webhooks/" + id), owner.token(),
        new JsonObject().put("events", new JsonArray().add("task.moved"))));
    expect(200, api.patch(path("/webhooks/" + id), owner.token(), new JsonObject().put("secret", rotated)));
    expect(204, api.delete(path("/webhooks/" + id), owner.token()));

    eventually(() -> changes(id).size() == 4, "four recorded changes");
    JsonArray changes = changes(id);
    assertEquals(List.of("created", "updated", "updated", "deleted"),
        changes.stream().map(c -> ((JsonObject) c).getString("action")).toList());
    changes.forEach(c -> assertEquals(owner.id(), ((JsonObject) c).getString("actorId")));
    assertEquals(List.of("task.moved"), changes.getJsonObject(1).getJsonObject("changes").getJsonObject("events")
        .getJsonArray("after").getList());
    assertTrue(changes.getJsonObject(2).getJsonObject("changes").containsKey("secretUpdatedAt"),
        "a new secret shows as a change of secretUpdatedAt");
    assertFalse(changes.encode().contains(mine) || changes.encode().contains(rotated), "never the secret");
  }

  /** The integrations journal's recorded changes of one webhook, oldest first. */
  private static JsonArray changes(String webhookId) {
    JsonObject page = NODE.node().vertx().eventBus().<JsonObject>request(Address.INTEGRATIONS_JOURNAL_FEED.address(),
        new JsonObject().put("of", "changes").put("limit", 1000)).await().body();
    return new JsonArray(page.getJsonArray("items").stream().map(c -> (JsonObject) c)
        .filter(c -> "webhook".equals(c.getString("entity")) && webhookId.equals(c.getString("entityId")))
        .map(c -> (Object) c).toList());
  }

  private JsonArray notes(Session who, String kind) {
    JsonArray all = expect(200, api.get("/api/notifications?limit=100", who.token())).json().getJsonArray("items");
    return new JsonArray(all.stream().filter(n -> kind.equals(((JsonObject) n).getString("kind"))).toList());
  }
}
