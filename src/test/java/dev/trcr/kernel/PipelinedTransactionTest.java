package dev.trcr.kernel;

import dev.trcr.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Database#pipelinedTransaction}: COMMIT goes out behind the last statements, so whether the transaction
 * committed must follow from those statements alone: all or nothing, and the connection is clean afterwards.
 */
class PipelinedTransactionTest {

  private static Vertx vertx;
  /** One connection: every test's transaction and the checks after it share it, so a leftover transaction shows. */
  private static Pool pool;
  /** Another session, to see only what was committed. */
  private static Pool observer;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    JsonObject config = Config.defaults().put("TRCR_PG_URL", TestDatabase.freshDatabaseUrl())
        .put("TRCR_PG_POOL_SIZE", 1);
    pool = Database.pool(vertx, config);
    observer = Database.pool(vertx, config);
    pool.query("CREATE TABLE things (name text PRIMARY KEY)").execute().await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @BeforeEach
  void empty() {
    pool.query("TRUNCATE things").execute().await();
  }

  private static List<String> committed() {
    List<String> names = new ArrayList<>();
    observer.query("SELECT name FROM things ORDER BY name").execute().await().forEach(r -> names.add(r.getString(0)));
    return names;
  }

  private static Future<RowSet<Row>> insert(io.vertx.sqlclient.SqlConnection conn, String name) {
    return conn.preparedQuery("INSERT INTO things (name) VALUES ($1)").execute(Tuple.of(name));
  }

  /** Runs on the pool's only connection: seen by the observer only if that connection is not inside a transaction. */
  private static void insertOutsideAnyTransaction(String name) {
    pool.preparedQuery("INSERT INTO things (name) VALUES ($1)").execute(Tuple.of(name)).await();
    assertTrue(committed().contains(name), "the connection went back to the pool inside an open transaction");
  }

  @Test
  void commitsWhatTheFirstAndTheLastStatementsWrote() {
    String value = Database.<String>pipelinedTransaction(pool, conn -> insert(conn, "a").compose(first ->
        Future.succeededFuture(Future.all(insert(conn, "b"), insert(conn, "c")).map(ignored -> "done")))).await();

    assertEquals("done", value);
    assertEquals(List.of("a", "b", "c"), committed());
    insertOutsideAnyTransaction("d");
  }

  @Test
  void aLastStatementThatFailsRollsEverythingBack() {
    pool.query("INSERT INTO things VALUES ('taken')").execute().await();

    Exception e = assertThrows(Exception.class, () -> Database.<Void>pipelinedTransaction(pool, conn ->
        insert(conn, "a").compose(first -> Future.succeededFuture(
            Future.all(insert(conn, "b"), insert(conn, "taken"), insert(conn, "c")).<Void>mapEmpty()))).await());

    PgException pg = assertInstanceOf(PgException.class, e, "the statement's own error, not COMMIT's");
    assertEquals(Database.UNIQUE_VIOLATION, pg.getSqlState());
    assertEquals(List.of("taken"), committed(), "COMMIT behind a failed statement rolled back a, b and c");
    insertOutsideAnyTransaction("d");
  }

  @Test
  void aBodyThatDecidesToFailRollsBack() {
    Exception e = assertThrows(Exception.class, () -> Database.<Void>pipelinedTransaction(pool, conn ->
        insert(conn, "a").compose(first -> Future.failedFuture(
            ErrorCode.NO_RUNNING_TIMER.exception("nothing to stop")))).await());

    assertEquals("nothing to stop", e.getMessage());
    assertEquals(List.of(), committed());
    insertOutsideAnyTransaction("d");
  }

  @Test
  void aBodyThatThrowsRollsBack() {
    assertThrows(IllegalStateException.class, () -> Database.<Void>pipelinedTransaction(pool, conn -> {
      insert(conn, "a");
      throw new IllegalStateException("broken");
    }).await());

    assertEquals(List.of(), committed());
    insertOutsideAnyTransaction("d");
  }

  @Test
  void aFailedFirstStatementIsTheErrorEvenWhenTheBodyGoesOn() {
    // The body ignores its first statement's failure: PostgreSQL has aborted the transaction all the same.
    Exception e = assertThrows(Exception.class, () -> Database.<Void>pipelinedTransaction(pool, conn -> {
      Future<?> broken = conn.query("SELECT 1/0").execute();
      return broken.transform(ignored -> Future.succeededFuture(
          Future.all(broken, insert(conn, "b")).<Void>mapEmpty()));
    }).await());

    assertInstanceOf(PgException.class, e);
    assertEquals(List.of(), committed());
    insertOutsideAnyTransaction("d");
  }
}
