package dev.trcr.chat;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.function.Predicate;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chat live through the bridge on a two-node cluster: the core node runs workspace, chat, api and bridge, the edge
 * node only a bridge and chat. What is posted on one node reaches subscribers on the other, in order, once.
 */
class ChatLiveTest {

  private static Node core;
  private static Node edge;
  private static Vertx clientVertx;
  private static Api api;

  private Session ada;
  private Session bob;
  private Session cid;
  private String teamId;
  private String general;

  @BeforeAll
  static void startCluster() {
    TestNodes.TwoNodes cluster = TestNodes.startTwo(TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0),
        "chat,bridge", "workspace,chat,api,bridge");
    core = cluster.core();
    edge = cluster.edge();
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, core.httpPort());
  }

  @AfterAll
  static void stopCluster() {
    api.close();
    clientVertx.close().await();
    Future.join(edge.close(), core.close()).await();
  }

  @BeforeEach
  void team() {
    ada = api.signup("Ada");
    bob = api.signup("Bob");
    cid = api.signup("Cid");
    teamId = api.createTeam(ada, "Acme");
    api.addMember(ada, teamId, bob, "member");
    api.addMember(ada, teamId, cid, "member");
    general = expect(200, api.get("/api/teams/" + teamId + "/channels", ada.token())).array().getJsonObject(0)
        .getString("id");
  }

  private String stream(String channelId) {
    return "team." + teamId + ".chat." + channelId;
  }

  private JsonObject postRest(Session who, String channelId, String text) {
    return expect(201, api.post("/api/teams/" + teamId + "/channels/" + channelId + "/messages", who.token(),
        new JsonObject().put("text", text))).json();
  }

  private static Predicate<JsonObject> event(String type) {
    return f -> "rec".equals(f.getString("type")) && f.getJsonObject("body") != null
        && type.equals(f.getJsonObject("body").getString("type"));
  }

  private static Predicate<JsonObject> message(String type, String messageId) {
    return event(type).and(f -> messageId.equals(f.getJsonObject("body").getString("messageId")));
  }

  /** Registration has no acknowledgement: post until the socket sees a message, then drain what the pokes left. */
  private void awaitSubscribed(BridgeClient socket, String channelId, Session poster) {
    for (int i = 0; i < 50; i++) {
      postRest(poster, channelId, "warm-up " + i);
      if (socket.nextMatching(event("message.created"), 200) != null) {
        while (socket.nextMatching(event("message.created"), 300) != null) {
          // drain the warm-up events
        }
        return;
      }
    }
    throw new AssertionError("the socket never subscribed to " + stream(channelId));
  }

  @Test
  void aMessagePostedOnOneNodeReachesSubscribersOnTheOther() {
    try (BridgeClient onEdge = BridgeClient.connect(clientVertx, edge.bridgePort());
         BridgeClient onCore = BridgeClient.connect(clientVertx, core.bridgePort())) {
      onEdge.register(stream(general), bob.token());
      onCore.register(stream(general), cid.token());
      awaitSubscribed(onEdge, general, ada);
      awaitSubscribed(onCore, general, ada);

      // REST on the core node → the edge node's subscriber.
      JsonObject posted = postRest(ada, general, "hello @Bob");
      JsonObject created = onEdge.nextMatching(message("message.created", posted.getString("id")), 5_000);
      assertNotNull(created, "the edge node's subscriber got the message");
      JsonObject body = created.getJsonObject("body");
      assertEquals(posted, body.getJsonObject("message"));
      assertEquals(new JsonArray().add(bob.id()), body.getJsonObject("message").getJsonArray("mentions"));
      assertTrue(body.getLong("seq") > 0);
      assertNotNull(body.getString("epoch"));
      assertNotNull(body.getLong("ts"));

      // chat.post through the edge node's bridge → the core node's subscriber; the reply is the message.
      JsonObject reply = onEdge.request("chat.post", new JsonObject().put("teamId", teamId).put("channelId", general)
          .put("text", "from the edge").put("clientMessageId", "edge-1"), bob.token());
      assertEquals("rec", reply.getString("type"), reply.encode());
      JsonObject message = reply.getJsonObject("body");
      assertEquals("from the edge", message.getString("text"));
      JsonObject seen = onCore.nextMatching(message("message.created", message.getString("id")), 5_000);
      assertNotNull(seen);
      assertEquals(message, seen.getJsonObject("body").getJsonObject("message"));
      assertEquals(body.getLong("seq") + 1, seen.getJsonObject("body").getLong("seq"), "the next event of the stream");
      JsonObject retried = onEdge.request("chat.post", new JsonObject().put("teamId", teamId).put("channelId", general)
          .put("text", "from the edge").put("clientMessageId", "edge-1"), bob.token());
      assertEquals(message, retried.getJsonObject("body"), "a retry answers the first message");

      // Edit and delete reach both.
      String url = "/api/teams/" + teamId + "/channels/" + general + "/messages/" + posted.getString("id");
      expect(200, api.patch(url, ada.token(), new JsonObject().put("text", "hello all")));
      expect(204, api.delete(url, ada.token()));
      for (BridgeClient s : new BridgeClient[]{onEdge, onCore}) {
        JsonObject edited = s.nextMatching(event("message.edited"), 5_000);
        assertEquals("hello all", edited.getJsonObject("body").getJsonObject("message").getString("text"));
        JsonObject deleted = s.nextMatching(event("message.deleted"), 5_000).getJsonObject("body");
        assertEquals(posted.getString("id"), deleted.getString("messageId"));
        assertTrue(deleted.getJsonObject("message").getBoolean("deleted"));
        assertNull(deleted.getJsonObject("message").getValue("text"));
      }
      // The core socket also saw the REST post; the retry through the edge published nothing more.
      assertNotNull(onCore.nextMatching(message("message.created", posted.getString("id")), 1_000));
      assertNull(onCore.nextMatching(event("message.created"), 500), "the retry published nothing");
    }
  }

  @Test
  void typingIsEphemeralAndThrottledToOneEventPerTwoSeconds() {
    try (BridgeClient watcher = BridgeClient.connect(clientVertx, core.bridgePort());
         BridgeClient typist = BridgeClient.connect(clientVertx, edge.bridgePort())) {
      watcher.register(stream(general), ada.token());
      awaitSubscribed(watcher, general, ada);
      JsonObject typingBody = new JsonObject().put("teamId", teamId).put("channelId", general);
      for (int i = 0; i < 5; i++) {
        JsonObject reply = typist.request("chat.typing", typingBody, bob.token());
        assertEquals("rec", reply.getString("type"), reply.encode());
        assertEquals(new JsonObject(), reply.getJsonObject("body"), "{} at once, dropped or not");
      }
      JsonObject typing = watcher.nextMatching(event("typing"), 5_000);
      assertNotNull(typing);
      assertEquals(bob.id(), typing.getJsonObject("body").getString("userId"));
      assertNull(typing.getJsonObject("body").getValue("seq"), "typing is not journaled");
      assertNull(watcher.nextMatching(event("typing"), 700), "the other four fell within the 2 s");
      // Another user is throttled on their own.
      watcher.request("chat.typing", typingBody, cid.token());
      assertEquals(cid.id(), watcher.nextMatching(event("typing"), 5_000).getJsonObject("body").getString("userId"));
      assertTrue(expect(200, api.get("/api/teams/" + teamId + "/channels/" + general + "/messages", ada.token()))
          .json().getJsonArray("items").stream()
          .noneMatch(m -> "typing".equals(((JsonObject) m).getString("type"))), "never stored");
      // A non-member's typing is refused.
      Session eve = api.signup("Eve");
      JsonObject refused = typist.request("chat.typing", typingBody, eve.token());
      assertEquals(404, refused.getInteger("failureCode"), refused.encode());
    }
  }

  @Test
  void nonMembersOfAPrivateChannelCannotRegisterOnItsStream() {
    String secret = expect(201, api.post("/api/teams/" + teamId + "/channels", ada.token(), new JsonObject()
        .put("name", "secret").put("private", true).put("memberIds", new JsonArray().add(bob.id())))).json()
        .getString("id");
    Session eve = api.signup("Eve");
    for (Node node : new Node[]{core, edge}) {
      try (BridgeClient outsider = BridgeClient.connect(clientVertx, node.bridgePort());
           BridgeClient stranger = BridgeClient.connect(clientVertx, node.bridgePort());
           BridgeClient member = BridgeClient.connect(clientVertx, node.bridgePort())) {
        outsider.register(stream(secret), cid.token()); // in the team, not in the channel
        JsonObject denied = outsider.nextMatching(f -> "err".equals(f.getString("type")), 5_000);
        assertNotNull(denied, "a team member outside the private channel is refused");
        assertEquals("access_denied", denied.getString("body"));
        stranger.register(stream(secret), eve.token());
        assertEquals("access_denied", stranger.nextMatching(f -> "err".equals(f.getString("type")), 5_000)
            .getString("body"));
        member.register(stream(secret), bob.token());
        awaitSubscribed(member, secret, ada);
        postRest(bob, secret, "only for us");
        assertNotNull(member.nextMatching(event("message.created"), 5_000));
        assertNull(outsider.nextMatching(event("message.created"), 300), "nothing leaks to the refused socket");
      }
    }
    // A DM's stream is its two users'.
    String dm = expect(200, api.post("/api/teams/" + teamId + "/dms", ada.token(), new JsonObject()
        .put("userId", bob.id()))).json().getString("id");
    try (BridgeClient third = BridgeClient.connect(clientVertx, edge.bridgePort())) {
      third.register(stream(dm), cid.token());
      assertEquals("access_denied", third.nextMatching(f -> "err".equals(f.getString("type")), 5_000)
          .getString("body"));
      JsonObject post = third.request("chat.post", new JsonObject().put("teamId", teamId).put("channelId", dm)
          .put("text", "let me in"), cid.token());
      assertEquals(404, post.getInteger("failureCode"));
      assertFalse(post.getString("message").isBlank());
    }
  }
}
