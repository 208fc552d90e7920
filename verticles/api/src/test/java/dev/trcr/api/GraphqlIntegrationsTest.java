package dev.trcr.api;

import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.Await;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static dev.trcr.api.GraphqlClient.code;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The integrations and operations commands over GraphQL on one node: webhooks (with their deliveries to a real
 * receiver on 127.0.0.1, the one host allowed), git integrations, service tokens (minted and revoked by the api, as over
 * REST) and the audit log, each for owners and admins only.
 */
class GraphqlIntegrationsTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
      .put("TRCR_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1").put("TRCR_INTEGRATIONS_POLL_MS", 100));

  private Api api;
  private GraphqlClient graphql;
  private Session owner;
  private String team;
  private HttpServer receiver;
  private final List<JsonObject> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void team() {
    api = NODE.api();
    graphql = new GraphqlClient(api);
    owner = api.signup("Olga");
    team = api.createTeam(owner, "Acme");
    receiver = NODE.clientVertx().createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      received.add(new JsonObject().put("event", request.getHeader("X-Trcr-Event"))
          .put("signature", request.getHeader("X-Trcr-Signature")).put("body", body.toString()));
      request.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void closeReceiver() {
    receiver.close().await();
  }

  private String receiverUrl() {
    return "http://127.0.0.1:" + receiver.actualPort() + "/hook";
  }

  private static JsonObject vars(Object... pairs) {
    JsonObject v = new JsonObject();
    for (int i = 0; i < pairs.length; i += 2) {
      v.put((String) pairs[i], pairs[i + 1]);
    }
    return v;
  }

  /** The team's selection {@code fields} as the owner sees it. */
  private JsonObject team(String token, String fields, JsonObject variables) {
    return graphql.data(token, "query($id: ID!" + declarations(variables) + ") { team(id: $id) { " + fields + " } }",
        variables.copy().put("id", team)).getJsonObject("team");
  }

  private static String declarations(JsonObject variables) {
    StringBuilder out = new StringBuilder();
    variables.forEach(e -> out.append(", $").append(e.getKey()).append(": ").append(switch (e.getKey()) {
      case "first" -> "Int";
      case "w" -> "ID!";
      case "actor" -> "ID";
      default -> "String";
    }));
    return out.toString();
  }

  /** Polls until {@code value} is not null, for the outcomes the integrations verticle produces asynchronously. */
  private static <T> T eventually(Supplier<T> value, String what) {
    return Await.awaitValue(value, what, 20_000);
  }

  private static final String CREATE_WEBHOOK = """
      mutation($t: ID!, $url: String!, $events: [String!]!) { createWebhook(teamId: $t, url: $url, events: $events) {
        secret webhook { id teamId url events enabled consecutiveFailures createdBy } } }""";

  @Test
  void webhooksAreCreatedListedUpdatedAndDeletedAndShowTheirSecretOnce() {
    assertEquals("url_not_allowed", code(graphql.error(owner.token(), CREATE_WEBHOOK,
        vars("t", team, "url", "http://10.0.0.1/hook", "events", new JsonArray().add("*")))));

    JsonObject created = graphql.data(owner.token(), CREATE_WEBHOOK, vars("t", team, "url", receiverUrl(),
        "events", new JsonArray().add("timer.started"))).getJsonObject("createWebhook");
    String secret = created.getString("secret");
    assertNotNull(secret);
    JsonObject hook = created.getJsonObject("webhook");
    assertEquals(receiverUrl(), hook.getString("url"));
    assertEquals(new JsonArray().add("timer.started"), hook.getJsonArray("events"));
    assertTrue(hook.getBoolean("enabled"));
    assertEquals(owner.id(), hook.getString("createdBy"));
    String id = hook.getString("id");

    // The secret is no field of Webhook: it cannot be read again.
    assertEquals("invalid_query", code(graphql.error(owner.token(),
        "query($id: ID!) { team(id: $id) { webhooks { secret } } }", vars("id", team))));
    JsonArray listed = team(owner.token(), "webhooks { id url enabled }", new JsonObject()).getJsonArray("webhooks");
    assertEquals(1, listed.size());
    assertEquals(id, listed.getJsonObject(0).getString("id"));

    String update = """
        mutation($t: ID!, $w: ID!, $events: [String!], $enabled: Boolean) {
          updateWebhook(teamId: $t, webhookId: $w, events: $events, enabled: $enabled) { id url events enabled } }""";
    JsonArray timerEvents = new JsonArray().add("timer.started").add("timer.stopped");
    JsonObject paused = graphql.data(owner.token(), update, vars("t", team, "w", id,
        "events", timerEvents, "enabled", false)).getJsonObject("updateWebhook");
    assertEquals(new JsonObject().put("id", id).put("url", receiverUrl()).put("events", timerEvents)
        .put("enabled", false), paused);
    assertTrue(graphql.data(owner.token(), update, vars("t", team, "w", id, "enabled", true))
        .getJsonObject("updateWebhook").getBoolean("enabled"));
    assertEquals("url_not_allowed", code(graphql.error(owner.token(), """
        mutation($t: ID!, $w: ID!) { updateWebhook(teamId: $t, webhookId: $w, url: "http://192.168.1.1/x") { id } }""",
        vars("t", team, "w", id))));

    // A timer started and stopped: its events reach the receiver, and the deliveries are listed, in pages.
    String project = api.createProject(owner, team, "Website");
    expect(201, api.startTimer(owner, team, project));
    expect(200, api.post("/api/teams/" + team + "/timer/stop", owner.token(), new JsonObject()));
    String deliveries = "webhook(id: $w) { deliveries(first: $first, after: $after) { "
        + "edges { cursor node { id event status attempts responseCode deliveredAt } } pageInfo { hasNextPage endCursor } } }";
    JsonObject all = eventually(() -> {
      JsonObject page = team(owner.token(), deliveries, vars("w", id, "first", 50, "after", null))
          .getJsonObject("webhook").getJsonObject("deliveries");
      List<JsonObject> nodes = nodes(page);
      boolean done = nodes.size() == 2 && nodes.stream().allMatch(n -> "delivered".equals(n.getString("status")));
      return done ? page : null;
    }, "the timer's two deliveries, delivered");
    assertEquals(List.of("timer.stopped", "timer.started"), nodes(all).stream().map(n -> n.getString("event")).toList());
    assertFalse(all.getJsonObject("pageInfo").getBoolean("hasNextPage"));
    JsonObject started = nodes(all).stream().filter(n -> "timer.started".equals(n.getString("event"))).findFirst()
        .orElseThrow();
    assertEquals(204, started.getInteger("responseCode"));
    assertEquals(1, started.getInteger("attempts"));
    // Signed with the secret the create payload showed: it was the webhook's real secret.
    JsonObject delivered = received.stream().filter(r -> "timer.started".equals(r.getString("event"))).findFirst()
        .orElseThrow(() -> new AssertionError("the receiver got no timer.started: " + received));
    assertEquals(signature(secret, delivered.getString("signature"), delivered.getString("body")),
        delivered.getString("signature"));

    JsonObject first = team(owner.token(), deliveries, vars("w", id, "first", 1, "after", null))
        .getJsonObject("webhook").getJsonObject("deliveries");
    assertTrue(first.getJsonObject("pageInfo").getBoolean("hasNextPage"));
    String cursor = first.getJsonObject("pageInfo").getString("endCursor");
    assertEquals(cursor, first.getJsonArray("edges").getJsonObject(0).getString("cursor"));
    JsonObject second = team(owner.token(), deliveries, vars("w", id, "first", 1, "after", cursor))
        .getJsonObject("webhook").getJsonObject("deliveries");
    assertEquals(nodes(all).get(1).getString("id"), nodes(second).get(0).getString("id"));
    assertNotEquals(nodes(first).get(0).getString("id"), nodes(second).get(0).getString("id"));

    assertEquals(id, graphql.data(owner.token(), """
        mutation($t: ID!, $w: ID!) { deleteWebhook(teamId: $t, webhookId: $w) }""", vars("t", team, "w", id))
        .getString("deleteWebhook"));
    assertEquals(new JsonArray(), team(owner.token(), "webhooks { id }", new JsonObject()).getJsonArray("webhooks"));
    assertEquals("webhook_not_found", code(graphql.error(owner.token(),
        "query($id: ID!, $w: ID!) { team(id: $id) { webhook(id: $w) { id } } }", vars("id", team, "w", id))));
  }

  /** {@code t=<unix>,v1=<hex HMAC-SHA256 of t + "." + body>}, with the {@code t} of the header received. */
  private static String signature(String secret, String header, String body) {
    String t = header.substring(2, header.indexOf(','));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static List<JsonObject> nodes(JsonObject connection) {
    return connection.getJsonArray("edges").stream().map(e -> ((JsonObject) e).getJsonObject("node")).toList();
  }

  @Test
  void gitIntegrationsAreCreatedWithTheirSecretOnceListedAndDeleted() {
    String channel = api.get("/api/teams/" + team + "/channels", owner.token()).array().getJsonObject(0)
        .getString("id");
    JsonObject created = graphql.data(owner.token(), """
        mutation($t: ID!, $c: ID) { createGitIntegration(teamId: $t, provider: github, channelId: $c) {
          secret integration { id provider channelId webhookUrl createdAt } } }""", vars("t", team, "c", channel))
        .getJsonObject("createGitIntegration");
    assertNotNull(created.getString("secret"));
    JsonObject integration = created.getJsonObject("integration");
    String id = integration.getString("id");
    assertEquals("github", integration.getString("provider"));
    assertEquals(channel, integration.getString("channelId"));
    assertTrue(integration.getString("webhookUrl").endsWith("/hooks/git/" + id), integration.encode());

    JsonArray listed = team(owner.token(), "gitIntegrations { id provider webhookUrl lastDeliveryAt }",
        new JsonObject()).getJsonArray("gitIntegrations");
    assertEquals(new JsonArray().add(new JsonObject().put("id", id).put("provider", "github")
        .put("webhookUrl", integration.getString("webhookUrl")).putNull("lastDeliveryAt")), listed);

    assertEquals(id, graphql.data(owner.token(), """
        mutation($t: ID!, $g: ID!) { deleteGitIntegration(teamId: $t, integrationId: $g) }""",
        vars("t", team, "g", id)).getString("deleteGitIntegration"));
    assertEquals(new JsonArray(), team(owner.token(), "gitIntegrations { id }", new JsonObject())
        .getJsonArray("gitIntegrations"));
  }

  @Test
  void aServiceTokenWorksOnRestUntilItIsRevoked() {
    JsonObject created = graphql.data(owner.token(), """
        mutation($t: ID!) { createServiceToken(teamId: $t, name: "Relay", role: member) {
          token serviceToken { id name role userId createdBy revokedAt } } }""", vars("t", team))
        .getJsonObject("createServiceToken");
    String token = created.getString("token");
    JsonObject account = created.getJsonObject("serviceToken");
    assertEquals("Relay", account.getString("name"));
    assertEquals("member", account.getString("role"));
    assertEquals(owner.id(), account.getString("createdBy"));
    assertNull(account.getString("revokedAt"));
    expect(200, api.get("/api/teams/" + team + "/projects", token));

    JsonArray listed = team(owner.token(), "serviceTokens { id name revokedAt }", new JsonObject())
        .getJsonArray("serviceTokens");
    assertEquals(new JsonArray().add(new JsonObject().put("id", account.getString("id")).put("name", "Relay")
        .putNull("revokedAt")), listed);

    assertEquals(account.getString("id"), graphql.data(owner.token(), """
        mutation($t: ID!, $s: ID!) { revokeServiceToken(teamId: $t, tokenId: $s) }""",
        vars("t", team, "s", account.getString("id"))).getString("revokeServiceToken"));
    assertEquals("unauthenticated", expect(401, api.get("/api/teams/" + team + "/projects", token)).errorCode());
    assertNotNull(team(owner.token(), "serviceTokens { revokedAt }", new JsonObject()).getJsonArray("serviceTokens")
        .getJsonObject(0).getString("revokedAt"));
  }

  private static final String AUDIT = "audit(from: $from, to: $to, actorId: $actor, entity: $entity, first: $first, "
      + "after: $after) { edges { cursor node { id at actorId actor { id name } actorName origin requestId entity "
      + "entityId action changes } } pageInfo { hasNextPage endCursor } }";

  private JsonObject audit(JsonObject filters) {
    JsonObject v = vars("from", null, "to", null, "actor", null, "entity", null, "first", 50, "after", null);
    return team(owner.token(), AUDIT, v.mergeIn(filters)).getJsonObject("audit");
  }

  @Test
  void theAuditLogIsReadWithFiltersAndPagesAndNamesGraphqlAsTheOrigin() {
    for (String name : List.of("Alpha", "Beta", "Gamma")) {
      api.createProject(owner, team, name);
    }
    String hook = graphql.data(owner.token(), CREATE_WEBHOOK, vars("t", team, "url", receiverUrl(),
        "events", new JsonArray().add("*"))).getJsonObject("createWebhook").getJsonObject("webhook").getString("id");

    JsonObject webhookEntry = eventually(() -> nodes(audit(vars("entity", "webhook"))).stream()
        .filter(n -> hook.equals(n.getString("entityId"))).findFirst().orElse(null), "the webhook's audit entry");
    assertEquals("created", webhookEntry.getString("action"));
    assertEquals("graphql", webhookEntry.getString("origin"));
    assertNotNull(webhookEntry.getString("requestId"));
    assertEquals(new JsonObject().put("id", owner.id()).put("name", "Olga"), webhookEntry.getJsonObject("actor"));
    assertEquals(receiverUrl(), webhookEntry.getJsonObject("changes").getJsonObject("url").getString("after"));
    assertFalse(webhookEntry.getJsonObject("changes").encode().contains("whsec"), webhookEntry.encode());

    // Projects over REST: three entries of their own, in pages of two.
    eventually(() -> nodes(audit(vars("entity", "project"))).size() == 3 ? true : null, "the projects' entries");
    JsonObject first = audit(vars("entity", "project", "first", 2));
    assertEquals(2, nodes(first).size());
    assertTrue(first.getJsonObject("pageInfo").getBoolean("hasNextPage"));
    assertTrue(nodes(first).stream().allMatch(n -> "rest".equals(n.getString("origin"))));
    JsonObject second = audit(vars("entity", "project", "first", 2,
        "after", first.getJsonObject("pageInfo").getString("endCursor")));
    assertEquals(1, nodes(second).size());
    assertFalse(second.getJsonObject("pageInfo").getBoolean("hasNextPage"));
    assertEquals("Alpha", nodes(second).get(0).getJsonObject("changes").getJsonObject("name").getString("after"));
    // Any edge's cursor continues after its entry.
    JsonObject afterFirstEdge = audit(vars("entity", "project", "first", 1,
        "after", first.getJsonArray("edges").getJsonObject(0).getString("cursor")));
    assertEquals(nodes(first).get(1).getString("id"), nodes(afterFirstEdge).get(0).getString("id"));

    assertEquals(4, nodes(audit(vars("actor", owner.id()))).stream()
        .filter(n -> List.of("project", "webhook").contains(n.getString("entity"))).count());
    assertEquals(new JsonArray(), audit(vars("from", "2999-01-01T00:00:00Z")).getJsonArray("edges"));
    assertEquals("validation_failed", code(graphql.error(owner.token(),
        "query($id: ID!) { team(id: $id) { audit(entity: \"spaceship\") { edges { cursor } } } }", vars("id", team))));
    // A page of 1000 multiplies what it selects: over the complexity limit before any command is sent.
    assertEquals("query_too_complex", code(graphql.error(owner.token(),
        "query($id: ID!) { team(id: $id) { audit(first: 1000) { edges { cursor node { id at entity action origin } } } } }",
        vars("id", team))));
  }

  @Test
  void membersAreForbiddenAndOutsidersDoNotSeeTheTeam() {
    Session member = api.signup("Mia");
    Session outsider = api.signup("Otto");
    api.addMember(owner, team, member, "member");
    for (String field : List.of("webhooks { id }", "gitIntegrations { id }", "serviceTokens { id }",
        "audit { edges { cursor } }")) {
      String query = "query($id: ID!) { team(id: $id) { " + field + " } }";
      assertEquals("forbidden", code(graphql.error(member.token(), query, vars("id", team))), field);
      assertEquals("team_not_found", code(graphql.error(outsider.token(), query, vars("id", team))), field);
    }
    String createToken = "mutation($t: ID!) { createServiceToken(teamId: $t, name: \"Relay\") { token } }";
    String createHook = "mutation($t: ID!, $url: String!) { createWebhook(teamId: $t, url: $url, events: [\"*\"]) { secret } }";
    String createGit = "mutation($t: ID!) { createGitIntegration(teamId: $t, provider: gitlab) { secret } }";
    for (String mutation : List.of(createToken, createHook, createGit)) {
      JsonObject v = vars("t", team);
      if (mutation.contains("$url")) {
        v.put("url", receiverUrl());
      }
      assertEquals("forbidden", code(graphql.error(member.token(), mutation, v)), mutation);
      assertEquals("team_not_found", code(graphql.error(outsider.token(), mutation, v)), mutation);
    }
    assertEquals(new JsonArray(), team(owner.token(), "webhooks { id } gitIntegrations { id } serviceTokens { id }",
        new JsonObject()).getJsonArray("webhooks"));
  }
}
