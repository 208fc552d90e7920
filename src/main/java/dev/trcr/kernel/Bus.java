package dev.trcr.kernel;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.function.Function;

/**
 * How verticles speak on the bus: commands carry the acting user in the {@link #USER_HEADER} header, set only by the
 * edges (api, bridge) from a verified token; replies are JSON; failures are {@link TrcrException}s turned into
 * {@code ReplyException}s whose code is the HTTP status and whose message is the JSON error object.
 */
public final class Bus {

  /** The acting user's id. Set by the api and the bridge from a verified token, never taken from a browser. */
  public static final String USER_HEADER = "trcr-user";

  /**
   * Where a command came from: {@code rest}, {@code graphql}, {@code bus} (a bridge socket), {@code git} (a git hook),
   * set by the edge that received it; absent on commands one verticle sends another on its own ({@code system}).
   */
  public static final String ORIGIN_HEADER = "trcr-origin";

  /** The request id an edge gave the request (or took from {@code X-Request-Id}); follows it across nodes. */
  public static final String REQUEST_HEADER = "trcr-request";

  /** The values of {@link #ORIGIN_HEADER}. */
  public static final String ORIGIN_REST = "rest";
  public static final String ORIGIN_GRAPHQL = "graphql";
  public static final String ORIGIN_BUS = "bus";
  public static final String ORIGIN_GIT = "git";
  public static final String ORIGIN_SYSTEM = "system";

  private static final System.Logger LOG = System.getLogger(Bus.class.getName());

  private Bus() {
  }

  /**
   * Registers {@code handler} for a command and returns the consumer; await {@code completion()} before relying on it
   * cluster-wide. Whatever the handler throws or fails with becomes a reply failure with a machine code.
   */
  public static MessageConsumer<JsonObject> command(Vertx vertx, Address address,
                                                    Function<Message<JsonObject>, Future<?>> handler) {
    if (address.kind() != Address.Kind.COMMAND) {
      throw new IllegalArgumentException(address + " is not a command");
    }
    return vertx.eventBus().<JsonObject>consumer(address.address(), message -> {
      long started = System.nanoTime();
      // Each message runs on its own duplicated context: what it sends on carries the same origin and request id.
      CallContext.set(new CallContext.Call(message.headers().get(ORIGIN_HEADER), message.headers().get(REQUEST_HEADER)));
      Future<?> outcome;
      try {
        // Erasure lets any body through the typed consumer: check before the handler reads it.
        if (!(((Message<?>) message).body() instanceof JsonObject)) {
          throw ErrorCode.INVALID_JSON.exception("the command body must be a JSON object");
        }
        outcome = handler.apply(message);
      } catch (RuntimeException e) {
        outcome = Future.failedFuture(e);
      }
      outcome.onComplete(ar -> {
        int status = 200;
        if (ar.succeeded()) {
          message.reply(ar.result());
        } else {
          ReplyException failure = toReply(ar.cause(), address);
          status = failure.failureCode();
          message.fail(failure.failureCode(), failure.getMessage());
        }
        handled(vertx, address, message, status, System.nanoTime() - started);
      });
    });
  }

  /** Sends a command on behalf of {@code userId} (null for commands that need no caller). */
  public static <T> Future<T> request(Vertx vertx, Address address, JsonObject body, UUID userId) {
    return request(vertx, address, body, userId, DeliveryOptions.DEFAULT_TIMEOUT);
  }

  /** Like {@link #request(Vertx, Address, JsonObject, UUID)} with a reply timeout in milliseconds. */
  public static <T> Future<T> request(Vertx vertx, Address address, JsonObject body, UUID userId, long timeoutMs) {
    return request(vertx, address, body, userId, new DeliveryOptions().setSendTimeout(timeoutMs));
  }

  /**
   * Sends a command with the given options (timeout, extra headers such as an idempotency key). Sent while handling a
   * command, it carries that command's origin and request id unless the options name their own.
   */
  public static <T> Future<T> request(Vertx vertx, Address address, JsonObject body, UUID userId,
                                      DeliveryOptions options) {
    if (userId != null) {
      options.addHeader(USER_HEADER, userId.toString());
    }
    if (options.getHeaders() == null || !options.getHeaders().contains(ORIGIN_HEADER)) {
      CallContext.Call call = CallContext.current();
      if (call != null && call.origin() != null) {
        fromEdge(options, call.origin(), call.requestId());
      }
    }
    return vertx.eventBus().<T>request(address.address(), body, options).map(Message::body);
  }

  /** The acting user of a command; a command that needs one and lacks it is refused. */
  public static UUID caller(Message<?> message) {
    String user = message.headers().get(USER_HEADER);
    if (user == null) {
      throw ErrorCode.UNAUTHENTICATED.exception();
    }
    try {
      return UUID.fromString(user);
    } catch (IllegalArgumentException e) {
      throw ErrorCode.UNAUTHENTICATED.exception();
    }
  }

  /** The access line and the duration metric of one handled command. */
  private static void handled(Vertx vertx, Address address, Message<?> message, int status, long nanos) {
    Metrics.command(vertx, address, status, nanos);
    if (Logs.accessEnabled()) {
      double ms = nanos / 1_000_000.0;
      String user = message.headers().get(USER_HEADER);
      String request = message.headers().get(REQUEST_HEADER);
      Logs.access(vertx, "command " + address.address() + " " + status + " " + String.format("%.1f", ms) + " ms req="
          + request + " user=" + user, new JsonObject().put("type", "command").put("verticle", address.owner())
          .put("address", address.address()).put("status", status).put("durationMs", Math.round(ms * 10) / 10.0)
          .put("requestId", request).put("userId", user).put("origin", origin(message)));
    }
  }

  /** Where a command came from ({@link #ORIGIN_HEADER}); {@code system} when no edge set it. */
  public static String origin(Message<?> message) {
    String origin = message.headers().get(ORIGIN_HEADER);
    return origin == null ? ORIGIN_SYSTEM : origin;
  }

  /** The request id of a command, or null. */
  public static String requestId(Message<?> message) {
    return message.headers().get(REQUEST_HEADER);
  }

  /** The headers an edge puts on a command it forwards: its origin and the request's id. */
  public static DeliveryOptions fromEdge(DeliveryOptions options, String origin, String requestId) {
    options.addHeader(ORIGIN_HEADER, origin);
    if (requestId != null) {
      options.addHeader(REQUEST_HEADER, requestId);
    }
    return options;
  }

  /** A request id an edge may accept from a client: 1-64 of letters, digits, '-', '_', '.', ':'. */
  public static boolean validRequestId(String id) {
    return id != null && id.length() >= 1 && id.length() <= 64 && id.chars().allMatch(c ->
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
            || c == '.' || c == ':');
  }

  /** Maps any failure to a bus failure: expected ones keep their code; anything else is logged and becomes a 500. */
  public static ReplyException toReply(Throwable cause, Object where) {
    if (cause instanceof TrcrException t) {
      return t.toReply();
    }
    if (cause instanceof ReplyException r && r.failureType() == io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE) {
      return r; // a downstream command's failure keeps its code
    }
    if (cause instanceof ReplyException r) {
      return ErrorCode.SERVICE_UNAVAILABLE.exception("a service did not answer (" + r.failureType() + ")").toReply();
    }
    if (cause instanceof io.vertx.core.http.ConnectionPoolTooBusyException
        || cause instanceof io.vertx.sqlclient.ClosedConnectionException) {
      // Overload or a database restart: the client may retry (with its idempotency key), so say so.
      return ErrorCode.SERVICE_UNAVAILABLE.exception("the database is busy or unreachable; retry").toReply();
    }
    LOG.log(System.Logger.Level.ERROR, "Unexpected failure in " + where, cause);
    return ErrorCode.INTERNAL_ERROR.exception().toReply();
  }

  /** The JSON error object of a failure, as REST renders it. */
  public static JsonObject errorBody(ReplyException failure) {
    try {
      JsonObject body = new JsonObject(failure.getMessage());
      if (body.getJsonObject("error") != null) {
        return body;
      }
    } catch (RuntimeException ignored) {
      // not one of ours: fall through to a generic body
    }
    return TrcrException.errorJson(ErrorCode.INTERNAL_ERROR.code(), ErrorCode.INTERNAL_ERROR.description(), null);
  }
}
