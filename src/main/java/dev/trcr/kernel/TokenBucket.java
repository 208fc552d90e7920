package dev.trcr.kernel;

/**
 * One token bucket: {@code capacity} tokens at most (the burst), refilled continuously at {@code perSecond}. Each
 * accepted request takes one token. Thread-safe, so the edges of a node (each on its own event loop) can share one.
 */
public final class TokenBucket {

  private final double perNano;
  private final double capacity;
  private double tokens;
  private long updated;

  public TokenBucket(double perSecond, double capacity, long nowNanos) {
    if (perSecond <= 0 || capacity < 1) {
      throw new IllegalArgumentException("a bucket needs a positive rate and a capacity of at least 1");
    }
    this.perNano = perSecond / 1e9;
    this.capacity = capacity;
    this.tokens = capacity;
    this.updated = nowNanos;
  }

  /** Takes a token: 0 if one was there, otherwise the nanoseconds until one will be (nothing is taken then). */
  public synchronized long take(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
  }

  /** True when the bucket has refilled completely: forgetting it then changes nothing. */
  public synchronized boolean full(long nowNanos) {
    refill(nowNanos);
    return tokens >= capacity;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - updated;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * perNano);
      updated = nowNanos;
    }
  }
}
