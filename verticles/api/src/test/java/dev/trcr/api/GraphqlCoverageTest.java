package dev.trcr.api;

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

import static dev.trcr.api.GraphqlClient.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GraphQL fields that caught up with REST: project updates and member rates, member roles, DMs, presence, typing
 * and board columns. Each succeeds as its REST route does and is refused with the domain's code.
 */
class GraphqlCoverageTest {

  private static Node node;
  private static Vertx clientVertx;
  private static Api api;
  private static GraphqlClient graphql;
  private static Session ada;
  private static Session bob;

  @BeforeAll
  static void startNode() {
    node = TestNodes.start(TestNodes.config());
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, node.httpPort());
    graphql = new GraphqlClient(api);
    ada = api.signup("Ada");
    bob = api.signup("Bob");
  }

  @AfterAll
  static void stopNode() {
    api.close();
    clientVertx.close().await();
    node.close().await();
  }

  private static JsonObject vars(Object... pairs) {
    JsonObject v = new JsonObject();
    for (int i = 0; i < pairs.length; i += 2) {
      v.put((String) pairs[i], pairs[i + 1]);
    }
    return v;
  }

  @Test
  void updateProjectLinksAClientAndClearsTheRate() {
    String team = api.createTeam(ada, "Acme");
    api.addMember(ada, team, bob, "member");
    String project = api.createProject(ada, team, "Website");
    String client = graphql.data(ada.token(), """
        mutation($t: ID!) { createClient(teamId: $t, input: {name: "Globex", email: "ap@globex.example"}) { id } }""",
        vars("t", team)).getJsonObject("createClient").getString("id");

    String update = """
        mutation($t: ID!, $p: ID!, $in: UpdateProjectInput!) { updateProject(teamId: $t, projectId: $p, input: $in) {
          id name hourlyRate clientId client { id name } } }""";
    JsonObject p = graphql.data(ada.token(), update, vars("t", team, "p", project,
        "in", new JsonObject().put("name", "Web site").put("hourlyRate", "100.00").put("clientId", client)))
        .getJsonObject("updateProject");
    assertEquals("Web site", p.getString("name"));
    assertEquals("100.00", p.getString("hourlyRate"));
    assertEquals(client, p.getString("clientId"));
    assertEquals("Globex", p.getJsonObject("client").getString("name"));

    p = graphql.data(ada.token(), update, vars("t", team, "p", project,
        "in", new JsonObject().putNull("hourlyRate").putNull("clientId"))).getJsonObject("updateProject");
    assertEquals("Web site", p.getString("name"), "absent fields stay");
    assertNull(p.getValue("hourlyRate"));
    assertNull(p.getValue("client"));

    graphql.data(ada.token(), update, vars("t", team, "p", project, "in", new JsonObject().put("clientId", client)));
    JsonObject forbidden = graphql.error(bob.token(), "query($id: ID!) { team(id: $id) { projects { name client { id } } } }",
        vars("id", team));
    assertEquals("forbidden", code(forbidden), "a project's client is for owners and admins");
    assertEquals(List.of("team", "projects", 0, "client"), forbidden.getJsonArray("path").getList());

    assertEquals("forbidden", code(graphql.error(bob.token(), update, vars("t", team, "p", project,
        "in", new JsonObject().put("name", "Mine")))));
    assertEquals("validation_failed", code(graphql.error(ada.token(), update, vars("t", team, "p", project,
        "in", new JsonObject()))));
  }

  @Test
  void memberRatesAreSetListedAndRemoved() {
    String team = api.createTeam(ada, "Rates");
    api.addMember(ada, team, bob, "member");
    String project = api.createProject(ada, team, "Support");
    Session eve = api.signup("Eve");
    String set = """
        mutation($t: ID!, $p: ID!, $u: ID!, $r: Decimal) { setMemberRate(teamId: $t, projectId: $p, userId: $u,
          hourlyRate: $r) { projectId userId hourlyRate user { name } } }""";
    JsonObject rate = graphql.data(ada.token(), set, vars("t", team, "p", project, "u", bob.id(), "r", "120.00"))
        .getJsonObject("setMemberRate");
    assertEquals("120.00", rate.getString("hourlyRate"));
    assertEquals("Bob", rate.getJsonObject("user").getString("name"));

    String list = "query($t: ID!, $p: ID!) { memberRates(teamId: $t, projectId: $p) { userId hourlyRate user { name } } }";
    JsonArray rates = graphql.data(ada.token(), list, vars("t", team, "p", project)).getJsonArray("memberRates");
    assertEquals(1, rates.size());
    assertEquals(bob.id(), rates.getJsonObject(0).getString("userId"));
    assertEquals("120.00", rates.getJsonObject(0).getString("hourlyRate"));

    assertNull(graphql.data(ada.token(), set, vars("t", team, "p", project, "u", bob.id(), "r", null))
        .getJsonObject("setMemberRate").getValue("hourlyRate"));
    assertTrue(graphql.data(ada.token(), list, vars("t", team, "p", project)).getJsonArray("memberRates").isEmpty());

    assertEquals("user_not_found", code(graphql.error(ada.token(), set,
        vars("t", team, "p", project, "u", eve.id(), "r", "80.00"))));
    assertEquals("forbidden", code(graphql.error(bob.token(), list, vars("t", team, "p", project))));
    assertEquals("forbidden", code(graphql.error(bob.token(), set,
        vars("t", team, "p", project, "u", bob.id(), "r", "500.00"))));
  }

  @Test
  void setMemberRoleKeepsAnOwner() {
    String team = api.createTeam(ada, "Roles");
    api.addMember(ada, team, bob, "member");
    String role = """
        mutation($t: ID!, $u: ID!, $r: Role!) { setMemberRole(teamId: $t, userId: $u, role: $r) { role user { id name } } }""";
    assertEquals("forbidden", code(graphql.error(bob.token(), role, vars("t", team, "u", bob.id(), "r", "admin"))));

    JsonObject m = graphql.data(ada.token(), role, vars("t", team, "u", bob.id(), "r", "admin"))
        .getJsonObject("setMemberRole");
    assertEquals("admin", m.getString("role"));
    assertEquals("Bob", m.getJsonObject("user").getString("name"));

    assertEquals("last_owner", code(graphql.error(ada.token(), role, vars("t", team, "u", ada.id(), "r", "member"))));
    Session eve = api.signup("Eve");
    assertEquals("user_not_found", code(graphql.error(ada.token(), role, vars("t", team, "u", eve.id(), "r", "member"))));
  }

  @Test
  void directMessagesPresenceAndTyping() {
    String team = api.createTeam(ada, "Chat");
    api.addMember(ada, team, bob, "member");
    String open = "mutation($t: ID!, $u: ID!) { openDirectMessage(teamId: $t, userId: $u) { id kind private memberIds members { name } } }";
    JsonObject dm = graphql.data(ada.token(), open, vars("t", team, "u", bob.id())).getJsonObject("openDirectMessage");
    assertEquals("dm", dm.getString("kind"));
    assertTrue(dm.getBoolean("private"));
    assertTrue(dm.getJsonArray("memberIds").contains(bob.id()));
    assertEquals(dm.getString("id"), graphql.data(bob.token(), open, vars("t", team, "u", ada.id()))
        .getJsonObject("openDirectMessage").getString("id"), "the same DM from either side");
    Session eve = api.signup("Eve");
    assertEquals("validation_failed", code(graphql.error(ada.token(), open, vars("t", team, "u", eve.id()))),
        "a DM needs another member of the team");

    JsonArray presence = graphql.data(bob.token(), "query($t: ID!) { presence(teamId: $t) { userId name status since } }",
        vars("t", team)).getJsonArray("presence");
    assertEquals(2, presence.size(), presence.encode());
    presence.forEach(p -> assertTrue(List.of("online", "offline").contains(((JsonObject) p).getString("status"))));
    assertEquals("team_not_found", code(graphql.error(eve.token(), "query($t: ID!) { presence(teamId: $t) { userId } }",
        vars("t", team))));

    String typing = "mutation($t: ID!, $c: ID!) { typing(teamId: $t, channelId: $c) }";
    try (GraphqlClient.Socket socket = GraphqlClient.Socket.connect(clientVertx, node.httpPort()).init(bob.token())) {
      socket.subscribe("dm", "subscription($t: ID!, $c: ID!) { messageEvents(teamId: $t, channelId: $c) { type user { name } } }",
          vars("t", team, "c", dm.getString("id")));
      JsonObject event = null;
      // the subscription registers asynchronously, and typing is told at most once per user and channel every 2 s
      for (int i = 0; i < 6 && event == null; i++) {
        assertTrue(graphql.data(ada.token(), typing, vars("t", team, "c", dm.getString("id"))).getBoolean("typing"));
        event = socket.nextMatching(m -> "dm".equals(m.getString("id")), 2_200);
      }
      assertTrue(event != null, "no typing event");
      JsonObject typed = event.getJsonObject("payload").getJsonObject("data").getJsonObject("messageEvents");
      assertEquals("typing", typed.getString("type"), event.encode());
      assertEquals("Ada", typed.getJsonObject("user").getString("name"));
    }
    assertEquals("team_not_found", code(graphql.error(eve.token(), typing, vars("t", team, "c", dm.getString("id")))));
  }

  @Test
  void columnsAreCreatedRenamedMovedAndDeleted() {
    String team = api.createTeam(ada, "Board");
    api.addMember(ada, team, bob, "member");
    String project = api.createProject(ada, team, "Kanban");
    String board = "query($t: ID!, $p: ID!) { board(teamId: $t, projectId: $p) { columns { id name position } } }";
    JsonArray columns = graphql.data(ada.token(), board, vars("t", team, "p", project))
        .getJsonObject("board").getJsonArray("columns");
    String first = columns.getJsonObject(0).getString("id");
    int before = columns.size();

    String create = """
        mutation($t: ID!, $p: ID!, $n: String!, $a: ID) { createColumn(teamId: $t, projectId: $p, name: $n,
          afterColumnId: $a) { id name position tasks { id } } }""";
    JsonObject blocked = graphql.data(ada.token(), create, vars("t", team, "p", project, "n", "Blocked", "a", first))
        .getJsonObject("createColumn");
    assertEquals("Blocked", blocked.getString("name"));
    assertEquals(1, blocked.getInteger("position"));
    assertEquals("forbidden", code(graphql.error(bob.token(), create, vars("t", team, "p", project, "n", "Mine"))));

    String update = """
        mutation($t: ID!, $p: ID!, $c: ID!, $in: UpdateColumnInput!) { updateColumn(teamId: $t, projectId: $p,
          columnId: $c, input: $in) { id name position } }""";
    JsonObject qa = graphql.data(ada.token(), update, vars("t", team, "p", project, "c", blocked.getString("id"),
        "in", new JsonObject().put("name", "QA").putNull("afterColumnId"))).getJsonObject("updateColumn");
    assertEquals("QA", qa.getString("name"));
    assertEquals(0, qa.getInteger("position"), "afterColumnId null moves it first");
    assertEquals("validation_failed", code(graphql.error(ada.token(), update, vars("t", team, "p", project,
        "c", blocked.getString("id"), "in", new JsonObject().put("afterColumnId", blocked.getString("id"))))));

    graphql.data(ada.token(), """
        mutation($t: ID!, $p: ID!, $c: ID!) { createTask(teamId: $t, projectId: $p, input: {title: "Hero", columnId: $c}) { id } }""",
        vars("t", team, "p", project, "c", first));
    String delete = "mutation($t: ID!, $p: ID!, $c: ID!) { deleteColumn(teamId: $t, projectId: $p, columnId: $c) }";
    assertEquals("column_not_empty", code(graphql.error(ada.token(), delete, vars("t", team, "p", project, "c", first))));
    assertEquals(blocked.getString("id"), graphql.data(ada.token(), delete,
        vars("t", team, "p", project, "c", blocked.getString("id"))).getString("deleteColumn"));
    assertEquals(before, graphql.data(ada.token(), board, vars("t", team, "p", project))
        .getJsonObject("board").getJsonArray("columns").size());

    String other = api.createProject(ada, team, "Lean");
    JsonArray left = graphql.data(ada.token(), board, vars("t", team, "p", other)).getJsonObject("board").getJsonArray("columns");
    for (int i = 1; i < left.size(); i++) {
      graphql.data(ada.token(), delete, vars("t", team, "p", other, "c", left.getJsonObject(i).getString("id")));
    }
    assertEquals("last_column", code(graphql.error(ada.token(), delete,
        vars("t", team, "p", other, "c", left.getJsonObject(0).getString("id")))));
  }
}
