package dev.trcr.security;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.TestNodes;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every HTTP response of the api and the bridge carries, who may call the API cross-origin, and what errors never
 * reveal. Two real nodes: the default one, and one with {@code TRCR_ALLOWED_ORIGINS} set.
 */
class HttpHardeningTest {

  private static final String ALLOWED = "https://app.example.com";

  private static Node node;
  private static Node corsNode;
  private static Vertx clientVertx;
  private static Api api;
  private static Api bridgeHttp;
  private static Api corsApi;

  @BeforeAll
  static void startNodes() {
    node = TestNodes.start(TestNodes.config());
    corsNode = TestNodes.start(TestNodes.config().put("TRCR_VERTICLES", "workspace,api")
        .put("TRCR_ALLOWED_ORIGINS", ALLOWED));
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, node.httpPort());
    bridgeHttp = new Api(clientVertx, node.bridgePort());
    corsApi = new Api(clientVertx, corsNode.httpPort());
  }

  @AfterAll
  static void stopNodes() {
    api.close();
    bridgeHttp.close();
    corsApi.close();
    clientVertx.close().await();
    node.close().await();
    corsNode.close().await();
  }

  private static void assertHardened(String what, Api.Response r) {
    assertEquals("nosniff", r.header("X-Content-Type-Options"), what);
    assertEquals("DENY", r.header("X-Frame-Options"), what);
    assertEquals("no-referrer", r.header("Referrer-Policy"), what);
    String csp = r.header("Content-Security-Policy");
    assertTrue(csp != null && csp.contains("frame-ancestors 'none'"), what + ": " + csp);
    assertNull(r.header("Server"), what + " names its server");
  }

  @Test
  void everyResponseOfTheApiAndTheBridgeCarriesTheSecurityHeaders() {
    Session ada = api.signup("Ada");
    assertHardened("GET /", expect(200, api.get("/", null)));
    assertHardened("GET /vendor/vertx-eventbus.js", expect(200, api.get("/vendor/vertx-eventbus.js", null)));
    assertHardened("GET /config.json", expect(200, api.get("/config.json", null)));
    assertHardened("GET /health", expect(200, api.get("/health", null)));
    assertHardened("GET /api/me", expect(200, api.get("/api/me", ada.token())));
    assertHardened("401", expect(401, api.get("/api/me", null)));
    assertHardened("404 file", expect(404, api.get("/missing.txt", null)));
    assertHardened("404 api", expect(404, api.get("/api/nothing-here", ada.token())));
    assertHardened("405", expect(405, api.call(HttpMethod.PUT, "/api/me", ada.token(), new JsonObject())));
    assertHardened("400", expect(400, api.post("/api/auth/signup", null, Buffer.buffer("{nope"))));
    assertHardened("413", expect(413, api.post("/api/teams", ada.token(), Buffer.buffer("x".repeat(1_100_000)))));
    assertHardened("bridge /health", expect(200, bridgeHttp.get("/health", null)));
    assertHardened("bridge /eventbus/info", expect(200, bridgeHttp.get("/eventbus/info", null)));
    assertHardened("bridge 404", expect(404, bridgeHttp.get("/elsewhere", null)));
  }

  @Test
  void theAppPageMayLoadOnlyItsOwnCodeAndConnectToTheBridgeItIsToldAbout() {
    String bridgeUrl = expect(200, api.get("/config.json", null)).json().getString("bridgeUrl");
    String origin = bridgeUrl.substring(0, bridgeUrl.indexOf("/eventbus"));
    String csp = expect(200, api.get("/", null)).header("Content-Security-Policy");
    String connect = directive(csp, "connect-src");
    assertTrue(connect.contains(origin), csp);
    assertTrue(connect.contains(origin.replace("http:", "ws:")), csp);
    assertEquals("'self'", directive(csp, "script-src"), "no inline or foreign scripts");
    assertEquals("'none'", directive(csp, "object-src"));
  }

  private static String directive(String csp, String name) {
    for (String part : csp.split(";")) {
      String p = part.strip();
      if (p.startsWith(name + " ")) {
        return p.substring(name.length() + 1);
      }
    }
    throw new AssertionError(name + " missing in " + csp);
  }

  @Test
  void onlyConfiguredOriginsMayCallTheApiCrossOrigin() {
    Session ada = corsApi.signup("Ada");
    MultiMap allowed = MultiMap.caseInsensitiveMultiMap().add("Origin", ALLOWED);
    Api.Response ok = corsApi.call(HttpMethod.GET, "/api/me", ada.token(), null, allowed);
    assertEquals(200, ok.status(), ok.toString());
    assertEquals(ALLOWED, ok.header("Access-Control-Allow-Origin"));

    Api.Response preflight = corsApi.call(HttpMethod.OPTIONS, "/api/teams", null, null, MultiMap.caseInsensitiveMultiMap()
        .add("Origin", ALLOWED).add("Access-Control-Request-Method", "POST")
        .add("Access-Control-Request-Headers", "authorization,content-type"));
    assertTrue(preflight.status() == 200 || preflight.status() == 204, preflight.toString());
    assertEquals(ALLOWED, preflight.header("Access-Control-Allow-Origin"));

    MultiMap foreign = MultiMap.caseInsensitiveMultiMap().add("Origin", "https://evil.example");
    assertNull(corsApi.call(HttpMethod.GET, "/api/me", ada.token(), null, foreign).header("Access-Control-Allow-Origin"));
    Session bob = api.signup("Bob");
    Api.Response byDefault = api.call(HttpMethod.GET, "/api/me", bob.token(), null, foreign);
    assertNull(byDefault.header("Access-Control-Allow-Origin"), "without TRCR_ALLOWED_ORIGINS there is no CORS");
    assertNull(api.call(HttpMethod.GET, "/api/me", bob.token(), null,
        MultiMap.caseInsensitiveMultiMap().add("Origin", ALLOWED)).header("Access-Control-Allow-Origin"));
  }

  @Test
  void errorsNeverCarryStackTracesOrSql() {
    Session ada = api.signup("Ada");
    String team = api.createTeam(ada, "Acme");
    String injection = "x' OR 1=1; DROP TABLE users; --";
    List<Api.Response> failures = new ArrayList<>();
    failures.add(api.post("/api/auth/signup", null, Buffer.buffer("{\"email\":")));
    failures.add(api.post("/api/auth/signup", null, Buffer.buffer("[1,2,3]")));
    failures.add(api.post("/api/auth/signup", null, new JsonObject().put("email", injection).put("password", 12)));
    failures.add(api.post("/api/auth/login", null, new JsonObject().put("email", "a@b.co").put("password", injection)));
    // PostgreSQL refuses NUL in text: it is refused as input, before any SQL could fail on it.
    failures.add(api.post("/api/teams", ada.token(), new JsonObject().put("name", "Nul\u0000Team")));
    failures.add(api.post("/api/teams/" + team + "/projects", ada.token(),
        new JsonObject().put("name", "Nul\u0000Project")));
    failures.add(api.post("/api/teams/" + team + "/projects", ada.token(),
        new JsonObject().put("name", "Big").put("hourlyRate", "1e999999999")));
    failures.add(api.get("/api/teams/" + team + "/time-entries?from=yesterday&limit=many", ada.token()));
    failures.add(api.get("/api/teams/not-a-uuid/members", ada.token()));
    failures.add(api.get("/api/teams/" + UUID.randomUUID() + "/members", ada.token()));
    failures.add(api.post("/api/teams", ada.token(), Buffer.buffer("x".repeat(1_100_000))));
    failures.add(api.get("/api/me", "eyJhbGciOiJIUzI1NiJ9.e30.bad"));
    failures.add(api.post("/api/auth/signup", null, new JsonObject().put("email", "nul\u0000@example.com")
        .put("password", "correct horse battery").put("name", "Nul")));
    failures.add(api.call(HttpMethod.DELETE, "/api/me", ada.token(), null));
    failures.add(api.post("/api/auth/password", ada.token(), new JsonObject().put("currentPassword", List.of(1))));

    for (Api.Response r : failures) {
      assertTrue(r.status() >= 400 && r.status() < 500, "a client's mistake is a 4xx: " + r);
      assertFalse(r.text().isEmpty(), r.toString());
      assertTrue(r.json().getJsonObject("error").getString("code").matches("[a-z_]+"), r.toString());
      assertRevealsNothing(r.text());
    }

    try (BridgeClient socket = BridgeClient.connect(clientVertx, node.bridgePort())) {
      JsonObject failure = socket.request("timers.start",
          new JsonObject().put("teamId", team).put("projectId", "x' OR 1=1").put("description", "Nul\u0000"), ada.token());
      assertEquals("err", failure.getString("type"));
      assertRevealsNothing(failure.encode());
    }
  }

  private static void assertRevealsNothing(String body) {
    String lower = body.toLowerCase(Locale.ROOT);
    for (String marker : List.of("exception", "\tat ", "at io.vertx", "at dev.trcr", "at java.", ".java:",
        "select ", "insert into", "update workspace", "sqlstate", "pgexception", "postgres", "syntax error",
        "0x00", "invalid byte sequence", "caused by")) {
      assertFalse(lower.contains(marker), "'" + marker + "' in " + body);
    }
  }
}
