package dev.trcr.notifications;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Config;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.UUID;

/**
 * Every {@code TRCR_FORGOTTEN_TIMER_CHECK_SECONDS}, one node (a cluster lock) asks timers for the timers running longer
 * than {@code TRCR_FORGOTTEN_TIMER_HOURS} (a decimal: 0.001 h is 3.6 s) and tells each one's user, once per time
 * entry: the notification's event id is {@code timer_forgotten:<entryId>}, so later runs find it and write nothing.
 */
final class ForgottenTimers {

  private static final System.Logger LOG = System.getLogger(ForgottenTimers.class.getName());

  private final Vertx vertx;
  private final Pool pool;
  private final Journal journal;
  private final Inbox inbox;
  private final Planner planner;
  private final Runnable mailQueued;
  private final double limitSeconds;
  private final long everyMs;
  private long timer = -1;
  private Future<Void> run = Future.succeededFuture();

  ForgottenTimers(Vertx vertx, Pool pool, Journal journal, Inbox inbox, Planner planner, Runnable mailQueued,
                  JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
    this.journal = journal;
    this.inbox = inbox;
    this.planner = planner;
    this.mailQueued = mailQueued;
    this.limitSeconds = hours(config) * 3600;
    this.everyMs = Math.max(100, Config.integer(config, "TRCR_FORGOTTEN_TIMER_CHECK_SECONDS") * 1000L);
  }

  /** TRCR_FORGOTTEN_TIMER_HOURS as a decimal number (a JSON number, or a string from the environment). */
  static double hours(JsonObject config) {
    Object raw = config.getValue("TRCR_FORGOTTEN_TIMER_HOURS");
    try {
      double hours = raw instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(raw).trim());
      if (!(hours > 0)) {
        throw new NumberFormatException("not above 0");
      }
      return hours;
    } catch (NumberFormatException e) {
      throw new Config.ConfigException("TRCR_FORGOTTEN_TIMER_HOURS=" + raw + " must be a number of hours above 0");
    }
  }

  void start() {
    timer = vertx.setPeriodic(everyMs, id -> check());
  }

  Future<Void> stop() {
    vertx.cancelTimer(timer);
    return run.recover(ignored -> Future.succeededFuture());
  }

  private void check() {
    run = vertx.sharedData().getLockWithTimeout("trcr.notifications.forgotten-timers", 100)
        .compose(lock -> notifyAll(Instant.now()).eventually(() -> {
          lock.release();
          return Future.succeededFuture();
        }), busy -> Future.succeededFuture())
        .onComplete(ar -> Metrics.jobRun(vertx, "forgotten_timers", ar.succeeded() ? "ok" : "failed"))
        .recover(e -> {
          if (e instanceof ReplyException r && r.failureType() != io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE) {
            LOG.log(System.Logger.Level.DEBUG, "timers did not answer the forgotten-timer check: " + e.getMessage());
          } else {
            LOG.log(System.Logger.Level.WARNING, "forgotten-timer check failed", e);
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> notifyAll(Instant now) {
    return Bus.<JsonArray>request(vertx, Address.TIMERS_RUNNING_LONGER, new JsonObject().put("seconds", limitSeconds),
        null).compose(entries -> {
          Future<Void> chain = Future.succeededFuture();
          for (Object e : entries) {
            JsonObject entry = (JsonObject) e;
            chain = chain.compose(ignored -> once(entry, now));
          }
          return chain;
        });
  }

  /** One entry: skipped at once if its user was told already, else planned and written (the unique key decides). */
  private Future<Void> once(JsonObject entry, Instant now) {
    String eventId = "timer_forgotten:" + entry.getString("id");
    UUID userId = UUID.fromString(entry.getString("userId"));
    return pool.preparedQuery(NotificationsSql.NOTIFIED)
        .execute(Tuple.of(userId, eventId))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture()
            : planner.forgottenTimer(entry, now).compose(plan -> Database.transaction(pool, conn ->
                    inbox.record(conn, plan.notes(), plan.mails()))
                .map(events -> {
                  journal.published(events);
                  if (!events.isEmpty() && inbox.emailEnabled()) {
                    mailQueued.run();
                  }
                  return (Void) null;
                })))
        .recover(e -> {
          LOG.log(System.Logger.Level.WARNING, "forgotten timer " + entry.getString("id") + " not notified yet", e);
          return Future.succeededFuture();
        });
  }
}
