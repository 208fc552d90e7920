package dev.trcr.board;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input on every board route and bus command gets a clear 4xx with a machine code; the node keeps serving. */
class BoardBadInputTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));

  private static Session user;
  private static String teamId;
  private static String projectId;
  private static JsonObject task;
  private static String columnId;

  @BeforeAll
  static void createATask() {
    user = NODE.api().signup("Bea");
    teamId = NODE.api().createTeam(user, "Acme");
    projectId = NODE.api().createProject(user, teamId, "Website");
    task = expect(201, NODE.api().post(path("/tasks"), user.token(), new JsonObject().put("title", "Hero"))).json();
    columnId = task.getString("columnId");
  }

  @AfterEach
  void theNodeKeepsServing() {
    assertEquals(200, NODE.api().get("/health", null).status());
    expect(200, NODE.api().get(path("/board"), user.token()));
  }

  private static String path(String rest) {
    return "/api/teams/" + teamId + "/projects/" + projectId + rest;
  }

  private static void assertError(int status, String code, Response r) {
    assertEquals(status, r.status(), r.toString());
    JsonObject error = r.json().getJsonObject("error");
    assertEquals(code, error.getString("code"), r.toString());
    assertFalse(error.getString("message").isBlank());
    assertFalse(r.text().contains("Exception"), "no stack traces: " + r.text());
  }

  private static String random() {
    return UUID.randomUUID().toString();
  }

  @Test
  void malformedIdsInBoardPathsAreInvalidId() {
    String t = task.getString("id");
    assertError(400, "invalid_id", NODE.api().get("/api/teams/" + teamId + "/projects/nope/board", user.token()));
    assertError(400, "invalid_id",
        NODE.api().patch(path("/columns/nope"), user.token(), new JsonObject().put("name", "X")));
    assertError(400, "invalid_id", NODE.api().delete(path("/columns/123"), user.token()));
    assertError(400, "invalid_id", NODE.api().patch(path("/tasks/" + t.substring(1)), user.token(),
        new JsonObject().put("version", 1)));
    assertError(400, "invalid_id", NODE.api().post(path("/tasks/" + t + "x/move"), user.token(),
        new JsonObject().put("columnId", columnId).put("version", 1)));
    assertError(400, "invalid_id", NODE.api().delete(path("/tasks/zzz"), user.token()));
  }

  @Test
  void badTaskBodiesAreRefusedFieldByField() {
    List<JsonObject> bodies = List.of(
        new JsonObject(),
        new JsonObject().put("title", ""),
        new JsonObject().put("title", 42),
        new JsonObject().put("title", "x".repeat(201)),
        new JsonObject().put("title", "a\u0000b"),
        new JsonObject().put("title", "T").put("description", "x".repeat(10_001)),
        new JsonObject().put("title", "T").put("estimateMinutes", -1),
        new JsonObject().put("title", "T").put("estimateMinutes", "soon"),
        new JsonObject().put("title", "T").put("estimateMinutes", 1.5),
        new JsonObject().put("title", "T").put("dueDate", "2026-02-30"),
        new JsonObject().put("title", "T").put("dueDate", "tomorrow"),
        new JsonObject().put("title", "T").put("dueDate", 20260101),
        new JsonObject().put("title", "T").put("dueDate", "2026-01-02T09:00:00Z"),
        new JsonObject().put("title", "T").put("labels", "design"),
        new JsonObject().put("title", "T").put("labels", new JsonArray().add(1)),
        new JsonObject().put("title", "T").put("labels", new JsonArray().add(" ")),
        new JsonObject().put("title", "T").put("labels", new JsonArray().add("x".repeat(51))),
        new JsonObject().put("title", "T").put("labels", new JsonArray(new ArrayList<>(
            java.util.stream.IntStream.range(0, 21).mapToObj(i -> "l" + i).toList()))),
        new JsonObject().put("title", "T").put("assigneeId", "bob"),
        new JsonObject().put("title", "T").put("assigneeId", random()),
        new JsonObject().put("title", "T").put("columnId", 7));
    for (JsonObject body : bodies) {
      Response r = NODE.api().post(path("/tasks"), user.token(), body);
      assertEquals(400, r.status(), body.encode() + " → " + r);
      assertTrue(List.of("validation_failed", "invalid_id").contains(r.errorCode()), r.toString());
    }
    assertError(404, "column_not_found", NODE.api().post(path("/tasks"), user.token(),
        new JsonObject().put("title", "T").put("columnId", random())));
    assertError(400, "invalid_json",
        NODE.api().call(HttpMethod.POST, path("/tasks"), user.token(), Buffer.buffer("{title")));
    assertError(400, "invalid_json",
        NODE.api().call(HttpMethod.POST, path("/tasks"), user.token(), Buffer.buffer("[1]")));
  }

  @Test
  void badPatchesAndMovesAreRefused() {
    String t = path("/tasks/" + task.getString("id"));
    assertError(400, "validation_failed",
        NODE.api().patch(t, user.token(), new JsonObject().put("title", "No version")));
    assertError(400, "validation_failed", NODE.api().patch(t, user.token(), new JsonObject().put("version", "one")));
    assertError(400, "validation_failed", NODE.api().patch(t, user.token(), new JsonObject().put("version", 0)));
    assertError(400, "validation_failed",
        NODE.api().patch(t, user.token(), new JsonObject().put("version", 1).putNull("title")));
    assertError(400, "validation_failed", NODE.api().patch(t, user.token(),
        new JsonObject().put("version", 1).put("columnId", columnId)));
    assertError(404, "task_not_found", NODE.api().patch(path("/tasks/" + random()), user.token(),
        new JsonObject().put("version", 1).put("title", "X")));

    String move = t + "/move";
    assertError(400, "validation_failed", NODE.api().post(move, user.token(), new JsonObject().put("version", 1)));
    assertError(400, "validation_failed",
        NODE.api().post(move, user.token(), new JsonObject().put("columnId", columnId)));
    assertError(400, "invalid_id", NODE.api().post(move, user.token(),
        new JsonObject().put("columnId", columnId).put("version", 1).put("afterTaskId", "top")));
    assertError(400, "validation_failed", NODE.api().post(move, user.token(), new JsonObject().put("columnId", columnId)
        .put("version", 1).put("afterTaskId", task.getString("id"))));
    assertError(404, "column_not_found", NODE.api().post(move, user.token(),
        new JsonObject().put("columnId", random()).put("version", 1)));
    assertError(404, "task_not_found", NODE.api().post(move, user.token(),
        new JsonObject().put("columnId", columnId).put("version", 1).put("afterTaskId", random())));
    assertError(404, "task_not_found", NODE.api().post(path("/tasks/" + random() + "/move"), user.token(),
        new JsonObject().put("columnId", columnId).put("version", 1)));
    assertEquals(1, expect(200, NODE.api().get(path("/board"), user.token())).json().getJsonArray("columns")
        .getJsonObject(0).getJsonArray("tasks").getJsonObject(0).getInteger("version"), "nothing changed the task");
  }

  @Test
  void badColumnBodiesAreRefused() {
    assertError(400, "validation_failed", NODE.api().post(path("/columns"), user.token(), new JsonObject()));
    assertError(400, "validation_failed", NODE.api().post(path("/columns"), user.token(),
        new JsonObject().put("name", "x".repeat(101))));
    assertError(400, "invalid_id", NODE.api().post(path("/columns"), user.token(),
        new JsonObject().put("name", "X").put("afterColumnId", "first")));
    assertError(404, "column_not_found", NODE.api().post(path("/columns"), user.token(),
        new JsonObject().put("name", "X").put("afterColumnId", random())));
    assertError(400, "validation_failed", NODE.api().patch(path("/columns/" + columnId), user.token(),
        new JsonObject().put("name", "")));
    assertError(400, "validation_failed", NODE.api().patch(path("/columns/" + columnId), user.token(),
        new JsonObject().put("afterColumnId", columnId)));
    assertError(404, "column_not_found", NODE.api().patch(path("/columns/" + random()), user.token(),
        new JsonObject().put("name", "X")));
    assertError(404, "column_not_found", NODE.api().delete(path("/columns/" + random()), user.token()));
  }

  @Test
  void badTaskIdsOnTimeAreRefused() {
    String timers = "/api/teams/" + teamId;
    assertError(400, "invalid_id", NODE.api().post(timers + "/timer/start", user.token(),
        new JsonObject().put("projectId", projectId).put("taskId", "hero")));
    assertError(404, "task_not_found", NODE.api().post(timers + "/timer/start", user.token(),
        new JsonObject().put("projectId", projectId).put("taskId", random())));
    assertError(400, "validation_failed", NODE.api().post(timers + "/time-entries", user.token(), new JsonObject()
        .put("projectId", projectId).put("taskId", 5).put("startedAt", "2026-01-02T09:00:00Z")
        .put("stoppedAt", "2026-01-02T10:00:00Z")));
    assertError(400, "invalid_id", NODE.api().post(timers + "/time-entries", user.token(), new JsonObject()
        .put("projectId", projectId).put("taskId", "5").put("startedAt", "2026-01-02T09:00:00Z")
        .put("stoppedAt", "2026-01-02T10:00:00Z")));
    assertError(400, "validation_failed", NODE.api().post("/api/teams/" + teamId + "/projects", user.token(),
        new JsonObject().put("name", "Keyed").put("key", 12)));
  }

  @Test
  void everyNewBusCommandRefusesBadBodiesWithA4xx() {
    List<Address> commands = List.of(Address.BOARD_GET, Address.BOARD_COLUMNS_CREATE, Address.BOARD_COLUMNS_UPDATE,
        Address.BOARD_COLUMNS_DELETE, Address.BOARD_TASKS_CREATE, Address.BOARD_TASKS_UPDATE, Address.BOARD_MOVE,
        Address.BOARD_TASKS_DELETE, Address.BOARD_TASKS_CHECK, Address.BOARD_JOURNAL_READ,
        Address.TIMERS_TASKS_TRACKED);
    List<Object> bad = List.of("text", new JsonArray().add(1), new JsonObject(),
        new JsonObject().put("teamId", 5).put("projectId", true).put("taskId", "x").put("stream", 1));
    // Bad for some commands, ignored by others: never a 5xx.
    List<Object> mixed = List.of(
        new JsonObject().put("teamId", teamId).put("projectId", projectId).put("taskId", task.getString("id"))
            .put("columnId", "c").put("version", "v").put("taskIds", "all").put("stream", "s").put("after", "x"),
        new JsonObject().put("teamId", teamId).put("taskIds", new JsonArray().add("not-a-uuid")));
    for (Address command : commands) {
      for (Object body : bad) {
        int code = failureCode(command, body);
        assertTrue(code >= 400 && code < 500, command + " " + body + " → " + code);
      }
      for (Object body : mixed) {
        int code = failureCode(command, body);
        assertTrue(code < 500, command + " " + body + " → " + code);
      }
    }
    assertEquals(400, failureCode(Address.BOARD_MOVE, mixed.get(0)));
    assertEquals(400, failureCode(Address.BOARD_JOURNAL_READ, mixed.get(0)));
    assertEquals(400, failureCode(Address.TIMERS_TASKS_TRACKED, mixed.get(0)));
    assertEquals(400, failureCode(Address.TIMERS_TASKS_TRACKED, mixed.get(1)));
    // Without a caller, the caller's commands are refused as unauthenticated.
    JsonObject full = new JsonObject().put("teamId", teamId).put("projectId", projectId);
    assertEquals(401, failureCodeWithoutCaller(Address.BOARD_GET, full));
    assertEquals(401, failureCodeWithoutCaller(Address.BOARD_MOVE, full));
  }

  private int failureCode(Address command, Object body) {
    try {
      NODE.node().vertx().eventBus().request(command.address(), body,
          new DeliveryOptions().addHeader(Bus.USER_HEADER, user.id()).setSendTimeout(5_000)).await();
      return 200;
    } catch (ReplyException e) {
      return e.failureCode();
    }
  }

  private int failureCodeWithoutCaller(Address command, Object body) {
    try {
      NODE.node().vertx().eventBus().request(command.address(), body,
          new DeliveryOptions().setSendTimeout(5_000)).await();
      return 200;
    } catch (ReplyException e) {
      return e.failureCode();
    }
  }
}
