package dev.trcr.notifications;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.TrcrException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Turns the journaled internal events into notifications, each exactly once. A published event is only a wake-up:
 * the source stream is read from its owner's journal ({@code <owner>.journal.read}) after this verticle's cursor, and
 * each event's notifications, emails and the cursor's advance commit in one transaction under the cursor's row lock
 * (one node per stream at a time also holds a cluster lock for the pass). The same catch-up runs at start and every
 * {@code TRCR_NOTIFICATIONS_POLL_MS}, so events published while no node listened, or lost on the bus, are not missed.
 * An owner that does not answer (not deployed) is skipped quietly until the next poll. Used on the verticle's event
 * loop only.
 */
final class Intake {

  private static final System.Logger LOG = System.getLogger(Intake.class.getName());
  private static final int PAGE = 200;
  private static final long DRAIN_MS = 10_000;

  /** The journaled streams read, each one global stream whose key is the event's literal address. */
  static final List<Address> SOURCES = List.of(Address.CHAT_MENTION, Address.EVENTS_TASK_ASSIGNED,
      Address.EVENTS_INVOICE_ISSUED, Address.EVENTS_INVOICE_OVERDUE, Address.EVENTS_WEBHOOK_DISABLED);

  private final Vertx vertx;
  private final Pool pool;
  private final Journal journal;
  private final Inbox inbox;
  private final Planner planner;
  private final Runnable mailQueued;
  private final long pollMs;
  private final Set<Address> running = new HashSet<>();
  private final Set<Address> again = new HashSet<>();
  /** Streams whose cursor row is known to exist. */
  private final Set<Address> cursors = new HashSet<>();
  private final List<MessageConsumer<Object>> wakeUps = new ArrayList<>();
  private long poller = -1;
  private boolean stopped;

  Intake(Vertx vertx, Pool pool, Journal journal, Inbox inbox, Planner planner, Runnable mailQueued, long pollMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.journal = journal;
    this.inbox = inbox;
    this.planner = planner;
    this.mailQueued = mailQueued;
    this.pollMs = pollMs;
  }

  /** Listens for wake-ups, starts polling and catches every stream up once (not awaited: start does not wait). */
  Future<Void> start() {
    for (Address source : SOURCES) {
      wakeUps.add(vertx.eventBus().consumer(source.address(), message -> catchUp(source)));
    }
    poller = vertx.setPeriodic(pollMs, id -> SOURCES.forEach(this::catchUp));
    return Future.all(wakeUps.stream().map(MessageConsumer::completion).toList())
        .onSuccess(ignored -> SOURCES.forEach(this::catchUp)).mapEmpty();
  }

  /** Stops listening and polling, then waits (bounded) for the passes in flight. */
  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(poller);
    Future<Void> unregistered = Future.all(wakeUps.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
    long deadline = System.currentTimeMillis() + DRAIN_MS;
    return unregistered.recover(ignored -> Future.succeededFuture()).compose(ignored -> idle(deadline));
  }

  private Future<Void> idle(long deadline) {
    if (running.isEmpty() || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(20, id -> idle(deadline).onComplete(later));
    return later.future();
  }

  /** One catch-up of a stream at a time per instance; a wake-up during a pass runs another pass after it. */
  void catchUp(Address source) {
    if (stopped) {
      return;
    }
    if (!running.add(source)) {
      again.add(source);
      return;
    }
    vertx.sharedData().getLockWithTimeout("trcr.notifications.intake." + source.address(), 100)
        .compose(lock -> pass(source).eventually(() -> {
          lock.release();
          return Future.succeededFuture();
        }), busy -> Future.succeededFuture()) // another node is catching this stream up
        .onComplete(ar -> {
          running.remove(source);
          if (ar.failed()) {
            if (quiet(ar.cause())) {
              LOG.log(System.Logger.Level.DEBUG, source.address() + ": owner not answering, retried at the next poll: "
                  + ar.cause().getMessage());
            } else {
              LOG.log(System.Logger.Level.WARNING, "catching up " + source.address() + " failed; retried at the "
                  + "next poll", ar.cause());
            }
          }
          if (again.remove(source)) {
            catchUp(source);
          }
        });
  }

  private record Cursor(String epoch, long lastSeq) {
  }

  private Future<Void> pass(Address source) {
    String stream = source.address();
    Future<Void> ensured = cursors.contains(source) ? Future.succeededFuture()
        : pool.preparedQuery(NotificationsSql.ENSURE_CURSOR).execute(Tuple.of(stream))
            .onSuccess(ignored -> cursors.add(source)).mapEmpty();
    return ensured.compose(ignored -> pool.preparedQuery(NotificationsSql.CURSOR).execute(Tuple.of(stream)))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new Cursor(r.getString("epoch"), r.getLong("last_seq"));
        })
        .compose(cursor -> read(source, cursor.lastSeq()).compose(page -> {
          String epoch = page.getString("epoch");
          if (epoch == null) {
            return Future.succeededFuture(); // nothing was ever appended to this stream
          }
          if (cursor.epoch() != null && !cursor.epoch().equals(epoch)) {
            LOG.log(System.Logger.Level.INFO, stream + " has a new epoch (" + cursor.epoch() + " → " + epoch
                + "): reading it again from the start; events already notified are recognised by their id");
            return read(source, 0).compose(replay -> apply(source, replay));
          }
          return apply(source, page);
        }));
  }

  private Future<JsonObject> read(Address source, long after) {
    return Bus.request(vertx, source.journalReader(), new JsonObject().put("stream", source.address())
        .put("after", after).put("limit", PAGE), null);
  }

  /** Processes a page in order; a full page means there may be more. */
  private Future<Void> apply(Address source, JsonObject page) {
    String epoch = page.getString("epoch");
    JsonArray events = page.getJsonArray("events", new JsonArray());
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < events.size(); i++) {
      JsonObject event = events.getJsonObject(i);
      chain = chain.compose(ignored -> stopped ? Future.succeededFuture() : handle(source, epoch, event));
    }
    return chain.compose(ignored -> events.size() >= PAGE && !stopped ? pass(source) : Future.succeededFuture());
  }

  /** Decides the event's notifications, then writes them and advances the cursor in one transaction. */
  private Future<Void> handle(Address source, String epoch, JsonObject event) {
    long seq = event.getLong("seq");
    String stream = source.address();
    return planner.plan(source, event)
        .recover(e -> {
          if (poison(e)) {
            LOG.log(System.Logger.Level.WARNING, "skipping " + stream + " #" + seq + " (" + event.getString("id")
                + "): " + e.getMessage());
            return Future.succeededFuture(Planner.Plan.NONE);
          }
          return Future.failedFuture(e); // e.g. the workspace did not answer: stop here, retry from this event
        })
        .compose(plan -> Database.transaction(pool, conn -> conn.preparedQuery(NotificationsSql.LOCK_CURSOR)
            .execute(Tuple.of(stream))
            .compose(rows -> {
              Row r = rows.iterator().next();
              if (epoch.equals(r.getString("epoch")) && r.getLong("last_seq") >= seq) {
                return Future.succeededFuture(List.<Journal.Event>of()); // done meanwhile by another node
              }
              return inbox.record(conn, plan.notes(), plan.mails())
                  .compose(events -> conn.preparedQuery(NotificationsSql.ADVANCE_CURSOR)
                      .execute(Tuple.of(stream, epoch, seq)).map(events));
            }))
            .map(events -> {
              journal.published(events);
              if (inbox.emailEnabled() && (!plan.mails().isEmpty() || !plan.notes().isEmpty())) {
                mailQueued.run();
              }
              return (Void) null;
            }));
  }

  /** An event that can never be processed (malformed, or about a team that no longer exists): skipped. */
  private static boolean poison(Throwable e) {
    return e instanceof TrcrException || e instanceof IllegalArgumentException || e instanceof ClassCastException
        || e instanceof NullPointerException
        || e instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE && r.failureCode() == 404;
  }

  /** The owner (or the workspace) is not deployed or did not answer: expected while a node starts. */
  private static boolean quiet(Throwable e) {
    return e instanceof ReplyException r && r.failureType() != ReplyFailure.RECIPIENT_FAILURE;
  }
}
