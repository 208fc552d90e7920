package dev.trcr.kernel;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * Idempotent commands (after Stripe's idempotency keys): a command sent with the {@link #HEADER} header runs once per
 * user and key; its first outcome, success or failure, is kept 24 h in the verticle's schema and replayed on repeats.
 * A repeat with other parameters fails with 422 {@code idempotency_key_reused}; a repeat that arrives while the first
 * still runs waits for its outcome. An outcome left pending by a node that died is taken over after the bus timeout.
 */
public final class Idempotency {

  /** The bus header; the api maps REST's {@code Idempotency-Key} onto it and the bridge passes it through. */
  public static final String HEADER = "idempotency-key";

  private static final long POLL_MS = 25;
  private static final int MAX_KEY_LENGTH = 255;

  private final Vertx vertx;
  private final Pool pool;
  private final long waitMs;
  private final String claimSql;
  private final String readSql;
  private final String doneSql;
  private final String purgeSql;

  public Idempotency(Vertx vertx, Pool pool, String schema, JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
    this.waitMs = Config.integer(config, "TRCR_BUS_TIMEOUT_MS");
    // Claims a fresh key, or one whose outcome expired, or one a dead node left pending for too long.
    this.claimSql = "INSERT INTO " + schema + ".idempotency (user_id, key, request_hash, state) VALUES ($1, $2, $3, "
        + "'pending') ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, "
        + "state = 'pending', status = NULL, body = NULL, created_at = now() "
        + "WHERE " + schema + ".idempotency.created_at < now() - interval '24 hours' "
        + "OR (" + schema + ".idempotency.state = 'pending' AND " + schema + ".idempotency.created_at < now() - "
        + "make_interval(secs => $4)) RETURNING key";
    this.readSql = "SELECT request_hash, state, status, body FROM " + schema + ".idempotency "
        + "WHERE user_id = $1 AND key = $2";
    this.doneSql = "UPDATE " + schema + ".idempotency SET state = 'done', status = $3, body = $4 "
        + "WHERE user_id = $1 AND key = $2";
    this.purgeSql = "DELETE FROM " + schema + ".idempotency WHERE created_at < now() - interval '24 hours'";
  }

  /** Wraps a command handler: without the header it runs as before. */
  public Function<Message<JsonObject>, Future<?>> wrap(Address address, Function<Message<JsonObject>, Future<?>> handler) {
    return msg -> {
      String key = msg.headers().get(HEADER);
      if (key == null) {
        return handler.apply(msg);
      }
      if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
        throw ErrorCode.VALIDATION_FAILED.field("Idempotency-Key", "an idempotency key has 1 to " + MAX_KEY_LENGTH
            + " characters");
      }
      UUID user = Bus.caller(msg);
      String hash = hash(address.address() + "\n" + canonical(msg.body()));
      return pool.preparedQuery(claimSql).execute(Tuple.of(user, key, hash, waitMs * 2 / 1000.0)).compose(rows -> {
        if (rows.size() == 1) {
          return run(user, key, msg, handler);
        }
        return awaitOutcome(user, key, hash, System.currentTimeMillis() + waitMs);
      });
    };
  }

  /** Deletes outcomes older than 24 h; call now and then (the journal relay's node does). */
  public Future<Void> purge() {
    return pool.query(purgeSql).execute().mapEmpty();
  }

  private Future<Object> run(UUID user, String key, Message<JsonObject> msg,
                             Function<Message<JsonObject>, Future<?>> handler) {
    Future<?> outcome;
    try {
      outcome = handler.apply(msg);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome.transform(ar -> {
      int status;
      String body;
      if (ar.succeeded()) {
        status = 200;
        body = Json.encode(ar.result());
      } else {
        ReplyException failure = Bus.toReply(ar.cause(), "idempotent command");
        status = failure.failureCode();
        body = failure.getMessage();
      }
      return pool.preparedQuery(doneSql).execute(Tuple.of(user, key, status, body))
          .transform(stored -> replay(status, body));
    });
  }

  private Future<Object> awaitOutcome(UUID user, String key, String hash, long deadline) {
    return pool.preparedQuery(readSql).execute(Tuple.of(user, key)).compose(rows -> {
      Row row = rows.iterator().hasNext() ? rows.iterator().next() : null;
      if (row == null) {
        return Future.failedFuture(ErrorCode.SERVICE_UNAVAILABLE.exception("the first request with this key vanished;"
            + " retry"));
      }
      if (!row.getString("request_hash").equals(hash)) {
        return Future.failedFuture(ErrorCode.IDEMPOTENCY_KEY_REUSED.exception(
            "this Idempotency-Key was used with other parameters; use a new key for a new request"));
      }
      if ("done".equals(row.getString("state"))) {
        return replay(row.getInteger("status"), row.getString("body"));
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(ErrorCode.IDEMPOTENCY_IN_PROGRESS.exception(
            "the first request with this key is still running; retry later"));
      }
      Promise<Object> later = Promise.promise();
      vertx.setTimer(POLL_MS, id -> awaitOutcome(user, key, hash, deadline).onComplete(later));
      return later.future();
    });
  }

  private static Future<Object> replay(int status, String body) {
    if (status != 200) {
      return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, status, body));
    }
    Object value = Json.decodeValue(body);
    return Future.succeededFuture(value);
  }

  /** The body with its keys sorted, so that field order never makes two equal requests differ. */
  static String canonical(Object value) {
    if (value instanceof JsonObject o) {
      Map<String, Object> sorted = new TreeMap<>();
      o.forEach(e -> sorted.put(e.getKey(), e.getValue()));
      StringBuilder out = new StringBuilder("{");
      sorted.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append(Json.encode(k)).append(':')
          .append(canonical(v)));
      return out.append('}').toString();
    }
    if (value instanceof JsonArray a) {
      StringBuilder out = new StringBuilder("[");
      a.forEach(v -> out.append(out.length() > 1 ? "," : "").append(canonical(v)));
      return out.append(']').toString();
    }
    return Json.encode(value);
  }

  private static String hash(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
