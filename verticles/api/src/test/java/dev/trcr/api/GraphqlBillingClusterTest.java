package dev.trcr.api;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * billingEvents and notificationEvents on a two-node cluster: the sockets are on an api-only node, billing,
 * notifications and chat run on the other, so team events and per-user events (through {@code bridge.user-events})
 * cross the cluster to reach the socket.
 */
class GraphqlBillingClusterTest {

  private static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");

  private static Node edge;
  private static Node core;
  private static Vertx clientVertx;
  private static Api rest;

  @BeforeAll
  static void startCluster() {
    TestNodes.TwoNodes cluster = TestNodes.startTwo(TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
            .put("TRCR_NOTIFICATIONS_POLL_MS", 300),
        "api", "api,workspace,timers,chat,board,billing,notifications");
    edge = cluster.edge();
    core = cluster.core();
    clientVertx = Vertx.vertx();
    rest = new Api(clientVertx, core.httpPort());
  }

  @AfterAll
  static void stopCluster() {
    rest.close();
    clientVertx.close().await();
    io.vertx.core.Future.join(edge.close(), core.close()).await();
  }

  private static GraphqlClient.Socket socket(Session user) {
    return GraphqlClient.Socket.connect(clientVertx, edge.httpPort()).init(user.token());
  }

  private static Predicate<JsonObject> next(String id) {
    return m -> "next".equals(m.getString("type")) && id.equals(m.getString("id"));
  }

  private static JsonObject event(JsonObject next, String field) {
    return next.getJsonObject("payload").getJsonObject("data").getJsonObject(field);
  }

  private static String general(Session who, String team) {
    return expect(200, rest.get("/api/teams/" + team + "/channels", who.token())).array().stream()
        .map(JsonObject.class::cast).filter(c -> "general".equals(c.getString("kind"))).findFirst().orElseThrow()
        .getString("id");
  }

  @Test
  void notificationsReachTheirOwnersSocketsOnTheOtherNodeThroughOneConsumer() throws InterruptedException {
    Session ada = rest.signup("Ada");
    Session bob = rest.signup("Bob");
    String team = rest.createTeam(ada, "Acme");
    rest.addMember(ada, team, bob, "member");
    String channel = general(ada, team);
    AtomicInteger envelopes = new AtomicInteger();
    TestNodes.countInbound(edge, Address.BRIDGE_USER_EVENTS.address(), envelopes);
    String query = "subscription { notificationEvents { type unread notification { kind title } } }";
    try (GraphqlClient.Socket adas = socket(ada); GraphqlClient.Socket bobs = socket(bob)) {
      adas.subscribe("a", query, null);
      adas.subscribe("a2", query, null);
      bobs.subscribe("b", query, null);
      JsonObject created = null;
      for (int i = 0; i < 20 && created == null; i++) {
        expect(201, rest.post("/api/teams/" + team + "/channels/" + channel + "/messages", bob.token(),
            new JsonObject().put("text", "hi @Ada " + i)));
        created = adas.nextMatching(next("a"), 1_000);
      }
      assertNotNull(created, "no notification event crossed the cluster");
      assertEquals("notification.created", event(created, "notificationEvents").getString("type"));
      assertEquals("mention", event(created, "notificationEvents").getJsonObject("notification").getString("kind"));
      assertNull(bobs.nextMatching(next("b"), 300), "Bob does not see Ada's notifications");
      Thread.sleep(1_000); // the probes' notifications settle
      while (adas.next(200) != null) {
        // drain
      }

      // One more: one envelope reaches the node, whatever the number of per-user subscriptions on it.
      int before = envelopes.get();
      expect(201, rest.post("/api/teams/" + team + "/channels/" + channel + "/messages", bob.token(),
          new JsonObject().put("text", "last @Ada")));
      assertNotNull(adas.nextMatching(next("a"), 5_000));
      assertNotNull(adas.nextMatching(next("a2"), 1_000), "both of Ada's subscriptions receive");
      Thread.sleep(300);
      assertEquals(1, envelopes.get() - before, "one bridge.user-events delivery per event on the node");

      // The last per-user subscription gone, the node stops consuming bridge.user-events.
      adas.complete("a");
      adas.complete("a2");
      bobs.complete("b");
      Thread.sleep(1_000); // the unregistration spreads through the cluster
      int after = envelopes.get();
      long unread = unread(ada);
      expect(201, rest.post("/api/teams/" + team + "/channels/" + channel + "/messages", bob.token(),
          new JsonObject().put("text", "gone @Ada")));
      for (int i = 0; i < 100 && unread(ada) == unread; i++) {
        Thread.sleep(100);
      }
      assertEquals(unread + 1, unread(ada), "the notification was made (and its event published)");
      Thread.sleep(300);
      assertEquals(after, envelopes.get(), "an envelope reached the node after every subscription ended");
    }
  }

  private static long unread(Session who) {
    return expect(200, rest.get("/api/notifications?unread=true&limit=1", who.token())).json().getLong("unread");
  }

  @Test
  void anOwnersBillingEventsCrossTheCluster() {
    Session olga = rest.signup("Olga");
    String team = rest.createTeam(olga, "Billed");
    String client = expect(201, rest.post("/api/teams/" + team + "/clients", olga.token(), new JsonObject()
        .put("name", "Globex").put("email", "ap@globex.example").put("currency", "EUR").put("taxRatePercent", "19")))
        .json().getString("id");
    String project = expect(201, rest.post("/api/teams/" + team + "/projects", olga.token(), new JsonObject()
        .put("name", "Website").put("hourlyRate", "80.00").put("currency", "EUR"))).json().getString("id");
    expect(200, rest.patch("/api/teams/" + team + "/projects/" + project, olga.token(),
        new JsonObject().put("clientId", client)));
    for (int day = 0; day < 20; day++) {
      Instant start = JAN.plus(day, ChronoUnit.DAYS);
      expect(201, rest.post("/api/teams/" + team + "/time-entries", olga.token(), new JsonObject()
          .put("projectId", project).put("startedAt", start.toString())
          .put("stoppedAt", start.plusSeconds(1_800).toString())));
    }
    try (GraphqlClient.Socket socket = socket(olga)) {
      socket.subscribe("billing", "subscription($t: ID!) { billingEvents(teamId: $t) { type invoice { id status total } } }",
          new JsonObject().put("t", team));
      JsonObject created = null;
      String draft = null;
      for (int day = 0; day < 20 && created == null; day++) {
        draft = expect(201, rest.post("/api/teams/" + team + "/invoices", olga.token(), new JsonObject()
            .put("clientId", client).put("from", JAN.plus(day, ChronoUnit.DAYS).toString())
            .put("to", JAN.plus(day + 1, ChronoUnit.DAYS).toString()))).json().getString("id");
        created = socket.nextMatching(next("billing"), 300);
      }
      assertNotNull(created, "no billing event crossed the cluster");
      expect(200, rest.post("/api/teams/" + team + "/invoices/" + draft + "/issue", olga.token(), null));
      JsonObject issued = socket.nextMatching(m -> next("billing").test(m)
          && "invoice.issued".equals(event(m, "billingEvents").getString("type")), 5_000);
      assertNotNull(issued, "no invoice.issued");
      JsonObject invoice = event(issued, "billingEvents").getJsonObject("invoice");
      assertEquals(draft, invoice.getString("id"));
      assertEquals("47.60", invoice.getString("total")); // 0.5 h × 80.00 = 40.00, + 19 % = 47.60
      assertTrue("issued".equals(invoice.getString("status")));
    }
  }
}
