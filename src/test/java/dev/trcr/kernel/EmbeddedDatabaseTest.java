package dev.trcr.kernel;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The database of a bare-machine node keeps what it acknowledged: its commits are flushed, unlike zonky's default. */
class EmbeddedDatabaseTest {

  @Test
  void theEmbeddedServerCommitsDurablyByDefault() throws Exception {
    Path dir = Files.createTempDirectory("trcr-embedded");
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir)) {
      assertEquals("on", setting(db, "fsync"));
      assertEquals("on", setting(db, "synchronous_commit"));
    }
  }

  @Test
  void settingsAreNameValuePairsAndRefuseAnythingElse() {
    assertEquals(Map.of("synchronous_commit", "off", "work_mem", "8MB"),
        EmbeddedDatabase.settings(" synchronous_commit=off ; ;work_mem=8MB"));
    assertEquals(Map.of(), EmbeddedDatabase.settings(""));
    assertThrows(Config.ConfigException.class, () -> EmbeddedDatabase.settings("fsync"));
    assertThrows(Config.ConfigException.class, () -> EmbeddedDatabase.settings("x -c evil=1=on"));
  }

  private static String setting(EmbeddedDatabase db, String name) throws Exception {
    String url = "jdbc:" + db.url().replace("postgres:postgres@", "");
    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
         ResultSet r = c.createStatement().executeQuery("SHOW " + name)) {
      r.next();
      return r.getString(1);
    }
  }
}
