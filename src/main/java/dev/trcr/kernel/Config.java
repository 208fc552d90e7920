package dev.trcr.kernel;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The node's configuration: the defaults of {@code conf/trcr.json} (bundled in the jar), then an optional file named by
 * {@code TRCR_CONFIG_FILE}, then every {@code TRCR_*} environment variable. Keys are the environment variable names, so
 * the README's table, the JSON file and the environment speak one vocabulary.
 */
public final class Config {

  private static final String DEFAULTS = "conf/trcr.json";

  private Config() {
  }

  /** Defaults, then the optional file, then the environment. */
  public static JsonObject load(Map<String, String> env) {
    JsonObject config = defaults();
    String file = env.get("TRCR_CONFIG_FILE");
    if (file != null && !file.isBlank()) {
      try {
        config.mergeIn(new JsonObject(Files.readString(Path.of(file), StandardCharsets.UTF_8)));
      } catch (IOException | RuntimeException e) {
        throw new ConfigException("TRCR_CONFIG_FILE " + file + " cannot be read as JSON: " + e.getMessage());
      }
    }
    return overlay(config, env);
  }

  /** The bundled defaults, a fresh copy each call. */
  public static JsonObject defaults() {
    try (InputStream in = Config.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new ConfigException(DEFAULTS + " is missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("cannot read " + DEFAULTS + ": " + e.getMessage());
    }
  }

  /** Applies {@code TRCR_*} variables on top of {@code config}, keeping the JSON type of the default. */
  public static JsonObject overlay(JsonObject config, Map<String, String> env) {
    env.forEach((key, value) -> {
      if (!key.startsWith("TRCR_") || key.equals("TRCR_CONFIG_FILE")) {
        return;
      }
      Object current = config.getValue(key);
      config.put(key, typed(key, value, current));
    });
    return config;
  }

  private static Object typed(String key, String value, Object current) {
    try {
      if (current instanceof Boolean) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException("expected true or false");
        }
        return Boolean.parseBoolean(value);
      }
      if (current instanceof Double) {
        return Double.parseDouble(value.trim()); // a decimal default (10.0) takes decimals: 0.5
      }
      if (current instanceof Number) {
        return Long.parseLong(value.trim());
      }
      return value;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + "=" + value + " is not valid: " + e.getMessage());
    }
  }

  public static String string(JsonObject config, String key) {
    String value = config.getString(key);
    return value == null || value.isBlank() ? null : value.trim();
  }

  public static int integer(JsonObject config, String key) {
    Number n = config.getNumber(key);
    if (n == null) {
      throw new ConfigException(key + " is required");
    }
    return n.intValue();
  }

  public static boolean flag(JsonObject config, String key) {
    Object v = config.getValue(key);
    return v instanceof Boolean b ? b : v != null && Boolean.parseBoolean(v.toString());
  }

  /** A comma list, trimmed, without empty items. */
  public static List<String> list(JsonObject config, String key) {
    String value = string(config, key);
    if (value == null) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** A configuration that cannot work; the launcher prints its message as one line and exits. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message);
    }
  }
}
