package dev.trcr.integrations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads GitHub's and GitLab's push and pull/merge-request deliveries into one shape, finds the task keys their
 * commits cite, and words the chat summary. Pure: no I/O.
 */
final class GitPayloads {

  /** A task key, as the board numbers tasks: the project's key, a dash, the task's number. */
  static final Pattern KEY = Pattern.compile("(?<![A-Za-z0-9])([A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,8})(?![A-Za-z0-9])");

  /** A closing keyword right before a key: "fixes WEB-12", "Closes: WEB-12", "resolved WEB-12". */
  static final Pattern CLOSING = Pattern.compile("(?<![A-Za-z])(?i:fix|fixes|fixed|close|closes|closed|resolve|"
      + "resolves|resolved):?\\s+([A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,8})(?![A-Za-z0-9])");

  static final int SUMMARY_LINES = 10;
  static final int LINKS_MAX = 1000;
  private static final int MESSAGE_MAX = 10_000;
  private static final int LINE_MAX = 120;
  private static final int TEXT_MAX = 4000;

  /** What a delivery is about. */
  enum Kind { PING, PUSH, MERGE, IGNORED }

  record Commit(String sha, String message, String author, String url, String at) {
  }

  /**
   * One delivery: who, which branch (null for a tag), whether that is the repository's default branch, its commits
   * (a merge is one: its merge commit, titled by the request), how many commits a push had in all, and for a merge
   * its number and URL.
   */
  record Delivery(Kind kind, String actor, String branch, boolean onDefault, List<Commit> commits, int total,
                  String mergeLabel, String mergeUrl) {

    static Delivery of(Kind kind) {
      return new Delivery(kind, null, null, false, List.of(), 0, null, null);
    }
  }

  private GitPayloads() {
  }

  static Delivery github(String event, JsonObject p) {
    if ("ping".equals(event)) {
      return Delivery.of(Kind.PING);
    }
    String defaultBranch = p.getJsonObject("repository", new JsonObject()).getString("default_branch");
    if ("push".equals(event)) {
      String branch = branch(p.getString("ref"));
      List<Commit> commits = new ArrayList<>();
      for (Object o : p.getJsonArray("commits", new JsonArray())) {
        if (o instanceof JsonObject c) {
          commits.add(new Commit(c.getString("id"), c.getString("message"),
              c.getJsonObject("author", new JsonObject()).getString("name"), c.getString("url"),
              c.getString("timestamp")));
        }
      }
      String actor = p.getJsonObject("pusher", new JsonObject()).getString("name",
          p.getJsonObject("sender", new JsonObject()).getString("login"));
      return new Delivery(Kind.PUSH, actor, branch, branch != null && branch.equals(defaultBranch), commits,
          commits.size(), null, null);
    }
    if ("pull_request".equals(event)) {
      JsonObject pr = p.getJsonObject("pull_request", new JsonObject());
      if (!"closed".equals(p.getString("action")) || !Boolean.TRUE.equals(pr.getBoolean("merged"))) {
        return Delivery.of(Kind.IGNORED);
      }
      String target = pr.getJsonObject("base", new JsonObject()).getString("ref");
      JsonObject by = pr.getJsonObject("merged_by", pr.getJsonObject("user", new JsonObject()));
      String actor = by == null ? null : by.getString("login");
      Object number = pr.getValue("number", p.getValue("number"));
      String sha = pr.getString("merge_commit_sha", "pull-" + number);
      Commit merge = new Commit(sha, text(pr.getString("title"), pr.getString("body")), actor, pr.getString("html_url"),
          pr.getString("merged_at"));
      return new Delivery(Kind.MERGE, actor, target, target != null && target.equals(defaultBranch), List.of(merge),
          1, "pull request #" + number, pr.getString("html_url"));
    }
    return Delivery.of(Kind.IGNORED);
  }

  static Delivery gitlab(String event, JsonObject p) {
    String defaultBranch = p.getJsonObject("project", new JsonObject()).getString("default_branch");
    if ("Push Hook".equals(event)) {
      String branch = branch(p.getString("ref"));
      List<Commit> commits = new ArrayList<>();
      for (Object o : p.getJsonArray("commits", new JsonArray())) {
        if (o instanceof JsonObject c) {
          commits.add(new Commit(c.getString("id"), c.getString("message"),
              c.getJsonObject("author", new JsonObject()).getString("name"), c.getString("url"),
              c.getString("timestamp")));
        }
      }
      // GitLab lists at most 20 commits of a push; total_commits_count is how many it had.
      Integer total = p.getValue("total_commits_count") instanceof Number n ? n.intValue() : null;
      return new Delivery(Kind.PUSH, p.getString("user_name", p.getString("user_username")), branch,
          branch != null && branch.equals(defaultBranch), commits, total == null ? commits.size()
          : Math.max(total, commits.size()), null, null);
    }
    if ("Merge Request Hook".equals(event)) {
      JsonObject mr = p.getJsonObject("object_attributes", new JsonObject());
      if (!"merge".equals(mr.getString("action"))) {
        return Delivery.of(Kind.IGNORED);
      }
      String target = mr.getString("target_branch");
      String actor = p.getJsonObject("user", new JsonObject()).getString("name");
      Object iid = mr.getValue("iid");
      String sha = mr.getString("merge_commit_sha");
      if (sha == null) {
        sha = "mr-" + iid;
      }
      Commit merge = new Commit(sha, text(mr.getString("title"), mr.getString("description")), actor,
          mr.getString("url"), mr.getString("updated_at"));
      return new Delivery(Kind.MERGE, actor, target, target != null && target.equals(defaultBranch), List.of(merge),
          1, "merge request !" + iid, mr.getString("url"));
    }
    return Delivery.of(Kind.IGNORED);
  }

  /**
   * The board links of a delivery: one per commit and key it cites, closing when a closing keyword names the key and
   * the commit reached the default branch.
   */
  static JsonArray links(Delivery d) {
    JsonArray links = new JsonArray();
    for (Commit c : d.commits()) {
      if (c.sha() == null || c.message() == null || c.message().isBlank()) {
        continue;
      }
      Set<String> keys = new LinkedHashSet<>();
      Matcher m = KEY.matcher(c.message());
      while (m.find()) {
        keys.add(m.group(1));
      }
      Set<String> closing = new LinkedHashSet<>();
      Matcher k = CLOSING.matcher(c.message());
      while (k.find()) {
        closing.add(k.group(1));
      }
      String message = c.message().length() > MESSAGE_MAX ? c.message().substring(0, MESSAGE_MAX) : c.message();
      for (String key : keys) {
        if (links.size() == LINKS_MAX) {
          return links; // what board.tasks.link takes at once; a push of 20 commits is far below
        }
        links.add(new JsonObject().put("key", key).put("sha", cut(c.sha(), 100)).put("message", message)
            .put("author", cut(c.author(), 200)).put("url", cut(c.url(), 2000)).put("at", instant(c.at()))
            .put("close", d.onDefault() && closing.contains(key)));
      }
    }
    return links;
  }

  /** "Ada pushed 3 commits to main:" and a line per commit (at most 10, then "and N more"); null: nothing to say. */
  static String summary(Delivery d) {
    String actor = d.actor() == null ? "Someone" : d.actor();
    if (d.kind() == Kind.MERGE) {
      Commit merge = d.commits().get(0);
      return clip(actor + " merged " + d.mergeLabel() + " into " + d.branch() + ": " + firstLine(merge.message())
          + (d.mergeUrl() == null ? "" : " " + d.mergeUrl()));
    }
    if (d.kind() != Kind.PUSH || d.commits().isEmpty()) {
      return null;
    }
    String where = d.branch() == null ? "a tag" : d.branch();
    StringBuilder out = new StringBuilder(actor).append(" pushed ").append(d.total())
        .append(d.total() == 1 ? " commit" : " commits").append(" to ").append(where).append(':');
    int shown = Math.min(SUMMARY_LINES, d.commits().size());
    for (Commit c : d.commits().subList(0, shown)) {
      out.append("\n• ").append(c.sha() == null ? "" : c.sha().substring(0, Math.min(7, c.sha().length())))
          .append(' ').append(firstLine(c.message()));
      if (c.url() != null) {
        out.append(" ").append(c.url());
      }
    }
    if (d.total() > shown) {
      out.append("\nand ").append(d.total() - shown).append(" more");
    }
    return clip(out.toString());
  }

  private static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max);
  }

  /** A provider's timestamp as an ISO instant, or null if it is not one. */
  private static String instant(String at) {
    if (at == null) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(at).toInstant().toString();
    } catch (java.time.format.DateTimeParseException e) {
      try {
        return java.time.Instant.parse(at).toString();
      } catch (java.time.format.DateTimeParseException e2) {
        return null;
      }
    }
  }

  private static String branch(String ref) {
    return ref != null && ref.startsWith("refs/heads/") ? ref.substring("refs/heads/".length()) : null;
  }

  private static String text(String title, String description) {
    String t = title == null ? "" : title;
    return description == null || description.isBlank() ? t : t + "\n\n" + description;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String line = message.strip().lines().findFirst().orElse("");
    return line.length() > LINE_MAX ? line.substring(0, LINE_MAX - 1) + "…" : line;
  }

  private static String clip(String text) {
    return text.length() > TEXT_MAX ? text.substring(0, TEXT_MAX - 1) + "…" : text;
  }
}
