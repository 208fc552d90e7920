package dev.trcr.api;

import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Bad input gets a clear 4xx with a machine code, never a stack trace, and the node keeps serving. */
class BadInputTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode();

  private static Session user;
  private static String teamId;

  @BeforeAll
  static void signUpAndCreateATeam() {
    user = NODE.api().signup("Bea");
    teamId = NODE.api().createTeam(user, "Acme");
  }

  @AfterEach
  void theNodeKeepsServing() {
    assertEquals(200, NODE.api().get("/health", null).status());
    expect(200, NODE.api().get("/api/me", user.token()));
  }

  private static void assertError(int status, String code, Response r) {
    assertEquals(status, r.status(), r.toString());
    JsonObject error = r.json().getJsonObject("error");
    assertEquals(code, error.getString("code"), r.toString());
    assertFalse(error.getString("message").isBlank());
    assertFalse(r.text().contains("Exception"), "no stack traces: " + r.text());
  }

  @Test
  void malformedJsonIsInvalidJson() {
    assertError(400, "invalid_json", NODE.api().post("/api/teams", user.token(), Buffer.buffer("{\"name\": ")));
    assertError(400, "invalid_json", NODE.api().post("/api/auth/signup", null, Buffer.buffer("not json at all")));
  }

  @Test
  void aBodyThatIsNotAnObjectIsInvalidJson() {
    assertError(400, "invalid_json", NODE.api().post("/api/teams", user.token(), Buffer.buffer("[1,2,3]")));
    assertError(400, "invalid_json", NODE.api().post("/api/teams", user.token(), Buffer.buffer("\"Acme\"")));
  }

  @Test
  void wrongTypesAndMissingFieldsAreValidationFailures() {
    assertError(400, "validation_failed",
        NODE.api().post("/api/teams", user.token(), new JsonObject().put("name", 42)));
    assertError(400, "validation_failed", NODE.api().post("/api/teams", user.token(), new JsonObject()));
    assertError(400, "validation_failed", NODE.api().post("/api/auth/signup", null,
        new JsonObject().put("email", true).put("password", 12345678).put("name", new JsonObject())));
    assertError(400, "validation_failed", NODE.api().post("/api/teams/" + teamId + "/projects", user.token(),
        new JsonObject().put("name", "P").put("hourlyRate", "lots")));
  }

  @Test
  void aBodyOverOneMebibyteIsTooLarge() {
    String big = "{\"name\":\"" + "x".repeat(1024 * 1024) + "\"}";
    assertError(413, "payload_too_large", NODE.api().post("/api/teams", user.token(), Buffer.buffer(big)));
  }

  @Test
  void unknownRoutesAreJson404s() {
    assertError(404, "not_found", NODE.api().get("/api/nothing-here", user.token()));
    assertError(404, "not_found", NODE.api().get("/no/such/page", null));
  }

  @Test
  void aWrongMethodIs405() {
    assertError(405, "method_not_allowed",
        NODE.api().call(HttpMethod.PUT, "/api/teams", user.token(), new JsonObject()));
  }

  @Test
  void malformedUuidsAreInvalidIds() {
    assertError(400, "invalid_id", NODE.api().get("/api/teams/not-a-uuid/projects", user.token()));
    assertError(400, "invalid_id", NODE.api().delete("/api/teams/" + teamId + "/time-entries/12345", user.token()));
    assertError(400, "invalid_id", NODE.api().post("/api/teams/" + teamId + "/timer/start", user.token(),
        new JsonObject().put("projectId", "zzz")));
  }

  @Test
  void overlongTextIsRefused() {
    assertError(400, "validation_failed", NODE.api().post("/api/teams", user.token(),
        new JsonObject().put("name", "n".repeat(101))));
  }
}
