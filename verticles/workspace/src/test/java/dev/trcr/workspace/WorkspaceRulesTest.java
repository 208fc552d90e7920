package dev.trcr.workspace;

import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Accounts, teams, roles and projects, through the public REST API of a real node. */
class WorkspaceRulesTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode();

  private static JsonObject signupBody(String email, String password, String name) {
    return new JsonObject().put("email", email).put("password", password).put("name", name);
  }

  @Test
  void signingUpReturnsATokenThatWorks() {
    Response r = expect(201, NODE.api().post("/api/auth/signup", null,
        signupBody("Grace@Example.com", "long enough", "Grace Hopper")));
    JsonObject user = r.json().getJsonObject("user");
    assertEquals("grace@example.com", user.getString("email"), "emails are kept lower-case");
    assertFalse(user.containsKey("passwordHash"));
    JsonObject me = expect(200, NODE.api().get("/api/me", r.json().getString("token"))).json();
    assertEquals(user.getString("id"), me.getJsonObject("user").getString("id"));
    assertEquals(0, me.getJsonArray("teams").size());
  }

  @Test
  void anEmailCanOnlyBeRegisteredOnce() {
    expect(201, NODE.api().post("/api/auth/signup", null, signupBody("linus@example.com", "long enough", "Linus")));
    Response again = NODE.api().post("/api/auth/signup", null,
        signupBody("LINUS@example.com", "another one", "Linus 2"));
    assertEquals(409, again.status());
    assertEquals("email_taken", again.errorCode());
  }

  @Test
  void signupRejectsShortPasswordsBadEmailsAndMissingNames() {
    Response shortPassword = NODE.api().post("/api/auth/signup", null, signupBody("a@example.com", "seven77", "A"));
    assertEquals(400, shortPassword.status());
    assertEquals("password", shortPassword.json().getJsonObject("error").getString("field"));
    Response badEmail = NODE.api().post("/api/auth/signup", null, signupBody("not-an-email", "long enough", "A"));
    assertEquals(400, badEmail.status());
    assertEquals("email", badEmail.json().getJsonObject("error").getString("field"));
    Response noName = NODE.api().post("/api/auth/signup", null,
        new JsonObject().put("email", "b@example.com").put("password", "long enough"));
    assertEquals(400, noName.status());
    assertEquals("name", noName.json().getJsonObject("error").getString("field"));
  }

  @Test
  void loginChecksThePassword() {
    Session s = NODE.api().signup("Katherine");
    Response ok = expect(200, NODE.api().post("/api/auth/login", null,
        new JsonObject().put("email", s.email()).put("password", "correct horse battery")));
    assertEquals(s.id(), ok.json().getJsonObject("user").getString("id"));
    expect(200, NODE.api().get("/api/me", ok.json().getString("token")));

    Response wrong = NODE.api().post("/api/auth/login", null,
        new JsonObject().put("email", s.email()).put("password", "nope"));
    assertEquals(401, wrong.status());
    assertEquals("invalid_credentials", wrong.errorCode());
    Response unknown = NODE.api().post("/api/auth/login", null,
        new JsonObject().put("email", "nobody@example.com").put("password", "whatever1"));
    assertEquals(401, unknown.status());
    assertEquals("invalid_credentials", unknown.errorCode(), "no hint whether the email exists");
  }

  @Test
  void everyOtherRouteNeedsAValidBearerToken() {
    assertEquals("unauthenticated", NODE.api().get("/api/me", null).errorCode());
    assertEquals(401, NODE.api().get("/api/me", "not-a-jwt").status());
    assertEquals(401, NODE.api().post("/api/teams", null, new JsonObject().put("name", "x")).status());
    Response forged = NODE.api().get("/api/me",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAifQ.c2ln");
    assertEquals(401, forged.status());
  }

  @Test
  void theCreatorOfATeamIsItsOwner() {
    Session s = NODE.api().signup("Olga");
    JsonObject team = expect(201,
        NODE.api().post("/api/teams", s.token(), new JsonObject().put("name", "Acme"))).json();
    assertEquals("Acme", team.getString("name"));
    JsonArray teams = expect(200, NODE.api().get("/api/me", s.token())).json().getJsonArray("teams");
    assertEquals(new JsonObject().put("id", team.getString("id")).put("name", "Acme").put("role", "owner"),
        teams.getJsonObject(0));
    assertEquals(400, NODE.api().post("/api/teams", s.token(), new JsonObject().put("name", "  ")).status());
  }

  @Test
  void onlyOwnersAndAdminsAddMembers() {
    Session owner = NODE.api().signup("Olga");
    Session admin = NODE.api().signup("Ada");
    Session member = NODE.api().signup("Max");
    Session newcomer = NODE.api().signup("Nia");
    String team = NODE.api().createTeam(owner, "Acme");
    NODE.api().addMember(owner, team, admin, "admin");
    NODE.api().addMember(admin, team, member, "member");

    Response byMember = NODE.api().post("/api/teams/" + team + "/members", member.token(),
        new JsonObject().put("email", newcomer.email()));
    assertEquals(403, byMember.status());
    assertEquals("forbidden", byMember.errorCode());

    Response unknown = NODE.api().post("/api/teams/" + team + "/members", owner.token(),
        new JsonObject().put("email", "ghost@example.com"));
    assertEquals(404, unknown.status());
    assertEquals("user_not_found", unknown.errorCode());

    Response twice = NODE.api().post("/api/teams/" + team + "/members", owner.token(),
        new JsonObject().put("email", member.email()));
    assertEquals(409, twice.status());
    assertEquals("already_member", twice.errorCode());

    Response badRole = NODE.api().post("/api/teams/" + team + "/members", owner.token(),
        new JsonObject().put("email", newcomer.email()).put("role", "owner"));
    assertEquals(400, badRole.status());

    JsonArray members = expect(200, NODE.api().get("/api/teams/" + team + "/members", member.token())).array();
    assertEquals(3, members.size());
    assertTrue(members.stream().map(JsonObject.class::cast)
        .anyMatch(m -> m.getString("role").equals("admin") && m.getJsonObject("user").getString("id").equals(admin.id())));
    JsonArray memberTeams = expect(200, NODE.api().get("/api/me", member.token())).json().getJsonArray("teams");
    assertEquals("member", memberTeams.getJsonObject(0).getString("role"));
  }

  @Test
  void projectsAreCreatedByOwnersAndAdminsWithExactRates() {
    Session owner = NODE.api().signup("Olga");
    Session member = NODE.api().signup("Max");
    String team = NODE.api().createTeam(owner, "Acme");
    NODE.api().addMember(owner, team, member, "member");

    JsonObject project = expect(201, NODE.api().post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "Website").put("hourlyRate", 95.5).put("currency", "USD"))).json();
    assertEquals("95.50", project.getString("hourlyRate"), "money is a string with the currency's minor digits");
    assertEquals("USD", project.getString("currency"));
    JsonObject yen = expect(201, NODE.api().post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "Tokyo").put("hourlyRate", "12000"). put("currency", "JPY"))).json();
    assertEquals("12000", yen.getString("hourlyRate"));
    JsonObject plain = expect(201, NODE.api().post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "Internal"))).json();
    assertEquals("EUR", plain.getString("currency"));
    assertTrue(plain.containsKey("hourlyRate") && plain.getValue("hourlyRate") == null);

    assertEquals("forbidden", NODE.api().post("/api/teams/" + team + "/projects", member.token(),
        new JsonObject().put("name", "Mine")).errorCode());
    assertEquals("project_name_taken", NODE.api().post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "website")).errorCode());
    assertEquals(400, NODE.api().post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "X").put("currency", "EURO")).status());
    assertEquals(400, NODE.api().post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "Y").put("hourlyRate", "10.123")).status());
    assertEquals(400, NODE.api().post("/api/teams/" + team + "/projects", owner.token(),
        new JsonObject().put("name", "Z").put("hourlyRate", -5)).status());

    JsonArray projects = expect(200, NODE.api().get("/api/teams/" + team + "/projects", member.token())).array();
    assertEquals(3, projects.size());
  }

  @Test
  void ownersAndAdminsSetRolesAndATeamKeepsAnOwner() {
    var api = NODE.api();
    Session owner = api.signup("Olga Owner");
    Session admin = api.signup("Adam Admin");
    Session member = api.signup("Max Member");
    String teamId = api.createTeam(owner, "Roles");
    api.addMember(owner, teamId, admin, "admin");
    api.addMember(owner, teamId, member, "member");
    String path = "/api/teams/" + teamId + "/members/";

    JsonObject promoted = expect(200, api.patch(path + member.id(), admin.token(),
        new JsonObject().put("role", "admin"))).json();
    assertEquals("admin", promoted.getString("role"));
    assertEquals(member.id(), promoted.getJsonObject("user").getString("id"));
    assertEquals("forbidden", api.patch(path + member.id(), admin.token(), new JsonObject().put("role", "owner"))
        .errorCode(), "only an owner makes owners");
    assertEquals("forbidden", api.patch(path + owner.id(), admin.token(), new JsonObject().put("role", "member"))
        .errorCode(), "an admin cannot demote an owner");
    assertEquals("last_owner", expect(409, api.patch(path + owner.id(), owner.token(),
        new JsonObject().put("role", "admin"))).errorCode());

    expect(200, api.patch(path + admin.id(), owner.token(), new JsonObject().put("role", "owner")));
    expect(200, api.patch(path + owner.id(), owner.token(), new JsonObject().put("role", "member")));
    JsonArray members = expect(200, api.get("/api/teams/" + teamId + "/members", admin.token())).array();
    assertEquals("member", members.stream().map(JsonObject.class::cast)
        .filter(m -> m.getJsonObject("user").getString("id").equals(owner.id())).findFirst().orElseThrow()
        .getString("role"));
    assertEquals("forbidden", api.patch(path + member.id(), owner.token(), new JsonObject().put("role", "member"))
        .errorCode(), "a demoted owner is a member now");

    assertEquals("validation_failed", expect(400, api.patch(path + member.id(), admin.token(),
        new JsonObject().put("role", "boss"))).errorCode());
    assertEquals("validation_failed", expect(400, api.patch(path + member.id(), admin.token(), new JsonObject()))
        .errorCode());
    assertEquals("user_not_found", expect(404, api.patch(path + java.util.UUID.randomUUID(), admin.token(),
        new JsonObject().put("role", "member"))).errorCode());
    assertEquals("team_not_found", expect(404, api.patch("/api/teams/" + java.util.UUID.randomUUID() + "/members/"
        + member.id(), admin.token(), new JsonObject().put("role", "member"))).errorCode());
  }

  @Test
  void twoOwnersDemotingEachOtherAtOnceLeaveOneOwner() throws Exception {
    var api = NODE.api();
    for (int round = 0; round < 5; round++) {
      Session a = api.signup("Ann Owner");
      Session b = api.signup("Ben Owner");
      String teamId = api.createTeam(a, "Race");
      api.addMember(a, teamId, b, "admin");
      expect(200, api.patch("/api/teams/" + teamId + "/members/" + b.id(), a.token(),
          new JsonObject().put("role", "owner")));
      var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        var first = pool.submit(() -> api.patch("/api/teams/" + teamId + "/members/" + b.id(), a.token(),
            new JsonObject().put("role", "member")));
        var second = pool.submit(() -> api.patch("/api/teams/" + teamId + "/members/" + a.id(), b.token(),
            new JsonObject().put("role", "member")));
        int ok = (first.get().status() == 200 ? 1 : 0) + (second.get().status() == 200 ? 1 : 0);
        assertEquals(1, ok, first.get() + " / " + second.get());
      } finally {
        pool.shutdownNow();
      }
      JsonArray members = expect(200, api.get("/api/teams/" + teamId + "/members", a.token())).array();
      assertEquals(1, members.stream().filter(m -> "owner".equals(((JsonObject) m).getString("role"))).count());
    }
  }
}
