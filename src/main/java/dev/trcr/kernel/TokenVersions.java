package dev.trcr.kernel;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * An edge's (api, bridge) view of each user's current token version, so that revoked tokens are refused without a bus
 * round trip per request. A token carries the version its user had when it was issued ({@code ver}); logout and a
 * password change raise the user's version in the workspace, which publishes {@link Address#WORKSPACE_TOKENS_REVOKED}:
 * every edge on every node raises its cached version at once. A user not in the cache (or cached longer than
 * {@code TRCR_TOKEN_VERSION_CACHE_MS}) is asked of the workspace ({@link Address#WORKSPACE_TOKENS_VERSION}); that
 * bound also caps how long a lost event could leave a revoked token usable. Used on one verticle's event loop.
 */
public final class TokenVersions {

  private static final int MAX_CACHED_USERS = 100_000;

  private final Vertx vertx;
  private final long cacheMs;
  private final long timeoutMs;
  private final Map<UUID, Known> known = new HashMap<>();
  private final Map<UUID, Future<Integer>> asking = new HashMap<>();
  private final List<BiConsumer<UUID, Integer>> listeners = new ArrayList<>();
  private MessageConsumer<JsonObject> consumer;

  private record Known(int version, long until) {
  }

  private TokenVersions(Vertx vertx, long cacheMs, long timeoutMs) {
    this.vertx = vertx;
    this.cacheMs = cacheMs;
    this.timeoutMs = timeoutMs;
  }

  /** Starts listening for revocations; completes when the listener is registered cluster-wide. */
  public static Future<TokenVersions> start(Vertx vertx, JsonObject config) {
    TokenVersions versions = new TokenVersions(vertx, Config.integer(config, "TRCR_TOKEN_VERSION_CACHE_MS"),
        Config.integer(config, "TRCR_BUS_TIMEOUT_MS"));
    versions.consumer = vertx.eventBus().consumer(Address.WORKSPACE_TOKENS_REVOKED.address(), versions::onRevoked);
    return versions.consumer.completion().map(versions);
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** Called with (user, version) whenever a user's tokens older than {@code version} are revoked. */
  public void onRevoked(BiConsumer<UUID, Integer> listener) {
    listeners.add(listener);
  }

  /** Succeeds if a token of {@code version} is still valid; fails with {@code unauthenticated} if it is revoked. */
  public Future<Void> check(UUID user, int version) {
    Known k = known.get(user);
    if (k != null && version < k.version) {
      return Future.failedFuture(revoked());
    }
    if (k != null && System.currentTimeMillis() < k.until) {
      return Future.succeededFuture();
    }
    return current(user).compose(current -> version < current ? Future.failedFuture(revoked()) : Future.succeededFuture());
  }

  /** Raises the cached version of a user (versions never go down, so a late answer cannot undo a revocation). */
  public void apply(UUID user, int version) {
    if (known.size() >= MAX_CACHED_USERS && !known.containsKey(user)) {
      known.clear();
    }
    Known k = known.get(user);
    known.put(user, new Known(k == null ? version : Math.max(k.version, version), System.currentTimeMillis() + cacheMs));
  }

  private Future<Integer> current(UUID user) {
    Future<Integer> pending = asking.get(user);
    if (pending != null) {
      return pending;
    }
    Future<Integer> asked = Bus.<JsonObject>request(vertx, Address.WORKSPACE_TOKENS_VERSION,
            new JsonObject().put("userId", user.toString()), null, timeoutMs)
        .map(reply -> {
          apply(user, reply.getInteger("version"));
          return known.get(user).version;
        })
        .andThen(ignored -> asking.remove(user));
    if (!asked.isComplete()) {
      asking.put(user, asked);
    }
    return asked;
  }

  private void onRevoked(Message<JsonObject> message) {
    UUID user;
    int version;
    try {
      user = UUID.fromString(message.body().getString("userId"));
      version = message.body().getInteger("version");
    } catch (RuntimeException e) {
      return; // not one of ours
    }
    apply(user, version);
    listeners.forEach(l -> l.accept(user, version));
  }

  private static TrcrException revoked() {
    return ErrorCode.UNAUTHENTICATED.exception("the token has been revoked (logout or password change); log in again");
  }
}
