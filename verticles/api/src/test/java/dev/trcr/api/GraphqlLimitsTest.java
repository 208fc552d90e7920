package dev.trcr.api;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.trcr.api.GraphqlClient.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits of GraphQL on a node configured tighter than the defaults (depth 5, a small rate limit, no GraphiQL):
 * refused before any resolver runs, with machine codes; introspection is exempt from the depth limit.
 */
class GraphqlLimitsTest {

  private static Node node;
  private static Vertx clientVertx;
  private static Api api;
  private static GraphqlClient graphql;
  private static Session ada;
  private static String team;
  private static final Map<String, AtomicInteger> sent = new ConcurrentHashMap<>();

  @BeforeAll
  static void startNode() {
    node = TestNodes.start(TestNodes.config()
        .put("TRCR_GRAPHQL_MAX_DEPTH", 5)
        .put("TRCR_GRAPHIQL", false)
        .put("TRCR_GRAPHQL_MAX_SUBSCRIPTIONS", 2)
        .put("TRCR_RATE_LIMIT_PER_SECOND", 1)
        .put("TRCR_RATE_LIMIT_BURST", 30));
    node.vertx().eventBus().addOutboundInterceptor(ctx -> {
      sent.computeIfAbsent(ctx.message().address(), a -> new AtomicInteger()).incrementAndGet();
      ctx.next();
    });
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, node.httpPort());
    graphql = new GraphqlClient(api);
    ada = api.signup("Ada");
    team = api.createTeam(ada, "Acme");
  }

  @AfterAll
  static void stopNode() {
    api.close();
    clientVertx.close().await();
    node.close().await();
  }

  @Test
  void aQueryDeeperThanTheLimitIsRefusedBeforeAnyCommand() {
    sent.clear();
    Response r = graphql.post(ada.token(), "{ me { teams { projects { board { columns { name } } } } } }", null);
    assertEquals(200, r.status(), r.toString());
    assertNull(r.json().getValue("data"), r.toString());
    JsonObject error = r.json().getJsonArray("errors").getJsonObject(0);
    assertEquals("query_too_deep", code(error), r.toString());
    assertTrue(error.getString("message").contains("5"), error.encode());
    assertNull(sent.get("workspace.me"), "nothing was asked of the domains: " + sent);

    assertNotNull(graphql.data(ada.token(), "{ me { teams { projects { name } } } }", null).getJsonObject("me"),
        "five levels are allowed");
  }

  @Test
  void introspectionIsNotLimitedByDepth() {
    JsonObject schema = graphql.data(ada.token(), """
        query IntrospectionQuery { __schema { queryType { name } types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }""",
        null).getJsonObject("__schema");
    assertEquals("Query", schema.getJsonObject("queryType").getString("name"));
  }

  @Test
  void aQuerySelectingTooManyItemsIsRefusedAsTooComplex() {
    StringBuilder query = new StringBuilder("query($t: ID!) {");
    for (int i = 0; i < 6; i++) {
      query.append(" a").append(i).append(": timeEntries(teamId: $t, first: 200) { edges { node { id description startedAt } } }");
    }
    query.append(" }");
    sent.clear();
    JsonObject error = graphql.error(ada.token(), query.toString(), new JsonObject().put("t", team));
    assertEquals("query_too_complex", code(error), error.encode());
    assertTrue(error.getString("message").contains("5000"), error.encode());
    assertNull(sent.get("timers.entries.list"), "nothing was asked of the domains: " + sent);

    // One such page is within the limit.
    assertNotNull(graphql.data(ada.token(), "query($t: ID!) { timeEntries(teamId: $t, first: 200) { edges { node { id } } } }",
        new JsonObject().put("t", team)));
  }

  @Test
  void graphqlRequestsDrawFromTheCallersRateLimit() {
    Session busy = api.signup("Busy");
    Response limited = null;
    for (int i = 0; i < 40 && limited == null; i++) {
      Response r = graphql.post(busy.token(), "{ me { id } }", null);
      if (r.status() == 429) {
        limited = r;
      } else {
        assertEquals(200, r.status(), r.toString());
      }
    }
    assertNotNull(limited, "40 requests at once stayed under a burst of 30");
    assertEquals("rate_limited", code(limited.json().getJsonArray("errors").getJsonObject(0)));
    assertNotNull(limited.header("Retry-After"));
    assertEquals(429, api.get("/api/me", busy.token()).status(), "REST and GraphQL share the bucket");
  }

  @Test
  void eachRootFieldCountsAsOneRequest() {
    Session greedy = api.signup("Greedy");
    StringBuilder query = new StringBuilder("{");
    for (int i = 0; i < 35; i++) {
      query.append(" m").append(i).append(": me { id }");
    }
    query.append(" }");
    sent.clear();
    JsonObject error = graphql.error(greedy.token(), query.toString(), null);
    assertEquals("rate_limited", code(error), error.encode());
    assertNull(sent.get("workspace.me"), "nothing was asked of the domains: " + sent);
  }

  @Test
  void aSocketHoldsAtMostTheConfiguredSubscriptions() {
    Session owner = api.signup("Sam");
    String ownTeam = api.createTeam(owner, "Subs");
    String ownProject = api.createProject(owner, ownTeam, "P");
    String query = "subscription($t: ID!) { timerEvents(teamId: $t) { type } }";
    JsonObject vars = new JsonObject().put("t", ownTeam);
    try (GraphqlClient.Socket socket = GraphqlClient.Socket.connect(clientVertx, node.httpPort()).init(owner.token())) {
      socket.subscribe("a", query, vars);
      socket.subscribe("b", query, vars);
      socket.subscribe("c", query, vars);
      JsonObject refused = socket.nextMatching(m -> "c".equals(m.getString("id")), 5_000);
      assertEquals("error", refused.getString("type"), refused.encode());
      assertEquals("rate_limited", refused.getJsonArray("payload").getJsonObject(0).getJsonObject("extensions")
          .getString("code"));

      // Once "a" is live (its access check answered), completing it frees its place at once.
      JsonObject live = null;
      for (int i = 0; i < 20 && live == null; i++) {
        Api.expect(201, api.startTimer(owner, ownTeam, ownProject));
        live = socket.nextMatching(m -> "a".equals(m.getString("id")), 250);
      }
      assertNotNull(live, "subscription a is live");
      socket.complete("a");
      socket.subscribe("d", query, vars);
      JsonObject event = null;
      for (int i = 0; i < 20 && event == null; i++) {
        Api.expect(201, api.startTimer(owner, ownTeam, ownProject));
        event = socket.nextMatching(m -> "d".equals(m.getString("id")), 250);
      }
      assertNotNull(event, "a completed subscription frees its place");
      assertEquals("next", event.getString("type"), event.encode());
    }
  }

  @Test
  void aSubscriptionThatDoesNotValidateIsAnsweredWithItsErrors() {
    try (GraphqlClient.Socket socket = GraphqlClient.Socket.connect(clientVertx, node.httpPort()).init(ada.token())) {
      socket.subscribe("bad", "subscription { timerEvents(teamId: \"x\") { nope } }", null);
      JsonObject answer = socket.nextMatching(m -> "bad".equals(m.getString("id")), 5_000);
      assertNotNull(answer);
      assertEquals("next", answer.getString("type"), answer.encode());
      assertEquals("invalid_query", answer.getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
          .getJsonObject("extensions").getString("code"));
      assertEquals("complete", socket.nextMatching(m -> "bad".equals(m.getString("id")), 5_000).getString("type"));

      socket.send(new JsonObject().put("type", "no-such-type"));
      assertEquals(4400, socket.awaitClose(5_000), "an unknown message type closes the socket (graphql-transport-ws)");
    }
    assertEquals(200, api.get("/health", null).status());
  }

  @Test
  void graphiqlCanBeTurnedOff() {
    assertEquals(404, api.get("/graphiql/", null).status());
  }
}
