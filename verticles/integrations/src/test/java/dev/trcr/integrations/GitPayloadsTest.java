package dev.trcr.integrations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure rules of git sync: which keys a message cites, which it closes, and how a push is summarised. */
class GitPayloadsTest {

  private static JsonArray links(String message, boolean onDefault) {
    GitPayloads.Delivery d = new GitPayloads.Delivery(GitPayloads.Kind.PUSH, "Ada", "main", onDefault,
        List.of(new GitPayloads.Commit("abc1234", message, "Ada", null, null)), 1, null, null);
    return GitPayloads.links(d);
  }

  private static List<String> closed(String message) {
    return links(message, true).stream().map(JsonObject.class::cast).filter(l -> l.getBoolean("close"))
        .map(l -> l.getString("key")).toList();
  }

  @Test
  void everyClosingKeywordClosesInAnyCaseWithAnOptionalColon() {
    for (String word : List.of("fix", "fixes", "fixed", "close", "closes", "closed", "resolve", "resolves",
        "resolved", "FIXES", "Closes")) {
      assertEquals(List.of("WEB-12"), closed(word + " WEB-12: hero"), word);
      assertEquals(List.of("WEB-12"), closed(word + ": WEB-12"), word + ":");
    }
    assertEquals(List.of(), closed("refs WEB-12"), "citing is not closing");
    assertEquals(List.of(), closed("prefixes WEB-12"), "a keyword is a whole word");
    assertEquals(List.of("WEB-2"), closed("WEB-1 and fixes WEB-2"));
    assertFalse(links("fixes WEB-12", false).getJsonObject(0).getBoolean("close"), "not on the default branch");
  }

  @Test
  void keysAreUpperCaseProjectKeysWithATaskNumber() {
    assertEquals(List.of("WEB-12", "API2-3"), links("WEB-12, API2-3 and WEB-12 again", true).stream()
        .map(o -> ((JsonObject) o).getString("key")).toList());
    assertTrue(links("web-12 W-1 WEB-0 XWEB-1x WEB-12a TOOLONGKEYX-1", true).isEmpty());
  }

  @Test
  void aPushSummaryShowsTenCommitsThenHowManyMore() {
    List<GitPayloads.Commit> commits = new java.util.ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      commits.add(new GitPayloads.Commit("sha" + i + "aaaaaaa", "commit " + i + "\n\nbody", "Ada",
          "https://x.example/" + i, null));
    }
    String text = GitPayloads.summary(new GitPayloads.Delivery(GitPayloads.Kind.PUSH, "Ada", "main", true, commits,
        12, null, null));
    List<String> lines = text.lines().toList();
    assertEquals("Ada pushed 12 commits to main:", lines.get(0));
    assertEquals("• sha1aaa commit 1 https://x.example/1", lines.get(1));
    assertEquals(12, lines.size());
    assertEquals("and 2 more", lines.get(11));
    assertNull(GitPayloads.summary(new GitPayloads.Delivery(GitPayloads.Kind.PUSH, "Ada", "main", true, List.of(), 0,
        null, null)), "a branch deleted: nothing to say");
  }
}
