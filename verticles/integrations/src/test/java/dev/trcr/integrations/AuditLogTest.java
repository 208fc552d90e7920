package dev.trcr.integrations;

import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit log through the REST API of one real node: each command that changes a team's state leaves one entry (who,
 * when, what changed, from where), read by owners and admins only, filtered, paged, exported as CSV, never edited.
 */
class AuditLogTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
      .put("TRCR_BRIDGE_FRAMES_PER_SECOND", 0).put("TRCR_INTEGRATIONS_POLL_MS", 100)
      .put("TRCR_OVERDUE_CHECK_SECONDS", 1));

  private static Api api;
  private static Session ada;
  private static Session bob;
  private static Session eve;
  private static String teamId;
  private static String projectId;

  @BeforeAll
  static void team() {
    api = NODE.api();
    ada = api.signup("Ada");
    bob = api.signup("Bob");
    eve = api.signup("Eve");
    teamId = api.createTeam(ada, "Audited");
    api.addMember(ada, teamId, bob, "member");
    projectId = api.createProject(ada, teamId, "Website");
  }

  @Test
  void timerStartsStopsAndEntryChangesAreRecordedWithActorOriginAndRequestId() {
    String start = requestId();
    String entryId = expect(201, call(HttpMethod.POST, "/timer/start", bob, new JsonObject()
        .put("projectId", projectId).put("description", "a"), start)).json().getString("id");
    String stop = requestId();
    expect(200, call(HttpMethod.POST, "/timer/stop", bob, new JsonObject(), stop));
    String edit = requestId();
    expect(200, call(HttpMethod.PATCH, "/time-entries/" + entryId, bob, new JsonObject().put("description", "b"),
        edit));
    String delete = requestId();
    expect(204, call(HttpMethod.DELETE, "/time-entries/" + entryId, bob, null, delete));

    JsonObject started = await(e -> start.equals(e.getString("requestId")));
    assertEquals("time_entry", started.getString("entity"));
    assertEquals(entryId, started.getString("entityId"));
    assertEquals("started", started.getString("action"));
    assertEquals(bob.id(), started.getString("actorId"));
    assertEquals("Bob", started.getString("actorName"));
    assertEquals("rest", started.getString("origin"));
    assertEquals("a", started.getJsonObject("changes").getJsonObject("description").getString("after"));

    JsonObject stopped = await(e -> stop.equals(e.getString("requestId")));
    assertEquals("stopped", stopped.getString("action"));
    JsonObject stopChanges = stopped.getJsonObject("changes");
    assertTrue(stopChanges.getJsonObject("stoppedAt").containsKey("before"));
    assertNull(stopChanges.getJsonObject("stoppedAt").getValue("before"));
    assertNotNull(stopChanges.getJsonObject("stoppedAt").getString("after"));

    JsonObject updated = await(e -> edit.equals(e.getString("requestId")));
    assertEquals("updated", updated.getString("action"));
    assertEquals(new JsonObject().put("description", new JsonObject().put("before", "a").put("after", "b")),
        updated.getJsonObject("changes"), "only the field that changed, before and after");

    JsonObject deleted = await(e -> delete.equals(e.getString("requestId")));
    assertEquals("deleted", deleted.getString("action"));
    assertEquals("b", deleted.getJsonObject("changes").getJsonObject("description").getString("before"));
    assertFalse(deleted.getJsonObject("changes").getJsonObject("description").containsKey("after"));
  }

  @Test
  void boardChangesAreRecordedAndAMoveKeepsTheColumnBeforeAndAfter() {
    String board = "/projects/" + projectId;
    JsonArray columns = expect(200, api.get(path(board + "/board"), ada.token())).json().getJsonArray("columns");
    String todo = columns.getJsonObject(0).getString("id");
    String doing = columns.getJsonObject(1).getString("id");
    String create = requestId();
    JsonObject task = expect(201, call(HttpMethod.POST, board + "/tasks", ada, new JsonObject()
        .put("title", "Audit me").put("columnId", todo), create)).json();
    String move = requestId();
    expect(200, call(HttpMethod.POST, board + "/tasks/" + task.getString("id") + "/move", bob, new JsonObject()
        .put("columnId", doing).put("version", task.getInteger("version")), move));
    String column = requestId();
    expect(200, call(HttpMethod.PATCH, board + "/columns/" + doing, ada, new JsonObject().put("name", "Doing"),
        column));

    JsonObject created = await(e -> create.equals(e.getString("requestId")));
    assertEquals("task", created.getString("entity"));
    assertEquals("created", created.getString("action"));
    assertEquals("Audit me", created.getJsonObject("changes").getJsonObject("title").getString("after"));

    JsonObject moved = await(e -> move.equals(e.getString("requestId")));
    assertEquals(task.getString("id"), moved.getString("entityId"));
    assertEquals("moved", moved.getString("action"));
    assertEquals(bob.id(), moved.getString("actorId"));
    assertEquals("rest", moved.getString("origin"));
    assertEquals(new JsonObject().put("columnId", new JsonObject().put("before", todo).put("after", doing)),
        moved.getJsonObject("changes"), "alone in both columns, its position stays 0");

    JsonObject renamed = await(e -> column.equals(e.getString("requestId")));
    assertEquals("column", renamed.getString("entity"));
    assertEquals(new JsonObject().put("name", new JsonObject().put("before", "In progress").put("after", "Doing")),
        renamed.getJsonObject("changes"));
  }

  @Test
  void chatMessagesAreRecordedButDirectMessagesKeepOnlyAHashOfTheText() throws Exception {
    String general = expect(200, api.get(path("/channels"), ada.token())).array().stream()
        .map(JsonObject.class::cast).filter(c -> "general".equals(c.getString("kind"))).findFirst().orElseThrow()
        .getString("id");
    String publicPost = requestId();
    String messageId = expect(201, call(HttpMethod.POST, "/channels/" + general + "/messages", bob,
        new JsonObject().put("text", "hello team"), publicPost)).json().getString("id");
    String edit = requestId();
    expect(200, call(HttpMethod.PATCH, "/channels/" + general + "/messages/" + messageId, bob,
        new JsonObject().put("text", "hello all"), edit));

    String dm = expect(200, api.post(path("/dms"), bob.token(), new JsonObject().put("userId", ada.id()))).json()
        .getString("id");
    String secret = "the secret is " + UUID.randomUUID();
    String dmPost = requestId();
    String dmMessage = expect(201, call(HttpMethod.POST, "/channels/" + dm + "/messages", bob,
        new JsonObject().put("text", secret), dmPost)).json().getString("id");

    JsonObject posted = await(e -> publicPost.equals(e.getString("requestId")));
    assertEquals("message", posted.getString("entity"));
    assertEquals("created", posted.getString("action"));
    assertEquals("hello team", posted.getJsonObject("changes").getJsonObject("text").getString("after"));
    JsonObject edited = await(e -> edit.equals(e.getString("requestId")));
    assertEquals(new JsonObject().put("before", "hello team").put("after", "hello all"),
        edited.getJsonObject("changes").getJsonObject("text"));

    JsonObject private_ = await(e -> dmPost.equals(e.getString("requestId")));
    assertEquals(dmMessage, private_.getString("entityId"));
    assertFalse(private_.getJsonObject("changes").containsKey("text"));
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(secret.getBytes(StandardCharsets.UTF_8)));
    assertEquals(sha, private_.getJsonObject("changes").getJsonObject("textSha256").getString("after"));
    assertFalse(all(ada, "").encode().contains("the secret is"), "a DM's text never reaches the audit log");
    assertFalse(expect(200, api.get(path("/audit.csv"), ada.token())).text().contains("the secret is"));
  }

  @Test
  void invoicesClientsAndSettingsAreRecordedFromDraftToVoid() {
    Session owner = api.signup("Olga");
    String team = api.createTeam(owner, "Billing audit");
    String client = expect(201, api.post("/api/teams/" + team + "/clients", owner.token(), new JsonObject()
        .put("name", "Globex").put("email", "ap@globex.example").put("currency", "EUR"))).json().getString("id");
    String project = expect(201, api.post("/api/teams/" + team + "/projects", owner.token(), new JsonObject()
        .put("name", "Site").put("currency", "EUR").put("hourlyRate", "100.00"))).json().getString("id");
    expect(200, api.patch("/api/teams/" + team + "/projects/" + project, owner.token(),
        new JsonObject().put("clientId", client)));
    expect(200, api.call(HttpMethod.PUT, "/api/teams/" + team + "/billing-settings", owner.token(),
        new JsonObject().put("sellerTaxId", "DE123")));
    expect(201, api.post("/api/teams/" + team + "/time-entries", owner.token(), new JsonObject()
        .put("projectId", project).put("startedAt", "2026-01-05T09:00:00Z").put("stoppedAt", "2026-01-05T10:00:00Z")));
    String invoice = expect(201, api.post("/api/teams/" + team + "/invoices", owner.token(), new JsonObject()
        .put("clientId", client).put("from", "2026-01-01T00:00:00Z").put("to", "2026-02-01T00:00:00Z"))).json()
        .getString("id");
    expect(200, api.post("/api/teams/" + team + "/invoices/" + invoice + "/issue", owner.token(), null));
    expect(201, api.post("/api/teams/" + team + "/invoices/" + invoice + "/payments", owner.token(),
        new JsonObject().put("amount", "50.00")));
    expect(200, api.post("/api/teams/" + team + "/invoices/" + invoice + "/void", owner.token(), null));

    List<String> actions = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 20_000;
    while (actions.size() < 4 && System.currentTimeMillis() < deadline) {
      actions.clear();
      JsonArray items = expect(200, api.get("/api/teams/" + team + "/audit?entity=invoice", owner.token())).json()
          .getJsonArray("items");
      items.forEach(i -> actions.add(0, ((JsonObject) i).getString("action")));
      pause();
    }
    assertEquals(List.of("created", "issued", "paid", "voided"), actions, "oldest first here");
    JsonObject paid = await(owner, team, e -> "paid".equals(e.getString("action")));
    assertEquals("50.00", paid.getJsonObject("changes").getJsonObject("payment").getString("after"));
    assertEquals(new JsonObject().put("before", "0.00").put("after", "50.00"),
        paid.getJsonObject("changes").getJsonObject("paid"));
    JsonObject voided = await(owner, team, e -> "voided".equals(e.getString("action")));
    assertEquals(new JsonObject().put("before", "issued").put("after", "void"),
        voided.getJsonObject("changes").getJsonObject("status"));

    JsonObject linked = await(owner, team, e -> "project".equals(e.getString("entity"))
        && "updated".equals(e.getString("action")));
    assertEquals(new JsonObject().putNull("before").put("after", client),
        linked.getJsonObject("changes").getJsonObject("clientId"));
    JsonObject settings = await(owner, team, e -> "billing_settings".equals(e.getString("entity")));
    assertEquals(new JsonObject().putNull("before").put("after", "DE123"),
        settings.getJsonObject("changes").getJsonObject("sellerTaxId"));
    assertNotNull(await(owner, team, e -> "client".equals(e.getString("entity"))
        && "created".equals(e.getString("action"))));
    assertNotNull(await(owner, team, e -> "team".equals(e.getString("entity"))));

    expect(200, api.call(HttpMethod.PUT, "/api/teams/" + team + "/projects/" + project + "/rates/" + owner.id(),
        owner.token(), new JsonObject().put("hourlyRate", "120.00")));
    JsonObject rate = await(owner, team, e -> "project_rate".equals(e.getString("entity")));
    assertEquals(project + ":" + owner.id(), rate.getString("entityId"));
    assertEquals(new JsonObject().put("hourlyRate", new JsonObject().putNull("before").put("after", "120.00")),
        rate.getJsonObject("changes"));
  }

  @Test
  void theOverdueJobIsRecordedAsASystemChangeWithoutActor() {
    Session owner = api.signup("Otto");
    String team = api.createTeam(owner, "Late payers");
    String client = expect(201, api.post("/api/teams/" + team + "/clients", owner.token(), new JsonObject()
        .put("name", "Initech").put("email", "ap@initech.example").put("paymentTermsDays", 0))).json()
        .getString("id");
    String project = expect(201, api.post("/api/teams/" + team + "/projects", owner.token(), new JsonObject()
        .put("name", "Site").put("hourlyRate", "100.00"))).json().getString("id");
    expect(200, api.patch("/api/teams/" + team + "/projects/" + project, owner.token(),
        new JsonObject().put("clientId", client)));
    expect(201, api.post("/api/teams/" + team + "/time-entries", owner.token(), new JsonObject()
        .put("projectId", project).put("startedAt", "2026-01-05T09:00:00Z").put("stoppedAt", "2026-01-05T10:00:00Z")));
    String invoice = expect(201, api.post("/api/teams/" + team + "/invoices", owner.token(), new JsonObject()
        .put("clientId", client).put("from", "2026-01-01T00:00:00Z").put("to", "2026-02-01T00:00:00Z"))).json()
        .getString("id");
    expect(200, api.post("/api/teams/" + team + "/invoices/" + invoice + "/issue", owner.token(), null));

    JsonObject overdue = await(owner, team, e -> "overdue".equals(e.getString("action")));
    assertEquals("invoice", overdue.getString("entity"));
    assertEquals(invoice, overdue.getString("entityId"));
    assertEquals("system", overdue.getString("origin"));
    assertNull(overdue.getString("actorId"));
    assertNull(overdue.getString("actorName"));
    assertNull(overdue.getString("requestId"));
  }

  @Test
  void graphqlMutationsAreRecordedWithTheirOrigin() {
    String mutation = "mutation($t: ID!, $p: ID!) { createTimeEntry(teamId: $t, input: {projectId: $p, "
        + "startedAt: \"2026-01-06T09:00:00Z\", stoppedAt: \"2026-01-06T09:30:00Z\", description: \"via graphql\"}) "
        + "{ id } }";
    JsonObject body = new JsonObject().put("query", mutation)
        .put("variables", new JsonObject().put("t", teamId).put("p", projectId));
    JsonObject reply = expect(200, api.post("/graphql", ada.token(), body)).json();
    String id = reply.getJsonObject("data").getJsonObject("createTimeEntry").getString("id");
    JsonObject entry = await(e -> id.equals(e.getString("entityId")));
    assertEquals("graphql", entry.getString("origin"));
    assertEquals(ada.id(), entry.getString("actorId"));
    assertEquals("created", entry.getString("action"));
  }

  @Test
  void commandsSentThroughTheBridgeAreRecordedWithTheBusOrigin() {
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      JsonObject reply = socket.request("timers.start", new JsonObject().put("teamId", teamId)
          .put("projectId", projectId).put("description", "from the browser"), ada.token());
      assertEquals("rec", reply.getString("type"), reply.encode());
      String id = reply.getJsonObject("body").getString("id");
      JsonObject entry = await(e -> id.equals(e.getString("entityId")) && "started".equals(e.getString("action")));
      assertEquals("bus", entry.getString("origin"));
      assertEquals(ada.id(), entry.getString("actorId"));
      socket.request("timers.stop", new JsonObject().put("teamId", teamId), ada.token());
    }
  }

  @Test
  void onlyOwnersAndAdminsReadTheAuditLog() {
    Response member = api.get(path("/audit"), bob.token());
    assertEquals(403, member.status());
    assertEquals("forbidden", member.errorCode());
    Response outsider = api.get(path("/audit"), eve.token());
    assertEquals(404, outsider.status());
    assertEquals("team_not_found", outsider.errorCode());
    assertEquals(401, api.get(path("/audit"), null).status());
    assertEquals(403, api.get(path("/audit.csv"), bob.token()).status());
    assertEquals(404, api.get(path("/audit.csv"), eve.token()).status());
    assertEquals(401, api.get(path("/audit.csv"), null).status());

    Session admin = api.signup("Adele");
    api.addMember(ada, teamId, admin, "admin");
    expect(200, api.get(path("/audit"), admin.token()));
    JsonObject promoted = await(e -> "member".equals(e.getString("entity")) && admin.id().equals(e.getString("entityId")));
    assertEquals("created", promoted.getString("action"));
    assertEquals("admin", promoted.getJsonObject("changes").getJsonObject("role").getString("after"));
    expect(200, api.patch(path("/members/" + admin.id()), ada.token(), new JsonObject().put("role", "member")));
    JsonObject demoted = await(e -> "member".equals(e.getString("entity")) && admin.id().equals(e.getString("entityId"))
        && "updated".equals(e.getString("action")));
    assertEquals(new JsonObject().put("role", new JsonObject().put("before", "admin").put("after", "member")),
        demoted.getJsonObject("changes"));
    assertEquals(403, api.get(path("/audit"), admin.token()).status(), "a member again");
  }

  @Test
  void entriesCannotBeEditedOrDeletedThroughTheApi() {
    JsonObject any = await(e -> true);
    String one = path("/audit/" + any.getString("id"));
    for (String target : List.of(path("/audit"), one)) {
      for (HttpMethod method : List.of(HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.PUT, HttpMethod.POST)) {
        int status = api.call(method, target, ada.token(), new JsonObject().put("action", "forged")).status();
        assertTrue(status == 404 || status == 405, method + " " + target + " answered " + status);
      }
    }
    assertTrue(all(ada, "").stream().map(JsonObject.class::cast)
        .noneMatch(e -> "forged".equals(e.getString("action"))));
  }

  @Test
  void filtersAndPagesCoverEveryEntryOnce() {
    Session owner = api.signup("Pia");
    Session helper = api.signup("Hal");
    String team = api.createTeam(owner, "Paged");
    api.addMember(owner, team, helper, "member");
    String project = api.createProject(owner, team, "Pages");
    for (int i = 0; i < 5; i++) {
      expect(201, api.post("/api/teams/" + team + "/time-entries", helper.token(), new JsonObject()
          .put("projectId", project).put("startedAt", "2026-01-0" + (i + 1) + "T09:00:00Z")
          .put("stoppedAt", "2026-01-0" + (i + 1) + "T10:00:00Z")));
    }
    // team, owner member, helper member, project, 5 entries
    long deadline = System.currentTimeMillis() + 20_000;
    JsonArray everything;
    do {
      everything = expect(200, api.get("/api/teams/" + team + "/audit?limit=1000", owner.token())).json()
          .getJsonArray("items");
      pause();
    } while (everything.size() < 9 && System.currentTimeMillis() < deadline);
    assertEquals(9, everything.size(), everything.encodePrettily());

    List<String> paged = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = expect(200, api.get("/api/teams/" + team + "/audit?limit=2"
          + (cursor == null ? "" : "&cursor=" + cursor), owner.token())).json();
      page.getJsonArray("items").forEach(i -> paged.add(((JsonObject) i).getString("id")));
      cursor = page.getString("next");
      pages++;
    } while (cursor != null && pages < 20);
    assertEquals(5, pages);
    assertEquals(everything.stream().map(i -> ((JsonObject) i).getString("id")).toList(), paged,
        "newest first, each entry once across pages");
    List<String> at = everything.stream().map(i -> ((JsonObject) i).getString("at")).toList();
    for (int i = 1; i < at.size(); i++) {
      assertFalse(Instant.parse(at.get(i)).isAfter(Instant.parse(at.get(i - 1))), "newest first");
    }

    JsonArray entries = expect(200, api.get("/api/teams/" + team + "/audit?entity=time_entry", owner.token()))
        .json().getJsonArray("items");
    assertEquals(5, entries.size());
    JsonArray byHelper = expect(200, api.get("/api/teams/" + team + "/audit?actorId=" + helper.id(),
        owner.token())).json().getJsonArray("items");
    assertEquals(5, byHelper.size());
    assertTrue(byHelper.stream().allMatch(e -> "Hal".equals(((JsonObject) e).getString("actorName"))));

    String oldest = at.get(at.size() - 1);
    String newest = at.get(0);
    assertEquals(9, expect(200, api.get("/api/teams/" + team + "/audit?from=" + oldest + "&to=" + newest,
        owner.token())).json().getJsonArray("items").size());
    assertEquals(0, expect(200, api.get("/api/teams/" + team + "/audit?from="
        + Instant.parse(newest).plusSeconds(1), owner.token())).json().getJsonArray("items").size());
    assertEquals(0, expect(200, api.get("/api/teams/" + team + "/audit?to="
        + Instant.parse(oldest).minusSeconds(1), owner.token())).json().getJsonArray("items").size());

    for (String bad : List.of("from=yesterday", "to=2026-13-45", "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
        "entity=password", "limit=0", "limit=1001", "cursor=forged")) {
      Response r = api.get("/api/teams/" + team + "/audit?" + bad, owner.token());
      assertEquals(400, r.status(), bad + ": " + r);
      assertEquals("validation_failed", r.errorCode(), bad);
    }
    Response notAnId = api.get("/api/teams/" + team + "/audit?actorId=nobody", owner.token());
    assertEquals(400, notAnId.status());
    assertEquals("invalid_id", notAnId.errorCode());

    Response csv = expect(200, api.get("/api/teams/" + team + "/audit.csv", owner.token()));
    assertTrue(csv.header("content-type").startsWith("text/csv"));
    assertTrue(csv.text().endsWith("\r\n"));
    String[] lines = csv.text().split("\r\n");
    assertEquals("id,at,actorId,actorName,origin,requestId,entity,entityId,action,changes", lines[0]);
    assertEquals(10, lines.length, "a header and one row per entry: " + csv.text());
    assertFalse(csv.text().replace("\r\n", "").contains("\n"), "CRLF line ends only");
    String row = lines[1];
    assertTrue(row.startsWith(everything.getJsonObject(0).getString("id") + ","), row);
    assertTrue(row.contains(",\"{\"\""), "the changes JSON is one quoted field with doubled quotes: " + row);
    String entityCsv = expect(200, api.get("/api/teams/" + team + "/audit.csv?entity=time_entry", owner.token()))
        .text();
    assertEquals(6, entityCsv.split("\r\n").length);
  }

  // --- helpers ------------------------------------------------------------------------------------------------------

  private static String path(String rest) {
    return "/api/teams/" + teamId + rest;
  }

  private static String requestId() {
    return "audit-" + UUID.randomUUID();
  }

  private static Response call(HttpMethod method, String rest, Session who, JsonObject body, String requestId) {
    return api.call(method, path(rest), who.token(), body, MultiMap.caseInsensitiveMultiMap()
        .add("X-Request-Id", requestId));
  }

  private static JsonArray all(Session who, String query) {
    return expect(200, api.get(path("/audit?limit=1000" + query), who.token())).json().getJsonArray("items");
  }

  /** The newest entry of the shared team that matches, once the feed has copied it (polls, 20 s at most). */
  private static JsonObject await(Predicate<JsonObject> match) {
    return await(ada, teamId, match);
  }

  private static JsonObject await(Session who, String team, Predicate<JsonObject> match) {
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      JsonArray items = expect(200, api.get("/api/teams/" + team + "/audit?limit=1000", who.token())).json()
          .getJsonArray("items");
      for (Object o : items) {
        if (match.test((JsonObject) o)) {
          return (JsonObject) o;
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no matching audit entry in " + items.encodePrettily());
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
