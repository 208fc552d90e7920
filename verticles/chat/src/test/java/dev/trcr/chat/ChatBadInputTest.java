package dev.trcr.chat;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Bad input on every chat route and bus command: a clear 4xx with a machine code, and the node keeps serving. */
class ChatBadInputTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));

  private static Session user;
  private static String teamId;
  private static String general;
  private static String messageId;

  @BeforeAll
  static void postAMessage() {
    user = NODE.api().signup("Bea");
    teamId = NODE.api().createTeam(user, "Acme");
    general = expect(200, NODE.api().get("/api/teams/" + teamId + "/channels", user.token())).array().getJsonObject(0)
        .getString("id");
    messageId = expect(201,
        NODE.api().post(channel("/messages"), user.token(), new JsonObject().put("text", "hi"))).json()
        .getString("id");
  }

  @AfterEach
  void theNodeKeepsServing() {
    assertEquals(200, NODE.api().get("/health", null).status());
    expect(200, NODE.api().get("/api/teams/" + teamId + "/channels", user.token()));
  }

  private static String channel(String rest) {
    return "/api/teams/" + teamId + "/channels/" + general + rest;
  }

  private static void assertError(int status, String code, Response r) {
    assertEquals(status, r.status(), r.toString());
    JsonObject error = r.json().getJsonObject("error");
    assertEquals(code, error.getString("code"), r.toString());
    assertFalse(error.getString("message").isBlank());
    assertFalse(r.text().contains("Exception"), "no stack traces: " + r.text());
  }

  @Test
  void channelRoutes() {
    String channels = "/api/teams/" + teamId + "/channels";
    assertError(400, "invalid_json", NODE.api().post(channels, user.token(), Buffer.buffer("{\"name\":")));
    assertError(400, "validation_failed", NODE.api().post(channels, user.token(), new JsonObject()));
    assertError(400, "validation_failed", NODE.api().post(channels, user.token(), new JsonObject().put("name", 7)));
    assertError(400, "validation_failed",
        NODE.api().post(channels, user.token(), new JsonObject().put("name", "x".repeat(81))));
    assertError(400, "validation_failed", NODE.api().post(channels, user.token(),
        new JsonObject().put("name", "p").put("private", "yes")));
    assertError(400, "validation_failed", NODE.api().post(channels, user.token(),
        new JsonObject().put("name", "p").put("private", true).put("memberIds", "everyone")));
    assertError(400, "invalid_id", NODE.api().post(channels, user.token(),
        new JsonObject().put("name", "p").put("private", true).put("memberIds", new JsonArray().add("nope"))));
    assertError(400, "validation_failed", NODE.api().post(channels, user.token(),
        new JsonObject().put("name", "p").put("private", true).put("memberIds", new JsonArray().add(UUID.randomUUID().toString()))));
    assertError(400, "validation_failed", NODE.api().post(channels, user.token(),
        new JsonObject().put("name", "p").put("memberIds", new JsonArray().add(user.id()))));
    assertError(400, "invalid_id", NODE.api().get("/api/teams/nope/channels", user.token()));
    assertError(404, "team_not_found", NODE.api().get("/api/teams/" + UUID.randomUUID() + "/channels", user.token()));
    assertError(401, "unauthenticated", NODE.api().get(channels, null));
    String dms = "/api/teams/" + teamId + "/dms";
    assertError(400, "invalid_id", NODE.api().get("/api/teams/nope/presence", user.token()));
    assertError(404, "team_not_found", NODE.api().get("/api/teams/" + UUID.randomUUID() + "/presence", user.token()));
    assertError(405, "method_not_allowed", NODE.api().post("/api/teams/" + teamId + "/presence", user.token(),
        new JsonObject()));
    assertError(400, "validation_failed", NODE.api().post(dms, user.token(), new JsonObject()));
    assertError(400, "invalid_id", NODE.api().post(dms, user.token(), new JsonObject().put("userId", "bob")));
    assertError(400, "validation_failed",
        NODE.api().post(dms, user.token(), new JsonObject().put("userId", user.id())));
    assertError(400, "validation_failed", NODE.api().post(dms, user.token(),
        new JsonObject().put("userId", UUID.randomUUID().toString())));
  }

  @Test
  void messageRoutes() {
    assertError(400, "validation_failed", NODE.api().post(channel("/messages"), user.token(), new JsonObject()));
    assertError(400, "validation_failed", NODE.api().post(channel("/messages"), user.token(),
        new JsonObject().put("text", new JsonArray())));
    assertError(400, "validation_failed", NODE.api().post(channel("/messages"), user.token(),
        new JsonObject().put("text", "a\u0000b")));
    assertError(400, "validation_failed", NODE.api().post(channel("/messages"), user.token(),
        new JsonObject().put("text", "hi").put("clientMessageId", 5)));
    assertError(400, "validation_failed", NODE.api().post(channel("/messages"), user.token(),
        new JsonObject().put("text", "hi").put("clientMessageId", "c".repeat(101))));
    assertError(400, "invalid_id", NODE.api().post("/api/teams/" + teamId + "/channels/general/messages", user.token(),
        new JsonObject().put("text", "hi")));
    assertError(404, "channel_not_found", NODE.api().post("/api/teams/" + teamId + "/channels/" + UUID.randomUUID()
        + "/messages", user.token(), new JsonObject().put("text", "hi")));
    assertError(400, "validation_failed", NODE.api().get(channel("/messages?limit=many"), user.token()));
    assertError(400, "validation_failed", NODE.api().get(channel("/messages?limit=1000"), user.token()));
    assertError(400, "invalid_id", NODE.api().get(channel("/messages?before=last"), user.token()));
    String one = channel("/messages/" + messageId);
    assertError(400, "validation_failed", NODE.api().patch(one, user.token(), new JsonObject()));
    assertError(400, "validation_failed",
        NODE.api().patch(one, user.token(), new JsonObject().put("text", "y".repeat(4001))));
    assertError(400, "invalid_id",
        NODE.api().patch(channel("/messages/xyz"), user.token(), new JsonObject().put("text", "y")));
    assertError(404, "message_not_found", NODE.api().patch(channel("/messages/" + UUID.randomUUID()), user.token(),
        new JsonObject().put("text", "y")));
    assertError(400, "invalid_id", NODE.api().delete(channel("/messages/xyz"), user.token()));
    assertError(405, "method_not_allowed", NODE.api().call(io.vertx.core.http.HttpMethod.PUT, one, user.token(),
        new JsonObject()));
    assertError(400, "validation_failed", NODE.api().post(channel("/read"), user.token(), new JsonObject()));
    assertError(400, "invalid_id", NODE.api().post(channel("/read"), user.token(), new JsonObject().put("messageId", 1)
        .put("messageId", "one")));
    assertError(404, "message_not_found", NODE.api().post(channel("/read"), user.token(),
        new JsonObject().put("messageId", UUID.randomUUID().toString())));
  }

  private static ReplyException busFailure(Address address, JsonObject body, UUID caller) {
    return assertThrows(ReplyException.class, () -> Bus.request(NODE.node().vertx(), address, body, caller).await());
  }

  private static void assertBusError(int status, String code, ReplyException e) {
    assertEquals(status, e.failureCode(), e.getMessage());
    assertEquals(code, new JsonObject(e.getMessage()).getJsonObject("error").getString("code"), e.getMessage());
  }

  @Test
  void busCommands() {
    UUID caller = UUID.fromString(user.id());
    JsonObject ids = new JsonObject().put("teamId", teamId).put("channelId", general);
    for (Address a : new Address[]{Address.CHAT_CHANNELS_CREATE, Address.CHAT_CHANNELS_LIST, Address.CHAT_DMS_OPEN,
        Address.CHAT_POST, Address.CHAT_MESSAGES_LIST, Address.CHAT_MESSAGES_EDIT, Address.CHAT_MESSAGES_DELETE,
        Address.CHAT_READ, Address.CHAT_TYPING, Address.CHAT_PRESENCE_LIST}) {
      assertBusError(401, "unauthenticated", busFailure(a, ids.copy(), null));
      assertBusError(400, "validation_failed", busFailure(a, new JsonObject(), caller));
      assertBusError(400, "invalid_id", busFailure(a, new JsonObject().put("teamId", "x"), caller));
    }
    assertBusError(400, "invalid_json", assertThrows(ReplyException.class, () -> NODE.node().vertx().eventBus()
        .request(Address.CHAT_POST.address(), "text").await()));
    assertBusError(400, "validation_failed", busFailure(Address.CHAT_ACCESS, new JsonObject(), null));
    assertBusError(404, "team_not_found", busFailure(Address.CHAT_ACCESS,
        ids.copy().put("userId", UUID.randomUUID().toString()), null));
    assertBusError(404, "channel_not_found", busFailure(Address.CHAT_ACCESS,
        ids.copy().put("channelId", UUID.randomUUID().toString()).put("userId", user.id()), null));
    assertEquals("general",
        Bus.<JsonObject>request(NODE.node().vertx(), Address.CHAT_ACCESS, ids.copy().put("userId", user.id()),
        null).await().getString("kind"));
    assertBusError(400, "validation_failed", busFailure(Address.CHAT_JOURNAL_READ, new JsonObject(), null));
    assertBusError(400, "validation_failed", busFailure(Address.CHAT_TYPING,
        ids.copy().put("channelId", 12), caller));
    assertBusError(404, "channel_not_found", busFailure(Address.CHAT_TYPING,
        ids.copy().put("channelId", UUID.randomUUID().toString()), caller));
    assertBusError(400, "validation_failed", busFailure(Address.WORKSPACE_USERS_TEAMS, new JsonObject(), null));
    assertBusError(400, "validation_failed", busFailure(Address.WORKSPACE_USERS_TEAMS,
        new JsonObject().put("userIds", new JsonArray().add(7)), null));
    assertBusError(400, "invalid_id", busFailure(Address.WORKSPACE_USERS_TEAMS,
        new JsonObject().put("userIds", new JsonArray().add("x")), null));
    JsonObject teams = Bus.<JsonObject>request(NODE.node().vertx(), Address.WORKSPACE_USERS_TEAMS,
        new JsonObject().put("userIds", new JsonArray().add(user.id()).add(UUID.randomUUID().toString())), null)
        .await().getJsonObject("teams");
    assertEquals(new JsonArray().add(teamId), teams.getJsonArray(user.id()));
    assertEquals(2, teams.size(), "a user without teams maps to an empty list");
  }
}
