package dev.trcr.timers;

import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import io.vertx.core.Future;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules of timers and time entries, through the public REST API of a real node. */
class TimerRulesTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode();

  private Session owner;
  private Session member;
  private Session admin;
  private String teamId;
  private String projectId;

  @BeforeEach
  void team() {
    owner = NODE.api().signup("Olga Owner");
    member = NODE.api().signup("Max Member");
    admin = NODE.api().signup("Ada Admin");
    teamId = NODE.api().createTeam(owner, "Acme");
    NODE.api().addMember(owner, teamId, member, "member");
    NODE.api().addMember(owner, teamId, admin, "admin");
    projectId = NODE.api().createProject(owner, teamId, "Website");
  }

  private String path(String rest) {
    return "/api/teams/" + teamId + rest;
  }

  private JsonArray running(Session who) {
    return expect(200, NODE.api().get(path("/timers/running"), who.token())).array();
  }

  private Response manual(Session who, String start, String stop) {
    return NODE.api().post(path("/time-entries"), who.token(), new JsonObject()
        .put("projectId", projectId).put("startedAt", start).put("stoppedAt", stop).put("description", "call"));
  }

  @Test
  void startingATimerReturnsTheRunningEntry() {
    JsonObject entry = expect(201, NODE.api().post(path("/timer/start"), member.token(),
        new JsonObject().put("projectId", projectId).put("description", "Landing page"))).json();
    assertEquals(teamId, entry.getString("teamId"));
    assertEquals(member.id(), entry.getString("userId"));
    assertEquals(projectId, entry.getString("projectId"));
    assertEquals("Landing page", entry.getString("description"));
    assertNotNull(entry.getString("startedAt"));
    assertTrue(entry.containsKey("stoppedAt") && entry.getValue("stoppedAt") == null);
  }

  @Test
  void startingASecondTimerStopsTheFirst() {
    String otherProject = NODE.api().createProject(owner, teamId, "Backoffice");
    JsonObject first = expect(201, NODE.api().startTimer(member, teamId, projectId)).json();
    JsonObject second = expect(201, NODE.api().startTimer(member, teamId, otherProject)).json();

    JsonArray running = running(member);
    assertEquals(1, running.size());
    assertEquals(second.getString("id"), running.getJsonObject(0).getString("id"));
    assertEquals("Max Member", running.getJsonObject(0).getJsonObject("user").getString("name"));

    JsonArray items = expect(200, NODE.api().get(path("/time-entries"), member.token())).json().getJsonArray("items");
    JsonObject stoppedFirst = items.stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("id").equals(first.getString("id"))).findFirst().orElseThrow();
    assertEquals(second.getString("startedAt"), stoppedFirst.getString("stoppedAt"),
        "the first stops at the instant the second starts");
    assertNotNull(stoppedFirst.getLong("durationSeconds"));
  }

  @Test
  void concurrentStartsLeaveExactlyOneRunningTimer() {
    WebClient client = WebClient.create(NODE.clientVertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(NODE.node().httpPort()), new PoolOptions().setHttp1MaxSize(20));
    List<Future<Integer>> starts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      starts.add(client.post(path("/timer/start")).putHeader("Authorization", "Bearer " + member.token())
          .sendJsonObject(new JsonObject().put("projectId", projectId)).map(r -> r.statusCode()));
    }
    Future.join(starts).await();
    client.close();
    starts.forEach(f -> assertEquals(201, f.result(), "every start succeeds; each stops the one before"));

    assertEquals(1, running(member).size());
    JsonArray items = expect(200,
        NODE.api().get(path("/time-entries?limit=50"), member.token())).json().getJsonArray("items");
    assertEquals(20, items.size());
    assertEquals(1, items.stream().map(JsonObject.class::cast).filter(e -> e.getValue("stoppedAt") == null).count());
  }

  @Test
  void startingInOneTeamStopsTheTimerRunningInAnother() {
    String otherTeam = NODE.api().createTeam(member, "Side project");
    String otherProject = NODE.api().createProject(member, otherTeam, "Blog");
    expect(201, NODE.api().startTimer(member, otherTeam, otherProject));
    expect(201, NODE.api().startTimer(member, teamId, projectId));

    Response stopOther = NODE.api().post("/api/teams/" + otherTeam + "/timer/stop", member.token(), null);
    assertEquals(409, stopOther.status());
    assertEquals("no_running_timer", stopOther.errorCode());
    assertEquals(1, running(member).size());
  }

  @Test
  void aRefusedStartLeavesTheRunningTimerAsItWas() {
    // A refused start (the access or the task check says no) must change nothing, not even stop the caller's running
    // timer: the stop and the insert share one transaction with the journal, and the checks come first.
    JsonObject runningEntry = expect(201, NODE.api().startTimer(member, teamId, projectId)).json();
    String strangers = NODE.api().createTeam(admin, "Strangers");
    String theirProject = NODE.api().createProject(admin, strangers, "Theirs");

    Response notAMember = NODE.api().startTimer(member, strangers, theirProject);
    assertEquals(404, notAMember.status());
    assertEquals("team_not_found", notAMember.errorCode());
    Response foreignProject = NODE.api().startTimer(member, teamId, theirProject);
    assertEquals(404, foreignProject.status());
    assertEquals("project_not_found", foreignProject.errorCode());
    Response foreignTask = NODE.api().post(path("/timer/start"), member.token(), new JsonObject()
        .put("projectId", projectId).put("taskId", java.util.UUID.randomUUID().toString()));
    assertEquals(404, foreignTask.status(), foreignTask.toString());

    JsonArray stillRunning = running(member);
    assertEquals(1, stillRunning.size());
    assertEquals(runningEntry.getString("id"), stillRunning.getJsonObject(0).getString("id"));
    JsonArray entries = expect(200, NODE.api().get(path("/time-entries"), member.token())).json().getJsonArray("items");
    assertEquals(1, entries.size(), "no entry of a refused start was kept: " + entries);
    assertNull(entries.getJsonObject(0).getValue("stoppedAt"));
    assertEquals(0, expect(200, NODE.api().get("/api/teams/" + strangers + "/time-entries", admin.token())).json()
        .getJsonArray("items").size());
  }

  @Test
  void stoppingWithoutARunningTimerIsAConflict() {
    Response r = NODE.api().post(path("/timer/stop"), member.token(), null);
    assertEquals(409, r.status());
    assertEquals("no_running_timer", r.errorCode());
  }

  @Test
  void stoppingReturnsTheStoppedEntryWithItsDuration() {
    expect(201, NODE.api().startTimer(member, teamId, projectId));
    JsonObject stopped = expect(200, NODE.api().post(path("/timer/stop"), member.token(), null)).json();
    assertNotNull(stopped.getString("stoppedAt"));
    assertTrue(stopped.getLong("durationSeconds") >= 0);
    assertEquals(0, running(member).size());
  }

  @Test
  void aTimerNeedsAProjectOfTheTeam() {
    Response missing = NODE.api().post(path("/timer/start"), member.token(), new JsonObject());
    assertEquals(400, missing.status());
    assertEquals("projectId", missing.json().getJsonObject("error").getString("field"));

    String foreignTeam = NODE.api().createTeam(admin, "Elsewhere");
    String foreignProject = NODE.api().createProject(admin, foreignTeam, "Theirs");
    Response foreign = NODE.api().startTimer(member, teamId, foreignProject);
    assertEquals(404, foreign.status());
    assertEquals("project_not_found", foreign.errorCode());
  }

  @Test
  void aManualEntryMustStopAfterItStarts() {
    Response same = manual(member, "2026-01-02T09:00:00Z", "2026-01-02T09:00:00Z");
    assertEquals(400, same.status());
    assertEquals("validation_failed", same.errorCode());
    assertEquals("stoppedAt", same.json().getJsonObject("error").getString("field"));

    assertEquals(400, manual(member, "2026-01-02T10:00:00Z", "2026-01-02T09:00:00Z").status());
    assertEquals(400, manual(member, "yesterday", "2026-01-02T09:00:00Z").status());
    assertEquals(400, manual(member, "2026-01-02T09:00:00Z", null).status());

    JsonObject ok = expect(201, manual(member, "2026-01-02T09:00:00Z", "2026-01-02T10:30:00Z")).json();
    assertEquals(5400, ok.getLong("durationSeconds"));
    assertEquals("2026-01-02T09:00:00Z", ok.getString("startedAt"));
  }

  @Test
  void wrongTypesAreRejectedWithTheFieldName() {
    Response r = NODE.api().post(path("/time-entries"), member.token(), new JsonObject()
        .put("projectId", 42).put("startedAt", "2026-01-02T09:00:00Z").put("stoppedAt", "2026-01-02T10:00:00Z"));
    assertEquals(400, r.status());
    assertEquals("projectId", r.json().getJsonObject("error").getString("field"));
  }

  @Test
  void membersEditOnlyTheirOwnEntriesWhileAdminsAndOwnersEditAny() {
    String ownersEntry = expect(201, manual(owner, "2026-01-02T09:00:00Z", "2026-01-02T10:00:00Z")).json().getString("id");
    String membersEntry = expect(201, manual(member, "2026-01-03T09:00:00Z", "2026-01-03T10:00:00Z")).json().getString("id");

    Response forbidden = NODE.api().patch(path("/time-entries/" + ownersEntry), member.token(),
        new JsonObject().put("description", "mine now"));
    assertEquals(403, forbidden.status());
    assertEquals("forbidden", forbidden.errorCode());
    assertEquals(403, NODE.api().delete(path("/time-entries/" + ownersEntry), member.token()).status());

    JsonObject edited = expect(200, NODE.api().patch(path("/time-entries/" + membersEntry), member.token(),
        new JsonObject().put("description", "client call").put("stoppedAt", "2026-01-03T11:00:00Z"))).json();
    assertEquals("client call", edited.getString("description"));
    assertEquals(7200, edited.getLong("durationSeconds"));

    expect(200,
        NODE.api().patch(path("/time-entries/" + membersEntry), admin.token(),
            new JsonObject().put("description", "x")));
    expect(204, NODE.api().delete(path("/time-entries/" + membersEntry), owner.token()));
    Response gone = NODE.api().delete(path("/time-entries/" + membersEntry), owner.token());
    assertEquals(404, gone.status());
    assertEquals("entry_not_found", gone.errorCode());
  }

  @Test
  void anEditMustKeepTheStopAfterTheStart() {
    String id = expect(201, manual(member, "2026-01-02T09:00:00Z", "2026-01-02T10:00:00Z")).json().getString("id");
    Response r = NODE.api().patch(path("/time-entries/" + id), member.token(),
        new JsonObject().put("startedAt", "2026-01-02T11:00:00Z"));
    assertEquals(400, r.status());
    assertEquals("validation_failed", r.errorCode());
    Response resume = NODE.api().patch(path("/time-entries/" + id), member.token(),
        new JsonObject().putNull("stoppedAt"));
    assertEquals(400, resume.status());
  }

  @Test
  void membersListTheirOwnEntriesAndAdminsListEveryones() {
    expect(201, manual(owner, "2026-01-02T09:00:00Z", "2026-01-02T10:00:00Z"));
    expect(201, manual(member, "2026-01-03T09:00:00Z", "2026-01-03T10:00:00Z"));

    JsonArray mine = expect(200, NODE.api().get(path("/time-entries"), member.token())).json().getJsonArray("items");
    assertEquals(1, mine.size());
    assertEquals(member.id(), mine.getJsonObject(0).getString("userId"));
    Response peek = NODE.api().get(path("/time-entries?userId=" + owner.id()), member.token());
    assertEquals(403, peek.status());

    assertEquals(2,
        expect(200, NODE.api().get(path("/time-entries"), admin.token())).json().getJsonArray("items").size());
    JsonArray owners = expect(200, NODE.api().get(path("/time-entries?userId=" + owner.id()), admin.token())).json()
        .getJsonArray("items");
    assertEquals(1, owners.size());
  }

  @Test
  void entriesArePagedNewestFirstWithoutGapsOrRepeats() {
    for (int day = 1; day <= 5; day++) {
      expect(201, manual(member, "2026-02-0" + day + "T09:00:00Z", "2026-02-0" + day + "T10:00:00Z"));
    }
    Set<String> seen = new HashSet<>();
    List<String> starts = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = expect(200,
          NODE.api().get(path("/time-entries?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)),
          member.token())).json();
      page.getJsonArray("items").forEach(o -> {
        JsonObject e = (JsonObject) o;
        assertTrue(seen.add(e.getString("id")), "no entry twice");
        starts.add(e.getString("startedAt"));
      });
      cursor = page.getString("next");
    } while (cursor != null);
    assertEquals(List.of("2026-02-05T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-03T09:00:00Z",
        "2026-02-02T09:00:00Z", "2026-02-01T09:00:00Z"), starts);

    JsonArray window = expect(200,
        NODE.api().get(path("/time-entries?from=2026-02-02T00:00:00Z&to=2026-02-04T00:00:00Z"),
        member.token())).json().getJsonArray("items");
    assertEquals(2, window.size(), "from is inclusive, to exclusive, by start");
    assertEquals(400, NODE.api().get(path("/time-entries?cursor=garbage"), member.token()).status());
    assertEquals(400, NODE.api().get(path("/time-entries?limit=500"), member.token()).status());
  }

  @Test
  void nonMembersGetTeamNotFoundOnEveryTeamRoute() {
    Session outsider = NODE.api().signup("Oscar Outsider");
    String entry = expect(201, manual(member, "2026-01-02T09:00:00Z", "2026-01-02T10:00:00Z")).json().getString("id");
    List<Response> responses = List.of(
        NODE.api().get(path("/members"), outsider.token()),
        NODE.api().post(path("/members"), outsider.token(), new JsonObject().put("email", outsider.email())),
        NODE.api().get(path("/projects"), outsider.token()),
        NODE.api().post(path("/projects"), outsider.token(), new JsonObject().put("name", "Mine")),
        NODE.api().post(path("/timer/start"), outsider.token(), new JsonObject().put("projectId", projectId)),
        NODE.api().post(path("/timer/stop"), outsider.token(), null),
        NODE.api().get(path("/timers/running"), outsider.token()),
        NODE.api().get(path("/time-entries"), outsider.token()),
        manual(outsider, "2026-01-02T09:00:00Z", "2026-01-02T10:00:00Z"),
        NODE.api().patch(path("/time-entries/" + entry), outsider.token(), new JsonObject().put("description", "x")),
        NODE.api().delete(path("/time-entries/" + entry), outsider.token()));
    for (Response r : responses) {
      assertEquals(404, r.status(), r.toString());
      assertEquals("team_not_found", r.errorCode());
    }
  }

  @Test
  void deletingARunningTimerLeavesNothingRunning() {
    String id = expect(201, NODE.api().startTimer(member, teamId, projectId)).json().getString("id");
    expect(204, NODE.api().delete(path("/time-entries/" + id), member.token()));
    assertEquals(0, running(member).size());
    assertNull(running(owner).stream().findFirst().orElse(null));
  }
}
