package dev.trcr.integrations;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Sends the deliveries outbox, on the verticle's event loop. Per webhook strictly in order with one delivery in
 * flight (only the oldest pending delivery can be claimed, under a lease in the row that other nodes respect), several
 * webhooks in parallel. A 2xx answer delivers; anything else (another status, a timeout, a refused address) is an
 * attempt that failed: retried after min(max, base·2^(attempts-1)) ±20 %, marked failed once the delivery is older
 * than the retry window (then the next one goes), and after a run of {@code disableAfter} failed attempts the webhook
 * is disabled and {@code events.webhook.disabled} journaled, in the same transaction. A node that dies mid-send leaves
 * its lease to expire and the delivery is sent again: at least once.
 */
final class WebhookSender {

  private static final System.Logger LOG = System.getLogger(WebhookSender.class.getName());
  private static final int MAX_IN_FLIGHT = 64;
  private static final int ERROR_MAX = 500;
  private static final long PRUNE_EVERY_MS = 3_600_000L;
  private static final int KEEP_DAYS = 30;

  /** The part of the configuration the sender reads. */
  record Settings(int timeoutMs, long retryBaseMs, long retryMaxMs, int retryHours, int disableAfter, long pollMs) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Journal journal;
  private final UrlGuard guard;
  private final Settings settings;
  /** The webhooks this node is sending to right now. */
  private final Set<UUID> inFlight = new java.util.HashSet<>();
  private HttpClient client;
  private long poller = -1;
  private long pruner = -1;
  private boolean scanning;
  private boolean again;
  private boolean stopped;

  WebhookSender(Vertx vertx, Pool pool, Journal journal, UrlGuard guard, Settings settings) {
    this.vertx = vertx;
    this.pool = pool;
    this.journal = journal;
    this.guard = guard;
    this.settings = settings;
  }

  void start() {
    client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(settings.timeoutMs())
        .setIdleTimeout(settings.timeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS).setMaxRedirects(0));
    poller = vertx.setPeriodic(settings.pollMs(), id -> wake());
    pruner = vertx.setPeriodic(PRUNE_EVERY_MS, id -> prune());
    wake();
  }

  /** Finished deliveries are kept {@link #KEEP_DAYS} days for the deliveries list, then removed (any node may). */
  private void prune() {
    pool.preparedQuery(WebhooksSql.PRUNE).execute(Tuple.of(KEEP_DAYS)).onFailure(e ->
        LOG.log(System.Logger.Level.WARNING, "pruning old webhook deliveries failed; retried later", e));
  }

  /** Stops taking deliveries and waits (bounded) for the sends in flight to record their outcome. */
  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(poller);
    vertx.cancelTimer(pruner);
    return idle(System.currentTimeMillis() + settings.timeoutMs() + 2_000L)
        .compose(ignored -> client == null ? Future.succeededFuture() : client.close());
  }

  private Future<Void> idle(long deadline) {
    if ((inFlight.isEmpty() && !scanning) || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(20, id -> idle(deadline).onComplete(later));
    return later.future();
  }

  /** Looks for due deliveries now (new ones were enqueued, or one was delivered and the next may go). */
  void wake() {
    if (stopped) {
      return;
    }
    if (scanning) {
      again = true;
      return;
    }
    scanning = true;
    int room = MAX_IN_FLIGHT - inFlight.size();
    Future<List<Row>> heads = room <= 0 ? Future.succeededFuture(List.of())
        : pool.preparedQuery(WebhooksSql.DUE_HEADS).execute(Tuple.of(MAX_IN_FLIGHT)).map(rows -> {
          List<Row> out = new ArrayList<>();
          rows.forEach(out::add);
          return out;
        });
    heads.onComplete(ar -> {
      scanning = false;
      if (ar.failed()) {
        LOG.log(System.Logger.Level.WARNING, "looking for due webhook deliveries failed; retried at the next poll",
            ar.cause());
      } else {
        for (Row r : ar.result()) {
          UUID webhook = r.getUUID("webhook_id");
          if (!stopped && inFlight.size() < MAX_IN_FLIGHT && inFlight.add(webhook)) {
            send(webhook, r.getUUID("id"));
          }
        }
      }
      if (again) {
        again = false;
        wake();
      }
    });
  }

  private record Claimed(UUID id, UUID webhookId, String event, String body, int attempts, String url, String secret) {
  }

  private record Outcome(Integer status, String error) {
    boolean delivered() {
      return status != null && status >= 200 && status < 300;
    }
  }

  private void send(UUID webhookId, UUID deliveryId) {
    pool.preparedQuery(WebhooksSql.CLAIM).execute(Tuple.of(deliveryId, lease()))
        .compose(rows -> rows.size() == 0
            ? Future.succeededFuture(false) // taken by another node, or no longer the one to send
            : deliverFrom(claimed(rows.iterator().next())))
        .onComplete(ar -> {
          inFlight.remove(webhookId);
          if (ar.failed()) {
            LOG.log(System.Logger.Level.WARNING, "a delivery of webhook " + webhookId + " could not be recorded; "
                + "its lease expires and it is sent again", ar.cause());
          } else if (ar.result()) {
            wake(); // the next delivery of this webhook may go now
          }
        });
  }

  /**
   * Sends a claimed delivery, then, while they succeed, the webhook's next ones: recording a success claims the next
   * due delivery in the same transaction. Completes with whether the last attempt was delivered.
   */
  private Future<Boolean> deliverFrom(Claimed c) {
    return post(c).compose(outcome -> record(c, outcome).compose(next -> next == null || stopped
        ? Future.succeededFuture(outcome.delivered() && next == null)
        : deliverFrom(next)));
  }

  private long lease() {
    return 2L * settings.timeoutMs() + 10_000L;
  }

  private static Claimed claimed(Row r) {
    return new Claimed(r.getUUID("id"), r.getUUID("webhook_id"), r.getString("event"), r.getString("body"),
        r.getInteger("attempts"), r.getString("url"), r.getString("secret"));
  }

  /** One attempt: the URL checked again (DNS may have changed), then POSTed to the address checked. */
  private Future<Outcome> post(Claimed c) {
    return guard.check(c.url()).compose(target -> {
      String path = target.uri().getRawPath() == null || target.uri().getRawPath().isEmpty() ? "/"
          : target.uri().getRawPath();
      if (target.uri().getRawQuery() != null) {
        path += "?" + target.uri().getRawQuery();
      }
      long t = System.currentTimeMillis() / 1000;
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
          .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
          .setHost(target.host()).setPort(target.port()).setSsl(target.tls()).setURI(path)
          .setConnectTimeout(settings.timeoutMs()).setIdleTimeout(settings.timeoutMs()).setFollowRedirects(false)
          .putHeader("content-type", "application/json")
          .putHeader("user-agent", "trcr-webhooks")
          .putHeader("X-Trcr-Event", c.event())
          .putHeader("X-Trcr-Delivery", c.id().toString())
          .putHeader("X-Trcr-Signature", "t=" + t + ",v1=" + sign(c.secret(), t, c.body()));
      return client.request(options)
          .compose(request -> request.send(c.body()))
          .compose(response -> {
            response.handler(ignored -> { }); // the answer's body is not kept
            return response.end().map(ignored -> response.statusCode());
          })
          .timeout(settings.timeoutMs(), TimeUnit.MILLISECONDS)
          .map(status -> new Outcome(status, status >= 200 && status < 300 ? null : "HTTP " + status));
    }).recover(e -> Future.succeededFuture(new Outcome(null, error(e))));
  }

  /** {@code hex(HMAC-SHA256(secret, t + "." + body))}: what the README tells receivers to compute. */
  static String sign(String secret, long t, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Records an attempt's outcome; after a success, claims the webhook's next due delivery (null: none, or stopping). */
  private Future<Claimed> record(Claimed c, Outcome outcome) {
    Metrics.jobRun(vertx, "webhook", outcome.delivered() ? "delivered" : "failed_attempt");
    if (outcome.delivered()) {
      // The webhook's row first, then its delivery: the order of every transaction that touches both (no deadlock).
      return Database.transaction(pool, conn -> conn.preparedQuery(WebhooksSql.WEBHOOK_FOR_UPDATE)
          .execute(Tuple.of(c.webhookId()))
          .compose(ignored -> conn.preparedQuery(WebhooksSql.DELIVERED).execute(Tuple.of(c.id(), outcome.status())))
          .compose(ignored -> conn.preparedQuery(WebhooksSql.RESET_FAILURES).execute(Tuple.of(c.webhookId())))
          .compose(ignored -> stopped ? Future.succeededFuture(null)
              : conn.preparedQuery(WebhooksSql.CLAIM_NEXT).execute(Tuple.of(c.webhookId(), lease()))
                  .map(rows -> rows.size() == 0 ? null : claimed(rows.iterator().next()))));
    }
    List<Journal.Event> events = new ArrayList<>();
    int attempts = c.attempts() + 1;
    long delay = delay(attempts);
    return Database.transaction(pool, conn -> conn.preparedQuery(WebhooksSql.WEBHOOK_FOR_UPDATE)
            .execute(Tuple.of(c.webhookId())).compose(hooks -> {
              if (hooks.size() == 0) {
                return Future.<Void>succeededFuture(); // deleted meanwhile, with its deliveries
              }
              Row hook = hooks.iterator().next();
              return conn.preparedQuery(WebhooksSql.ATTEMPT_FAILED).execute(Tuple.from(new Object[]{c.id(),
                      outcome.status(), outcome.error(), settings.retryHours(), delay}))
                  .compose(ignored -> conn.preparedQuery(WebhooksSql.COUNT_FAILURE).execute(Tuple.of(c.webhookId())))
                  .compose(rows -> {
                    int failures = rows.iterator().next().getInteger("consecutive_failures");
                    if (!hook.getBoolean("enabled") || failures < settings.disableAfter()) {
                      return Future.<Void>succeededFuture();
                    }
                    return disable(conn, hook, failures, outcome.error(), events);
                  });
            }))
        .onSuccess(ignored -> journal.published(events))
        .map(ignored -> (Claimed) null);
  }

  private Future<Void> disable(io.vertx.sqlclient.SqlConnection conn, Row hook, int failures, String lastError,
                               List<Journal.Event> events) {
    UUID teamId = hook.getUUID("team_id");
    UUID id = hook.getUUID("id");
    JsonObject payload = new JsonObject().put("id", UUID.randomUUID().toString()).put("teamId", teamId.toString())
        .put("webhookId", id.toString()).put("url", hook.getString("url")).put("failures", failures)
        .put("lastError", lastError);
    LOG.log(System.Logger.Level.INFO, "webhook " + id + " disabled after " + failures + " failed attempts");
    Metrics.jobRun(vertx, "webhook", "disabled");
    return conn.preparedQuery(WebhooksSql.DISABLE).execute(Tuple.of(id))
        .compose(ignored -> journal.append(conn, Address.EVENTS_WEBHOOK_DISABLED, List.of(), payload))
        .compose(event -> {
          events.add(event);
          return journal.recordSystem(conn, Journal.Change.of(teamId, "webhook", id, "disabled",
              new JsonObject().put("enabled", true), new JsonObject().put("enabled", false)
                  .put("consecutiveFailures", failures)));
        });
  }

  /** min(max, base·2^(attempts-1)), then ±20 % so that many failing webhooks do not retry in step. */
  long delay(int attempts) {
    double exact = Math.min((double) settings.retryMaxMs(),
        settings.retryBaseMs() * Math.pow(2, Math.min(40, Math.max(0, attempts - 1))));
    double jittered = exact * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble());
    return Math.max(1L, Math.round(Math.min(jittered, settings.retryMaxMs())));
  }

  private static String error(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.length() > ERROR_MAX ? message.substring(0, ERROR_MAX) : message;
  }
}
