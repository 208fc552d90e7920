package dev.trcr.bench;

import dev.trcr.kernel.Config;
import dev.trcr.kernel.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code --mode transactions}: what a round trip to PostgreSQL costs on this machine. One transaction of two inserts,
 * one at a time on a pool of one connection to a durable embedded PostgreSQL, in three forms: Vert.x's
 * {@code withTransaction} (BEGIN, insert, insert, COMMIT: four round trips), {@link Database#transaction} (BEGIN
 * pipelined: three) and {@link Database#pipelinedTransaction} (COMMIT pipelined too: two). Prints p50 and p90 per form
 * and round; the generator's core only, no node.
 */
final class RoundTripBenchmark {

  private RoundTripBenchmark() {
  }

  static void run(int transactions, int rounds) throws Exception {
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on").start();
    Vertx vertx = Vertx.vertx();
    try {
      // The node's own pool settings, with one connection.
      Pool pool = Database.pool(vertx, Config.defaults().put("TRCR_PG_POOL_SIZE", 1)
          .put("TRCR_PG_URL", "postgresql://postgres:postgres@127.0.0.1:" + pg.getPort() + "/postgres"));
      pool.query("CREATE TABLE things (id serial PRIMARY KEY, v text)").execute().await();
      System.out.printf("transactions of two inserts, %d per form and round, durable embedded PostgreSQL%n",
          transactions);
      for (int round = 1; round <= rounds; round++) {
        for (String form : List.of("withTransaction (4 round trips)", "Database.transaction (3)",
            "Database.pipelinedTransaction (2)")) {
          long[] nanos = new long[transactions];
          for (int i = 0; i < transactions; i++) {
            long start = System.nanoTime();
            if (form.startsWith("withTransaction")) {
              pool.withTransaction(c -> insert(c, "a").compose(r -> insert(c, "b"))).await();
            } else if (form.startsWith("Database.transaction")) {
              Database.transaction(pool, c -> insert(c, "a").compose(r -> insert(c, "b"))).await();
            } else {
              Database.pipelinedTransaction(pool, c -> insert(c, "a").map(r -> insert(c, "b"))).await();
            }
            nanos[i] = System.nanoTime() - start;
          }
          Arrays.sort(nanos);
          System.out.printf(Locale.ROOT, "round %d  %-36s p50 %.3f ms  p90 %.3f ms%n", round, form,
              nanos[transactions / 2] / 1e6, nanos[transactions * 9 / 10] / 1e6);
        }
      }
    } finally {
      vertx.close().await();
      pg.close();
    }
  }

  private static Future<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>> insert(SqlConnection c, String v) {
    return c.preparedQuery("INSERT INTO things (v) VALUES ($1)").execute(Tuple.of(v));
  }
}
