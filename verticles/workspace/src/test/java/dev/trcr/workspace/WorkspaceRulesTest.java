package dev.trcr.workspace;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Accounts, teams, roles and projects, through the public REST API of a real node. */
class WorkspaceRulesTest {

  private static Node node;
  private static Vertx clientVertx;
  private static Api api;

  @BeforeAll
  static void startNode() {
    node = TestNodes.start(TestNodes.config());
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, node.httpPort());
  }

  @AfterAll
  static void stopNode() {
    api.close();
    clientVertx.close().await();
    node.close().await();
  }

  private static JsonObject signupBody(String email, String password, String name) {
    return new JsonObject().put("email", email).put("password", password).put("name", name);
  }

  @Test
  void signingUpReturnsATokenThatWorks() {
    Response r = expect(201, api.post("/api/auth/signup", null,
        signupBody("Grace@Example.com", "long enough", "Grace Hopper")));
    JsonObject user = r.json().getJsonObject("user");
    assertEquals("grace@example.com", user.getString("email"), "emails are kept lower-case");
    assertFalse(user.containsKey("passwordHash"));
    JsonObject me = expect(200, api.get("/api/me", r.json().getString("token"))).json();
    assertEquals(user.getString("id"), me.getJsonObject("user").getString("id"));
    assertEquals(0, me.getJsonArray("teams").size());
  }

  @Test
  void anEmailCanOnlyBeRegisteredOnce() {
    expect(201, api.post("/api/auth/signup", null, signupBody("linus@example.com", "long enough", "Linus")));
    Response again = api.post("/api/auth/signup", null, signupBody("LINUS@example.com", "another one", "Linus 2"));
    assertEquals(409, again.status());
    assertEquals("email_taken", again.errorCode());
  }

  @Test
  void signupRejectsShortPasswordsBadEmailsAndMissingNames() {
    Response shortPassword = api.post("/api/auth/signup", null, signupBody("a@example.com", "seven77", "A"));
    assertEquals(400, shortPassword.status());
    assertEquals("password", shortPassword.json().getJsonObject("error").getString("field"));
    Response badEmail = api.post("/api/auth/signup", null, signupBody("not-an-email", "long enough", "A"));
    assertEquals(400, badEmail.status());
    assertEquals("email", badEmail.json().getJsonObject("error").getString("field"));
    Response noName = api.post("/api/auth/signup", null,
        new JsonObject().put("email", "b@example.com").put("password", "long enough"));
    assertEquals(400, noName.status());
    assertEquals("name", noName.json().getJsonObject("error").getString("field"));
  }

  @Test
  void loginChecksThePassword() {
    Session s = api.signup("Katherine");
    Response ok = expect(200, api.post("/api/auth/login", null,
        new JsonObject().put("email", s.email()).put("password", "correct horse battery")));
    assertEquals(s.id(), ok.json().getJsonObject("user").getString("id"));
    expect(200, api.get("/api/me", ok.json().getString("token")));

    Response wrong = api.post("/api/auth/login", null, new JsonObject().put("email", s.email()).put("password", "nope"));
    assertEquals(401, wrong.status());
    assertEquals("invalid_credentials", wrong.errorCode());
    Response unknown = api.post("/api/auth/login", null,
        new JsonObject().put("email", "nobody@example.com").put("password", "whatever1"));
    assertEquals(401, unknown.status());
    assertEquals("invalid_credentials", unknown.errorCode(), "no hint whether the email exists");
  }

  @Test
  void everyOtherRouteNeedsAValidBearerToken() {
    assertEquals("unauthenticated", api.get("/api/me", null).errorCode());
    assertEquals(401, api.get("/api/me", "not-a-jwt").status());
    assertEquals(401, api.post("/api/teams", null, new JsonObject().put("name", "x")).status());
    Response forged = api.get("/api/me", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAifQ.c2ln");
    assertEquals(401, forged.status());
  }

  @Test
  void theCreatorOfATeamIsItsOwner() {
    Session s = api.signup("Olga");
    JsonObject team = expect(201, api.post("/api/teams", s.token(), new JsonObject().put("name", "Acme"))).json();
    assertEquals("Acme", team.getString("name"));
    JsonArray teams = expect(200, api.get("/api/me", s.token())).json().getJsonArray("teams");
    assertEquals(new JsonObject().put("id", team.getString("id")).put("name", "Acme").put("role", "owner"),
        teams.getJsonObject(0));
    assertEquals(400, api.post("/api/teams", s.token(), new JsonObject().put("name", "  ")).status());
  }

  @Test
  void onlyOwnersAndAdminsAddMembers() {
    Session owner = api.signup("Olga");
    Session admin = api.signup("Ada");
    Session member = api.signup("Max");
    Session newcomer = api.signup("Nia");
    String team = api.createTeam(owner, "Acme");
    api.addMember(owner, team, admin, "admin");
    api.addMember(admin, team, member, "member");

    Response byMember = api.post("/api/teams/" + team + "/members", member.token(),
        new JsonObject().put("email", newcomer.email()));
    assertEquals(403, byMember.status());
    assertEquals("forbidden", byMember.errorCode());

    Response unknown = api.post("/api/teams/" + team + "/members", owner.token(),
        new JsonObject().put("email", "ghost@example.com"));
    assertEquals(404, unknown.status());
    assertEquals("user_not_found", unknown.errorCode());

    Response twice = api.post("/api/teams/" + team + "/members", owner.token(),
        new JsonObject().put("email", member.email()));
    assertEquals(409, twice.status());
    assertEquals("already_member", twice.errorCode());

    Response badRole = api.post("/api/teams/" + team + "/members", owner.token(),
        new JsonObject().put("email", newcomer.email()).put("role", "owner"));
    assertEquals(400, badRole.status());

    JsonArray members = expect(200, api.get("/api/teams/" + team + "/members", member.token())).array();
    assertEquals(3, members.size());
    assertTrue(members.stream().map(JsonObject.class::cast)
        .anyMatch(m -> m.getString("role").equals("admin") && m.getJsonObject("user").getString("id").equals(admin.id())));
    JsonArray memberTeams = expect(200, api.get("/api/me", member.token())).json().getJsonArray("teams");
    assertEquals("member", memberTeams.getJsonObject(0).getString("role"));
  }

  @Test
  void projectsAreCreatedByOwnersAndAdminsWithExactRates() {
    Session owner = api.signup("Olga");
    Session member = api.signup("Max");
    String team = api.createTeam(owner, "Acme");
    api.addMember(owner, team, member, "member");

    JsonObject project = expect(201, api.post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "Website").put("hourlyRate", 95.5).put("currency", "USD"))).json();
    assertEquals("95.50", project.getString("hourlyRate"), "money is a string with the currency's minor digits");
    assertEquals("USD", project.getString("currency"));
    JsonObject yen = expect(201, api.post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "Tokyo").put("hourlyRate", "12000"). put("currency", "JPY"))).json();
    assertEquals("12000", yen.getString("hourlyRate"));
    JsonObject plain = expect(201, api.post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "Internal"))).json();
    assertEquals("EUR", plain.getString("currency"));
    assertTrue(plain.containsKey("hourlyRate") && plain.getValue("hourlyRate") == null);

    assertEquals("forbidden", api.post("/api/teams/" + team + "/projects", member.token(),
        new JsonObject().put("name", "Mine")).errorCode());
    assertEquals("project_name_taken", api.post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "website")).errorCode());
    assertEquals(400, api.post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "X").put("currency", "EURO")).status());
    assertEquals(400, api.post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "Y").put("hourlyRate", "10.123")).status());
    assertEquals(400, api.post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "Z").put("hourlyRate", -5)).status());

    JsonArray projects = expect(200, api.get("/api/teams/" + team + "/projects", member.token())).array();
    assertEquals(3, projects.size());
  }
}
