package dev.trcr.fuzz;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-based fuzzing (jqwik) of what strangers can send: REST bodies and bridge frames. Whatever arrives, the
 * answer is a 2xx or a clear 4xx, never a 500, and the node keeps serving. Bounded: a few hundred tries each.
 */
class InputFuzzTest {

  private static Node node;
  private static Vertx clientVertx;
  private static Api api;
  private static Session user;
  private static String teamId;
  private static String projectId;
  private static String general;
  private static BridgeClient socket;

  @BeforeContainer
  static void startNode() {
    node = TestNodes.start(TestNodes.config()
        .put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        .put("TRCR_BRIDGE_FRAMES_PER_SECOND", 0)
        .put("TRCR_LOGIN_LIMIT_PER_EMAIL_PER_MINUTE", 0)
        .put("TRCR_LOGIN_LIMIT_PER_ADDRESS_PER_MINUTE", 0));
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, node.httpPort());
    user = api.signup("Fuzz");
    teamId = api.createTeam(user, "Fuzzers");
    projectId = api.createProject(user, teamId, "Chaos");
    general = api.get("/api/teams/" + teamId + "/channels", user.token()).array().getJsonObject(0).getString("id");
    socket = BridgeClient.connect(clientVertx, node.bridgePort());
  }

  @AfterContainer
  static void stopNode() {
    socket.close();
    api.close();
    clientVertx.close().await();
    node.close().await();
  }

  // --- generators ---------------------------------------------------------------------------------------------------

  private static final List<String> FIELDS = List.of("name", "email", "password", "projectId", "teamId", "entryId",
      "description", "startedAt", "stoppedAt", "role", "hourlyRate", "currency", "limit", "cursor", "from", "to",
      "userId", "ids", "stream", "after", "currentPassword", "newPassword",
      "channelId", "messageId", "text", "clientMessageId", "private", "memberIds", "before");

  @Provide
  Arbitrary<Object> jsonValues() {
    return Arbitraries.lazyOf(
        () -> Arbitraries.strings().ofMaxLength(40).map(s -> (Object) s),
        () -> Arbitraries.strings().withChars("0123456789abcdef-").ofLength(36).map(s -> (Object) s),
        () -> Arbitraries.of("2026-01-02T09:00:00Z", "2026-13-45T99:00:00Z", "", "NaN", "\u0000", "null", "-1",
            "123456789012345678901234567890", "😀", "EUR", "admin", "owner").map(s -> (Object) s),
        () -> Arbitraries.integers().map(i -> (Object) i),
        () -> Arbitraries.longs().map(l -> (Object) l),
        () -> Arbitraries.doubles().map(d -> (Object) d),
        () -> Arbitraries.of(true, false).map(b -> (Object) b),
        () -> Arbitraries.just((Object) null),
        () -> jsonValues().list().ofMaxSize(3).map(l -> (Object) new JsonArray(l)),
        () -> objects().map(o -> (Object) o));
  }

  @Provide
  Arbitrary<JsonObject> objects() {
    return Arbitraries.maps(Arbitraries.oneOf(Arbitraries.of(FIELDS), Arbitraries.strings().ofMaxLength(10)),
        Arbitraries.lazy(this::jsonValues)).ofMaxSize(6).map(m -> {
          JsonObject o = new JsonObject();
          m.forEach(o::put);
          return o;
        });
  }

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.oneOf(
        objects().map(JsonObject::encode),
        jsonValues().map(v -> v == null ? "null" : v instanceof String s ? new JsonArray().add(s).encode() : String.valueOf(v)),
        Arbitraries.strings().ofMaxLength(200),
        objects().map(o -> o.encode().substring(0, Math.max(0, o.encode().length() - 1))));
  }

  @Provide
  Arbitrary<String> routes() {
    return Arbitraries.of(
        "POST /api/auth/signup", "POST /api/auth/login", "POST /api/teams", "POST /api/teams/{team}/members",
        "POST /api/teams/{team}/projects", "POST /api/teams/{team}/timer/start", "POST /api/teams/{team}/timer/stop",
        "POST /api/teams/{team}/time-entries", "PATCH /api/teams/{team}/time-entries/{random}",
        "GET /api/teams/{team}/time-entries", "POST /api/auth/password", "POST /api/teams/{random}/projects",
        "POST /api/teams/{team}/channels", "POST /api/teams/{team}/dms", "POST /api/teams/{team}/channels/{general}/messages",
        "GET /api/teams/{team}/channels/{general}/messages", "PATCH /api/teams/{team}/channels/{general}/messages/{random}",
        "POST /api/teams/{team}/channels/{general}/read", "GET /api/teams/{team}/presence");
  }

  @Provide
  Arbitrary<JsonObject> frames() {
    Arbitrary<String> types = Arbitraries.of("send", "publish", "register", "unregister", "ping", "rec", "err", "");
    Arbitrary<String> addresses = Arbitraries.of("timers.start", "timers.stop", "workspace.access",
        "team." + "00000000-0000-0000-0000-000000000000" + ".timers", "timers.journal.read", "bridge.user-events",
        "chat.post", "chat.typing", "chat.access", "team.00000000-0000-0000-0000-000000000000.chat."
            + "00000000-0000-0000-0000-000000000000", "bridge.presence", "chat.presence.list",
        "team.00000000-0000-0000-0000-000000000000.presence", "", "x".repeat(300));
    return Combinators.combine(types, addresses, jsonValues(), objects(), Arbitraries.of(true, false))
        .as((type, address, body, headers, authenticated) -> {
          JsonObject frame = new JsonObject().put("type", type).put("address", address).put("body", body)
              .put("replyAddress", "fuzz");
          if (authenticated) {
            headers.put("authorization", "Bearer " + user.token());
          }
          return frame.put("headers", headers);
        });
  }

  // --- properties ---------------------------------------------------------------------------------------------------

  @Property(tries = 250)
  void noRestBodyGetsA500(@ForAll("routes") String route, @ForAll("bodies") String body) {
    String[] parts = route.split(" ");
    String path = parts[1].replace("{team}", teamId).replace("{random}", java.util.UUID.randomUUID().toString())
        .replace("{general}", general);
    Api.Response r = api.call(HttpMethod.valueOf(parts[0]), path, user.token(),
        parts[0].equals("GET") ? null : Buffer.buffer(body));
    assertTrue(r.status() < 500, route + " " + body + " → " + r);
    if (r.status() >= 400) {
      assertNotNull(r.json().getJsonObject("error").getString("code"), r.toString());
    }
  }

  @Property(tries = 250)
  void noBridgeFrameGetsA500OrKillsTheSocket(@ForAll("frames") JsonObject frame) {
    socket.send(frame);
    // A round trip proves the socket and the node still serve; it also flushes the fuzz frame's answer, if any.
    JsonObject probe = socket.request("timers.stop", new JsonObject().put("teamId", teamId), user.token());
    assertNotNull(probe, "the socket stopped answering after " + frame.encode());
    JsonObject answer;
    while ((answer = socket.next(0)) != null) {
      Integer code = answer.getInteger("failureCode");
      assertTrue(code == null || code < 500 || code == 503, frame.encode() + " → " + answer.encode());
    }
    if (probe.getInteger("failureCode") != null) {
      assertTrue(probe.getInteger("failureCode") < 500, probe.encode());
    }
  }

  @Property(tries = 50)
  void theNodeStillServesAfterwards(@ForAll("bodies") String body) {
    assertEquals(201, api.startTimer(user, teamId, projectId).status());
    assertTrue(api.post("/api/teams", user.token(), Buffer.buffer(body)).status() < 500);
  }
}
