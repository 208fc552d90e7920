package dev.trcr.notifications;

import dev.trcr.kernel.Address;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static dev.trcr.notifications.NotificationsRestTest.eventually;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly once across two clustered nodes that both run notifications on one database: every event published twice,
 * read again by every poll of both nodes, and replayed after its owner rebuilt the history under a new epoch, gives
 * each recipient one notification. And live: the recipient's own stream through the bridge, nobody else's.
 */
class NotificationDeliveryTest {

  private static final String ALL = FakeBilling.WITHOUT_BILLING;

  private static TestNodes.TwoNodes nodes;
  private static Vertx clientVertx;
  private static Api api;
  private static FakeBilling billing;

  @BeforeAll
  static void start() {
    JsonObject shared = TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0).put("TRCR_NOTIFICATIONS_POLL_MS", 200);
    nodes = TestNodes.startTwo(shared, ALL, ALL);
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, nodes.edge().httpPort());
    billing = new FakeBilling(nodes.core().vertx());
  }

  @AfterAll
  static void stop() {
    billing.close();
    api.close();
    clientVertx.close().await();
    nodes.close();
  }

  private static JsonArray items(Session who) {
    return expect(200, api.get("/api/notifications?limit=100", who.token())).json().getJsonArray("items");
  }

  @Test
  void eachEventNotifiesEachRecipientOnceWhateverIsPublishedReadOrReplayed() throws InterruptedException {
    Session ada = api.signup("Ada");
    Session bob = api.signup("Bob");
    String teamId = api.createTeam(ada, "Acme");
    api.addMember(ada, teamId, bob, "admin");

    for (int i = 1; i <= 10; i++) {
      JsonObject event = billing.overdue(teamId, "INV-" + i);
      billing.publish(Address.EVENTS_INVOICE_OVERDUE, event); // a second copy, as the relay may send
    }
    eventually(() -> items(ada).size() >= 10 && items(bob).size() >= 10, "ten notifications each");
    Thread.sleep(1_000); // several polls of both nodes
    assertEquals(10, items(ada).size());
    assertEquals(10, items(bob).size());
    Set<String> numbers = new HashSet<>();
    items(ada).forEach(n -> numbers.add(((JsonObject) n).getJsonObject("data").getString("number")));
    assertEquals(10, numbers.size(), "one per invoice");

    billing.rebuild();
    billing.overdue(teamId, "INV-11");
    eventually(() -> items(ada).size() >= 11, "the event after the rebuild");
    Thread.sleep(1_000);
    assertEquals(11, items(ada).size(), "the replay from 0 under the new epoch notified nobody twice");
    assertEquals(11, items(bob).size());
  }

  @Test
  void theRecipientReceivesNotificationsLiveAndNobodyElseMaySubscribe() {
    Session ada = api.signup("Ada");
    Session bob = api.signup("Bob");
    String teamId = api.createTeam(ada, "Acme");
    api.addMember(ada, teamId, bob, "admin");
    String bobs = Address.USER_NOTIFICATIONS.address(bob.id());

    try (BridgeClient bobSocket = BridgeClient.connect(clientVertx, nodes.edge().bridgePort());
         BridgeClient adaSocket = BridgeClient.connect(clientVertx, nodes.edge().bridgePort())) {
      adaSocket.register(bobs, ada.token());
      JsonObject denied = adaSocket.nextMatching(f -> "err".equals(f.getString("type")), 5_000);
      assertNotNull(denied, "Ada is refused Bob's notifications");
      assertEquals("access_denied", denied.getString("body"));

      bobSocket.register(bobs, bob.token());
      JsonObject created = null;
      for (int i = 0; i < 30 && created == null; i++) { // a register is not acknowledged: until one arrives
        billing.overdue(teamId, "INV-L" + i);
        created = bobSocket.nextMatching(f -> "rec".equals(f.getString("type")) && bobs.equals(f.getString("address")),
            500);
      }
      assertNotNull(created, "Bob received notification.created");
      JsonObject body = created.getJsonObject("body");
      assertEquals("notification.created", body.getString("type"));
      assertEquals("invoice_overdue", body.getJsonObject("notification").getString("kind"));
      assertTrue(body.getLong("unread") >= 1);
      assertNotNull(body.getValue("seq"), "journaled");

      String id = body.getJsonObject("notification").getString("id");
      expect(200, api.post("/api/notifications/" + id + "/read", bob.token(), null));
      JsonObject read = bobSocket.nextMatching(f -> "rec".equals(f.getString("type"))
          && "notification.read".equals(f.getJsonObject("body").getString("type")), 5_000);
      assertNotNull(read, "notification.read arrives");
      assertEquals(id, read.getJsonObject("body").getJsonObject("notification").getString("id"));
      billing.overdue(teamId, "INV-LAST");
      eventually(() -> expect(200, api.get("/api/notifications?unread=true", bob.token())).json().getLong("unread") > 0,
          "something unread for read-all");
      expect(200, api.post("/api/notifications/read-all", bob.token(), null));
      JsonObject all = bobSocket.nextMatching(f -> "rec".equals(f.getString("type"))
          && "notifications.read-all".equals(f.getJsonObject("body").getString("type")), 5_000);
      assertNotNull(all, "notifications.read-all arrives");
      assertEquals(0, all.getJsonObject("body").getInteger("unread"));
      assertTrue(adaSocket.nextMatching(f -> "rec".equals(f.getString("type"))
          && bobs.equals(f.getString("address")), 500) == null, "nothing of Bob's reached Ada");
    }
  }
}
