package dev.trcr.integrations;

import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many members starting and stopping timers at once: every event reaches the webhook exactly once, in order. */
class WebhookLoadTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
      .put("TRCR_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"));

  @Test
  void concurrentCommandsAreDeliveredOnceEachInOrder() throws Exception {
    Api api = NODE.api();
    Session owner = api.signup("Olga");
    String team = api.createTeam(owner, "Busy");
    String project = api.createProject(owner, team, "Web");
    int users = 8;
    int pairs = 50;
    List<Session> members = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      Session m = api.signup("Member" + i);
      api.addMember(owner, team, m, "member");
      members.add(m);
    }
    try (Receiver receiver = Receiver.start(NODE.clientVertx())) {
      expect(201, api.post("/api/teams/" + team + "/webhooks", owner.token(), new JsonObject()
          .put("url", receiver.url()).put("events", new JsonArray().add("timer.started").add("timer.stopped"))));
      Thread.sleep(1_200); // a webhook takes the events from its creation on
      ExecutorService pool = Executors.newFixedThreadPool(users);
      List<Future<?>> work = new ArrayList<>();
      for (Session m : members) {
        work.add(pool.submit(() -> {
          Api own = new Api(NODE.clientVertx(), NODE.node().httpPort());
          for (int i = 0; i < pairs; i++) {
            expect(201, own.startTimer(m, team, project));
            expect(200, own.post("/api/teams/" + team + "/timer/stop", m.token(), new JsonObject()));
          }
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
      pool.shutdown();
      int expected = users * pairs * 2;
      long deadline = System.currentTimeMillis() + 60_000;
      while (receiver.received().size() < expected && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(500); // any extra delivery would come now
      Map<String, Integer> perEvent = new HashMap<>();
      Map<String, Integer> position = new HashMap<>();
      List<Receiver.Received> got = receiver.received();
      for (int i = 0; i < got.size(); i++) {
        JsonObject body = got.get(i).json();
        String key = body.getString("event") + "/" + body.getJsonObject("data").getJsonObject("entry").getString("id");
        perEvent.merge(key, 1, Integer::sum);
        position.put(key, i);
      }
      List<String> twice = perEvent.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
      assertTrue(twice.isEmpty(), "delivered more than once: " + twice);
      assertEquals(expected, got.size(), "every event once");
      for (String key : perEvent.keySet()) {
        if (key.startsWith("timer.stopped/")) {
          String start = "timer.started/" + key.substring("timer.stopped/".length());
          assertTrue(position.get(start) < position.get(key), "a timer's start is delivered before its stop: " + key);
        }
      }
    }
  }
}
