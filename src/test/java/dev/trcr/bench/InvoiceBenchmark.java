package dev.trcr.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code --mode invoice}: billing on its real path (REST → bus → billing → timers/workspace → PostgreSQL) against a
 * server process. One big invoice (entries per member at their own rates, billed per entry): how long the preview,
 * the draft (claim + pricing + lines), its PDF and the issue take; then many small drafts issued concurrently: issues
 * per second, latency percentiles, and a check that the numbers came out gapless and unique.
 */
final class InvoiceBenchmark {

  private final BenchRest rest;

  private InvoiceBenchmark(int httpPort) {
    this.rest = new BenchRest(httpPort);
  }

  static List<String> run(int httpPort, int entries, int issues, int concurrency) throws Exception {
    return new InvoiceBenchmark(httpPort).measure(entries, issues, concurrency);
  }

  private List<String> measure(int entryCount, int issueCount, int concurrency) throws Exception {
    List<String> out = new ArrayList<>();
    JsonObject owner = call("POST", "/api/auth/signup", null, new JsonObject().put("email", "owner@bench.test")
        .put("password", "correct horse battery").put("name", "Olga Owner"), 201);
    String token = owner.getString("token");
    String team = call("POST", "/api/teams", token, new JsonObject().put("name", "Bench Studio"), 201).getString("id");
    String t = "/api/teams/" + team;
    List<String> tokens = new ArrayList<>(List.of(token));
    for (int i = 0; i < 4; i++) {
      JsonObject m = call("POST", "/api/auth/signup", null, new JsonObject().put("email", "m" + i + "@bench.test")
          .put("password", "correct horse battery").put("name", "Member " + i), 201);
      call("POST", t + "/members", token, new JsonObject().put("email", "m" + i + "@bench.test"), 201);
      tokens.add(m.getString("token"));
    }
    String client = call("POST", t + "/clients", token, new JsonObject().put("name", "Globex")
        .put("email", "ap@globex.test").put("taxRatePercent", "19"), 201).getString("id");
    String project = call("POST", t + "/projects", token, new JsonObject().put("name", "Website")
        .put("hourlyRate", "95.00"), 201).getString("id");
    call("PATCH", t + "/projects/" + project, token, new JsonObject().put("clientId", client), 200);
    JsonArray members = new JsonArray(send("GET", t + "/members", token, null, 200));
    for (int i = 0; i < members.size(); i++) {
      String id = members.getJsonObject(i).getJsonObject("user").getString("id");
      call("PUT", t + "/projects/" + project + "/rates/" + id, token,
          new JsonObject().put("hourlyRate", (80 + 7 * i) + ".50"), 200);
    }

    // Entries: October 2026, spread over the members, 17–133 minutes each.
    Instant october = Instant.parse("2026-10-01T00:00:00Z");
    long started = System.nanoTime();
    parallel(concurrency, entryCount, i -> call("POST", t + "/time-entries", tokens.get(i % tokens.size()),
        new JsonObject().put("projectId", project)
            .put("startedAt", october.plusSeconds(i * 1_200L).toString())
            .put("stoppedAt", october.plusSeconds(i * 1_200L + 60L * (17 + (i * 37) % 117)).toString())
            .put("description", "Task " + i), 201));
    double entryMs = (System.nanoTime() - started) / 1e6;
    out.add(String.format(Locale.ROOT, "- setup: %d entries created over REST in %.1f s (%.0f/s, %d in flight)",
        entryCount, entryMs / 1000, entryCount / (entryMs / 1000), concurrency));

    JsonObject body = new JsonObject().put("clientId", client).put("from", "2026-10-01T00:00:00Z")
        .put("to", "2026-11-01T00:00:00Z").put("groupBy", "entry").put("rounding",
            new JsonObject().put("minutes", 6).put("mode", "up"));
    long p0 = System.nanoTime();
    JsonObject preview = call("POST", t + "/invoices/preview", token, body, 200);
    long p1 = System.nanoTime();
    JsonObject draft = call("POST", t + "/invoices", token, body, 201);
    long p2 = System.nanoTime();
    byte[] pdf = bytes(t + "/invoices/" + draft.getString("id") + "/pdf", token);
    long p3 = System.nanoTime();
    JsonObject issued = call("POST", t + "/invoices/" + draft.getString("id") + "/issue", token, new JsonObject(), 200);
    long p4 = System.nanoTime();
    byte[] issuedPdf = bytes(t + "/invoices/" + draft.getString("id") + "/pdf", token);
    long p5 = System.nanoTime();
    out.add(String.format(Locale.ROOT, "- one invoice of %d lines (per entry, 6-min rounding up, 5 rates): preview %.0f ms, "
            + "draft %.0f ms, PDF %.0f ms (%d KB, draft), issue %.0f ms (%s), PDF again %.0f ms; total %s %s, preview "
            + "total %s", draft.getJsonArray("lines").size(), (p1 - p0) / 1e6, (p2 - p1) / 1e6, (p3 - p2) / 1e6,
        pdf.length / 1024, (p4 - p3) / 1e6, issued.getString("number"), (p5 - p4) / 1e6, draft.getString("total"),
        draft.getString("currency"), preview.getString("total")));
    if (!preview.getString("total").equals(draft.getString("total")) || issuedPdf.length < 1000) {
      out.add("- PROBLEM: preview and draft totals differ, or the PDF is empty");
    }

    // Many small drafts (one entry each, one day each), then issued `concurrency` at a time.
    Instant march = Instant.parse("2027-03-01T00:00:00Z");
    parallel(concurrency, issueCount, i -> call("POST", t + "/time-entries", tokens.get(i % tokens.size()),
        new JsonObject().put("projectId", project).put("startedAt", march.plusSeconds(86_400L * i + 3_600).toString())
            .put("stoppedAt", march.plusSeconds(86_400L * i + 7_200).toString()), 201));
    String[] drafts = new String[issueCount];
    parallel(concurrency, issueCount, i -> drafts[i] = call("POST", t + "/invoices", token, new JsonObject()
        .put("clientId", client).put("from", march.plusSeconds(86_400L * i).toString())
        .put("to", march.plusSeconds(86_400L * (i + 1)).toString()).put("groupBy", "project"), 201).getString("id"));
    long[] latency = new long[issueCount];
    String[] numbers = new String[issueCount];
    long i0 = System.nanoTime();
    parallel(concurrency, issueCount, i -> {
      long s = System.nanoTime();
      numbers[i] = call("POST", t + "/invoices/" + drafts[i] + "/issue", token, new JsonObject(), 200).getString("number");
      latency[i] = System.nanoTime() - s;
      return null;
    });
    double seconds = (System.nanoTime() - i0) / 1e9;
    Arrays.sort(latency);
    Set<Integer> seqs = new HashSet<>();
    for (String n : numbers) {
      seqs.add(Integer.parseInt(n.substring(n.lastIndexOf('-') + 1)));
    }
    boolean gapless = seqs.size() == issueCount && seqs.stream().allMatch(s -> s >= 2 && s <= issueCount + 1);
    out.add(String.format(Locale.ROOT, "- %d issues, %d in flight, one team: %.0f issues/s; latency p50 %.1f ms, "
            + "p99 %.1f ms, max %.1f ms; numbers 2..%d %s", issueCount, concurrency, issueCount / seconds,
        latency[issueCount / 2] / 1e6, latency[(int) Math.min(issueCount - 1, Math.ceil(issueCount * 0.99) - 1)] / 1e6,
        latency[issueCount - 1] / 1e6, issueCount + 1, gapless ? "gapless and unique" : "NOT GAPLESS: " + seqs));
    return out;
  }

  private interface Task {
    Object run(int i) throws Exception;
  }

  private static void parallel(int threads, int count, Task task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Object>> all = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        all.add(pool.submit(() -> task.run(index)));
      }
      for (Future<Object> f : all) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private JsonObject call(String method, String path, String token, JsonObject body, int expected) throws Exception {
    return rest.call(method, path, token, body, expected);
  }

  private String send(String method, String path, String token, JsonObject body, int expected) throws Exception {
    return rest.send(method, path, token, body, expected);
  }

  private byte[] bytes(String path, String token) throws Exception {
    return rest.bytes(path, token);
  }
}
