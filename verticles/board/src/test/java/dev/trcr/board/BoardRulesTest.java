package dev.trcr.board;

import dev.trcr.kernel.Address;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules of boards, columns, tasks, project keys and time on tasks, through the REST API of a real node. */
class BoardRulesTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode();

  private Session owner;
  private Session member;
  private Session outsider;
  private String teamId;
  private String projectId;

  @BeforeEach
  void team() {
    owner = NODE.api().signup("Olga Owner");
    member = NODE.api().signup("Max Member");
    outsider = NODE.api().signup("Otto Outsider");
    teamId = NODE.api().createTeam(owner, "Acme");
    NODE.api().addMember(owner, teamId, member, "member");
    projectId = NODE.api().createProject(owner, teamId, "Website");
  }

  private String path(String rest) {
    return "/api/teams/" + teamId + "/projects/" + projectId + rest;
  }

  private JsonArray columns(Session who) {
    return expect(200, NODE.api().get(path("/board"), who.token())).json().getJsonArray("columns");
  }

  private String columnId(int position) {
    return columns(owner).getJsonObject(position).getString("id");
  }

  private JsonObject createTask(Session who, JsonObject body) {
    return expect(201, NODE.api().post(path("/tasks"), who.token(), body)).json();
  }

  private JsonObject createTask(String title) {
    return createTask(member, new JsonObject().put("title", title));
  }

  private Response move(Session who, JsonObject task, String columnId, String afterTaskId) {
    return NODE.api().post(path("/tasks/" + task.getString("id") + "/move"), who.token(), new JsonObject()
        .put("columnId", columnId).put("afterTaskId", afterTaskId).put("version", task.getInteger("version")));
  }

  private List<String> titles(int column) {
    return columns(owner).getJsonObject(column).getJsonArray("tasks").stream()
        .map(t -> ((JsonObject) t).getString("title")).toList();
  }

  @Test
  void aNewBoardHasTheDefaultColumnsInOrder() {
    JsonArray columns = columns(member);
    assertEquals(List.of("To do", "In progress", "Review", "Done"),
        columns.stream().map(c -> ((JsonObject) c).getString("name")).toList());
    for (int i = 0; i < 4; i++) {
      assertEquals(i, columns.getJsonObject(i).getInteger("position"));
      assertEquals(0, columns.getJsonObject(i).getJsonArray("tasks").size());
    }
    assertEquals(columns, columns(owner), "the board is created once");
  }

  @Test
  void projectKeysAreDerivedFromTheNameAndMadeUnique() {
    JsonArray projects = expect(200, NODE.api().get("/api/teams/" + teamId + "/projects", owner.token())).array();
    assertEquals("WEB", projects.getJsonObject(0).getString("key"));
    JsonObject second = expect(201, NODE.api().post("/api/teams/" + teamId + "/projects", owner.token(),
        new JsonObject().put("name", "Web shop"))).json();
    assertEquals("WEB2", second.getString("key"));
    JsonObject given = expect(201, NODE.api().post("/api/teams/" + teamId + "/projects", owner.token(),
        new JsonObject().put("name", "Backend").put("key", "api2"))).json();
    assertEquals("API2", given.getString("key"));
    Response taken = NODE.api().post("/api/teams/" + teamId + "/projects", owner.token(),
        new JsonObject().put("name", "Other").put("key", "WEB"));
    assertEquals(409, taken.status(), taken.toString());
    assertEquals("project_key_taken", taken.errorCode());
    for (String bad : List.of("A", "TOO-LONG", "ÄBC", "ELEVENCHARS")) {
      Response r = NODE.api().post("/api/teams/" + teamId + "/projects", owner.token(),
          new JsonObject().put("name", "Bad " + bad).put("key", bad));
      assertEquals(400, r.status(), bad + ": " + r);
    }
    // another team may use the same key
    String otherTeam = NODE.api().createTeam(owner, "Other team");
    JsonObject elsewhere = expect(201, NODE.api().post("/api/teams/" + otherTeam + "/projects", owner.token(),
        new JsonObject().put("name", "Website"))).json();
    assertEquals("WEB", elsewhere.getString("key"));
  }

  @Test
  void taskKeysCountPerProjectFromOne() {
    JsonObject first = createTask("Hero");
    JsonObject second = createTask("Footer");
    assertEquals("WEB-1", first.getString("key"));
    assertEquals("WEB-2", second.getString("key"));
    assertEquals(1, first.getInteger("version"));
    assertEquals(0L, first.getLong("trackedSeconds"));
    String otherProject = NODE.api().createProject(owner, teamId, "Mobile app");
    JsonObject other = expect(201, NODE.api().post("/api/teams/" + teamId + "/projects/" + otherProject + "/tasks",
        member.token(), new JsonObject().put("title", "Splash"))).json();
    assertEquals("MOB-1", other.getString("key"));
  }

  @Test
  void aTaskKeepsEveryFieldItWasGiven() {
    JsonObject task = createTask(member, new JsonObject().put("title", "  Hero  ").put("description", "Big image")
        .put("columnId", columnId(1)).put("assigneeId", owner.id()).put("estimateMinutes", 90)
        .put("dueDate", "2026-02-28").put("labels", new JsonArray().add("design").add("design").add(" web ")));
    assertEquals("Hero", task.getString("title"));
    assertEquals("Big image", task.getString("description"));
    assertEquals(columnId(1), task.getString("columnId"));
    assertEquals(owner.id(), task.getString("assigneeId"));
    assertEquals(90, task.getInteger("estimateMinutes"));
    assertEquals("2026-02-28", task.getString("dueDate"));
    assertEquals(new JsonArray().add("design").add("web"), task.getJsonArray("labels"));
    assertEquals(member.id(), task.getString("createdBy"));
    JsonObject shown = columns(owner).getJsonObject(1).getJsonArray("tasks").getJsonObject(0);
    assertEquals(task.getString("id"), shown.getString("id"));
    assertEquals("WEB-1", shown.getString("key"));
  }

  @Test
  void newTasksGoToTheBottomOfTheFirstColumn() {
    createTask("A");
    createTask("B");
    createTask("C");
    assertEquals(List.of("A", "B", "C"), titles(0));
    JsonArray tasks = columns(owner).getJsonObject(0).getJsonArray("tasks");
    for (int i = 0; i < 3; i++) {
      assertEquals(i, tasks.getJsonObject(i).getInteger("position"));
    }
  }

  @Test
  void aMoveWithoutAfterTaskGoesToTheTopAndAfterTaskGoesBelowIt() {
    JsonObject a = createTask("A");
    JsonObject b = createTask("B");
    JsonObject c = createTask("C");
    String doing = columnId(1);
    JsonObject movedC = expect(200, move(member, c, doing, null)).json();
    assertEquals(doing, movedC.getString("columnId"));
    assertEquals(0, movedC.getInteger("position"));
    assertEquals(2, movedC.getInteger("version"), "a move is a change");
    expect(200, move(member, a, doing, null));
    assertEquals(List.of("A", "C"), titles(1));
    expect(200, move(member, b, doing, a.getString("id")));
    assertEquals(List.of("A", "B", "C"), titles(1));
    assertEquals(List.of(), titles(0));
    // within one column: C to the top
    expect(200, move(member, movedC, doing, null));
    assertEquals(List.of("C", "A", "B"), titles(1));
  }

  @Test
  void aStaleVersionIsAConflictOnPatchAndMove() {
    JsonObject task = createTask("Hero");
    JsonObject patched = expect(200, NODE.api().patch(path("/tasks/" + task.getString("id")), member.token(),
        new JsonObject().put("version", 1).put("title", "Hero v2").put("estimateMinutes", 30))).json();
    assertEquals(2, patched.getInteger("version"));
    assertEquals("Hero v2", patched.getString("title"));
    assertEquals(30, patched.getInteger("estimateMinutes"));

    Response stale = NODE.api().patch(path("/tasks/" + task.getString("id")), owner.token(),
        new JsonObject().put("version", 1).put("title", "Lost update"));
    assertEquals(409, stale.status(), stale.toString());
    assertEquals("version_conflict", stale.errorCode());
    Response staleMove = move(owner, task, columnId(2), null);
    assertEquals(409, staleMove.status(), staleMove.toString());
    assertEquals("version_conflict", staleMove.errorCode());

    JsonObject shown = columns(owner).getJsonObject(0).getJsonArray("tasks").getJsonObject(0);
    assertEquals("Hero v2", shown.getString("title"));
    assertEquals(2, shown.getInteger("version"));

    JsonObject cleared = expect(200, NODE.api().patch(path("/tasks/" + task.getString("id")), member.token(),
        new JsonObject().put("version", 2).putNull("estimateMinutes").put("dueDate", "2026-03-01"))).json();
    assertNull(cleared.getValue("estimateMinutes"));
    assertEquals("2026-03-01", cleared.getString("dueDate"));
    assertEquals("Hero v2", cleared.getString("title"), "fields not given stay");
  }

  @Test
  void movesOfDifferentTasksNeverConflict() {
    JsonObject a = createTask("A");
    JsonObject b = createTask("B");
    // Both moves were prepared from the same board: each task's own version is all that counts.
    expect(200, move(member, a, columnId(3), null));
    expect(200, move(owner, b, columnId(3), null));
    assertEquals(List.of("B", "A"), titles(3));
  }

  @Test
  void deletingATaskClosesTheGap() {
    JsonObject a = createTask("A");
    createTask("B");
    createTask("C");
    assertEquals(204, NODE.api().delete(path("/tasks/" + a.getString("id")), member.token()).status());
    assertEquals(List.of("B", "C"), titles(0));
    JsonArray tasks = columns(owner).getJsonObject(0).getJsonArray("tasks");
    assertEquals(0, tasks.getJsonObject(0).getInteger("position"));
    assertEquals(1, tasks.getJsonObject(1).getInteger("position"));
    assertEquals("task_not_found", NODE.api().delete(path("/tasks/" + a.getString("id")), member.token()).errorCode());
    assertEquals("WEB-4", createTask("D").getString("key"), "numbers are not reused");
  }

  @Test
  void ownersAndAdminsManageColumns() {
    Response denied = NODE.api().post(path("/columns"), member.token(), new JsonObject().put("name", "Blocked"));
    assertEquals(403, denied.status(), denied.toString());
    assertEquals("forbidden", denied.errorCode());

    String doing = columnId(1);
    JsonObject blocked = expect(201, NODE.api().post(path("/columns"), owner.token(),
        new JsonObject().put("name", "Blocked").put("afterColumnId", doing))).json();
    assertEquals(2, blocked.getInteger("position"));
    JsonObject archive = expect(201,
        NODE.api().post(path("/columns"), owner.token(), new JsonObject().put("name", "Archive")))
        .json();
    assertEquals(5, archive.getInteger("position"), "at the end without afterColumnId");

    JsonObject renamed = expect(200, NODE.api().patch(path("/columns/" + blocked.getString("id")), owner.token(),
        new JsonObject().put("name", "Waiting").putNull("afterColumnId"))).json();
    assertEquals("Waiting", renamed.getString("name"));
    assertEquals(0, renamed.getInteger("position"), "afterColumnId null puts it first");
    assertEquals(List.of("Waiting", "To do", "In progress", "Review", "Done", "Archive"),
        columns(owner).stream().map(c -> ((JsonObject) c).getString("name")).toList());

    createTask(member, new JsonObject().put("title", "Stuck").put("columnId", blocked.getString("id")));
    Response notEmpty = NODE.api().delete(path("/columns/" + blocked.getString("id")), owner.token());
    assertEquals(409, notEmpty.status(), notEmpty.toString());
    assertEquals("column_not_empty", notEmpty.errorCode());
    assertEquals(204, NODE.api().delete(path("/columns/" + archive.getString("id")), owner.token()).status());
    assertEquals(5, columns(owner).size());
    assertEquals(List.of(0, 1, 2, 3, 4), columns(owner).stream().map(c -> ((JsonObject) c).getInteger("position")).toList());
    Response gone = NODE.api().patch(path("/columns/" + archive.getString("id")), owner.token(),
        new JsonObject().put("name", "X"));
    assertEquals("column_not_found", gone.errorCode());
  }

  @Test
  void aBoardKeepsItsLastColumn() {
    JsonArray columns = columns(owner);
    for (int i = 1; i < columns.size(); i++) {
      expect(204, NODE.api().delete(path("/columns/" + columns.getJsonObject(i).getString("id")), owner.token()));
    }
    Response last = NODE.api().delete(path("/columns/" + columns.getJsonObject(0).getString("id")), owner.token());
    assertEquals(409, last.status(), last.toString());
    assertEquals("last_column", last.errorCode());
  }

  @Test
  void assigningATaskEmitsTaskAssigned() throws InterruptedException {
    LinkedBlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    MessageConsumer<JsonObject> consumer = NODE.node().vertx().eventBus()
        .consumer(Address.EVENTS_TASK_ASSIGNED.address(), m -> events.add(m.body()));
    consumer.completion().await();
    try {
      JsonObject task = createTask(owner, new JsonObject().put("title", "Hero").put("assigneeId", member.id()));
      JsonObject event = events.poll(5, TimeUnit.SECONDS);
      assertNotNull(event, "no events.task.assigned");
      assertEquals(teamId, event.getString("teamId"));
      assertEquals(projectId, event.getString("projectId"));
      assertEquals(task.getString("id"), event.getString("taskId"));
      assertEquals(task.getString("key"), event.getString("key"));
      assertEquals(member.id(), event.getString("assigneeId"));
      assertEquals(owner.id(), event.getString("byUserId"));
      assertNotNull(event.getString("id"), "notifications dedupe on the event's id");
      // Journaled in the task's transaction: whoever was down reads it back from the stream.
      JsonObject journal = dev.trcr.kernel.Bus.<JsonObject>request(NODE.node().vertx(), Address.BOARD_JOURNAL_READ,
          new JsonObject().put("stream", Address.EVENTS_TASK_ASSIGNED.address()).put("after", event.getLong("seq") - 1)
              .put("limit", 10), null).await();
      assertEquals(event.getString("id"), journal.getJsonArray("events").getJsonObject(0).getString("id"));

      expect(200, NODE.api().patch(path("/tasks/" + task.getString("id")), member.token(),
          new JsonObject().put("version", 1).put("title", "Hero v2")));
      expect(200, NODE.api().patch(path("/tasks/" + task.getString("id")), member.token(),
          new JsonObject().put("version", 2).put("assigneeId", member.id())));
      assertNull(events.poll(300, TimeUnit.MILLISECONDS), "no event unless the assignee changes");
      expect(200, NODE.api().patch(path("/tasks/" + task.getString("id")), member.token(),
          new JsonObject().put("version", 3).put("assigneeId", owner.id())));
      JsonObject reassigned = events.poll(5, TimeUnit.SECONDS);
      assertNotNull(reassigned);
      assertEquals(owner.id(), reassigned.getString("assigneeId"));
      assertEquals(member.id(), reassigned.getString("byUserId"));

      Response notMember = NODE.api().post(path("/tasks"), owner.token(),
          new JsonObject().put("title", "X").put("assigneeId", outsider.id()));
      assertEquals(400, notMember.status(), notMember.toString());
      assertEquals("assigneeId", notMember.json().getJsonObject("error").getString("field"));
    } finally {
      consumer.unregister().await();
    }
  }

  @Test
  void trackedSecondsSumTheTasksEntriesAndCountARunningTimerUpToNow() throws InterruptedException {
    JsonObject hero = createTask("Hero");
    JsonObject footer = createTask("Footer");
    Instant start = Instant.now().minus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    JsonObject entry = expect(201,
        NODE.api().post("/api/teams/" + teamId + "/time-entries", member.token(), new JsonObject()
        .put("projectId", projectId).put("taskId", hero.getString("id"))
        .put("startedAt", start.toString()).put("stoppedAt", start.plusSeconds(3600).toString()))).json();
    assertEquals(hero.getString("id"), entry.getString("taskId"));
    expect(201, NODE.api().post("/api/teams/" + teamId + "/time-entries", owner.token(), new JsonObject()
        .put("projectId", projectId).put("taskId", hero.getString("id"))
        .put("startedAt", start.plusSeconds(7200).toString()).put("stoppedAt", start.plusSeconds(7230).toString())));
    expect(201, NODE.api().post("/api/teams/" + teamId + "/time-entries", owner.token(), new JsonObject()
        .put("projectId", projectId).put("startedAt", start.toString()).put("stoppedAt", start.plusSeconds(60).toString())));

    JsonObject running = expect(201, NODE.api().post("/api/teams/" + teamId + "/timer/start", member.token(),
        new JsonObject().put("projectId", projectId).put("taskId", footer.getString("id")))).json();
    assertEquals(footer.getString("id"), running.getString("taskId"));
    Thread.sleep(1_100);

    JsonArray tasks = columns(owner).getJsonObject(0).getJsonArray("tasks");
    assertEquals(3630L, tasks.getJsonObject(0).getLong("trackedSeconds"));
    assertTrue(tasks.getJsonObject(1).getLong("trackedSeconds") >= 1, "a running timer counts up to now");

    String otherProject = NODE.api().createProject(owner, teamId, "Other");
    Response wrongProject = NODE.api().post("/api/teams/" + teamId + "/timer/start", member.token(),
        new JsonObject().put("projectId", otherProject).put("taskId", hero.getString("id")));
    assertEquals(404, wrongProject.status(), wrongProject.toString());
    assertEquals("task_not_found", wrongProject.errorCode());
    Response wrongManual = NODE.api().post("/api/teams/" + teamId + "/time-entries", member.token(), new JsonObject()
        .put("projectId", otherProject).put("taskId", hero.getString("id"))
        .put("startedAt", start.toString()).put("stoppedAt", start.plusSeconds(60).toString()));
    assertEquals("task_not_found", wrongManual.errorCode());

    // Moving the entry to another project drops its task; naming the task again needs its project.
    JsonObject moved = expect(200, NODE.api().patch("/api/teams/" + teamId + "/time-entries/" + entry.getString("id"),
        member.token(), new JsonObject().put("projectId", otherProject))).json();
    assertNull(moved.getValue("taskId"));
    assertEquals(30L, columns(owner).getJsonObject(0).getJsonArray("tasks").getJsonObject(0).getLong("trackedSeconds"));
  }

  @Test
  void nonMembersSeeNoBoard() {
    for (Response r : List.of(NODE.api().get(path("/board"), outsider.token()),
        NODE.api().post(path("/tasks"), outsider.token(), new JsonObject().put("title", "X")),
        NODE.api().post(path("/columns"), outsider.token(), new JsonObject().put("name", "X")))) {
      assertEquals(404, r.status(), r.toString());
      assertEquals("team_not_found", r.errorCode());
    }
    String otherTeam = NODE.api().createTeam(outsider, "Elsewhere");
    Response foreignProject = NODE.api().get("/api/teams/" + otherTeam + "/projects/" + projectId + "/board",
        outsider.token());
    assertEquals("project_not_found", foreignProject.errorCode());
  }
}
