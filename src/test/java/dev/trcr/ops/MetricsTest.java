package dev.trcr.ops;

import dev.trcr.testing.Api;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /metrics} on its own port: Prometheus text that moves with traffic and never grows a series per id. */
class MetricsTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_METRICS_PORT", 0)
      .put("TRCR_METRICS_HOST", "127.0.0.1").put("TRCR_RATE_LIMIT_PER_SECOND", 0)
      .put("TRCR_OVERDUE_CHECK_SECONDS", 1));

  /** A sample line: name, optional labels, value. */
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*)})? (\\S+)( \\d+)?");
  private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** Every series of a scrape (name + labels → value), checking each line's syntax. */
  private static Map<String, Double> scrape() {
    int port = NODE.node().metricsPort();
    assertTrue(port > 0, "metrics are served on their own port");
    HttpClient client = NODE.clientVertx().createHttpClient();
    try {
      String text = client.request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
          .compose(req -> req.send().compose(res -> {
            assertEquals(200, res.statusCode());
            assertTrue(res.getHeader("content-type").startsWith("text/plain"), res.getHeader("content-type"));
            return res.body();
          })).await().toString();
      Map<String, Double> series = new TreeMap<>();
      for (String line : text.split("\n")) {
        if (line.isEmpty()) {
          continue;
        }
        if (line.startsWith("#")) {
          assertTrue(line.matches("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*"), "comment line: " + line);
          continue;
        }
        Matcher m = SAMPLE.matcher(line);
        assertTrue(m.matches(), "not a Prometheus sample line: " + line);
        String value = m.group(4);
        series.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)),
            value.equals("+Inf") ? Double.POSITIVE_INFINITY : value.equals("NaN") ? Double.NaN : Double.parseDouble(value));
      }
      return series;
    } finally {
      client.close();
    }
  }

  private static double sum(Map<String, Double> series, String name, String... labelParts) {
    double total = 0;
    for (Map.Entry<String, Double> e : series.entrySet()) {
      String key = e.getKey();
      if (!(key.equals(name) || key.startsWith(name + "{"))) {
        continue;
      }
      boolean all = true;
      for (String part : labelParts) {
        all &= key.contains(part);
      }
      if (all) {
        total += e.getValue();
      }
    }
    return total;
  }

  @Test
  void countersMoveWithTraffic() {
    Api api = NODE.api();
    Api.Session ada = api.signup("Ada");
    String team = api.createTeam(ada, "Metrics");
    String project = api.createProject(ada, team, "Web");
    Map<String, Double> before = scrape();
    for (int i = 0; i < 3; i++) {
      Api.expect(201, api.startTimer(ada, team, project));
      Api.expect(200, api.post("/api/teams/" + team + "/timer/stop", ada.token(), new JsonObject()));
    }
    Map<String, Double> after = scrape();

    String route = "route=\"/api/teams/:teamId/timer/start\"";
    assertEquals(3, sum(after, "vertx_http_server_requests_total", route, "code=\"201\"")
        - sum(before, "vertx_http_server_requests_total", route, "code=\"201\""), 0.0001, () -> "requests by route "
        + "template: " + after.keySet().stream().filter(k -> k.startsWith("vertx_http_server_requests")).toList());
    assertTrue(sum(after, "vertx_http_server_response_time_seconds_bucket", route) > 0, "latency histogram by route");
    assertEquals(3, sum(after, "trcr_command_duration_seconds_count", "address=\"timers.start\"", "status=\"200\"")
        - sum(before, "trcr_command_duration_seconds_count", "address=\"timers.start\"", "status=\"200\""), 0.0001);
    assertTrue(sum(after, "vertx_eventbus_processed_total", "address=\"timers.start\"") >= 3, "bus messages by address");
    assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("vertx_pool_") && k.contains("pool_name=\"timers\"")),
        "PostgreSQL pool use per verticle");
    assertTrue(sum(after, "jvm_memory_used_bytes") > 0, "JVM memory");
    assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("jvm_gc_")), "GC pauses");
    assertTrue(after.containsKey("trcr_bridge_sockets"), "bridge sockets per node");
    assertTrue(after.containsKey("trcr_bridge_subscriptions"), "bridge subscriptions per node");
    assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("trcr_journal_relay_lag_seconds{schema=\"timers\"")),
        "journal relay lag");
    long deadline = System.currentTimeMillis() + 10_000;
    while (sum(scrape(), "trcr_job_runs_total", "job=\"overdue\"", "outcome=\"ok\"") < 1) {
      assertTrue(System.currentTimeMillis() < deadline, "the overdue job's runs are counted");
      sleep(200);
    }
  }

  @Test
  void theGrafanaDashboardAsksForMetricsTheNodeHas() throws Exception {
    Api api = NODE.api();
    Api.Session eve = api.signup("Eve");
    String team = api.createTeam(eve, "Dashboard");
    Api.expect(201, api.startTimer(eve, team, api.createProject(eve, team, "Web")));
    java.util.Set<String> names = new java.util.HashSet<>();
    scrape().keySet().forEach(k -> names.add(k.replaceAll("\\{.*", "")));
    String dashboard = java.nio.file.Files.readString(java.nio.file.Path.of("conf/grafana/trcr-dashboard.json"));
    Matcher m = Pattern.compile("\\b((?:vertx|trcr|jvm)_[a-z0-9_]+)").matcher(dashboard);
    List<String> missing = new ArrayList<>();
    while (m.find()) {
      String name = m.group(1);
      // GC pauses appear after the first collection; the dashboard may name them before.
      if (!name.startsWith("jvm_gc_") && !names.contains(name)) {
        missing.add(name);
      }
    }
    assertTrue(missing.isEmpty(), "the dashboard asks for metrics /metrics does not have: " + missing);
  }

  @Test
  void seriesStayBoundedWhateverTheNumberOfTeams() {
    Api api = NODE.api();
    Api.Session bob = api.signup("Bob");
    // Warm up every kind of request once, then count.
    traffic(api, bob, 3);
    Map<String, Double> warm = scrape();
    traffic(api, bob, 1_000);
    Map<String, Double> after = scrape();
    List<String> withIds = new ArrayList<>();
    for (String key : after.keySet()) {
      if (UUID.matcher(key).find()) {
        withIds.add(key);
      }
    }
    assertTrue(withIds.isEmpty(), "no label carries an id: " + withIds);
    assertTrue(after.size() <= warm.size() + 40, "series after 1 000 teams' traffic: " + after.size()
        + " (after warm-up: " + warm.size() + ")");
    assertFalse(after.isEmpty());
  }

  /** {@code teams} distinct teams, each created and read (REST → workspace and chat commands with the team's id). */
  private static void traffic(Api api, Api.Session user, int teams) {
    for (int i = 0; i < teams; i++) {
      String team = api.createTeam(user, "T" + i + "-" + System.nanoTime());
      Api.expect(200, api.get("/api/teams/" + team + "/members", user.token()));
      Api.expect(200, api.get("/api/teams/" + team + "/channels", user.token()));
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
