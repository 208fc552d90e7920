package dev.trcr.workspace;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * What billing needs from the workspace: projects linked to clients, per-member rates, the team's directory. Billing
 * itself is not deployed here: a stand-in answers {@code billing.clients.check} with the clients a test registers.
 */
class ProjectBillingTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_VERTICLES", "workspace,api"));

  /** clientId → currency, per the stand-in billing. */
  private static final Map<String, String> CLIENTS = new ConcurrentHashMap<>();

  private Session owner;
  private Session member;
  private String teamId;
  private String projectId;

  @BeforeAll
  static void fakeBillingClients() {
    NODE.node().vertx().eventBus().<JsonObject>consumer(Address.BILLING_CLIENTS_CHECK.address(), m -> {
      String currency = CLIENTS.get(m.body().getString("clientId"));
      if (currency == null) {
        m.fail(404, new JsonObject().put("error", new JsonObject().put("code", "client_not_found")
            .put("message", "no such client in this team")).encode());
      } else {
        m.reply(new JsonObject().put("id", m.body().getString("clientId")).put("name", "Globex").put("currency", currency));
      }
    }).completion().await();
  }

  @BeforeEach
  void team() {
    owner = NODE.api().signup("Olga Owner");
    member = NODE.api().signup("Max Member");
    teamId = NODE.api().createTeam(owner, "Acme");
    NODE.api().addMember(owner, teamId, member, "member");
    projectId = NODE.api().createProject(owner, teamId, "Website");
  }

  private String project() {
    return "/api/teams/" + teamId + "/projects/" + projectId;
  }

  @Test
  void aProjectIsLinkedToAClientOfItsCurrencyAndUnlinkedWithNull() {
    String client = UUID.randomUUID().toString();
    CLIENTS.put(client, "EUR");
    JsonObject linked = expect(200, NODE.api().patch(project(), owner.token(), new JsonObject().put("clientId", client)
        .put("hourlyRate", "95.50"))).json();
    assertEquals(client, linked.getString("clientId"));
    assertEquals("95.50", linked.getString("hourlyRate"));
    JsonArray billed = Bus.<JsonArray>request(NODE.node().vertx(), Address.WORKSPACE_PROJECTS_BILLING,
        new JsonObject().put("teamId", teamId).put("clientId", client), null).await();
    assertEquals(1, billed.size());
    assertEquals(projectId, billed.getJsonObject(0).getString("id"));

    JsonObject unlinked = expect(200,
        NODE.api().patch(project(), owner.token(), new JsonObject().putNull("clientId"))).json();
    assertNull(unlinked.getString("clientId"));
    assertEquals("95.50", unlinked.getString("hourlyRate"), "fields not given stay");
  }

  @Test
  void linkingRefusesUnknownClientsAndOtherCurrencies() {
    assertEquals("client_not_found", expect(404, NODE.api().patch(project(), owner.token(),
        new JsonObject().put("clientId", UUID.randomUUID().toString()))).errorCode());
    String dollars = UUID.randomUUID().toString();
    CLIENTS.put(dollars, "USD");
    assertEquals(ErrorCode.CURRENCY_MISMATCH.code(), expect(422, NODE.api().patch(project(), owner.token(),
        new JsonObject().put("clientId", dollars))).errorCode());
    assertEquals("forbidden", expect(403, NODE.api().patch(project(), member.token(),
        new JsonObject().put("name", "Mine"))).errorCode());
    assertEquals("validation_failed",
        expect(400, NODE.api().patch(project(), owner.token(), new JsonObject())).errorCode());
    assertEquals("validation_failed", expect(400, NODE.api().patch(project(), owner.token(),
        new JsonObject().put("hourlyRate", "1.234"))).errorCode());
    assertEquals("project_not_found", expect(404, NODE.api().patch("/api/teams/" + teamId + "/projects/"
        + UUID.randomUUID(), owner.token(), new JsonObject().put("name", "X"))).errorCode());
  }

  @Test
  void aMembersOwnRateOverridesTheProjectsAndCanBeRemoved() {
    String client = UUID.randomUUID().toString();
    CLIENTS.put(client, "EUR");
    expect(200,
        NODE.api().patch(project(), owner.token(), new JsonObject().put("clientId", client).put("hourlyRate", 100)));
    String rate = project() + "/rates/" + member.id();
    JsonObject set = expect(200, NODE.api().call(HttpMethod.PUT, rate, owner.token(),
        new JsonObject().put("hourlyRate", "120"))).json();
    assertEquals("120.00", set.getString("hourlyRate"));
    JsonArray rates = expect(200, NODE.api().get(project() + "/rates", owner.token())).array();
    assertEquals(1, rates.size());
    JsonObject billed = Bus.<JsonArray>request(NODE.node().vertx(), Address.WORKSPACE_PROJECTS_BILLING,
        new JsonObject().put("teamId", teamId).put("clientId", client), null).await().getJsonObject(0);
    assertEquals("100.00", billed.getString("hourlyRate"));
    assertEquals("120.00", billed.getJsonObject("rates").getString(member.id()));

    expect(200, NODE.api().call(HttpMethod.PUT, rate, owner.token(), new JsonObject().putNull("hourlyRate")));
    assertEquals(0, expect(200, NODE.api().get(project() + "/rates", owner.token())).array().size());

    assertEquals("forbidden", expect(403, NODE.api().call(HttpMethod.PUT, rate, member.token(),
        new JsonObject().put("hourlyRate", "500"))).errorCode());
    assertEquals("user_not_found",
        expect(404, NODE.api().call(HttpMethod.PUT, project() + "/rates/" + UUID.randomUUID(),
        owner.token(), new JsonObject().put("hourlyRate", "50"))).errorCode());
    assertEquals("validation_failed", expect(400, NODE.api().call(HttpMethod.PUT, rate, owner.token(),
        new JsonObject().put("hourlyRate", "-1"))).errorCode());
    assertEquals("validation_failed", expect(400, NODE.api().call(HttpMethod.PUT, rate, owner.token(),
        new JsonObject())).errorCode());
  }

  @Test
  void theDirectoryListsTheTeamWithEmailsAndRoles() {
    JsonObject directory = Bus.<JsonObject>request(NODE.node().vertx(), Address.WORKSPACE_DIRECTORY,
        new JsonObject().put("teamId", teamId), null).await();
    assertEquals("Acme", directory.getJsonObject("team").getString("name"));
    assertEquals(2, directory.getJsonArray("members").size());
    JsonObject max = directory.getJsonArray("members").stream().map(JsonObject.class::cast)
        .filter(m -> m.getString("id").equals(member.id())).findFirst().orElseThrow();
    assertEquals(member.email(), max.getString("email"));
    assertEquals("member", max.getString("role"));
  }
}
