package dev.trcr.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;

/**
 * One real embedded PostgreSQL per test JVM (started on first use, stopped at exit); every node a test starts gets a
 * fresh database on it, so tests never see each other's rows.
 */
public final class TestDatabase {

  private static EmbeddedPostgres postgres;

  private TestDatabase() {
  }

  private static synchronized EmbeddedPostgres server() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the embedded PostgreSQL for tests", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (Exception ignored) {
          // the JVM is exiting
        }
      }));
    }
    return postgres;
  }

  /** A new, empty database; returns its {@code postgresql://} URL. */
  public static String freshDatabaseUrl() {
    String name = "t_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create a test database", e);
    }
    return "postgresql://postgres:postgres@127.0.0.1:" + server().getPort() + "/" + name;
  }
}
