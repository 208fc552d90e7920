package dev.trcr.workspace;

import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Base64;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Service accounts over REST: owners and admins create them for one team, see them listed, and revoke them. */
class ServiceTokensTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode();

  private Session ada;
  private Session bob;
  private String teamId;
  private String projectId;

  @BeforeEach
  void team() {
    ada = NODE.api().signup("Ada");
    bob = NODE.api().signup("Bob");
    teamId = NODE.api().createTeam(ada, "Acme");
    NODE.api().addMember(ada, teamId, bob, "member");
    projectId = NODE.api().createProject(ada, teamId, "Website");
  }

  private String tokens() {
    return "/api/teams/" + teamId + "/service-tokens";
  }

  private JsonObject create(Session by, String name, String role) {
    JsonObject body = new JsonObject().put("name", name);
    if (role != null) {
      body.put("role", role);
    }
    return expect(201, NODE.api().post(tokens(), by.token(), body)).json();
  }

  @Test
  void theTokenIsShownOnceAndNeverListed() {
    JsonObject created = create(ada, "Slack relay", null);
    assertEquals("Slack relay", created.getString("name"));
    assertEquals("member", created.getString("role"), "member by default");
    assertEquals(teamId, created.getString("teamId"));
    assertEquals(ada.id(), created.getString("createdBy"));
    assertNull(created.getString("revokedAt"));
    String token = created.getString("token");
    assertNotNull(token);
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1])));
    long days = (claims.getLong("exp") - claims.getLong("iat")) / 86_400;
    assertEquals(365, days, "the token lives TRCR_SERVICE_TOKEN_TTL_DAYS");

    JsonArray listed = expect(200, NODE.api().get(tokens(), ada.token())).array();
    assertEquals(1, listed.size());
    JsonObject item = listed.getJsonObject(0);
    assertEquals(created.getString("id"), item.getString("id"));
    assertEquals(created.getString("userId"), item.getString("userId"));
    assertFalse(item.containsKey("token"), "a listed account never shows its token");
    assertFalse(listed.encode().contains(token));
  }

  @Test
  void onlyOwnersAndAdminsManageServiceTokens() {
    Session eve = NODE.api().signup("Eve");
    assertEquals("forbidden", expect(403, NODE.api().post(tokens(), bob.token(),
        new JsonObject().put("name", "x"))).errorCode());
    assertEquals("forbidden", expect(403, NODE.api().get(tokens(), bob.token())).errorCode());
    assertEquals("team_not_found", expect(404, NODE.api().post(tokens(), eve.token(),
        new JsonObject().put("name", "x"))).errorCode());
    assertEquals("team_not_found", expect(404, NODE.api().get(tokens(), eve.token())).errorCode());
    String id = create(ada, "Exporter", "admin").getString("id");
    assertEquals("forbidden", expect(403, NODE.api().delete(tokens() + "/" + id, bob.token())).errorCode());
    assertEquals("team_not_found", expect(404, NODE.api().delete(tokens() + "/" + id, eve.token())).errorCode());

    NODE.api().addMember(ada, teamId, eve, "admin");
    assertEquals("admin", create(eve, "Made by an admin", "admin").getString("role"));
    assertEquals("validation_failed", expect(400, NODE.api().post(tokens(), ada.token(),
        new JsonObject().put("name", "Boss").put("role", "owner"))).errorCode(), "never an owner");
    assertEquals("validation_failed", expect(400, NODE.api().post(tokens(), ada.token(),
        new JsonObject())).errorCode(), "a name is required");
  }

  @Test
  void aServiceTokenWorksForItsTeamOnlyAndIsNamedWhereUsersShow() {
    JsonObject created = create(ada, "Slack relay", null);
    String token = created.getString("token");
    Response started = expect(201, NODE.api().post("/api/teams/" + teamId + "/timer/start", token,
        new JsonObject().put("projectId", projectId)));
    assertEquals(created.getString("userId"), started.json().getString("userId"));

    JsonArray members = expect(200, NODE.api().get("/api/teams/" + teamId + "/members", ada.token())).array();
    assertTrue(members.stream().map(JsonObject.class::cast)
        .anyMatch(m -> "Slack relay".equals(m.getJsonObject("user").getString("name"))
            && "member".equals(m.getString("role"))), members.encode());

    String otherTeam = NODE.api().createTeam(bob, "Other");
    assertEquals("team_not_found", expect(404, NODE.api().get("/api/teams/" + otherTeam + "/projects", token))
        .errorCode());
  }

  @Test
  void aServiceAccountCannotActLikeAPerson() {
    JsonObject created = create(ada, "Exporter", "admin");
    String token = created.getString("token");
    assertEquals("forbidden", expect(403, NODE.api().post("/api/teams", token,
        new JsonObject().put("name", "Mine"))).errorCode());
    assertEquals("forbidden", expect(403, NODE.api().post(tokens(), token,
        new JsonObject().put("name", "Another"))).errorCode());
    assertEquals("forbidden", expect(403, NODE.api().post("/api/auth/password", token,
        new JsonObject().put("currentPassword", "x").put("newPassword", "long enough pass"))).errorCode());
    JsonObject person = expect(200, NODE.api().get("/api/teams/" + teamId + "/members", ada.token())).array()
        .stream().map(JsonObject.class::cast).map(m -> m.getJsonObject("user"))
        .filter(u -> created.getString("userId").equals(u.getString("id"))).findFirst().orElseThrow();
    assertEquals("forbidden", expect(403, NODE.api().post("/api/auth/login", null,
        new JsonObject().put("email", person.getString("email")).put("password", "anything at all"))).errorCode());
    assertEquals("user_not_found", expect(404, NODE.api().post("/api/teams/" + NODE.api().createTeam(bob, "B")
        + "/members", bob.token(), new JsonObject().put("email", person.getString("email")))).errorCode(),
        "a service account belongs to its one team");
    assertEquals("forbidden", expect(403, NODE.api().patch("/api/teams/" + teamId + "/members/"
        + created.getString("userId"), ada.token(), new JsonObject().put("role", "owner"))).errorCode());
  }

  @Test
  void revokingRefusesTheTokenAndRemovesTheAccountFromTheTeam() {
    JsonObject created = create(ada, "Slack relay", null);
    String token = created.getString("token");
    expect(200, NODE.api().get("/api/teams/" + teamId + "/projects", token));

    expect(204, NODE.api().delete(tokens() + "/" + created.getString("id"), ada.token()));

    assertEquals("unauthenticated", expect(401, NODE.api().get("/api/teams/" + teamId + "/projects", token))
        .errorCode());
    JsonObject listed = expect(200, NODE.api().get(tokens(), ada.token())).array().getJsonObject(0);
    assertNotNull(listed.getString("revokedAt"));
    JsonArray members = expect(200, NODE.api().get("/api/teams/" + teamId + "/members", ada.token())).array();
    assertFalse(members.encode().contains(created.getString("userId")), "it left the team");
    expect(204, NODE.api().delete(tokens() + "/" + created.getString("id"), ada.token()));
    assertEquals("not_found", expect(404, NODE.api().delete(tokens() + "/" + java.util.UUID.randomUUID(),
        ada.token())).errorCode());
  }
}
