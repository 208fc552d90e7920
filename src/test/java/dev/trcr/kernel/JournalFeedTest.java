package dev.trcr.kernel;

import dev.trcr.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal as a feed: recorded changes and events come out once each, in commit-safe order, never skipped. */
class JournalFeedTest {

  private static Vertx vertx;
  private static Pool pool;
  private static Journal journal;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    JsonObject config = Config.defaults().put("TRCR_PG_URL", TestDatabase.freshDatabaseUrl());
    Database.migrateKernelTables(vertx, config, "feedtest").await();
    pool = Database.pool(vertx, config);
    journal = new Journal(vertx, pool, "feedtest", config);
    vertx.eventBus().<JsonObject>consumer("feedtest.feed", msg -> {
      Future<JsonObject> page;
      try {
        page = journal.feed(msg);
      } catch (TrcrException e) {
        page = Future.failedFuture(e);
      }
      page.onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          msg.fail(ar.cause() instanceof TrcrException t ? t.toReply().failureCode() : 500, ar.cause().getMessage());
        }
      });
    }).completion().await();
    vertx.eventBus().<JsonObject>consumer("feedtest.record", msg -> pool.withTransaction(conn ->
        journal.record(conn, msg, Journal.Change.created(UUID.randomUUID(), "thing", "x", msg.body())))
        .onComplete(ar -> msg.reply(ar.succeeded()))).completion().await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static JsonObject feed(String of, String after) {
    return vertx.eventBus().<JsonObject>request("feedtest.feed", new JsonObject().put("of", of).put("after", after)
        .put("limit", 100)).await().body();
  }

  @Test
  void aChangeCommittedLateWithAnOlderTransactionIsNotSkipped() {
    String start = feed("changes", null).getString("next");
    UUID team = UUID.randomUUID();
    // The first transaction writes and stays open while a later one writes and commits.
    SqlConnection early = pool.getConnection().await();
    Transaction tx = early.begin().await();
    journal.recordSystem(early, Journal.Change.created(team, "thing", "early", new JsonObject().put("n", 1))).await();
    pool.withTransaction(conn -> journal.recordSystem(conn,
        Journal.Change.created(team, "thing", "late", new JsonObject().put("n", 2)))).await();

    JsonObject meanwhile = feed("changes", start);
    assertTrue(meanwhile.getJsonArray("items").isEmpty(), "nothing is handed out past a transaction still running: "
        + meanwhile);
    assertEquals(start, meanwhile.getString("next"));

    tx.commit().await();
    early.close().await();
    JsonObject page = feed("changes", start);
    JsonArray items = page.getJsonArray("items");
    assertEquals(2, items.size(), page.encodePrettily());
    assertEquals("early", items.getJsonObject(0).getString("entityId"));
    assertEquals("late", items.getJsonObject(1).getString("entityId"));
    assertEquals(new JsonObject().put("n", new JsonObject().put("after", 2)), items.getJsonObject(1).getJsonObject("changes"));
    assertEquals("system", items.getJsonObject(1).getString("origin"));
    assertTrue(feed("changes", page.getString("next")).getJsonArray("items").isEmpty(), "each row once");
  }

  @Test
  void pagesFollowTransactionOrderAcrossADigitBoundary() {
    String start = feed("changes", null).getString("next");
    UUID team = UUID.randomUUID();
    pool.withTransaction(conn -> journal.recordSystem(conn,
        Journal.Change.created(team, "thing", "before", new JsonObject()))).await();
    long xid = Long.parseLong(pool.query("SELECT pg_current_xact_id()::text AS x").execute().await().iterator().next()
        .getString("x"));
    // Burn transaction ids until they have one more digit: "1000" sorts before "999" as text, never as an id.
    long next = (long) Math.pow(10, Long.toString(xid).length());
    pool.query("DO $$ BEGIN FOR i IN 1.." + (next - xid + 1) + " LOOP PERFORM pg_current_xact_id(); COMMIT; "
        + "END LOOP; END $$").execute().await();
    pool.withTransaction(conn -> journal.recordSystem(conn,
        Journal.Change.created(team, "thing", "after", new JsonObject()))).await();

    List<String> seen = new java.util.ArrayList<>();
    String cursor = start;
    for (int page = 0; page < 5; page++) {
      JsonObject one = vertx.eventBus().<JsonObject>request("feedtest.feed", new JsonObject().put("of", "changes")
          .put("after", cursor).put("limit", 1)).await().body();
      one.getJsonArray("items").forEach(i -> seen.add(((JsonObject) i).getString("entityId")));
      cursor = one.getString("next");
    }
    assertEquals(List.of("before", "after"), seen, "one page at a time, in transaction order, each once");
  }

  @Test
  void aCommandsActorOriginAndRequestIdAreRecorded() {
    String start = feed("changes", null).getString("next");
    UUID user = UUID.randomUUID();
    DeliveryOptions options = Bus.fromEdge(new DeliveryOptions().addHeader(Bus.USER_HEADER, user.toString()),
        Bus.ORIGIN_REST, "req-42");
    assertTrue(vertx.eventBus().<Boolean>request("feedtest.record", new JsonObject().put("name", "a"), options)
        .await().body());
    JsonArray items = feed("changes", start).getJsonArray("items");
    assertEquals(1, items.size());
    JsonObject entry = items.getJsonObject(0);
    assertEquals(user.toString(), entry.getString("actorId"));
    assertEquals("rest", entry.getString("origin"));
    assertEquals("req-42", entry.getString("requestId"));
  }

  @Test
  void eventsAreFedWithTheirStreamAndSeq() {
    String start = feed("events", null).getString("next");
    String team = UUID.randomUUID().toString();
    pool.withTransaction(conn -> journal.append(conn, Address.TEAM_TIMERS, team,
        new JsonObject().put("type", "timer.started"))).await();
    JsonArray items = feed("events", start).getJsonArray("items");
    assertEquals(1, items.size());
    assertEquals("team." + team + ".timers", items.getJsonObject(0).getString("stream"));
    assertEquals(1L, items.getJsonObject(0).getLong("seq"));
    assertEquals("timer.started", items.getJsonObject(0).getJsonObject("payload").getString("type"));
  }

  @Test
  void diffKeepsOnlyWhatChanged() {
    JsonObject before = new JsonObject().put("a", 1).put("b", "x").put("c", 2.50);
    JsonObject after = new JsonObject().put("a", 1.0).put("b", "y").put("c", 2.5).put("d", true);
    JsonObject diff = Journal.Change.diff(before, after);
    assertEquals(new JsonObject().put("b", new JsonObject().put("before", "x").put("after", "y"))
        .put("d", new JsonObject().put("after", true)), diff);
    assertTrue(Journal.Change.updated(null, "t", "1", before, before.copy()).isEmpty());
    assertFalse(Journal.Change.deleted(null, "t", "1", before).isEmpty());
    assertThrowsBadCursor();
  }

  private static void assertThrowsBadCursor() {
    for (JsonObject bad : List.of(new JsonObject().put("of", "changes").put("after", "zz"),
        new JsonObject().put("of", "changes").put("after", "12:x"), new JsonObject().put("of", "rows"))) {
      Throwable failure = vertx.eventBus().request("feedtest.feed", bad).map(ignored -> (Throwable) null)
          .otherwise(e -> e).await();
      assertTrue(failure instanceof ReplyException r && r.failureCode() == 400, bad + " → " + failure);
    }
  }
}
