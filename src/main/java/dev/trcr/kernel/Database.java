package dev.trcr.kernel;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import org.flywaydb.core.Flyway;

import java.util.Map;
import java.util.function.Function;

/**
 * The PostgreSQL side of the kernel: each verticle opens its own pool and migrates its own schema
 * ({@code db/<schema>/V*.sql} on the classpath) with Flyway on a worker thread before it serves anything.
 */
public final class Database {

  /** PostgreSQL's SQLSTATE for a unique violation. */
  public static final String UNIQUE_VIOLATION = "23505";

  private Database() {
  }

  public static PgConnectOptions connectOptions(JsonObject config) {
    String url = Config.string(config, "TRCR_PG_URL");
    if (url == null) {
      throw new Config.ConfigException("TRCR_PG_URL is not set");
    }
    try {
      return PgConnectOptions.fromUri(url).setCachePreparedStatements(true);
    } catch (RuntimeException e) {
      throw new Config.ConfigException("TRCR_PG_URL is not a postgresql:// URL: " + e.getMessage());
    }
  }

  public static Pool pool(Vertx vertx, JsonObject config) {
    return pool(vertx, config, "trcr");
  }

  /** A pool named {@code name} in metrics ({@code pool_name}): a verticle names it after its schema. */
  public static Pool pool(Vertx vertx, JsonObject config, String name) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(Config.integer(config, "TRCR_PG_POOL_SIZE")).setMaxWaitQueueSize(2_000)
            .setName(name))
        .connectingTo(connectOptions(config))
        .using(vertx)
        .build();
  }

  /**
   * Runs {@code body} in a transaction on one connection of {@code pool}, like {@link Pool#withTransaction}, but
   * without waiting for {@code BEGIN}: the body's first statements are sent right behind it (the connection pipelines
   * them), which saves every transaction one round trip to PostgreSQL. Commits when the body's future succeeds, rolls
   * back when it fails (or throws); the connection goes back to the pool either way.
   */
  public static <T> Future<T> transaction(Pool pool, Function<SqlConnection, Future<T>> body) {
    return pool.getConnection().compose(conn -> {
      Future<Transaction> begun = conn.begin();
      Future<T> result;
      try {
        result = body.apply(conn);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      Future<T> done = result;
      return begun.compose(tx -> done.compose(
              value -> tx.commit().map(value),
              err -> tx.rollback().transform(ignored -> Future.<T>failedFuture(err))))
          .onComplete(ignored -> conn.close());
    });
  }

  /**
   * A transaction whose {@code COMMIT} goes out right behind its last statements instead of after their answers: one
   * round trip less than {@link #transaction}, for the hot commands. ({@link SqlConnection#begin}'s transaction waits
   * for every pending statement's answer before it sends {@code COMMIT}, so here {@code BEGIN} and {@code COMMIT} are
   * plain statements on the connection.)
   *
   * <p>{@code body} sends its statements and, once it has decided to commit, completes with the future of its last
   * statements (already sent). It must send nothing after that, and that last future may only combine statement
   * outcomes: every decision that can fail is taken before the body completes. PostgreSQL aborts a transaction at its
   * first failing statement and turns the {@code COMMIT} that follows into a rollback, so the transaction commits
   * exactly when every statement and the {@code COMMIT} succeed, which is when the returned future succeeds. If the
   * body fails (or throws), {@code ROLLBACK} is sent instead. The connection goes back to the pool either way.
   */
  public static <T> Future<T> pipelinedTransaction(Pool pool, Function<SqlConnection, Future<Future<T>>> body) {
    return pool.getConnection().compose(conn -> {
      Future<?> begun = conn.query("BEGIN").execute();
      Future<Future<T>> decided;
      try {
        decided = body.apply(conn);
      } catch (RuntimeException e) {
        decided = Future.failedFuture(e);
      }
      return decided.<T>transform(ar -> {
        if (ar.failed()) {
          return conn.query("ROLLBACK").execute().transform(ignored -> Future.failedFuture(ar.cause()));
        }
        Future<T> last = ar.result();
        Future<?> committed = conn.query("COMMIT").execute();
        return Future.join(begun, last, committed).transform(ignored -> {
          // In this order: a failed statement is why PostgreSQL rolled back, whatever COMMIT answered.
          if (begun.failed()) {
            return Future.failedFuture(begun.cause());
          }
          if (last.failed()) {
            return Future.failedFuture(last.cause());
          }
          if (committed.failed()) {
            return Future.failedFuture(committed.cause());
          }
          return Future.succeededFuture(last.result());
        });
      }).onComplete(ignored -> conn.close());
    });
  }

  /** Migrates one schema on a worker thread; Flyway's own lock makes concurrent nodes safe. */
  public static Future<Void> migrate(Vertx vertx, JsonObject config, String schema) {
    PgConnectOptions pg = connectOptions(config);
    String jdbc = "jdbc:postgresql://" + pg.getHost() + ":" + pg.getPort() + "/" + pg.getDatabase();
    return vertx.executeBlocking(() -> {
      Flyway.configure()
          .dataSource(jdbc, pg.getUser(), pg.getPassword())
          .schemas(schema)
          .defaultSchema(schema)
          .createSchemas(true)
          .table("flyway_history")
          .locations("classpath:db/" + schema)
          .load()
          .migrate();
      return null;
    }, false);
  }

  /**
   * Creates the kernel's tables in a verticle's schema (the journal, the idempotency store), with a Flyway history of
   * their own ({@code kernel_flyway_history}) beside the verticle's.
   */
  public static Future<Void> migrateKernelTables(Vertx vertx, JsonObject config, String schema) {
    PgConnectOptions pg = Database.connectOptions(config);
    String jdbc = "jdbc:postgresql://" + pg.getHost() + ":" + pg.getPort() + "/" + pg.getDatabase();
    return vertx.executeBlocking(() -> {
      Flyway.configure()
          .dataSource(jdbc, pg.getUser(), pg.getPassword())
          .schemas(schema)
          .defaultSchema(schema)
          .createSchemas(true)
          .table("kernel_flyway_history")
          // The verticle's own migrations have already filled the schema: start this history below V1.
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .locations("classpath:db/kernel")
          .placeholders(Map.of("schema", schema))
          .load()
          .migrate();
      return null;
    }, false);
  }

  public static boolean isUniqueViolation(Throwable e, String constraint) {
    return e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
        && (constraint == null || constraint.equals(pg.getConstraint()));
  }
}
