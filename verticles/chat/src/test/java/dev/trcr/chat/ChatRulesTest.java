package dev.trcr.chat;

import dev.trcr.kernel.Address;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules of chat, through the public REST API of a real node on a real PostgreSQL. */
class ChatRulesTest {

  // Bursts of concurrent posts by one user: no per-user rate limit here.
  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));

  private static WebClient raw;

  private Session owner;
  private Session ada;
  private Session bob;
  private Session eve;
  private String teamId;

  @BeforeAll
  static void openRawClient() {
    raw = WebClient.create(NODE.clientVertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(NODE.node().httpPort()), new PoolOptions().setHttp1MaxSize(32));
  }

  @AfterAll
  static void closeRawClient() {
    raw.close();
  }

  @BeforeEach
  void team() {
    owner = NODE.api().signup("Olga Owner");
    ada = NODE.api().signup("Ada Lovelace");
    bob = NODE.api().signup("Bob");
    eve = NODE.api().signup("Eve Outsider");
    teamId = NODE.api().createTeam(owner, "Acme");
    NODE.api().addMember(owner, teamId, ada, "member");
    NODE.api().addMember(owner, teamId, bob, "member");
  }

  private String path(String rest) {
    return "/api/teams/" + teamId + rest;
  }

  private JsonArray channels(Session who) {
    return expect(200, NODE.api().get(path("/channels"), who.token())).array();
  }

  private JsonObject channelNamed(Session who, String name) {
    for (Object o : channels(who)) {
      if (name.equals(((JsonObject) o).getString("name"))) {
        return (JsonObject) o;
      }
    }
    return null;
  }

  private String general(Session who) {
    return channelNamed(who, "general").getString("id");
  }

  private Response post(Session who, String channelId, String text) {
    return NODE.api().post(path("/channels/" + channelId + "/messages"), who.token(),
        new JsonObject().put("text", text));
  }

  private JsonObject posted(Session who, String channelId, String text) {
    return expect(201, post(who, channelId, text)).json();
  }

  private JsonObject history(Session who, String channelId, String query) {
    return expect(200, NODE.api().get(path("/channels/" + channelId + "/messages" + query), who.token())).json();
  }

  private long unread(Session who, String channelId) {
    for (Object o : channels(who)) {
      JsonObject c = (JsonObject) o;
      if (channelId.equals(c.getString("id"))) {
        return c.getLong("unreadCount");
      }
    }
    throw new AssertionError("channel not listed");
  }

  // --- channels -------------------------------------------------------------------------------------------------------

  @Test
  void everyTeamHasOneGeneralChannelForEveryMember() {
    String first = general(owner);
    assertEquals(first, general(ada));
    assertEquals(first, general(bob));
    JsonObject general = channelNamed(bob, "general");
    assertEquals("general", general.getString("kind"));
    assertFalse(general.getBoolean("private"));
    assertEquals(0L, general.getLong("unreadCount"));
    assertNull(general.getString("lastMessageAt"));
    assertEquals(404, NODE.api().get(path("/channels"), eve.token()).status(), "non-members see no channels");
  }

  @Test
  void publicChannelsAreVisibleToTheWholeTeamAndNamesAreUnique() {
    expect(201, NODE.api().post(path("/channels"), ada.token(), new JsonObject().put("name", "design")));
    assertNotNull(channelNamed(bob, "design"));
    assertNotNull(channelNamed(owner, "design"));
    Response again = NODE.api().post(path("/channels"), bob.token(), new JsonObject().put("name", "Design"));
    assertEquals(409, again.status(), again.toString());
    assertEquals("channel_name_taken", again.errorCode());
    assertEquals(409,
        NODE.api().post(path("/channels"), bob.token(), new JsonObject().put("name", "general")).status());
  }

  @Test
  void privateChannelsAreVisibleToTheirMembersOnly() {
    JsonObject secret = expect(201, NODE.api().post(path("/channels"), ada.token(), new JsonObject()
        .put("name", "secret").put("private", true).put("memberIds", new JsonArray().add(bob.id())))).json();
    assertTrue(secret.getBoolean("private"));
    assertEquals(Set.of(ada.id(), bob.id()), new HashSet<>(secret.getJsonArray("memberIds").getList()));
    String id = secret.getString("id");
    assertNotNull(channelNamed(bob, "secret"));
    assertNull(channelNamed(owner, "secret"), "not even the team owner sees a private channel they are not in");
    posted(bob, id, "psst");
    Response owners = post(owner, id, "let me in");
    assertEquals(404, owners.status());
    assertEquals("channel_not_found", owners.errorCode());
    assertEquals(404, NODE.api().get(path("/channels/" + id + "/messages"), owner.token()).status());
    assertEquals(1, history(ada, id, "").getJsonArray("items").size(), "Bob's message");
  }

  @Test
  void aPairHasExactlyOneDirectMessageChannel() {
    JsonObject dm = expect(200,
        NODE.api().post(path("/dms"), ada.token(), new JsonObject().put("userId", bob.id()))).json();
    JsonObject back = expect(200,
        NODE.api().post(path("/dms"), bob.token(), new JsonObject().put("userId", ada.id()))).json();
    assertEquals(dm.getString("id"), back.getString("id"));
    assertEquals("dm", dm.getString("kind"));
    assertEquals(Set.of(ada.id(), bob.id()), new HashSet<>(dm.getJsonArray("memberIds").getList()));
    // Concurrent first calls of another pair still make one channel.
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Session from = i % 2 == 0 ? owner : bob;
      Session to = i % 2 == 0 ? bob : owner;
      calls.add(raw.post(path("/dms")).putHeader("Authorization", "Bearer " + from.token())
          .sendJsonObject(new JsonObject().put("userId", to.id())));
    }
    Future.all(calls).await();
    Set<String> ids = new HashSet<>();
    calls.forEach(c -> {
      assertEquals(200, c.result().statusCode(), c.result().bodyAsString());
      ids.add(c.result().bodyAsJsonObject().getString("id"));
    });
    assertEquals(1, ids.size());
    String dmId = dm.getString("id");
    posted(ada, dmId, "hi Bob");
    assertEquals(404, post(owner, dmId, "hello?").status(), "a third member cannot write into a DM");
    assertTrue(channels(owner).stream().noneMatch(c -> dmId.equals(((JsonObject) c).getString("id"))));
    assertEquals(400, NODE.api().post(path("/dms"), ada.token(), new JsonObject().put("userId", ada.id())).status());
    assertEquals(400, NODE.api().post(path("/dms"), ada.token(), new JsonObject().put("userId", eve.id())).status());
  }

  // --- messages -------------------------------------------------------------------------------------------------------

  @Test
  void aMessageHasOneToFourThousandCharacters() {
    String general = general(ada);
    JsonObject m = posted(ada, general, "hello");
    assertEquals("hello", m.getString("text"));
    assertEquals(ada.id(), m.getString("userId"));
    assertEquals(general, m.getString("channelId"));
    assertNotNull(m.getString("createdAt"));
    assertNull(m.getString("editedAt"));
    assertEquals(new JsonArray(), m.getJsonArray("mentions"));
    // 4000 code points, each outside the BMP (two UTF-16 chars): allowed.
    expect(201, post(ada, general, "😀".repeat(4000)));
    for (String bad : new String[]{"", "   ", "x".repeat(4001)}) {
      Response r = post(ada, general, bad);
      assertEquals(400, r.status(), r.toString());
      assertEquals("validation_failed", r.errorCode());
    }
    assertEquals(400, NODE.api().post(path("/channels/" + general + "/messages"), ada.token(),
        new JsonObject().put("text", 42)).status());
  }

  @Test
  void retryingWithTheSameClientMessageIdReturnsTheFirstMessage() {
    String general = general(ada);
    JsonObject body = new JsonObject().put("text", "once").put("clientMessageId", "c-1");
    JsonObject first = expect(201,
        NODE.api().post(path("/channels/" + general + "/messages"), ada.token(), body)).json();
    JsonObject again = expect(201, NODE.api().post(path("/channels/" + general + "/messages"), ada.token(),
        body.copy().put("text", "changed my mind"))).json();
    assertEquals(first, again);
    // The same id from another user is another message.
    JsonObject bobs = expect(201,
        NODE.api().post(path("/channels/" + general + "/messages"), bob.token(), body)).json();
    assertFalse(first.getString("id").equals(bobs.getString("id")));
    // Racing retries: all answer the one message, none fails.
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      calls.add(raw.post(path("/channels/" + general + "/messages")).putHeader("Authorization", "Bearer " + ada.token())
          .sendJsonObject(new JsonObject().put("text", "race " + i).put("clientMessageId", "c-race")));
    }
    Future.all(calls).await();
    Set<String> ids = new HashSet<>();
    calls.forEach(c -> {
      assertEquals(201, c.result().statusCode(), c.result().bodyAsString());
      ids.add(c.result().bodyAsJsonObject().getString("id"));
    });
    assertEquals(1, ids.size());
    JsonArray items = history(ada, general, "?limit=100").getJsonArray("items");
    assertEquals(3, items.size(), "once (Ada), once (Bob), one race winner");
  }

  @Test
  void historyPagesNewestFirstAndStaysStableWhileOthersPost() {
    String general = general(ada);
    List<String> posted = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      posted.add(posted(ada, general, "m" + i).getString("id"));
    }
    JsonObject page = history(bob, general, "?limit=10");
    List<String> seen = new ArrayList<>();
    List<String> concurrent = new CopyOnWriteArrayList<>();
    while (true) {
      page.getJsonArray("items").forEach(m -> seen.add(((JsonObject) m).getString("id")));
      // Others post while the reader pages back: new messages go on top, never into the pages still to come.
      List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        calls.add(raw.post(path("/channels/" + general + "/messages")).putHeader("Authorization", "Bearer " + owner.token())
            .sendJsonObject(new JsonObject().put("text", "meanwhile")));
      }
      Future.all(calls).await();
      calls.forEach(c -> concurrent.add(c.result().bodyAsJsonObject().getString("id")));
      String next = page.getString("next");
      if (next == null) {
        break;
      }
      page = history(bob, general, "?limit=10&before=" + next);
    }
    List<String> expected = new ArrayList<>(posted);
    java.util.Collections.reverse(expected);
    assertEquals(expected, seen, "every message once, newest first, none of the later ones");
    JsonArray top = history(bob, general, "?limit=100").getJsonArray("items");
    assertEquals(25 + concurrent.size(), top.size());
    assertTrue(concurrent.contains(top.getJsonObject(0).getString("id")));
    assertEquals(400, NODE.api().get(path("/channels/" + general + "/messages?limit=101"), bob.token()).status());
    assertEquals(400, NODE.api().get(path("/channels/" + general + "/messages?limit=0"), bob.token()).status());
    assertEquals(400, NODE.api().get(path("/channels/" + general + "/messages?before=" + java.util.UUID.randomUUID()),
        bob.token()).status());
  }

  @Test
  void onlyTheAuthorEditsAndTheAuthorOrAnAdminDeletes() {
    String general = general(ada);
    JsonObject m = posted(ada, general, "draft");
    String url = path("/channels/" + general + "/messages/" + m.getString("id"));
    assertEquals("forbidden", NODE.api().patch(url, bob.token(), new JsonObject().put("text", "mine now")).errorCode());
    assertEquals("forbidden",
        NODE.api().patch(url, owner.token(), new JsonObject().put("text", "owner edit")).errorCode());
    JsonObject edited = expect(200, NODE.api().patch(url, ada.token(), new JsonObject().put("text", "final"))).json();
    assertEquals("final", edited.getString("text"));
    assertNotNull(edited.getString("editedAt"));
    assertEquals(m.getString("createdAt"), edited.getString("createdAt"));
    assertEquals("forbidden", NODE.api().delete(url, bob.token()).errorCode());
    expect(204, NODE.api().delete(url, ada.token()));
    JsonObject other = posted(bob, general, "rude");
    expect(204, NODE.api().delete(path("/channels/" + general + "/messages/" + other.getString("id")), owner.token()));
    JsonArray items = history(ada, general, "").getJsonArray("items");
    assertEquals(2, items.size(), "deleted messages stay as tombstones");
    for (Object o : items) {
      JsonObject tomb = (JsonObject) o;
      assertTrue(tomb.getBoolean("deleted"));
      assertNull(tomb.getValue("text"));
      assertNotNull(tomb.getString("id"));
    }
    Response editDeleted = NODE.api().patch(url, ada.token(), new JsonObject().put("text", "back"));
    assertEquals(409, editDeleted.status());
    assertEquals("message_deleted", editDeleted.errorCode());
    expect(204, NODE.api().delete(url, ada.token()));
    assertEquals("message_not_found", NODE.api().delete(path("/channels/" + general + "/messages/"
        + java.util.UUID.randomUUID()), ada.token()).errorCode());
  }

  // --- read markers ---------------------------------------------------------------------------------------------------

  @Test
  void unreadCountsFollowReadMarkersAndSkipOwnMessages() {
    String general = general(ada);
    JsonObject first = posted(ada, general, "one");
    posted(ada, general, "two");
    JsonObject third = posted(ada, general, "three");
    posted(bob, general, "bob's own");
    assertEquals(1, unread(ada, general), "only Bob's message is unread for Ada");
    assertEquals(3, unread(bob, general), "Bob's own message never counts");
    assertEquals(4, unread(owner, general));
    assertNotNull(channelNamed(owner, "general").getString("lastMessageAt"));
    JsonObject read = expect(200, NODE.api().post(path("/channels/" + general + "/read"), bob.token(),
        new JsonObject().put("messageId", third.getString("id")))).json();
    assertEquals(0L, read.getLong("unreadCount"));
    assertEquals(third.getString("id"), read.getString("lastReadMessageId"));
    // A marker never moves backwards.
    JsonObject back = expect(200, NODE.api().post(path("/channels/" + general + "/read"), bob.token(),
        new JsonObject().put("messageId", first.getString("id")))).json();
    assertEquals(third.getString("id"), back.getString("lastReadMessageId"));
    assertEquals(0, unread(bob, general));
    posted(ada, general, "four");
    assertEquals(1, unread(bob, general));
    JsonObject deleted = posted(ada, general, "oops");
    expect(204, NODE.api().delete(path("/channels/" + general + "/messages/" + deleted.getString("id")), ada.token()));
    assertEquals(1, unread(bob, general), "a deleted message is not unread");
    assertEquals("message_not_found", NODE.api().post(path("/channels/" + general + "/read"), bob.token(),
        new JsonObject().put("messageId", java.util.UUID.randomUUID().toString())).errorCode());
  }

  // --- mentions -------------------------------------------------------------------------------------------------------

  @Test
  void mentionsNameMembersWithoutSpacesCaseInsensitively() {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    NODE.node().vertx().eventBus().<JsonObject>consumer(Address.CHAT_MENTION.address(), m -> events.add(m.body()))
        .completion().await();
    String general = general(ada);
    JsonObject m = posted(bob, general, "@adalovelace and @Olga_not, @OlgaOwner! mail bob@example.com, @bob");
    assertEquals(Set.of(ada.id(), owner.id(), bob.id()), new HashSet<>(m.getJsonArray("mentions").getList()));
    long deadline = System.currentTimeMillis() + 5_000;
    while (events.size() < 2 && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(2, events.size(), "one event per mentioned user, none for the author's own name: " + events);
    for (JsonObject e : events) {
      assertEquals(teamId, e.getString("teamId"));
      assertEquals(general, e.getString("channelId"));
      assertEquals(m.getString("id"), e.getString("messageId"));
      assertEquals(bob.id(), e.getString("authorId"));
      assertEquals("general", e.getString("channelName"));
    }
    // Journaled with the message: both events can be read back, in order, from the mention stream.
    JsonObject journal = dev.trcr.kernel.Bus.<JsonObject>request(NODE.node().vertx(), Address.CHAT_JOURNAL_READ,
        new JsonObject().put("stream", Address.CHAT_MENTION.address())
            .put("after", events.get(0).getLong("seq") - 1).put("limit", 10), null).await();
    assertEquals(events.stream().map(e -> e.getString("id")).collect(java.util.stream.Collectors.toSet()),
        journal.getJsonArray("events").stream().limit(2).map(e -> ((JsonObject) e).getString("id"))
            .collect(java.util.stream.Collectors.toSet()));
    // In a private channel only its members can be mentioned.
    String secret = expect(201, NODE.api().post(path("/channels"), bob.token(), new JsonObject().put("name", "s")
        .put("private", true).put("memberIds", new JsonArray().add(ada.id())))).json().getString("id");
    JsonObject p = posted(bob, secret, "@AdaLovelace @OlgaOwner");
    assertEquals(List.of(ada.id()), p.getJsonArray("mentions").getList());
    // An edit re-reads mentions.
    JsonObject edited = expect(200, NODE.api().patch(path("/channels/" + general + "/messages/" + m.getString("id")),
        bob.token(), new JsonObject().put("text", "never mind"))).json();
    assertEquals(new JsonArray(), edited.getJsonArray("mentions"));
  }

  @Test
  void mentionExtractionIsAPureRule() {
    java.util.UUID ada = java.util.UUID.randomUUID();
    java.util.UUID adam = java.util.UUID.randomUUID();
    java.util.Map<java.util.UUID, String> names = java.util.Map.of(ada, "Ada", adam, "Adam Smith");
    assertEquals(List.of(ada), Mentions.extract("hi @ada.", names));
    assertEquals(List.of(adam), Mentions.extract("hi @ADAMSMITH", names));
    assertEquals(List.of(), Mentions.extract("hi @Adam", names), "@Adam is neither Ada nor Adam Smith");
    assertEquals(List.of(), Mentions.extract("ada@ada.org", names));
    assertEquals(List.of(ada, adam), Mentions.extract("@Ada @AdamSmith @Ada", names));
  }

  @Test
  void nonMembersGetNothing() {
    String general = general(ada);
    assertEquals("team_not_found", post(eve, general, "hi").errorCode());
    assertEquals("team_not_found", NODE.api().get(path("/channels/" + general + "/messages"), eve.token()).errorCode());
    assertEquals("team_not_found", NODE.api().post(path("/channels"), eve.token(), new JsonObject().put("name", "x"))
        .errorCode());
  }
}
