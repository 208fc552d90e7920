package dev.trcr.integrations;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Git sync through HTTP: GitHub and GitLab deliveries (payloads shaped like the providers' documented examples, in
 * {@code src/test/resources/git/}) signed right and wrong, against a real node; the outcome read back over REST.
 */
class GitSyncTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
      .put("TRCR_PUBLIC_URL", "https://trcr.example.com/"));

  private Session owner;
  private Session member;
  private Session outsider;
  private String teamId;
  private String projectId;
  private String general;

  @BeforeEach
  void team() {
    owner = NODE.api().signup("Ada");
    member = NODE.api().signup("Bob");
    outsider = NODE.api().signup("Eve");
    teamId = NODE.api().createTeam(owner, "Acme");
    NODE.api().addMember(owner, teamId, member, "member");
    projectId = expect(201, NODE.api().post("/api/teams/" + teamId + "/projects", owner.token(),
        new JsonObject().put("name", "Website").put("key", "WEB"))).json().getString("id");
    for (String title : List.of("Hero", "Footer", "Checkout")) { // WEB-1, WEB-2, WEB-3
      expect(201, NODE.api().post(board("/tasks"), owner.token(), new JsonObject().put("title", title)));
    }
    general = expect(200, NODE.api().get("/api/teams/" + teamId + "/channels", owner.token())).array()
        .getJsonObject(0).getString("id");
  }

  @Test
  void githubDeliveriesWithAWrongOrMissingSignatureAreRefusedAndChangeNothing() {
    JsonObject git = create("github", general);
    String body = payload("github-push.json");

    Response wrong = hook(git, "push", UUID.randomUUID().toString(), body, sign("not the secret", body));
    assertEquals(401, wrong.status(), wrong.toString());
    assertEquals("invalid_signature", wrong.errorCode());
    Response tampered = hook(git, "push", UUID.randomUUID().toString(), body.replace("WEB-2", "WEB-3"),
        sign(git.getString("secret"), body));
    assertEquals(401, tampered.status(), "the signature covers the body");
    Response missing = hook(git, "push", UUID.randomUUID().toString(), body, null);
    assertEquals(401, missing.status());
    assertEquals("invalid_signature", missing.errorCode());
    assertTrue(task("WEB-1").getJsonArray("commits").isEmpty(), "nothing linked");
    assertEquals("To do", columnOf("WEB-1"));
    assertEquals(0, messages().size(), "nothing posted");

    Response unknown = NODE.api().call(HttpMethod.POST, "/hooks/git/" + UUID.randomUUID(), null,
        Buffer.buffer(body), headers("push", "d-1", sign(git.getString("secret"), body)));
    assertEquals(404, unknown.status());
    assertEquals("integration_not_found", unknown.errorCode());

    String secret = git.getString("secret");
    Response ping = hook(git, "ping", UUID.randomUUID().toString(), "{\"zen\":\"Keep it simple.\",\"hook_id\":1}",
        sign(secret, "{\"zen\":\"Keep it simple.\",\"hook_id\":1}"));
    assertEquals(200, ping.status(), ping.toString());
    String issue = "{\"action\":\"opened\",\"issue\":{\"title\":\"fixes WEB-1\"}}";
    Response ignored = hook(git, "issues", UUID.randomUUID().toString(), issue, sign(secret, issue));
    assertEquals(200, ignored.status());
    assertEquals("ignored", ignored.json().getString("status"));
    Response notJson = hook(git, "push", "d-failed-first", "not json", sign(secret, "not json"));
    assertEquals(400, notJson.status(), notJson.toString());

    // A delivery that failed is not marked: the provider's retry with the same id is processed.
    Response ok = hook(git, "push", "d-failed-first", body, sign(secret, body));
    assertEquals(200, ok.status(), ok.toString());
    assertEquals("processed", ok.json().getString("status"));
    assertEquals(1, task("WEB-1").getJsonArray("commits").size());
  }

  @Test
  void aPushLinksTheCitedTasksAndFixesMovesTheCardOnlyOnTheDefaultBranch() {
    JsonObject git = create("github", null);
    String secret = git.getString("secret");
    String onFeature = payload("github-push.json").replace("refs/heads/main", "refs/heads/hero-fix");
    long seqBefore = boardJournal(0).getLong("lastSeq");

    Response feature = hook(git, "push", "d-feature", onFeature, sign(secret, onFeature));
    assertEquals(200, feature.status(), feature.toString());
    assertEquals(2, feature.json().getInteger("linked"), "WEB-1 and WEB-2; NOPE-9 and WEB-999 are nobody's");
    JsonArray commits = task("WEB-1").getJsonArray("commits");
    assertEquals(1, commits.size());
    JsonObject commit = commits.getJsonObject(0);
    assertEquals("9fceb02d0ae598e95dc970b74767f19372d61af8", commit.getString("sha"));
    assertTrue(commit.getString("message").startsWith("fixes WEB-1: the hero renders on mobile"));
    assertEquals("Ada Lovelace", commit.getString("author"));
    assertEquals("https://github.com/acme/web/commit/9fceb02d0ae598e95dc970b74767f19372d61af8",
        commit.getString("url"));
    assertEquals("2026-01-02T09:00:00Z", commit.getString("at"));
    assertEquals(1, task("WEB-2").getJsonArray("commits").size());
    assertTrue(task("WEB-3").getJsonArray("commits").isEmpty());
    assertEquals("To do", columnOf("WEB-1"), "a fix on another branch closes nothing");
    assertEquals(1, task("WEB-1").getInteger("version"));

    JsonArray events = boardJournal(seqBefore).getJsonArray("events");
    JsonObject updated = events.stream().map(JsonObject.class::cast)
        .filter(e -> "task.updated".equals(e.getString("type"))
            && "WEB-1".equals(e.getJsonObject("task").getString("key")))
        .findFirst().orElseThrow(() -> new AssertionError("no task.updated for WEB-1 in " + events));
    assertEquals("9fceb02d0ae598e95dc970b74767f19372d61af8",
        updated.getJsonObject("task").getJsonArray("commits").getJsonObject(0).getString("sha"));
    assertFalse(events.stream().map(JsonObject.class::cast).anyMatch(e -> "task.moved".equals(e.getString("type"))));

    Response again = hook(git, "push", "d-feature", onFeature, sign(secret, onFeature));
    assertEquals(200, again.status());
    assertEquals("duplicate", again.json().getString("status"));

    // The same commits reach main (a fast-forward merge): now "fixes WEB-1" closes the card, once.
    long seqMain = boardJournal(0).getLong("lastSeq");
    String onMain = payload("github-push.json");
    expect(200, hook(git, "push", "d-main", onMain, sign(secret, onMain)));
    assertEquals("Done", columnOf("WEB-1"));
    assertEquals(2, task("WEB-1").getInteger("version"), "the move raised the version");
    assertEquals(1, task("WEB-1").getJsonArray("commits").size(), "a commit is linked to a task once");
    assertEquals("To do", columnOf("WEB-2"), "WEB-2 was cited without a closing keyword");
    JsonArray moved = boardJournal(seqMain).getJsonArray("events");
    assertEquals(1, moved.stream().map(JsonObject.class::cast).filter(e -> "task.moved".equals(e.getString("type"))
        && "WEB-1".equals(e.getJsonObject("task").getString("key"))).count(), moved.toString());

    // The card is moved back by hand; a provider's retry of a new delivery id with the same commits closes nothing.
    JsonObject web1 = task("WEB-1");
    long seqByHand = boardJournal(0).getLong("lastSeq");
    expect(200, NODE.api().post(board("/tasks/" + web1.getString("id") + "/move"), owner.token(),
        new JsonObject().put("columnId", columnId("In progress")).put("version", web1.getInteger("version"))));
    assertEquals(1, boardJournal(seqByHand).getJsonArray("events").getJsonObject(0).getJsonObject("task")
        .getJsonArray("commits").size(), "every task event carries the task's commits");
    expect(200, hook(git, "push", "d-main-redelivered", onMain, sign(secret, onMain)));
    assertEquals("In progress", columnOf("WEB-1"));

    // Recorded for the audit log, from the git hook.
    JsonArray changes = Bus.<JsonObject>request(NODE.node().vertx(), Address.BOARD_JOURNAL_FEED,
        new JsonObject().put("of", "changes").put("limit", 1000), null).await().getJsonArray("items");
    assertTrue(changes.stream().map(JsonObject.class::cast).anyMatch(c -> "commit_linked".equals(c.getString("action"))
        && teamId.equals(c.getString("teamId")) && "git".equals(c.getString("origin"))), changes.toString());
    assertTrue(changes.stream().map(JsonObject.class::cast).anyMatch(c -> "moved".equals(c.getString("action"))
        && teamId.equals(c.getString("teamId")) && "git".equals(c.getString("origin"))));
  }

  @Test
  void aPushIsSummarisedInTheChannelOnceBySystemAuthor() {
    JsonObject git = create("github", general);
    String body = payload("github-push.json");
    expect(200, hook(git, "push", "d-1", body, sign(git.getString("secret"), body)));
    expect(200, hook(git, "push", "d-1", body, sign(git.getString("secret"), body)));

    JsonArray messages = messages();
    assertEquals(1, messages.size(), messages.toString());
    JsonObject message = messages.getJsonObject(0);
    assertNull(message.getValue("userId"));
    assertEquals("GitHub", message.getString("authorName"));
    String text = message.getString("text");
    assertTrue(text.startsWith("Ada pushed 3 commits to main:"), text);
    assertTrue(text.contains("• 9fceb02 fixes WEB-1: the hero renders on mobile "
        + "https://github.com/acme/web/commit/9fceb02d0ae598e95dc970b74767f19372d61af8"), text);
    assertEquals(4, text.lines().count(), text);
    assertTrue(message.getJsonArray("mentions").isEmpty());
    assertEquals(1, expect(200, NODE.api().get("/api/teams/" + teamId + "/channels", member.token())).array()
        .getJsonObject(0).getInteger("unreadCount"), "a system message is unread for every member");

    // GraphQL shows the same: the system author, and the commits on the task.
    JsonObject data = expect(200, NODE.api().post("/graphql", member.token(), new JsonObject()
        .put("query", "query($t: ID!, $c: ID!, $p: ID!) { messages(teamId: $t, channelId: $c) { edges { node { "
            + "userId author { name } authorName text } } } board(teamId: $t, projectId: $p) { columns { tasks { key "
            + "commits { sha message author url at } } } } }")
        .put("variables", new JsonObject().put("t", teamId).put("c", general).put("p", projectId)))).json();
    assertNull(data.getValue("errors"), data.encode());
    JsonObject node = data.getJsonObject("data").getJsonObject("messages").getJsonArray("edges").getJsonObject(0)
        .getJsonObject("node");
    assertNull(node.getValue("userId"));
    assertNull(node.getValue("author"));
    assertEquals("GitHub", node.getString("authorName"));
    JsonObject web1 = data.getJsonObject("data").getJsonObject("board").getJsonArray("columns").stream()
        .flatMap(c -> ((JsonObject) c).getJsonArray("tasks").stream()).map(JsonObject.class::cast)
        .filter(t -> "WEB-1".equals(t.getString("key"))).findFirst().orElseThrow();
    assertEquals("9fceb02d0ae598e95dc970b74767f19372d61af8",
        web1.getJsonArray("commits").getJsonObject(0).getString("sha"));
  }

  @Test
  void aMergedPullRequestThatFixesAKeyClosesTheTask() {
    JsonObject git = create("github", general);
    String body = payload("github-pull-request-merged.json");
    Response r = hook(git, "pull_request", "d-pr", body, sign(git.getString("secret"), body));
    assertEquals(200, r.status(), r.toString());
    assertEquals("Done", columnOf("WEB-3"));
    JsonObject commit = task("WEB-3").getJsonArray("commits").getJsonObject(0);
    assertEquals("https://github.com/acme/web/pull/5", commit.getString("url"));
    assertTrue(commit.getString("message").startsWith("Checkout: pay by card"));
    assertTrue(messages().getJsonObject(0).getString("text")
        .startsWith("ada merged pull request #5 into main: Checkout: pay by card"));

    String open = body.replace("\"action\": \"closed\"", "\"action\": \"opened\"");
    Response opened = hook(git, "pull_request", "d-pr-open", open, sign(git.getString("secret"), open));
    assertEquals("ignored", opened.json().getString("status"));
  }

  @Test
  void gitlabDeliveriesAreCheckedByTokenAndPushesAndMergesClose() {
    JsonObject git = create("gitlab", general);
    String push = payload("gitlab-push.json");
    assertEquals(401, gitlab(git, "Push Hook", "u-1", push, "wrong").status());
    Response missing = gitlab(git, "Push Hook", "u-1", push, null);
    assertEquals(401, missing.status());
    assertEquals("invalid_signature", missing.errorCode());
    assertTrue(task("WEB-1").getJsonArray("commits").isEmpty());

    Response pushed = gitlab(git, "Push Hook", "u-1", push, git.getString("secret"));
    assertEquals(200, pushed.status(), pushed.toString());
    assertEquals(1, pushed.json().getInteger("linked"), "web-2 in lower case is no key");
    assertEquals("Done", columnOf("WEB-1"), "Resolve: WEB-1 on master, the default branch");
    assertTrue(task("WEB-2").getJsonArray("commits").isEmpty());
    assertEquals("duplicate", gitlab(git, "Push Hook", "u-1", push, git.getString("secret")).json()
        .getString("status"));

    String merge = payload("gitlab-merge-request-merged.json");
    expect(200, gitlab(git, "Merge Request Hook", "u-2", merge, git.getString("secret")));
    assertEquals("Done", columnOf("WEB-2"));
    assertEquals("https://gitlab.example.com/acme/web/-/merge_requests/7",
        task("WEB-2").getJsonArray("commits").getJsonObject(0).getString("url"));
    JsonArray messages = messages();
    assertEquals(2, messages.size());
    assertEquals("GitLab", messages.getJsonObject(0).getString("authorName"));
    assertTrue(messages.getJsonObject(0).getString("text")
        .startsWith("Ada Lovelace merged merge request !7 into master"));
    assertTrue(messages.getJsonObject(1).getString("text").startsWith("Ada Lovelace pushed 2 commits to master:"));
  }

  @Test
  void onlyOwnersAndAdminsManageIntegrationsAndTheSecretIsShownOnce() {
    String path = "/api/teams/" + teamId + "/integrations/git";
    Response forbidden = NODE.api().post(path, member.token(), new JsonObject().put("provider", "github"));
    assertEquals(403, forbidden.status());
    assertEquals("forbidden", forbidden.errorCode());
    assertEquals("team_not_found", NODE.api().post(path, outsider.token(), new JsonObject().put("provider", "github"))
        .errorCode());
    assertEquals(403, NODE.api().get(path, member.token()).status());
    assertEquals(400, NODE.api().post(path, owner.token(), new JsonObject().put("provider", "svn")).status());
    assertEquals("channel_not_found", NODE.api().post(path, owner.token(), new JsonObject().put("provider", "github")
        .put("channelId", UUID.randomUUID().toString())).errorCode());

    JsonObject git = create("github", general);
    assertEquals("https://trcr.example.com/hooks/git/" + git.getString("id"), git.getString("webhookUrl"));
    assertEquals(64, git.getString("secret").length());
    JsonArray list = expect(200, NODE.api().get(path, owner.token())).array();
    assertEquals(1, list.size());
    assertEquals(git.getString("id"), list.getJsonObject(0).getString("id"));
    assertEquals(general, list.getJsonObject(0).getString("channelId"));
    assertFalse(list.encode().contains(git.getString("secret")), "the secret is never listed");
    assertFalse(list.getJsonObject(0).containsKey("secret"));

    assertEquals(403, NODE.api().delete(path + "/" + git.getString("id"), member.token()).status());
    expect(204, NODE.api().delete(path + "/" + git.getString("id"), owner.token()));
    assertEquals("integration_not_found", NODE.api().delete(path + "/" + git.getString("id"), owner.token())
        .errorCode());
    String body = payload("github-push.json");
    assertEquals(404, hook(git, "push", "d-1", body, sign(git.getString("secret"), body)).status());
  }

  @Test
  void repeatingTheInternalCommandsOfARetriedDeliveryChangesThingsOnce() {
    io.vertx.core.Vertx vertx = NODE.node().vertx();
    io.vertx.core.eventbus.DeliveryOptions keyed = new io.vertx.core.eventbus.DeliveryOptions()
        .addHeader(dev.trcr.kernel.Idempotency.HEADER, "git:x:d-1");
    JsonObject post = new JsonObject().put("teamId", teamId).put("channelId", general).put("authorName", "GitHub")
        .put("text", "Ada pushed 1 commit to main: @Bob");
    JsonObject first = Bus.<JsonObject>request(vertx, Address.CHAT_MESSAGES_SYSTEM, post, null, keyed).await();
    JsonObject again = Bus.<JsonObject>request(vertx, Address.CHAT_MESSAGES_SYSTEM, post, null,
        new io.vertx.core.eventbus.DeliveryOptions().addHeader(dev.trcr.kernel.Idempotency.HEADER, "git:x:d-1"))
        .await();
    assertEquals(first.getString("id"), again.getString("id"));
    assertEquals(1, messages().size());
    assertTrue(first.getJsonArray("mentions").isEmpty(), "a system message mentions nobody");
    JsonArray changes = Bus.<JsonObject>request(vertx, Address.CHAT_JOURNAL_FEED,
        new JsonObject().put("of", "changes").put("limit", 1000), null).await().getJsonArray("items");
    assertEquals(1, changes.stream().map(JsonObject.class::cast).filter(c -> "message".equals(c.getString("entity"))
        && first.getString("id").equals(c.getString("entityId"))).count(), "recorded once for the audit log");
    String otherTeam = NODE.api().createTeam(outsider, "Other");
    Throwable foreign = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> Bus.request(vertx,
        Address.CHAT_MESSAGES_SYSTEM, post.copy().put("teamId", otherTeam), null).await());
    assertTrue(foreign.getMessage().contains("channel_not_found"), foreign.getMessage());

    JsonObject link = new JsonObject().put("teamId", teamId).put("commits", new JsonArray()
        .add(new JsonObject().put("key", "WEB-2").put("sha", "abc1234").put("message", "closes WEB-2")
            .put("author", "Ada").put("url", "https://example.com/c/abc1234").put("at", "2026-01-02T09:00:00Z")
            .put("close", true))
        .add(new JsonObject().put("key", "OPS-1").put("sha", "abc1234").put("message", "OPS-1")));
    JsonObject linked = Bus.<JsonObject>request(vertx, Address.BOARD_TASKS_LINK, link, null).await();
    assertEquals(true, linked.getJsonArray("linked").getJsonObject(0).getBoolean("closed"));
    assertEquals(new JsonArray().add("OPS-1"), linked.getJsonArray("unknownKeys"));
    JsonObject repeated = Bus.<JsonObject>request(vertx, Address.BOARD_TASKS_LINK, link, null).await();
    assertEquals(false, repeated.getJsonArray("linked").getJsonObject(0).getBoolean("closed"));
    assertEquals(1, task("WEB-2").getJsonArray("commits").size());
    assertEquals(2, task("WEB-2").getInteger("version"), "moved once");
  }

  // --- helpers ------------------------------------------------------------------------------------------------------

  private JsonObject create(String provider, String channelId) {
    JsonObject body = new JsonObject().put("provider", provider);
    if (channelId != null) {
      body.put("channelId", channelId);
    }
    return expect(201, NODE.api().post("/api/teams/" + teamId + "/integrations/git", owner.token(), body)).json();
  }

  private static Response hook(JsonObject git, String event, String delivery, String body, String signature) {
    return NODE.api().call(HttpMethod.POST, "/hooks/git/" + git.getString("id"), null, Buffer.buffer(body),
        headers(event, delivery, signature));
  }

  private static MultiMap headers(String event, String delivery, String signature) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("X-GitHub-Event", event)
        .add("X-GitHub-Delivery", delivery).add("User-Agent", "GitHub-Hookshot/044aadd");
    if (signature != null) {
      headers.add("X-Hub-Signature-256", signature);
    }
    return headers;
  }

  private static Response gitlab(JsonObject git, String event, String uuid, String body, String token) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("X-Gitlab-Event", event)
        .add("X-Gitlab-Event-UUID", uuid).add("User-Agent", "GitLab/16.0.0");
    if (token != null) {
      headers.add("X-Gitlab-Token", token);
    }
    return NODE.api().call(HttpMethod.POST, "/hooks/git/" + git.getString("id"), null, Buffer.buffer(body), headers);
  }

  /** What GitHub sends: {@code sha256=} and the hex HMAC-SHA256 of the body under the secret. */
  private static String sign(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A payload of {@code verticles/integrations/src/test/resources/git/} (tests run from the project root). */
  private static String payload(String name) {
    try {
      return java.nio.file.Files.readString(
          java.nio.file.Path.of("verticles/integrations/src/test/resources/git", name));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private String board(String rest) {
    return "/api/teams/" + teamId + "/projects/" + projectId + rest;
  }

  private JsonObject boardNow() {
    return expect(200, NODE.api().get(board("/board"), owner.token())).json();
  }

  private JsonObject task(String key) {
    for (Object c : boardNow().getJsonArray("columns")) {
      for (Object t : ((JsonObject) c).getJsonArray("tasks")) {
        if (key.equals(((JsonObject) t).getString("key"))) {
          return (JsonObject) t;
        }
      }
    }
    throw new AssertionError("no task " + key);
  }

  private String columnOf(String key) {
    for (Object c : boardNow().getJsonArray("columns")) {
      for (Object t : ((JsonObject) c).getJsonArray("tasks")) {
        if (key.equals(((JsonObject) t).getString("key"))) {
          return ((JsonObject) c).getString("name");
        }
      }
    }
    throw new AssertionError("no task " + key);
  }

  private String columnId(String name) {
    return boardNow().getJsonArray("columns").stream().map(JsonObject.class::cast)
        .filter(c -> name.equals(c.getString("name"))).findFirst().orElseThrow().getString("id");
  }

  private JsonObject boardJournal(long after) {
    return Bus.<JsonObject>request(NODE.node().vertx(), Address.BOARD_JOURNAL_READ, new JsonObject()
        .put("stream", "team." + teamId + ".board." + projectId).put("after", after).put("limit", 1000), null)
        .await();
  }

  private JsonArray messages() {
    return expect(200, NODE.api().get("/api/teams/" + teamId + "/channels/" + general + "/messages",
        owner.token())).json().getJsonArray("items");
  }
}
