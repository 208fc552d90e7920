package dev.trcr.integrations;

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

import java.util.List;

import static dev.trcr.integrations.Receiver.eventually;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pending deliveries are rows: a node restarted between two failed attempts (same database) goes on retrying the
 * same delivery, with the same id and body, until the receiver takes it.
 */
class WebhookRestartTest {

  private static Vertx clientVertx;
  private static Receiver receiver;

  @BeforeAll
  static void start() {
    clientVertx = Vertx.vertx();
    receiver = Receiver.start(clientVertx);
  }

  @AfterAll
  static void stop() {
    receiver.close();
    clientVertx.close().await();
  }

  @Test
  void aRestartBetweenFailedAttemptsLosesNothing() throws Exception {
    JsonObject config = TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        .put("TRCR_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1").put("TRCR_INTEGRATIONS_POLL_MS", 100)
        .put("TRCR_WEBHOOK_RETRY_BASE_MS", 500).put("TRCR_WEBHOOK_RETRY_MAX_MS", 2_000)
        .put("TRCR_WEBHOOK_TIMEOUT_MS", 2_000).put("TRCR_WEBHOOK_DISABLE_AFTER", 10);
    receiver.failNext(4, 500);

    Node first = TestNodes.start(config);
    Api firstApi = new Api(clientVertx, first.httpPort());
    Session owner = firstApi.signup("Olga");
    String teamId = firstApi.createTeam(owner, "Acme");
    String projectId = firstApi.createProject(owner, teamId, "Website");
    JsonObject hook = expect(201, firstApi.post("/api/teams/" + teamId + "/webhooks", owner.token(),
        new JsonObject().put("url", receiver.url()).put("events", new JsonArray().add("timer.started")))).json();
    expect(201, firstApi.startTimer(owner, teamId, projectId));
    eventually(() -> receiver.received().size() >= 2, "two failed attempts before the restart");
    firstApi.close();
    first.close().await();
    int beforeRestart = receiver.received().size();
    assertTrue(receiver.received().stream().allMatch(r -> r.answered() == 500), "only failures before the restart");

    Node second = TestNodes.start(config);
    Api secondApi = new Api(clientVertx, second.httpPort());
    try {
      eventually(() -> receiver.received().size() == 5, "the remaining attempts after the restart");
      List<Receiver.Received> got = receiver.received();
      assertTrue(got.size() > beforeRestart, "the restarted node went on with the delivery");
      assertEquals(List.of(500, 500, 500, 500, 204), got.stream().map(Receiver.Received::answered).toList());
      assertEquals(1, got.stream().map(Receiver.Received::delivery).distinct().count(), "one delivery id");
      assertEquals(1, got.stream().map(Receiver.Received::body).distinct().count(), "one body");
      for (Receiver.Received r : got) {
        assertTrue(Receiver.verify(hook.getString("secret"), r.signature(), r.body()));
      }
      String deliveries = "/api/teams/" + teamId + "/webhooks/" + hook.getString("id") + "/deliveries";
      eventually(() -> "delivered".equals(expect(200, secondApi.get(deliveries, owner.token())).json()
          .getJsonArray("items").getJsonObject(0).getString("status")), "recorded as delivered");
      JsonObject delivery = expect(200, secondApi.get(deliveries, owner.token())).json().getJsonArray("items")
          .getJsonObject(0);
      assertEquals(5, delivery.getInteger("attempts"));
      assertEquals(204, delivery.getInteger("responseCode"));
      assertEquals(1, expect(200, secondApi.get(deliveries, owner.token())).json().getJsonArray("items").size(),
          "enqueued once, not again by the restarted node's feed");
    } finally {
      secondApi.close();
      second.close().await();
    }
  }
}
