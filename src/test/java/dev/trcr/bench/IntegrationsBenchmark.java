package dev.trcr.bench;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --mode integrations}: the journal feed's consumers on their real path. {@code --users} members each start and
 * stop their timer {@code --pairs} times through REST, as fast as the server answers; a webhook subscribed to
 * {@code timer.started} and {@code timer.stopped} points at a receiver in this process (the server needs
 * {@code TRCR_WEBHOOK_ALLOWED_HOSTS=127.0.0.1}). Prints commands per second, webhook deliveries expected / received /
 * repeated / out of order, the delay from a command's reply to its webhook (p50 … max), and how long after the last
 * command the audit log holds every change.
 */
final class IntegrationsBenchmark {

  private final BenchRest rest;

  private IntegrationsBenchmark(int httpPort) {
    this.rest = new BenchRest(httpPort);
  }

  static List<String> run(int httpPort, int users, int pairs) throws Exception {
    return new IntegrationsBenchmark(httpPort).measure(users, pairs);
  }

  private record Received(long atNanos, String event, String entryId, String deliveryId) {
  }

  private List<String> measure(int users, int pairs) throws Exception {
    List<String> out = new ArrayList<>();
    List<Received> received = java.util.Collections.synchronizedList(new ArrayList<>());
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      long at = System.nanoTime();
      JsonObject body = new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      JsonObject entry = body.getJsonObject("data").getJsonObject("entry");
      received.add(new Received(at, body.getString("event"), entry == null ? null : entry.getString("id"),
          exchange.getRequestHeaders().getFirst("X-Trcr-Delivery")));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.setExecutor(Executors.newFixedThreadPool(4));
    receiver.start();
    try {
      JsonObject owner = call("POST", "/api/auth/signup", null, new JsonObject().put("email", "owner@bench.test")
          .put("password", "correct horse battery").put("name", "Olga Owner"), 201);
      String token = owner.getString("token");
      String team = call("POST", "/api/teams", token, new JsonObject().put("name", "Hooks"), 201).getString("id");
      String t = "/api/teams/" + team;
      String project = call("POST", t + "/projects", token, new JsonObject().put("name", "Website"), 201)
          .getString("id");
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < users; i++) {
        JsonObject m = call("POST", "/api/auth/signup", null, new JsonObject().put("email", "u" + i + "@bench.test")
            .put("password", "correct horse battery").put("name", "User " + i), 201);
        call("POST", t + "/members", token, new JsonObject().put("email", "u" + i + "@bench.test"), 201);
        tokens.add(m.getString("token"));
      }
      call("POST", t + "/webhooks", token, new JsonObject()
          .put("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")
          .put("events", new JsonArray().add("timer.started").add("timer.stopped")), 201);
      Thread.sleep(1_500); // the webhook takes events from its creation on (1 s slack)

      Map<String, Long> replied = new ConcurrentHashMap<>();
      AtomicInteger commands = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(users);
      long started = System.nanoTime();
      List<Future<?>> work = new ArrayList<>();
      for (String user : tokens) {
        work.add(pool.submit(() -> {
          for (int i = 0; i < pairs; i++) {
            String entry = call("POST", t + "/timer/start", user, new JsonObject().put("projectId", project), 201)
                .getString("id");
            replied.put("timer.started/" + entry, System.nanoTime());
            call("POST", t + "/timer/stop", user, new JsonObject(), 200);
            replied.put("timer.stopped/" + entry, System.nanoTime());
            commands.addAndGet(2);
          }
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
      long commandsDone = System.nanoTime();
      pool.shutdown();
      int expected = commands.get();
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      // The audit log is watched at the same time as the webhooks: each completes on its own.
      int auditExpected = expected;
      java.util.concurrent.atomic.AtomicLong allAuditedAt = new java.util.concurrent.atomic.AtomicLong();
      AtomicInteger audited = new AtomicInteger();
      Thread auditWatch = new Thread(() -> {
        try {
          while (System.nanoTime() < deadline) {
            audited.set(countAudit(t, token));
            if (audited.get() >= auditExpected) {
              allAuditedAt.set(System.nanoTime());
              return;
            }
            Thread.sleep(50);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "audit-watch");
      auditWatch.start();
      while (received.size() < expected && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      long allDelivered = System.nanoTime();
      auditWatch.join();
      long allAudited = allAuditedAt.get() == 0 ? System.nanoTime() : allAuditedAt.get();

      List<Received> got;
      synchronized (received) {
        got = new ArrayList<>(received);
      }
      long repeats = got.size() - got.stream().map(Received::deliveryId).distinct().count();
      int outOfOrder = 0;
      Map<String, Long> startedAt = new ConcurrentHashMap<>();
      for (Received r : got) {
        if (r.event().equals("timer.started")) {
          startedAt.put(r.entryId(), r.atNanos());
        } else if (!startedAt.containsKey(r.entryId())) {
          outOfOrder++; // a stop delivered before its start
        }
      }
      Map<String, Integer> perEvent = new java.util.HashMap<>();
      got.forEach(r -> perEvent.merge(r.event() + "/" + r.entryId(), 1, Integer::sum));
      List<String> twice = perEvent.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
      if (!twice.isEmpty()) {
        out.add("events delivered more than once under different delivery ids: " + twice.size() + ", e.g. "
            + twice.subList(0, Math.min(3, twice.size())));
      }
      List<String> unknown = got.stream().filter(r -> !replied.containsKey(r.event() + "/" + r.entryId()))
          .map(r -> r.event() + "/" + r.entryId()).toList();
      if (!unknown.isEmpty()) {
        out.add("deliveries of no command of this run: " + unknown.size() + ", e.g. "
            + unknown.subList(0, Math.min(3, unknown.size())));
      }
      long[] delays = got.stream().mapToLong(r -> {
        Long reply = replied.get(r.event() + "/" + r.entryId());
        return reply == null ? -1 : r.atNanos() - reply;
      }).filter(d -> d >= 0).sorted().toArray();
      double seconds = (commandsDone - started) / 1e9;
      out.add(String.format(Locale.ROOT, "%d users × %d start/stop pairs: %d commands in %.1f s = %.0f commands/s",
          users, pairs, expected, seconds, expected / seconds));
      out.add(String.format(Locale.ROOT, "webhook deliveries: expected %d, received %d, repeated %d, stop before its "
          + "start %d", expected, got.size(), repeats, outOfOrder));
      out.add(String.format(Locale.ROOT, "command reply → webhook received: p50 %s, p90 %s, p99 %s, max %s",
          ms(delays, 0.50), ms(delays, 0.90), ms(delays, 0.99), ms(delays, 1.0)));
      out.add(String.format(Locale.ROOT, "all webhooks in %.2f s after the last command; audit log complete (%d of %d "
          + "entries) %.2f s after it", (allDelivered - commandsDone) / 1e9, audited.get(), auditExpected,
          (allAudited - commandsDone) / 1e9));
      return out;
    } finally {
      receiver.stop(0);
      ((ExecutorService) receiver.getExecutor()).shutdownNow();
    }
  }

  /** The team's time-entry audit entries (started and stopped), counted page by page. */
  private int countAudit(String team, String token) throws Exception {
    int count = 0;
    String cursor = null;
    do {
      JsonObject page = call("GET", team + "/audit?entity=time_entry&limit=1000"
          + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, StandardCharsets.UTF_8)), token,
          null, 200);
      count += page.getJsonArray("items").size();
      cursor = page.getString("next");
    } while (cursor != null);
    return count;
  }

  private static String ms(long[] sorted, double q) {
    if (sorted.length == 0) {
      return "-";
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return String.format(Locale.ROOT, "%.0f ms", sorted[Math.max(0, i)] / 1e6);
  }

  private JsonObject call(String method, String path, String token, JsonObject body, int expected) throws Exception {
    return rest.call(method, path, token, body, expected);
  }
}
