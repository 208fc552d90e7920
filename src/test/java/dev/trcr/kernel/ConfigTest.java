package dev.trcr.kernel;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {

  @Test
  void environmentVariablesOverrideTheDefaultsWithTheirTypes() {
    JsonObject config = Config.load(Map.of("TRCR_HTTP_PORT", "9090", "TRCR_CLUSTER", "true",
        "TRCR_VERTICLES", "api,timers", "PATH", "/usr/bin"));
    assertEquals(9090L, config.getLong("TRCR_HTTP_PORT"));
    assertEquals(true, config.getBoolean("TRCR_CLUSTER"));
    assertEquals("api,timers", config.getString("TRCR_VERTICLES"));
    assertTrue(!config.containsKey("PATH"));
    assertEquals(8081, config.getInteger("TRCR_BRIDGE_PORT"), "untouched defaults stay");
  }

  @Test
  void aMalformedNumberIsRefusedWithItsName() {
    var e = assertThrows(Config.ConfigException.class, () -> Config.load(Map.of("TRCR_HTTP_PORT", "eighty")));
    assertTrue(e.getMessage().contains("TRCR_HTTP_PORT"), e.getMessage());
  }

  @Test
  void clusterModeWithoutADatabaseRefusesToStart() {
    JsonObject config = Config.defaults().put("TRCR_CLUSTER", true).put("TRCR_JWT_SECRET", "s3cret-s3cret-s3cret-s3cret-s3cret");
    var e = assertThrows(Config.ConfigException.class, () -> Node.start(config));
    assertTrue(e.getMessage().contains("TRCR_PG_URL"), e.getMessage());
  }

  @Test
  void clusterModeWithoutASharedJwtSecretRefusesToStart() {
    JsonObject config = Config.defaults().put("TRCR_CLUSTER", true).put("TRCR_PG_URL", "postgresql://u:p@127.0.0.1:1/db");
    var e = assertThrows(Config.ConfigException.class, () -> Node.start(config));
    assertTrue(e.getMessage().contains("TRCR_JWT_SECRET"), e.getMessage());
  }

  @Test
  void unknownVerticleNamesAreRefused() {
    JsonObject config = Config.defaults().put("TRCR_VERTICLES", "api,chatz");
    var e = assertThrows(Config.ConfigException.class, () -> Node.start(config));
    assertTrue(e.getMessage().contains("chatz"), e.getMessage());
  }

  @Test
  void aPresenceNodeTimeoutNotAboveTheHeartbeatIsRefused() {
    JsonObject config = Config.defaults().put("TRCR_PRESENCE_HEARTBEAT_MS", 2000)
        .put("TRCR_PRESENCE_NODE_TIMEOUT_MS", 2000);
    var e = assertThrows(Config.ConfigException.class, () -> Node.start(config));
    assertTrue(e.getMessage().contains("TRCR_PRESENCE_NODE_TIMEOUT_MS"), e.getMessage());
  }
}
