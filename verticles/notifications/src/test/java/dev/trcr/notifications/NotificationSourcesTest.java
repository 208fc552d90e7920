package dev.trcr.notifications;

import dev.trcr.kernel.Address;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.trcr.notifications.NotificationsRestTest.eventually;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real sources on one node: a chat mention, a task assignment on the board, and a forgotten timer (the limit is
 * 0.0005 h, checked every second), each notified once to the right user.
 */
class NotificationSourcesTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
      .put("TRCR_NOTIFICATIONS_POLL_MS", 300)
      .put("TRCR_FORGOTTEN_TIMER_HOURS", 0.0005) // 1.8 s
      .put("TRCR_FORGOTTEN_TIMER_CHECK_SECONDS", 1));

  private Session ada;
  private Session bob;
  private String teamId;

  @BeforeEach
  void team() {
    ada = NODE.api().signup("Ada");
    bob = NODE.api().signup("Bob");
    teamId = NODE.api().createTeam(ada, "Acme");
    NODE.api().addMember(ada, teamId, bob, "member");
  }

  private static JsonArray items(Session who) {
    return expect(200, NODE.api().get("/api/notifications?limit=100", who.token())).json().getJsonArray("items");
  }

  private static long count(Session who, String kind) {
    return items(who).stream().filter(n -> kind.equals(((JsonObject) n).getString("kind"))).count();
  }

  @Test
  void aMentionNotifiesTheMentionedUserOnceAndNotTheAuthor() throws InterruptedException {
    JsonArray channels = expect(200, NODE.api().get("/api/teams/" + teamId + "/channels", ada.token())).array();
    String general = channels.stream().map(JsonObject.class::cast).filter(c -> "general".equals(c.getString("kind")))
        .findFirst().orElseThrow().getString("id");
    JsonObject message = expect(201, NODE.api().post("/api/teams/" + teamId + "/channels/" + general + "/messages",
        ada.token(), new JsonObject().put("text", "hi @Bob, see <this>"))).json();

    eventually(() -> count(bob, "mention") == 1, "Bob's mention");
    JsonObject mention = items(bob).getJsonObject(0);
    assertEquals("Ada mentioned you in #general", mention.getString("title"));
    assertEquals(teamId, mention.getString("teamId"));
    assertTrue(mention.getString("link").contains("/channels/" + general), mention.getString("link"));
    assertEquals(message.getString("id"), mention.getJsonObject("data").getString("messageId"));

    // The event again, as a relay or a second node publishes it: read from chat's journal and published twice more.
    JsonObject journal = NODE.node().vertx().eventBus().<JsonObject>request(Address.CHAT_JOURNAL_READ.address(),
        new JsonObject().put("stream", Address.CHAT_MENTION.address()).put("after", 0).put("limit", 100)).await()
        .body();
    for (Object e : journal.getJsonArray("events")) {
      NODE.node().vertx().eventBus().publish(Address.CHAT_MENTION.address(), e);
      NODE.node().vertx().eventBus().publish(Address.CHAT_MENTION.address(), e);
    }
    Thread.sleep(1_200); // several polls
    assertEquals(1, count(bob, "mention"), "exactly once");
    assertEquals(0, count(ada, "mention"), "the author is not told");
  }

  @Test
  void aMentionInADirectMessageSaysSo() {
    String dm = expect(200, NODE.api().post("/api/teams/" + teamId + "/dms", ada.token(), new JsonObject()
        .put("userId", bob.id()))).json().getString("id");
    expect(201, NODE.api().post("/api/teams/" + teamId + "/channels/" + dm + "/messages", ada.token(),
        new JsonObject().put("text", "@bob quick question")));
    eventually(() -> count(bob, "mention") == 1, "Bob's mention in the DM");
    assertEquals("Ada mentioned you in a direct message", items(bob).getJsonObject(0).getString("title"));
    assertEquals("@bob quick question", items(bob).getJsonObject(0).getString("body"));
  }

  @Test
  void anAssignedTaskNotifiesTheAssigneeButNotWhoAssignsThemself() throws InterruptedException {
    String projectId = NODE.api().createProject(ada, teamId, "Website");
    String tasks = "/api/teams/" + teamId + "/projects/" + projectId + "/tasks";
    expect(201, NODE.api().post(tasks, ada.token(), new JsonObject().put("title", "Hero").put("assigneeId", bob.id())));
    expect(201, NODE.api().post(tasks, ada.token(), new JsonObject().put("title", "Mine").put("assigneeId", ada.id())));

    eventually(() -> count(bob, "task_assigned") == 1, "Bob's assignment");
    JsonObject assigned = items(bob).getJsonObject(0);
    assertTrue(assigned.getString("title").startsWith("Ada assigned you"), assigned.getString("title"));
    assertTrue(assigned.getString("link").contains("/projects/" + projectId), assigned.getString("link"));
    Thread.sleep(1_000);
    assertEquals(1, count(bob, "task_assigned"));
    assertEquals(0, count(ada, "task_assigned"), "assigning yourself tells you nothing");
  }

  @Test
  void aForgottenTimerIsNotifiedOnceHoweverOftenTheCheckRuns() throws InterruptedException {
    String projectId = NODE.api().createProject(ada, teamId, "Website");
    expect(201, NODE.api().startTimer(bob, teamId, projectId));
    eventually(() -> count(bob, "timer_forgotten") == 1, "Bob's forgotten timer");
    JsonObject forgotten = items(bob).getJsonObject(0);
    assertTrue(forgotten.getString("title").startsWith("Your timer has been running for"),
        forgotten.getString("title"));
    Thread.sleep(3_500); // three more checks, the timer still running
    assertEquals(1, count(bob, "timer_forgotten"), "once per time entry");
    assertEquals(0, count(ada, "timer_forgotten"), "only the timer's user");
  }
}
