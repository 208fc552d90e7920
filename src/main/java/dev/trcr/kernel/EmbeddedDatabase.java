package dev.trcr.kernel;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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
    return start(dataDir, null);
  }

  /**
   * As {@link #start(Path)}, with extra server settings ({@code TRCR_EMBEDDED_PG_SETTINGS}: {@code name=value} pairs
   * separated by {@code ;}), each passed as {@code -c name=value} after the durable defaults ({@code fsync=on},
   * {@code synchronous_commit=on}), which they may override for an experiment. Null or blank (the default) adds
   * nothing.
   */
  public static EmbeddedDatabase start(Path dataDir, String settings) {
    try {
      Path pgData = dataDir.resolve("postgres");
      Files.createDirectories(pgData);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(pgData)
          .setCleanDataDirectory(false)
          .setOverrideWorkingDirectory(dataDir.resolve("pg-runtime").toFile());
      // zonky starts its server with -F (fsync=off) and synchronous_commit=off, fit for throwaway test databases:
      // this one holds a team's data, so an acknowledged commit must survive a crash or power loss. A later -c
      // overrides -F. TRCR_EMBEDDED_PG_SETTINGS may still override these, for experiments.
      builder.setServerConfig("fsync", "on");
      builder.setServerConfig("synchronous_commit", "on");
      for (Map.Entry<String, String> setting : settings(settings).entrySet()) {
        builder.setServerConfig(setting.getKey(), setting.getValue());
      }
      EmbeddedPostgres postgres = builder.start();
      return new EmbeddedDatabase(postgres);
    } catch (IOException e) {
      throw new Config.ConfigException("cannot start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage());
    }
  }

  /** Parses {@code a=1;b=2} (blank items skipped); an item without {@code =} or a bad name is refused. */
  static Map<String, String> settings(String settings) {
    Map<String, String> out = new LinkedHashMap<>();
    if (settings == null || settings.isBlank()) {
      return out;
    }
    for (String item : settings.split(";")) {
      if (item.isBlank()) {
        continue;
      }
      int eq = item.indexOf('=');
      String name = eq < 0 ? "" : item.substring(0, eq).trim();
      if (!name.matches("[a-z_][a-z0-9_.]*")) {
        throw new Config.ConfigException("TRCR_EMBEDDED_PG_SETTINGS: '" + item.trim() + "' is not name=value");
      }
      out.put(name, item.substring(eq + 1).trim());
    }
    return out;
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
