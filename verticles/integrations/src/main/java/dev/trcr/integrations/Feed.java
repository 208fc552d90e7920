package dev.trcr.integrations;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Database;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads every owner's journal feed ({@code <owner>.journal.feed}) after integrations' cursor and hands each page to
 * the handlers of that kind of feed; the handlers' writes and the cursor's advance commit in one transaction, under the
 * cursor's row lock, so each journal row is handled exactly once whatever the number of nodes. One node reads a given
 * feed at a time (a cluster lock per pass). A feed that had new rows is read again after {@link #BUSY_MS}, an idle one
 * after twice its last wait, up to {@code TRCR_INTEGRATIONS_POLL_MS}: under load the work comes in small, frequent
 * batches instead of a burst every poll (a burst of half a second's changes on the core the commands run on showed as
 * their p99, see the README's fan-out figures), and an idle node reads rarely. An owner that is not deployed is
 * skipped quietly until the next poll. Used on the verticle's event loop only.
 */
final class Feed {

  private static final System.Logger LOG = System.getLogger(Feed.class.getName());

  /** The verticles whose journal integrations reads. */
  static final List<String> OWNERS = List.of("workspace", "timers", "chat", "board", "billing", "integrations");

  private static final int PAGE = 500;
  /** How soon a feed that just had rows is read again. */
  static final long BUSY_MS = 100;
  private static final long DRAIN_MS = 10_000;

  private final Vertx vertx;
  private final Pool pool;
  private final List<FeedHandler> handlers;
  private final long pollMs;
  private final Set<String> running = new HashSet<>();
  /** The wait before each feed's next pass, and its pending timer. */
  private final java.util.Map<String, Long> waits = new java.util.HashMap<>();
  private final java.util.Map<String, Long> timers = new java.util.HashMap<>();
  /** Feeds whose cursor row is known to exist. */
  private final Set<String> cursorRows = new HashSet<>();
  private boolean stopped;

  Feed(Vertx vertx, Pool pool, List<FeedHandler> handlers, long pollMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.handlers = handlers;
    this.pollMs = pollMs;
  }

  void start() {
    for (String owner : OWNERS) {
      for (String feed : feeds()) {
        catchUp(owner, feed);
      }
    }
  }

  Future<Void> stop() {
    stopped = true;
    timers.values().forEach(vertx::cancelTimer);
    timers.clear();
    return idle(System.currentTimeMillis() + DRAIN_MS);
  }

  /** The next pass of one feed: soon after rows, later and later while idle (up to the poll interval). */
  private void next(String owner, String feed, boolean hadRows) {
    String key = owner + "." + feed;
    if (stopped || timers.containsKey(key)) {
      return;
    }
    long wait = hadRows ? BUSY_MS : Math.min(pollMs, Math.max(BUSY_MS, waits.getOrDefault(key, BUSY_MS) * 2));
    waits.put(key, wait);
    timers.put(key, vertx.setTimer(wait, id -> {
      timers.remove(key);
      catchUp(owner, feed);
    }));
  }

  private Future<Void> idle(long deadline) {
    if (running.isEmpty() || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(20, id -> idle(deadline).onComplete(later));
    return later.future();
  }

  private Set<String> feeds() {
    Set<String> feeds = new java.util.LinkedHashSet<>();
    handlers.forEach(h -> feeds.add(h.feed()));
    return feeds;
  }

  private void catchUp(String owner, String feed) {
    String key = owner + "." + feed;
    if (stopped || !running.add(key)) {
      return;
    }
    vertx.sharedData().getLockWithTimeout("trcr.integrations.feed." + key, 100)
        .compose(lock -> pass(owner, feed).eventually(() -> {
          lock.release();
          return Future.succeededFuture();
        }), busy -> Future.succeededFuture(0)) // another node reads this feed
        .onComplete(ar -> {
          running.remove(key);
          next(owner, feed, ar.succeeded() && ar.result() > 0);
          if (ar.failed()) {
            if (ar.cause() instanceof ReplyException r && r.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
              LOG.log(System.Logger.Level.DEBUG, key + ": owner not answering, retried at the next poll");
            } else {
              LOG.log(System.Logger.Level.WARNING, "reading the " + key + " feed failed; retried at the next poll",
                  ar.cause());
            }
          }
        });
  }

  /** Pages through one feed until it is read up to what has committed; answers how many rows it handled. */
  private Future<Integer> pass(String owner, String feed) {
    if (stopped) {
      return Future.succeededFuture(0);
    }
    String key = owner + "." + feed;
    Future<Void> cursorRow = cursorRows.contains(key) ? Future.succeededFuture()
        : pool.preparedQuery("INSERT INTO integrations.feed_cursors (owner, feed) VALUES ($1, $2) "
            + "ON CONFLICT DO NOTHING").execute(Tuple.of(owner, feed)).onSuccess(ignored -> cursorRows.add(key))
            .mapEmpty();
    return cursorRow
        .compose(ignored -> pool.preparedQuery("SELECT cursor FROM integrations.feed_cursors WHERE owner = $1 AND "
            + "feed = $2").execute(Tuple.of(owner, feed)))
        .map(rows -> rows.iterator().next().getString("cursor"))
        .compose(cursor -> Bus.<JsonObject>request(vertx, feedOf(owner), new JsonObject().put("of", feed)
                .put("after", cursor).put("limit", PAGE), null)
            .compose(page -> {
              JsonArray items = page.getJsonArray("items");
              if (items.isEmpty()) {
                return Future.succeededFuture(0);
              }
              return apply(owner, feed, cursor, page.getString("next"), items).map(items.size());
            }))
        .compose(done -> done >= PAGE ? pass(owner, feed).map(more -> done + more) : Future.succeededFuture(done));
  }

  private Future<Void> apply(String owner, String feed, String from, String next, JsonArray items) {
    List<FeedHandler> mine = handlers.stream().filter(h -> h.feed().equals(feed)).toList();
    return Database.transaction(pool, conn -> conn.preparedQuery("SELECT cursor FROM integrations.feed_cursors "
            + "WHERE owner = $1 AND feed = $2 FOR UPDATE").execute(Tuple.of(owner, feed))
        .compose(rows -> {
          if (!from.equals(rows.iterator().next().getString("cursor"))) {
            return Future.<Void>succeededFuture(); // another node moved it meanwhile: read again next time
          }
          Future<Void> chain = Future.succeededFuture();
          for (FeedHandler h : mine) {
            chain = chain.compose(ignored -> h.handle(conn, owner, items));
          }
          return chain.compose(ignored -> conn.preparedQuery("UPDATE integrations.feed_cursors SET cursor = $3, "
              + "updated_at = now() WHERE owner = $1 AND feed = $2").execute(Tuple.of(owner, feed, next))
              .<Void>mapEmpty());
        }))
        .onSuccess(ignored -> mine.forEach(FeedHandler::committed));
  }

  private static Address feedOf(String owner) {
    return Address.valueOf(owner.toUpperCase(Locale.ROOT) + "_JOURNAL_FEED");
  }
}
