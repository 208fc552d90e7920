package dev.trcr.api;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.TestNodes;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.trcr.api.GraphqlClient.code;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GraphQL over HTTP on one node: every domain through queries and mutations, with REST's rules and error codes. */
class GraphqlHttpTest {

  private static Node node;
  private static Vertx clientVertx;
  private static Api api;
  private static GraphqlClient graphql;
  private static Session ada;
  private static Session bob;
  private static Session eve;
  private static String team;
  private static String project;
  /** Requests this node sends, by address, since the last reset. */
  private static final Map<String, AtomicInteger> sent = new ConcurrentHashMap<>();

  @BeforeAll
  static void startNode() {
    node = TestNodes.start(TestNodes.config());
    node.vertx().eventBus().addOutboundInterceptor(ctx -> {
      sent.computeIfAbsent(ctx.message().address(), a -> new AtomicInteger()).incrementAndGet();
      ctx.next();
    });
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, node.httpPort());
    graphql = new GraphqlClient(api);
    ada = api.signup("Ada");
    bob = api.signup("Bob");
    eve = api.signup("Eve");
    team = api.createTeam(ada, "Acme");
    api.addMember(ada, team, bob, "member");
    project = api.createProject(ada, team, "Website");
  }

  @AfterAll
  static void stopNode() {
    api.close();
    clientVertx.close().await();
    node.close().await();
  }

  @AfterEach
  void theNodeKeepsServing() {
    assertEquals(200, api.get("/health", null).status());
    assertEquals(ada.id(), graphql.data(ada.token(), "{ me { id } }", null).getJsonObject("me").getString("id"));
  }

  private static JsonObject vars(Object... pairs) {
    JsonObject v = new JsonObject();
    for (int i = 0; i < pairs.length; i += 2) {
      v.put((String) pairs[i], pairs[i + 1]);
    }
    return v;
  }

  @Test
  void withoutAValidTokenTheAnswerIs401Unauthenticated() {
    for (String token : new String[]{null, "not-a-jwt"}) {
      Response r = graphql.post(token, "{ me { id } }", null);
      assertEquals(401, r.status(), r.toString());
      JsonObject error = r.json().getJsonArray("errors").getJsonObject(0);
      assertEquals("unauthenticated", code(error));
      assertFalse(error.getString("message").isBlank());
      assertNull(r.json().getValue("data"));
    }
  }

  @Test
  void meAndTeamShowMembersAndProjects() {
    JsonObject me = graphql.data(ada.token(), "{ me { id name email teams { id name role } } }", null).getJsonObject("me");
    assertEquals("Ada", me.getString("name"));
    assertEquals(ada.email(), me.getString("email"));
    assertTrue(me.getJsonArray("teams").contains(new JsonObject().put("id", team).put("name", "Acme").put("role", "owner")));

    JsonObject t = graphql.data(bob.token(), """
        query($id: ID!) { team(id: $id) { name role members { role user { id name } } projects { id name key teamId } } }""",
        vars("id", team)).getJsonObject("team");
    assertEquals("member", t.getString("role"));
    Set<String> members = new HashSet<>();
    t.getJsonArray("members").forEach(m -> members.add(((JsonObject) m).getJsonObject("user").getString("name")
        + ":" + ((JsonObject) m).getString("role")));
    assertEquals(Set.of("Ada:owner", "Bob:member"), members);
    assertEquals(project, t.getJsonArray("projects").getJsonObject(0).getString("id"));
  }

  @Test
  void nonMembersSeeTeamNotFoundInEveryDomain() {
    assertEquals("team_not_found", code(graphql.error(eve.token(), "query($id: ID!) { team(id: $id) { name } }",
        vars("id", team))));
    assertEquals("team_not_found", code(graphql.error(eve.token(),
        "query($t: ID!) { runningTimers(teamId: $t) { id } }", vars("t", team))));
    assertEquals("team_not_found", code(graphql.error(eve.token(),
        "query($t: ID!) { channels(teamId: $t) { id } }", vars("t", team))));
    assertEquals("team_not_found", code(graphql.error(eve.token(),
        "query($t: ID!, $p: ID!) { board(teamId: $t, projectId: $p) { projectId } }", vars("t", team, "p", project))));
    assertEquals("team_not_found", code(graphql.error(eve.token(),
        "mutation($t: ID!, $p: ID!) { startTimer(teamId: $t, projectId: $p) { id } }", vars("t", team, "p", project))));
    JsonObject invalid = graphql.error(eve.token(), "{ team(id: \"nope\") { name } }", null);
    assertEquals("invalid_id", code(invalid));
    assertEquals(List.of("team"), invalid.getJsonArray("path").getList());
  }

  @Test
  void timersStartStopAndPageThroughEntries() {
    Session carol = api.signup("Carol");
    String t = api.createTeam(carol, "Carol's");
    String p = api.createProject(carol, t, "Site");

    JsonObject started = graphql.data(carol.token(), """
        mutation($t: ID!, $p: ID!) { startTimer(teamId: $t, projectId: $p, description: "Hero") {
          id running description user { name } project { name } } }""", vars("t", t, "p", p)).getJsonObject("startTimer");
    assertTrue(started.getBoolean("running"));
    assertEquals("Carol", started.getJsonObject("user").getString("name"));
    assertEquals("Site", started.getJsonObject("project").getString("name"));

    JsonArray running = graphql.data(carol.token(), "query($t: ID!) { runningTimers(teamId: $t) { id user { name } } }",
        vars("t", t)).getJsonArray("runningTimers");
    assertEquals(started.getString("id"), running.getJsonObject(0).getString("id"));

    JsonObject stopped = graphql.data(carol.token(), "mutation($t: ID!) { stopTimer(teamId: $t) { id running durationSeconds } }",
        vars("t", t)).getJsonObject("stopTimer");
    assertFalse(stopped.getBoolean("running"));
    assertEquals("no_running_timer", code(graphql.error(carol.token(), "mutation($t: ID!) { stopTimer(teamId: $t) { id } }",
        vars("t", t))));

    List<String> manual = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      manual.add(graphql.data(carol.token(), """
          mutation($t: ID!, $in: CreateTimeEntryInput!) { createTimeEntry(teamId: $t, input: $in) { id durationSeconds } }""",
          vars("t", t, "in", new JsonObject().put("projectId", p).put("startedAt", "2026-01-0" + i + "T09:00:00Z")
              .put("stoppedAt", "2026-01-0" + i + "T10:00:00Z").put("description", "Call " + i)))
          .getJsonObject("createTimeEntry").getString("id"));
    }
    JsonObject updated = graphql.data(carol.token(), """
        mutation($t: ID!, $e: ID!) { updateTimeEntry(teamId: $t, entryId: $e, input: {description: null, stoppedAt: "2026-01-01T11:00:00Z"}) {
          description durationSeconds } }""", vars("t", t, "e", manual.get(0))).getJsonObject("updateTimeEntry");
    assertNull(updated.getString("description"));
    assertEquals(7200, updated.getInteger("durationSeconds"));

    // Five entries, newest first, two per page: 2 + 2 + 1, chained by endCursor.
    String query = """
        query($t: ID!, $after: String) { timeEntries(teamId: $t, first: 2, after: $after) {
          edges { cursor node { id description } } pageInfo { hasNextPage endCursor } } }""";
    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      JsonObject page = graphql.data(carol.token(), query, vars("t", t, "after", after)).getJsonObject("timeEntries");
      page.getJsonArray("edges").forEach(e -> seen.add(((JsonObject) e).getJsonObject("node").getString("id")));
      after = page.getJsonObject("pageInfo").getBoolean("hasNextPage")
          ? page.getJsonObject("pageInfo").getString("endCursor") : null;
      pages++;
    } while (after != null);
    assertEquals(3, pages);
    assertEquals(List.of(started.getString("id"), manual.get(3), manual.get(2), manual.get(1), manual.get(0)), seen);

    // Any edge's cursor continues after that edge.
    JsonArray all = graphql.data(carol.token(), query.replace("first: 2", "first: 5"), vars("t", t))
        .getJsonObject("timeEntries").getJsonArray("edges");
    JsonArray rest = graphql.data(carol.token(), query, vars("t", t, "after", all.getJsonObject(1).getString("cursor")))
        .getJsonObject("timeEntries").getJsonArray("edges");
    assertEquals(manual.get(2), rest.getJsonObject(0).getJsonObject("node").getString("id"));

    JsonObject filtered = graphql.data(carol.token(), """
        query($t: ID!) { timeEntries(teamId: $t, filter: {from: "2026-01-02T00:00:00Z", to: "2026-01-04T00:00:00Z"}) {
          edges { node { id } } pageInfo { hasNextPage } } }""", vars("t", t)).getJsonObject("timeEntries");
    assertEquals(2, filtered.getJsonArray("edges").size());
    assertFalse(filtered.getJsonObject("pageInfo").getBoolean("hasNextPage"));

    assertEquals(manual.get(3), graphql.data(carol.token(), "mutation($t: ID!, $e: ID!) { deleteTimeEntry(teamId: $t, entryId: $e) }",
        vars("t", t, "e", manual.get(3))).getString("deleteTimeEntry"));
    assertEquals("entry_not_found", code(graphql.error(carol.token(),
        "mutation($t: ID!, $e: ID!) { deleteTimeEntry(teamId: $t, entryId: $e) }", vars("t", t, "e", manual.get(3)))));
    assertEquals("validation_failed", code(graphql.error(carol.token(), """
        mutation($t: ID!, $e: ID!) { updateTimeEntry(teamId: $t, entryId: $e, input: {stoppedAt: "2025-01-01T00:00:00Z"}) { id } }""",
        vars("t", t, "e", manual.get(1)))));
  }

  @Test
  void anIdempotencyKeyMakesARetriedMutationReplayItsFirstOutcome() {
    Session dora = api.signup("Dora");
    String t = api.createTeam(dora, "Retry");
    String p = api.createProject(dora, t, "P");
    JsonObject body = new JsonObject().put("query", """
        mutation($t: ID!, $p: ID!) { first: startTimer(teamId: $t, projectId: $p) { id } second: startTimer(teamId: $t, projectId: $p) { id } }""")
        .put("variables", vars("t", t, "p", p));
    MultiMap key = MultiMap.caseInsensitiveMultiMap().add("Idempotency-Key", "retry-1");
    JsonObject once = graphql.raw(HttpMethod.POST, "/graphql", dora.token(), body, key).json().getJsonObject("data");
    JsonObject again = graphql.raw(HttpMethod.POST, "/graphql", dora.token(), body, key).json().getJsonObject("data");
    assertEquals(once, again, "the retry replays both fields' first outcomes");
    assertFalse(once.getJsonObject("first").getString("id").equals(once.getJsonObject("second").getString("id")),
        "the two fields of one document have keys of their own");
    JsonObject without = graphql.raw(HttpMethod.POST, "/graphql", dora.token(), body, MultiMap.caseInsensitiveMultiMap())
        .json().getJsonObject("data");
    assertFalse(without.getJsonObject("first").getString("id").equals(once.getJsonObject("first").getString("id")));
  }

  @Test
  void chatPostEditReadAndDelete() {
    JsonArray channels = graphql.data(bob.token(), "query($t: ID!) { channels(teamId: $t) { id name kind unreadCount } }",
        vars("t", team)).getJsonArray("channels");
    JsonObject general = channels.stream().map(JsonObject.class::cast).filter(c -> "general".equals(c.getString("kind")))
        .findFirst().orElseThrow();
    String channel = general.getString("id");

    String post = """
        mutation($t: ID!, $c: ID!, $text: String!) { postMessage(teamId: $t, channelId: $c, text: $text) {
          id text mentions author { name } } }""";
    JsonObject first = graphql.data(ada.token(), post, vars("t", team, "c", channel, "text", "Hi @Bob"))
        .getJsonObject("postMessage");
    assertEquals("Ada", first.getJsonObject("author").getString("name"));
    assertEquals(List.of(bob.id()), first.getJsonArray("mentions").getList());
    JsonObject second = graphql.data(bob.token(), post, vars("t", team, "c", channel, "text", "Hello"))
        .getJsonObject("postMessage");

    JsonObject edited = graphql.data(ada.token(), """
        mutation($t: ID!, $c: ID!, $m: ID!) { editMessage(teamId: $t, channelId: $c, messageId: $m, text: "Hi all") { text editedAt } }""",
        vars("t", team, "c", channel, "m", first.getString("id"))).getJsonObject("editMessage");
    assertEquals("Hi all", edited.getString("text"));
    assertNotNull(edited.getString("editedAt"));
    assertEquals("forbidden", code(graphql.error(bob.token(), """
        mutation($t: ID!, $c: ID!, $m: ID!) { editMessage(teamId: $t, channelId: $c, messageId: $m, text: "Mine") { text } }""",
        vars("t", team, "c", channel, "m", first.getString("id")))), "only the author edits");

    JsonObject read = graphql.data(ada.token(), """
        mutation($t: ID!, $c: ID!, $m: ID!) { markChannelRead(teamId: $t, channelId: $c, messageId: $m) { lastReadMessageId unreadCount } }""",
        vars("t", team, "c", channel, "m", second.getString("id"))).getJsonObject("markChannelRead");
    assertEquals(0, read.getInteger("unreadCount"));

    assertEquals(second.getString("id"), graphql.data(bob.token(),
        "mutation($t: ID!, $c: ID!, $m: ID!) { deleteMessage(teamId: $t, channelId: $c, messageId: $m) }",
        vars("t", team, "c", channel, "m", second.getString("id"))).getString("deleteMessage"));

    String page = """
        query($t: ID!, $c: ID!, $before: String) { messages(teamId: $t, channelId: $c, first: 1, before: $before) {
          edges { cursor node { id text deleted author { name } } } pageInfo { hasNextPage endCursor } } }""";
    JsonObject newest = graphql.data(ada.token(), page, vars("t", team, "c", channel)).getJsonObject("messages");
    JsonObject tombstone = newest.getJsonArray("edges").getJsonObject(0).getJsonObject("node");
    assertEquals(second.getString("id"), tombstone.getString("id"));
    assertTrue(tombstone.getBoolean("deleted"));
    assertNull(tombstone.getString("text"));
    assertEquals("Bob", tombstone.getJsonObject("author").getString("name"));
    assertTrue(newest.getJsonObject("pageInfo").getBoolean("hasNextPage"));
    JsonObject older = graphql.data(ada.token(), page, vars("t", team, "c", channel,
        "before", newest.getJsonObject("pageInfo").getString("endCursor"))).getJsonObject("messages");
    assertEquals(first.getString("id"), older.getJsonArray("edges").getJsonObject(0).getJsonObject("node").getString("id"));

    JsonObject secret = graphql.data(ada.token(), """
        mutation($t: ID!) { createChannel(teamId: $t, input: {name: "secret", private: true}) { id kind private members { name } } }""",
        vars("t", team)).getJsonObject("createChannel");
    assertEquals("private", secret.getString("kind"));
    assertEquals("channel_not_found", code(graphql.error(bob.token(), """
        query($t: ID!, $c: ID!) { messages(teamId: $t, channelId: $c) { edges { cursor } } }""",
        vars("t", team, "c", secret.getString("id")))));
  }

  @Test
  void boardTasksAreCreatedChangedAndMovedWithVersions() {
    String boardQuery = """
        query($t: ID!, $p: ID!) { board(teamId: $t, projectId: $p) { projectId columns { id name tasks { id key title version assignee { name } } } } }""";
    JsonObject board = graphql.data(bob.token(), boardQuery, vars("t", team, "p", project)).getJsonObject("board");
    JsonArray columns = board.getJsonArray("columns");
    assertEquals("To do", columns.getJsonObject(0).getString("name"));
    String todo = columns.getJsonObject(0).getString("id");
    String doing = columns.getJsonObject(1).getString("id");

    JsonObject task = graphql.data(bob.token(), """
        mutation($t: ID!, $p: ID!, $in: CreateTaskInput!) { createTask(teamId: $t, projectId: $p, input: $in) {
          id key title version columnId labels assignee { name } } }""",
        vars("t", team, "p", project, "in", new JsonObject().put("title", "Hero").put("assigneeId", ada.id())
            .put("labels", new JsonArray().add("design")))).getJsonObject("createTask");
    assertEquals(todo, task.getString("columnId"));
    assertEquals("Ada", task.getJsonObject("assignee").getString("name"));
    assertEquals(List.of("design"), task.getJsonArray("labels").getList());

    String update = """
        mutation($t: ID!, $p: ID!, $k: ID!, $v: Int!) { updateTask(teamId: $t, projectId: $p, taskId: $k, version: $v, input: {title: "Hero v2", assigneeId: null}) {
          title version assignee { name } } }""";
    JsonObject updated = graphql.data(bob.token(), update, vars("t", team, "p", project, "k", task.getString("id"),
        "v", task.getInteger("version"))).getJsonObject("updateTask");
    assertEquals("Hero v2", updated.getString("title"));
    assertNull(updated.getValue("assignee"));
    assertEquals("version_conflict", code(graphql.error(bob.token(), update, vars("t", team, "p", project,
        "k", task.getString("id"), "v", task.getInteger("version")))));

    JsonObject moved = graphql.data(ada.token(), """
        mutation($t: ID!, $p: ID!, $k: ID!, $c: ID!, $v: Int!) { moveTask(teamId: $t, projectId: $p, taskId: $k, columnId: $c, version: $v) {
          columnId version } }""", vars("t", team, "p", project, "k", task.getString("id"), "c", doing,
        "v", updated.getInteger("version"))).getJsonObject("moveTask");
    assertEquals(doing, moved.getString("columnId"));

    // The same board, reached through the team's projects.
    JsonObject nested = graphql.data(ada.token(), """
        query($id: ID!) { team(id: $id) { projects { name board { columns { name tasks { title } } } } } }""",
        vars("id", team)).getJsonObject("team").getJsonArray("projects").getJsonObject(0).getJsonObject("board");
    assertEquals("Hero v2", nested.getJsonArray("columns").getJsonObject(1).getJsonArray("tasks").getJsonObject(0)
        .getString("title"));

    assertEquals(task.getString("id"), graphql.data(ada.token(),
        "mutation($t: ID!, $p: ID!, $k: ID!) { deleteTask(teamId: $t, projectId: $p, taskId: $k) }",
        vars("t", team, "p", project, "k", task.getString("id"))).getString("deleteTask"));
  }

  @Test
  void nestedUsersAndProjectsAreLookedUpOnceForAWholePage() {
    Session owner = api.signup("Olga");
    String t = api.createTeam(owner, "Batch");
    String p1 = api.createProject(owner, t, "One");
    String p2 = api.createProject(owner, t, "Two");
    List<Session> people = new ArrayList<>(List.of(owner));
    for (int i = 0; i < 4; i++) {
      Session s = api.signup("Member " + i);
      api.addMember(owner, t, s, "member");
      people.add(s);
    }
    int day = 1;
    for (Session s : people) {
      for (String p : List.of(p1, p2)) {
        expect(201, api.post("/api/teams/" + t + "/time-entries", s.token(), new JsonObject().put("projectId", p)
            .put("startedAt", String.format("2026-02-%02dT09:00:00Z", day)).put("stoppedAt", String.format("2026-02-%02dT10:00:00Z", day))));
        day++;
      }
    }
    sent.clear();
    JsonArray edges = graphql.data(owner.token(), """
        query($t: ID!) { timeEntries(teamId: $t, first: 50) { edges { node { user { name } project { name } } } } }""",
        vars("t", t)).getJsonObject("timeEntries").getJsonArray("edges");
    assertEquals(10, edges.size());
    Set<String> names = new HashSet<>();
    edges.forEach(e -> names.add(((JsonObject) e).getJsonObject("node").getJsonObject("user").getString("name")));
    assertEquals(5, names.size());
    assertFalse(names.contains(null));
    assertEquals(1, count("timers.entries.list"));
    assertEquals(1, count("workspace.users.lookup"), "one lookup for the ten entries' users: " + sent);
    assertEquals(1, count("workspace.projects.list"), "one project list for the ten entries' projects: " + sent);

    // The same for a board: every task's assignee in one lookup.
    for (int i = 0; i < 5; i++) {
      expect(201, api.post("/api/teams/" + t + "/projects/" + p1 + "/tasks", owner.token(),
          new JsonObject().put("title", "Task " + i).put("assigneeId", people.get(i).id())));
    }
    sent.clear();
    JsonArray tasks = graphql.data(owner.token(), """
        query($t: ID!, $p: ID!) { board(teamId: $t, projectId: $p) { columns { tasks { assignee { name } } } } }""",
        vars("t", t, "p", p1)).getJsonObject("board").getJsonArray("columns").getJsonObject(0).getJsonArray("tasks");
    assertEquals(5, tasks.size());
    assertEquals(1, count("workspace.users.lookup"), "one lookup for five assignees: " + sent);
  }

  private static int count(String address) {
    AtomicInteger n = sent.get(address);
    return n == null ? 0 : n.get();
  }

  @Test
  void malformedRequestsGetClearErrorsAndTheNodeKeepsServing() {
    // Not a GraphQL request at all: 4xx with errors.
    Response badJson = graphql.raw(HttpMethod.POST, "/graphql", ada.token(), Buffer.buffer("{\"query\": "),
        MultiMap.caseInsensitiveMultiMap());
    assertEquals(400, badJson.status(), badJson.toString());
    assertEquals("invalid_json", code(badJson.json().getJsonArray("errors").getJsonObject(0)));
    Response noQuery = graphql.raw(HttpMethod.POST, "/graphql", ada.token(), new JsonObject().put("variables", new JsonObject()),
        MultiMap.caseInsensitiveMultiMap());
    assertEquals(400, noQuery.status(), noQuery.toString());
    assertEquals("invalid_query", code(noQuery.json().getJsonArray("errors").getJsonObject(0)));

    io.vertx.ext.web.client.WebClient web = io.vertx.ext.web.client.WebClient.create(clientVertx);
    try {
      var plain = web.post(node.httpPort(), "127.0.0.1", "/graphql").putHeader("Authorization", "Bearer " + ada.token())
          .putHeader("content-type", "text/plain").sendBuffer(Buffer.buffer("{ me { id } }")).await();
      assertEquals(415, plain.statusCode(), plain.bodyAsString());
      assertEquals("unsupported_media_type", code(plain.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0)));
      var graphqlBody = web.post(node.httpPort(), "127.0.0.1", "/graphql").putHeader("Authorization", "Bearer " + ada.token())
          .putHeader("content-type", "application/graphql").sendBuffer(Buffer.buffer("{ me { name } }")).await();
      assertEquals("Ada", graphqlBody.bodyAsJsonObject().getJsonObject("data").getJsonObject("me").getString("name"));
      var badVariables = web.get(node.httpPort(), "127.0.0.1", "/graphql").putHeader("Authorization", "Bearer " + ada.token())
          .addQueryParam("query", "{ me { id } }").addQueryParam("variables", "{nope").send().await();
      assertEquals(400, badVariables.statusCode(), badVariables.bodyAsString());
      assertEquals("invalid_json", code(badVariables.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0)));
    } finally {
      web.close();
    }

    // A GraphQL request that is wrong: 200 with errors, no data.
    assertEquals("invalid_query", code(graphql.error(ada.token(), "{ me { id ", null)));
    assertEquals("invalid_query", code(graphql.error(ada.token(), "{ me { password } }", null)));
    assertEquals("validation_failed", code(graphql.error(ada.token(), "query($t: ID!) { runningTimers(teamId: $t) { id } }", null)),
        "a required variable is missing");
    JsonObject badVariable = graphql.error(ada.token(), """
        query($t: ID!, $n: Int) { timeEntries(teamId: $t, first: $n) { edges { cursor } } }""",
        vars("t", team, "n", "many"));
    assertEquals("validation_failed", code(badVariable));
    assertTrue(badVariable.getString("message").contains("n"), badVariable.encode());
    assertEquals("validation_failed", code(graphql.error(ada.token(), """
        query($t: ID!) { timeEntries(teamId: $t, first: 500) { edges { cursor } } }""", vars("t", team))),
        "the domain's own limit on page size");
    assertEquals("invalid_query", code(graphql.error(ada.token(),
        "subscription($t: ID!) { timerEvents(teamId: $t) { type } }", vars("t", team))), "subscriptions need the socket");
  }

  @Test
  void getServesQueriesButNotMutations() {
    String query = URLEncoder.encode("{ me { name } }", StandardCharsets.UTF_8);
    Response r = api.get("/graphql?query=" + query, ada.token());
    assertEquals(200, r.status(), r.toString());
    assertEquals("Ada", r.json().getJsonObject("data").getJsonObject("me").getString("name"));
    assertEquals("no-store", r.header("cache-control"));

    String mutation = URLEncoder.encode("mutation { createTeam(name: \"Sneaky\") { id } }", StandardCharsets.UTF_8);
    Response refused = api.get("/graphql?query=" + mutation, ada.token());
    assertEquals(200, refused.status(), refused.toString());
    assertEquals("method_not_allowed", code(refused.json().getJsonArray("errors").getJsonObject(0)));
    assertFalse(graphql.data(ada.token(), "{ me { teams { name } } }", null).encode().contains("Sneaky"));
  }

  @Test
  void graphiqlIsServedByDefault() {
    Response page = api.get("/graphiql/", null);
    assertEquals(200, page.status(), page.toString());
    assertTrue(page.text().contains("GraphiQL"));
    assertTrue(page.header("Content-Security-Policy").contains("script-src 'self' 'unsafe-inline'"));
    assertTrue(api.get("/graphiql", null).text().contains("GraphiQL"), "/graphiql redirects to /graphiql/");
  }

  @Test
  void introspectionDescribesEveryTypeAndField() {
    JsonObject schema = graphql.data(ada.token(), """
        { __schema { types { name kind description fields { name description args { name description } }
          inputFields { name description } enumValues { name description } } } }""",
        null).getJsonObject("__schema");
    List<String> missing = new ArrayList<>();
    for (Object o : schema.getJsonArray("types")) {
      JsonObject type = (JsonObject) o;
      if (type.getString("name").startsWith("__") || type.getString("kind").equals("SCALAR")) {
        continue;
      }
      if (type.getString("description") == null || type.getString("description").isBlank()) {
        missing.add(type.getString("name"));
      }
      for (String list : List.of("fields", "inputFields", "enumValues")) {
        JsonArray fields = type.getJsonArray(list);
        if (fields != null) {
          fields.forEach(f -> {
            JsonObject field = (JsonObject) f;
            String name = type.getString("name") + "." + field.getString("name");
            if (field.getString("description") == null || field.getString("description").isBlank()) {
              missing.add(name);
            }
            JsonArray args = field.getJsonArray("args");
            if (args != null) {
              args.forEach(a -> {
                String description = ((JsonObject) a).getString("description");
                if (description == null || description.isBlank()) {
                  missing.add(name + "(" + ((JsonObject) a).getString("name") + ")");
                }
              });
            }
          });
        }
      }
    }
    assertEquals(List.of(), missing, "types, fields, arguments and enum values without a description");
  }
}
