package dev.trcr.timers;

import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A retried click never acts twice: Idempotency-Key on REST, idempotency-key on the bridge. */
class IdempotencyTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode();

  private static WebClient client;

  private Session ada;
  private String teamId;
  private String projectId;

  @BeforeAll
  static void openRawClient() {
    client = WebClient.create(NODE.clientVertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(NODE.node().httpPort()), new PoolOptions().setHttp1MaxSize(16));
  }

  @AfterAll
  static void closeRawClient() {
    client.close();
  }

  @BeforeEach
  void team() {
    ada = NODE.api().signup("Ada");
    teamId = NODE.api().createTeam(ada, "Acme");
    projectId = NODE.api().createProject(ada, teamId, "Website");
  }

  private Future<HttpResponse<Buffer>> post(String path, String key, JsonObject body) {
    return client.post(path).putHeader("Authorization", "Bearer " + ada.token()).putHeader("Idempotency-Key", key)
        .sendJsonObject(body);
  }

  private int entries() {
    return expect(200, NODE.api().get("/api/teams/" + teamId + "/time-entries?limit=200", ada.token())).json()
        .getJsonArray("items").size();
  }

  @Test
  void aRetriedStartReturnsTheFirstOutcomeAndStartsNothingNew() {
    String key = UUID.randomUUID().toString();
    String path = "/api/teams/" + teamId + "/timer/start";
    HttpResponse<Buffer> first = post(path, key, new JsonObject().put("projectId", projectId)).await();
    HttpResponse<Buffer> retry = post(path, key, new JsonObject().put("projectId", projectId)).await();
    assertEquals(201, first.statusCode());
    assertEquals(201, retry.statusCode());
    assertEquals(first.bodyAsJsonObject(), retry.bodyAsJsonObject());
    assertEquals(1, entries());
  }

  @Test
  void errorsAreReplayedToo() {
    String key = UUID.randomUUID().toString();
    String path = "/api/teams/" + teamId + "/timer/stop";
    HttpResponse<Buffer> first = post(path, key, new JsonObject()).await();
    assertEquals(409, first.statusCode());
    expect(201, NODE.api().startTimer(ada, teamId, projectId));
    HttpResponse<Buffer> retry = post(path, key, new JsonObject()).await();
    assertEquals(409, retry.statusCode(), "the first outcome, although a timer runs now");
    assertEquals(first.bodyAsJsonObject(), retry.bodyAsJsonObject());
    assertEquals(1,
        expect(200, NODE.api().get("/api/teams/" + teamId + "/timers/running", ada.token())).array().size());
  }

  @Test
  void aKeyReusedWithOtherParametersIsRefused() {
    String key = UUID.randomUUID().toString();
    String path = "/api/teams/" + teamId + "/time-entries";
    JsonObject entry = new JsonObject().put("projectId", projectId)
        .put("startedAt", "2026-01-02T09:00:00Z").put("stoppedAt", "2026-01-02T10:00:00Z");
    assertEquals(201, post(path, key, entry).await().statusCode());
    HttpResponse<Buffer> other = post(path, key, entry.copy().put("description", "something else")).await();
    assertEquals(422, other.statusCode());
    assertEquals("idempotency_key_reused", other.bodyAsJsonObject().getJsonObject("error").getString("code"));
    // Field order does not make a request different.
    JsonObject reordered = new JsonObject().put("stoppedAt", "2026-01-02T10:00:00Z")
        .put("startedAt", "2026-01-02T09:00:00Z").put("projectId", projectId);
    assertEquals(201, post(path, key, reordered).await().statusCode());
    assertEquals(1, entries());
  }

  @Test
  void concurrentDuplicatesWaitForTheFirstAndGetItsOutcome() {
    String key = UUID.randomUUID().toString();
    String path = "/api/teams/" + teamId + "/time-entries";
    JsonObject entry = new JsonObject().put("projectId", projectId)
        .put("startedAt", "2026-01-02T09:00:00Z").put("stoppedAt", "2026-01-02T10:00:00Z");
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      all.add(post(path, key, entry));
    }
    Future.join(all).await();
    String id = all.get(0).result().bodyAsJsonObject().getString("id");
    for (Future<HttpResponse<Buffer>> r : all) {
      assertEquals(201, r.result().statusCode(), r.result().bodyAsString());
      assertEquals(id, r.result().bodyAsJsonObject().getString("id"));
    }
    assertEquals(1, entries());
  }

  @Test
  void keysBelongToTheirUser() {
    Session bob = NODE.api().signup("Bob");
    NODE.api().addMember(ada, teamId, bob, "member");
    String key = UUID.randomUUID().toString();
    String path = "/api/teams/" + teamId + "/timer/start";
    assertEquals(201, post(path, key, new JsonObject().put("projectId", projectId)).await().statusCode());
    HttpResponse<Buffer> r = client.post(path).putHeader("Authorization", "Bearer " + bob.token())
        .putHeader("Idempotency-Key", key).sendJsonObject(new JsonObject().put("projectId", projectId)).await();
    assertEquals(201, r.statusCode());
    assertEquals(bob.id(), r.bodyAsJsonObject().getString("userId"));
  }

  @Test
  void bridgeCommandsHonourTheKeyToo() {
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      JsonObject frame = new JsonObject().put("type", "send").put("address", "timers.start")
          .put("body", new JsonObject().put("teamId", teamId).put("projectId", projectId))
          .put("headers", new JsonObject().put("authorization", "Bearer " + ada.token())
              .put("idempotency-key", "click-42"));
      socket.send(frame.copy().put("replyAddress", "a"));
      JsonObject first = socket.nextMatching(f -> "a".equals(f.getString("address")), 5_000);
      socket.send(frame.copy().put("replyAddress", "b"));
      JsonObject second = socket.nextMatching(f -> "b".equals(f.getString("address")), 5_000);
      assertEquals(first.getJsonObject("body"), second.getJsonObject("body"));
      assertEquals(1, entries());
    }
  }
}
