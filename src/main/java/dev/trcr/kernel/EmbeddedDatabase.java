package dev.trcr.kernel;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The PostgreSQL a bare machine gets when {@code TRCR_PG_URL} is not set: zonky's embedded server with its data in
 * {@code <TRCR_DATA_DIR>/postgres}, kept across restarts. Blocking: start it before the event loops run.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts (or restarts on its existing data) a server under {@code dataDir}. */
  public static EmbeddedDatabase start(Path dataDir) {
    try {
      Path pgData = dataDir.resolve("postgres");
      Files.createDirectories(pgData);
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setDataDirectory(pgData)
          .setCleanDataDirectory(false)
          .setOverrideWorkingDirectory(dataDir.resolve("pg-runtime").toFile())
          .start();
      return new EmbeddedDatabase(postgres);
    } catch (IOException e) {
      throw new Config.ConfigException("cannot start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage());
    }
  }

  public String url() {
    return "postgresql://postgres:postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      System.getLogger(EmbeddedDatabase.class.getName()).log(System.Logger.Level.WARNING,
          "embedded PostgreSQL did not stop cleanly", e);
    }
  }
}
