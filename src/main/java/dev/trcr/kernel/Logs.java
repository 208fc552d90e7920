package dev.trcr.kernel;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logs an operator can follow. {@code TRCR_LOG_FORMAT=json} turns every log line into one JSON object ({@code time},
 * {@code level}, {@code logger}, {@code message}, and the structured fields of access lines); the default is plain
 * text. Access lines — one per HTTP request ({@code type: request}) and one per bus command handled ({@code type:
 * command}) — carry {@code node}, {@code verticle}, {@code requestId}, {@code userId}, the route or address, the
 * status and the duration; they are logged at INFO in JSON mode and at FINE (hidden by default) in text mode.
 */
public final class Logs {

  /** The logger of access lines. */
  public static final String ACCESS = "trcr.access";

  private static final Logger ACCESS_LOGGER = Logger.getLogger(ACCESS);
  private static volatile Level accessLevel = Level.FINE;

  private Logs() {
  }

  /** Applies {@code TRCR_LOG_FORMAT} to the JVM's log handlers (once per process; the last node started decides). */
  public static void configure(JsonObject config) {
    String format = Config.string(config, "TRCR_LOG_FORMAT");
    boolean json = "json".equalsIgnoreCase(format);
    if (format != null && !json && !"text".equalsIgnoreCase(format)) {
      throw new Config.ConfigException("TRCR_LOG_FORMAT must be text or json, not " + format);
    }
    accessLevel = json ? Level.INFO : Level.FINE;
    for (Handler handler : Logger.getLogger("").getHandlers()) {
      if (json) {
        handler.setFormatter(new JsonFormatter());
      } else if (handler.getFormatter() instanceof JsonFormatter) {
        handler.setFormatter(new java.util.logging.SimpleFormatter()); // a JSON node before this one in the process
      }
    }
  }

  /** Whether access lines are written at all (check before building one). */
  public static boolean accessEnabled() {
    return ACCESS_LOGGER.isLoggable(accessLevel);
  }

  /** Writes one access line: {@code text} for plain logs, {@code fields} (plus {@code node}) for JSON ones. */
  public static void access(Vertx vertx, String text, JsonObject fields) {
    if (!ACCESS_LOGGER.isLoggable(accessLevel)) {
      return;
    }
    fields.put("node", node(vertx));
    LogRecord record = new LogRecord(accessLevel, text + " node=" + fields.getString("node"));
    record.setLoggerName(ACCESS);
    record.setParameters(new Object[] {fields});
    ACCESS_LOGGER.log(record);
  }

  /** This node's name in logs: the cluster node id, or "local" on a single node. */
  public static String node(Vertx vertx) {
    Object id = vertx.sharedData().getLocalMap(Node.LOCAL_MAP).get("node.id");
    return id instanceof String s ? s : "local";
  }

  /** One JSON object per line. */
  public static final class JsonFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
      JsonObject line = new JsonObject()
          .put("time", Instant.ofEpochMilli(record.getMillis()).toString())
          .put("level", record.getLevel().getName())
          .put("logger", record.getLoggerName());
      Object[] params = record.getParameters();
      if (params != null && params.length == 1 && params[0] instanceof JsonObject fields) {
        line.mergeIn(fields);
        line.put("message", record.getMessage());
      } else {
        line.put("message", formatMessage(record));
      }
      if (record.getThrown() != null) {
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        line.put("error", trace.toString());
      }
      return line.encode() + System.lineSeparator();
    }
  }
}
