package dev.trcr.kernel;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets by key (a user id, an email, a client address). Limits are per node: each node keeps its own buckets,
 * so a client spread over n nodes gets up to n times the rate. Buckets that have refilled are forgotten, so memory
 * follows the number of recently active keys. A rate of 0 or less turns the limiter off.
 */
public final class RateLimiter implements Shareable {

  private static final long SWEEP_EVERY_NANOS = 10_000_000_000L;

  private final double perSecond;
  private final double burst;
  private final LongSupplier nanos;
  private final ConcurrentHashMap<Object, TokenBucket> buckets = new ConcurrentHashMap<>();
  private volatile long lastSweep;

  public RateLimiter(double perSecond, double burst, LongSupplier nanos) {
    this.perSecond = perSecond;
    this.burst = Math.max(1, burst);
    this.nanos = nanos;
    this.lastSweep = nanos.getAsLong();
  }

  /**
   * The node's limiter of this name, created on first use. The api and the bridge of a node share it through the
   * node's local map, so that REST calls and bridge commands of a user draw from one bucket.
   */
  public static RateLimiter perNode(Vertx vertx, String name, double perSecond, double burst) {
    LocalMap<String, Object> map = vertx.sharedData().getLocalMap(Node.LOCAL_MAP);
    RateLimiter created = new RateLimiter(perSecond, burst, System::nanoTime);
    Object existing = map.putIfAbsent("rate-limiter." + name, created);
    return existing instanceof RateLimiter shared ? shared : created;
  }

  /** Takes a token for {@code key}: 0 if allowed, otherwise the milliseconds until the next token (at least 1). */
  public long acquire(Object key) {
    if (perSecond <= 0) {
      return 0;
    }
    long now = nanos.getAsLong();
    sweep(now);
    long wait = buckets.computeIfAbsent(key, k -> new TokenBucket(perSecond, burst, now)).take(now);
    return wait == 0 ? 0 : Math.max(1, (wait + 999_999) / 1_000_000);
  }

  /** The failure a limited caller gets: 429 {@code rate_limited}, saying when to retry. */
  public static TrcrException limited(long retryAfterMillis) {
    return ErrorCode.RATE_LIMITED.exception("too many requests; retry in " + retryAfterSeconds(retryAfterMillis) + " s");
  }

  /** Whole seconds for a {@code Retry-After} header: rounded up, at least 1. */
  public static long retryAfterSeconds(long retryAfterMillis) {
    return Math.max(1, (retryAfterMillis + 999) / 1000);
  }

  int size() {
    return buckets.size();
  }

  private void sweep(long now) {
    long last = lastSweep;
    if (now - last >= SWEEP_EVERY_NANOS) {
      lastSweep = now;
      buckets.values().removeIf(bucket -> bucket.full(now));
    }
  }
}
