package dev.trcr.api;

import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Subscriptions over graphql-transport-ws on a two-node cluster: the socket is on the edge node (api only), the
 * commands go through REST on the core node (api and every domain), so events cross the cluster to reach the socket.
 */
class GraphqlSubscriptionTest {

  private static final String TIMERS = """
      subscription($t: ID!) { timerEvents(teamId: $t) { type teamId seq at entry { id running user { name } project { name } } } }""";

  private static Node edge;
  private static Node core;
  private static Vertx clientVertx;
  private static Api rest;
  private static Session ada;
  private static Session bob;
  private static Session eve;
  private static String team;
  private static String project;

  @BeforeAll
  static void startCluster() {
    TestNodes.TwoNodes cluster = TestNodes.startTwo(TestNodes.config(), "api", "api,workspace,timers,chat,board");
    edge = cluster.edge();
    core = cluster.core();
    clientVertx = Vertx.vertx();
    rest = new Api(clientVertx, core.httpPort());
    ada = rest.signup("Ada");
    bob = rest.signup("Bob");
    eve = rest.signup("Eve");
    team = rest.createTeam(ada, "Acme");
    rest.addMember(ada, team, bob, "member");
    project = rest.createProject(ada, team, "Website");
  }

  @AfterAll
  static void stopCluster() {
    rest.close();
    clientVertx.close().await();
    io.vertx.core.Future.join(edge.close(), core.close()).await();
  }

  private static GraphqlClient.Socket socket(Session user) {
    return GraphqlClient.Socket.connect(clientVertx, edge.httpPort()).init(user.token());
  }

  private static Predicate<JsonObject> next(String id) {
    return m -> "next".equals(m.getString("type")) && id.equals(m.getString("id"));
  }

  private static JsonObject event(JsonObject next, String field) {
    return next.getJsonObject("payload").getJsonObject("data").getJsonObject(field);
  }

  /** Starts Bob's timer through the core node until the subscription's first event arrives (registration spreads). */
  private static void awaitSubscribed(GraphqlClient.Socket socket, String id) {
    JsonObject first = null;
    for (int i = 0; i < 50 && first == null; i++) {
      expect(201, rest.startTimer(bob, team, project));
      first = socket.nextMatching(next(id), 200);
    }
    assertNotNull(first, "the subscription never received an event");
    while (socket.next(300) != null) {
      // drain what the probes caused
    }
  }

  @Test
  void aTimerStartedThroughTheOtherNodeArrivesWithinASecond() {
    try (GraphqlClient.Socket socket = socket(ada)) {
      socket.subscribe("timers", TIMERS, new JsonObject().put("t", team));
      awaitSubscribed(socket, "timers");

      long sent = System.nanoTime();
      String started = expect(201, rest.startTimer(bob, team, project)).json().getString("id");
      JsonObject message = socket.nextMatching(m -> next("timers").test(m)
          && started.equals(event(m, "timerEvents").getJsonObject("entry").getString("id")), 1_000);
      long millis = (System.nanoTime() - sent) / 1_000_000;
      assertNotNull(message, "no timer.started within 1 s");
      JsonObject event = event(message, "timerEvents");
      assertEquals("timer.started", event.getString("type"), event.encode());
      assertEquals(team, event.getString("teamId"));
      assertTrue(event.getJsonObject("entry").getBoolean("running"));
      assertEquals("Bob", event.getJsonObject("entry").getJsonObject("user").getString("name"));
      assertEquals("Website", event.getJsonObject("entry").getJsonObject("project").getString("name"));
      assertTrue(event.getInteger("seq") > 0 && event.getString("at").endsWith("Z"), event.encode());
      assertTrue(millis < 1_000, millis + " ms");
    }
  }

  @Test
  void nonMembersCannotSubscribeToTeamTimers() {
    try (GraphqlClient.Socket socket = socket(eve)) {
      socket.subscribe("refused", TIMERS, new JsonObject().put("t", team));
      JsonObject error = socket.nextMatching(m -> "refused".equals(m.getString("id")), 5_000);
      assertNotNull(error, "no answer to the subscription");
      assertEquals("error", error.getString("type"), error.encode());
      JsonObject first = error.getJsonArray("payload").getJsonObject(0);
      assertEquals("team_not_found", first.getJsonObject("extensions").getString("code"), error.encode());
      assertNull(socket.awaitClose(200), "the socket stays open for other operations");

      // The same socket still serves what Eve may see.
      socket.subscribe("me", "query { me { name } }", null);
      JsonObject me = socket.nextMatching(next("me"), 5_000);
      assertEquals("Eve", me.getJsonObject("payload").getJsonObject("data").getJsonObject("me").getString("name"));
    }
  }

  @Test
  void privateChannelsAndUnknownProjectsAreRefusedWithTheirCodes() {
    JsonObject secret = expect(201, rest.post("/api/teams/" + team + "/channels", ada.token(),
        new JsonObject().put("name", "secret-" + System.nanoTime()).put("private", true))).json();
    try (GraphqlClient.Socket socket = socket(bob)) {
      socket.subscribe("chat", "subscription($t: ID!, $c: ID!) { messageEvents(teamId: $t, channelId: $c) { type } }",
          new JsonObject().put("t", team).put("c", secret.getString("id")));
      JsonObject error = socket.nextMatching(m -> "chat".equals(m.getString("id")), 5_000);
      assertEquals("error", error.getString("type"), error.encode());
      assertEquals("channel_not_found", error.getJsonArray("payload").getJsonObject(0).getJsonObject("extensions")
          .getString("code"));

      socket.subscribe("board", "subscription($t: ID!, $p: ID!) { boardEvents(teamId: $t, projectId: $p) { type } }",
          new JsonObject().put("t", team).put("p", java.util.UUID.randomUUID().toString()));
      JsonObject noProject = socket.nextMatching(m -> "board".equals(m.getString("id")), 5_000);
      assertEquals("error", noProject.getString("type"), noProject.encode());
      assertEquals("project_not_found", noProject.getJsonArray("payload").getJsonObject(0).getJsonObject("extensions")
          .getString("code"));
    }
  }

  @Test
  void connectionInitWithoutAValidTokenClosesTheSocketWith4401() {
    for (JsonObject init : new JsonObject[]{
        new JsonObject().put("type", "connection_init"),
        new JsonObject().put("type", "connection_init").put("payload", new JsonObject().put("authorization", "Bearer nope")),
        new JsonObject().put("type", "connection_init").put("payload", new JsonObject().put("authorization", bob.token()))}) {
      try (GraphqlClient.Socket socket = GraphqlClient.Socket.connect(clientVertx, edge.httpPort())) {
        socket.send(init);
        assertEquals(4401, socket.awaitClose(5_000), init.encode());
      }
    }
  }

  @Test
  void logoutThroughTheOtherNodeClosesTheUsersSocketsWith4401() {
    Session leaving = rest.signup("Leo");
    try (GraphqlClient.Socket mine = socket(leaving); GraphqlClient.Socket others = socket(bob)) {
      assertEquals(204, rest.post("/api/auth/logout", leaving.token(), null).status());
      assertEquals(4401, mine.awaitClose(1_000), "the edge heard the revocation within a second");
      assertNull(others.awaitClose(200), "another user's socket stays open");
    }
  }

  @Test
  void operationsOnASocketWhoseTokenExpiredAreRefused() throws InterruptedException {
    io.vertx.ext.auth.jwt.JWTAuth signer = io.vertx.ext.auth.jwt.JWTAuth.create(clientVertx,
        new io.vertx.ext.auth.jwt.JWTAuthOptions().addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions()
            .setAlgorithm("HS256").setBuffer(TestNodes.JWT_SECRET)));
    long now = System.currentTimeMillis() / 1000;
    String shortLived = signer.generateToken(new JsonObject().put("sub", ada.id()).put("ver", 0).put("iat", now)
        .put("exp", now + 2), new io.vertx.ext.auth.JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
    try (GraphqlClient.Socket socket = GraphqlClient.Socket.connect(clientVertx, edge.httpPort()).init(shortLived)) {
      socket.subscribe("early", "query { me { id } }", null);
      assertEquals("next", socket.nextMatching(m -> "early".equals(m.getString("id")), 3_000).getString("type"));
      Thread.sleep(Math.max(0, (now + 3) * 1000 - System.currentTimeMillis()));
      socket.subscribe("late", TIMERS, new JsonObject().put("t", team));
      JsonObject refused = socket.nextMatching(m -> "late".equals(m.getString("id")), 5_000);
      assertEquals("error", refused.getString("type"), refused.encode());
      assertEquals("unauthenticated", refused.getJsonArray("payload").getJsonObject(0).getJsonObject("extensions")
          .getString("code"));
      socket.subscribe("me", "query { me { id } }", null);
      JsonObject me = socket.nextMatching(next("me"), 5_000);
      assertEquals("unauthenticated", me.getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
          .getJsonObject("extensions").getString("code"), me.encode());
    }
  }

  @Test
  void messagesAndBoardChangesArriveWithTheirAuthors() {
    String channel = expect(200, rest.get("/api/teams/" + team + "/channels", ada.token())).array().stream()
        .map(JsonObject.class::cast).filter(c -> "general".equals(c.getString("kind"))).findFirst().orElseThrow()
        .getString("id");
    try (GraphqlClient.Socket socket = socket(ada)) {
      socket.subscribe("chat", """
          subscription($t: ID!, $c: ID!) { messageEvents(teamId: $t, channelId: $c) { type channelId message { text author { name } } } }""",
          new JsonObject().put("t", team).put("c", channel));
      socket.subscribe("board", """
          subscription($t: ID!, $p: ID!) { boardEvents(teamId: $t, projectId: $p) { type task { title assignee { name } } } }""",
          new JsonObject().put("t", team).put("p", project));
      JsonObject chat = null;
      for (int i = 0; i < 50 && chat == null; i++) {
        expect(201, rest.post("/api/teams/" + team + "/channels/" + channel + "/messages", bob.token(),
            new JsonObject().put("text", "Hello " + i)));
        chat = socket.nextMatching(next("chat"), 200);
      }
      assertNotNull(chat, "no message event");
      JsonObject event = event(chat, "messageEvents");
      assertEquals("message.created", event.getString("type"));
      assertEquals("Bob", event.getJsonObject("message").getJsonObject("author").getString("name"));

      JsonObject board = null;
      for (int i = 0; i < 50 && board == null; i++) {
        expect(201, rest.post("/api/teams/" + team + "/projects/" + project + "/tasks", bob.token(),
            new JsonObject().put("title", "Task " + i).put("assigneeId", ada.id())));
        board = socket.nextMatching(next("board"), 200);
      }
      assertNotNull(board, "no board event");
      JsonObject change = event(board, "boardEvents");
      assertEquals("task.created", change.getString("type"));
      assertEquals("Ada", change.getJsonObject("task").getJsonObject("assignee").getString("name"));
    }
  }

  @Test
  void subscriptionsToOneStreamShareOneConsumerOnTheNode() throws InterruptedException {
    Session owner = rest.signup("Nina");
    String ownTeam = rest.createTeam(owner, "Shared");
    String ownProject = rest.createProject(owner, ownTeam, "P");
    AtomicInteger delivered = new AtomicInteger();
    TestNodes.countInbound(edge, "team." + ownTeam + ".timers", delivered);
    String query = "subscription($t: ID!) { timerEvents(teamId: $t) { type entry { id } } }";
    try (GraphqlClient.Socket first = socket(owner); GraphqlClient.Socket second = socket(owner)) {
      first.subscribe("a", query, new JsonObject().put("t", ownTeam));
      second.subscribe("b", query, new JsonObject().put("t", ownTeam));
      second.subscribe("c", query, new JsonObject().put("t", ownTeam));
      boolean all = false;
      for (int i = 0; i < 50 && !all; i++) {
        String id = expect(201, rest.startTimer(owner, ownTeam, ownProject)).json().getString("id");
        Predicate<JsonObject> started = m -> "next".equals(m.getString("type"))
            && id.equals(event(m, "timerEvents").getJsonObject("entry").getString("id"));
        all = first.nextMatching(started, 300) != null
            && second.nextMatching(started.and(m -> "b".equals(m.getString("id"))), 300) != null;
      }
      assertTrue(all, "both sockets receive");
      Thread.sleep(300);
      while (first.next(100) != null || second.next(100) != null) {
        // drain
      }

      int before = delivered.get();
      String id = expect(201, rest.startTimer(owner, ownTeam, ownProject)).json().getString("id");
      Predicate<JsonObject> started = m -> "next".equals(m.getString("type"))
          && id.equals(event(m, "timerEvents").getJsonObject("entry").getString("id"));
      assertNotNull(first.nextMatching(started, 1_000));
      assertNotNull(second.nextMatching(started.and(m -> "b".equals(m.getString("id"))), 1_000));
      Thread.sleep(300);
      // timer.stopped and timer.started: two events, each delivered once to the node's one consumer for three subscriptions.
      assertEquals(2, delivered.get() - before, "one delivery per event on the node, whatever the subscriptions");

      first.complete("a");
      Thread.sleep(300);
      String next = expect(201, rest.startTimer(owner, ownTeam, ownProject)).json().getString("id");
      assertNotNull(second.nextMatching(m -> "next".equals(m.getString("type"))
          && next.equals(event(m, "timerEvents").getJsonObject("entry").getString("id")), 1_000),
          "the stream stays for the subscriptions left");
    }
  }

  @Test
  void aCompletedSubscriptionAndAClosedSocketLeaveNoConsumerBehind() throws InterruptedException {
    Session owner = rest.signup("Olga");
    String ownTeam = rest.createTeam(owner, "Own");
    String ownProject = rest.createProject(owner, ownTeam, "P");
    AtomicInteger delivered = new AtomicInteger();
    TestNodes.countInbound(edge, "team." + ownTeam + ".timers", delivered);
    String query = "subscription($t: ID!) { timerEvents(teamId: $t) { type } }";

    for (boolean closeTheSocket : new boolean[]{false, true}) {
      GraphqlClient.Socket socket = socket(owner);
      socket.subscribe("s", query, new JsonObject().put("t", ownTeam));
      JsonObject first = null;
      for (int i = 0; i < 50 && first == null; i++) {
        expect(201, rest.startTimer(owner, ownTeam, ownProject));
        first = socket.nextMatching(next("s"), 200);
      }
      assertNotNull(first);
      assertTrue(delivered.get() > 0, "the counter sees deliveries to the edge");
      while (socket.next(300) != null) {
        // drain the probes' other events (each start also stops the previous timer)
      }
      if (closeTheSocket) {
        socket.close();
      } else {
        socket.complete("s");
      }
      Thread.sleep(1_000); // the unregistration spreads through the cluster
      int before = delivered.get();
      expect(201, rest.startTimer(owner, ownTeam, ownProject));
      Thread.sleep(1_000);
      assertEquals(before, delivered.get(), "an event reached the edge after " + (closeTheSocket ? "close" : "complete"));
      if (!closeTheSocket) {
        assertNull(socket.nextMatching(next("s"), 100));
        socket.close();
      }
    }
  }
}
