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

import java.util.ArrayList;
import java.util.List;

import static dev.trcr.integrations.Receiver.eventually;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two nodes on one database both read the journals and both send: each event is enqueued once, and the webhook still
 * gets its deliveries one at a time, in order, each once (the claim's row lock and lease, not a node-local lock).
 */
class WebhookTwoNodesTest {

  private static Vertx clientVertx;
  private static Node first;
  private static Node second;
  private static Api api;

  @BeforeAll
  static void start() {
    clientVertx = Vertx.vertx();
    JsonObject config = TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        .put("TRCR_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1").put("TRCR_INTEGRATIONS_POLL_MS", 50)
        .put("TRCR_WEBHOOK_RETRY_BASE_MS", 100).put("TRCR_WEBHOOK_TIMEOUT_MS", 2_000);
    first = TestNodes.start(config);
    second = TestNodes.start(config);
    api = new Api(clientVertx, first.httpPort());
  }

  @AfterAll
  static void stop() {
    api.close();
    first.close().await();
    second.close().await();
    clientVertx.close().await();
  }

  @Test
  void twoSendingNodesDeliverEachEventOnceOneAtATimeInOrder() {
    try (Receiver receiver = Receiver.start(clientVertx).answerAfter(150)) {
      Session owner = api.signup("Olga");
      String teamId = api.createTeam(owner, "Acme");
      String projectId = api.createProject(owner, teamId, "Website");
      String hook = expect(201, api.post("/api/teams/" + teamId + "/webhooks", owner.token(), new JsonObject()
          .put("url", receiver.url()).put("events", new JsonArray().add("timer.started").add("timer.stopped"))))
          .json().getString("id");
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        expect(201, api.startTimer(owner, teamId, projectId));
        expect(200, api.post("/api/teams/" + teamId + "/timer/stop", owner.token(), new JsonObject()));
        expected.add("timer.started");
        expected.add("timer.stopped");
      }
      String deliveries = "/api/teams/" + teamId + "/webhooks/" + hook + "/deliveries?limit=100";
      eventually(() -> {
        JsonArray items = expect(200, api.get(deliveries, owner.token())).json().getJsonArray("items");
        return items.size() == expected.size()
            && items.stream().allMatch(d -> "delivered".equals(((JsonObject) d).getString("status")));
      }, "every delivery delivered");

      assertEquals(expected, receiver.events(), "each event once, in journal order");
      assertEquals(expected.size(), receiver.received().stream().map(Receiver.Received::delivery).distinct().count());
      assertEquals(1, receiver.mostOpen(), "never two requests of one webhook at once");
    }
  }
}
