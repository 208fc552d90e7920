package dev.trcr.kernel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token bucket's rules on a hand-driven clock. */
class RateLimiterTest {

  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(42 * SECOND);

  @Test
  void aBurstPassesThenTheSustainedRateApplies() {
    RateLimiter limiter = new RateLimiter(50, 100, now::get);
    for (int i = 0; i < 100; i++) {
      assertEquals(0, limiter.acquire("ada"), "request " + i + " of the burst");
    }
    assertTrue(limiter.acquire("ada") > 0, "the 101st at the same instant is refused");
    now.addAndGet(SECOND);
    int allowed = 0;
    while (limiter.acquire("ada") == 0) {
      allowed++;
    }
    assertEquals(50, allowed, "one second refills 50 tokens");
  }

  @Test
  void aRefusalSaysWhenTheNextTokenComes() {
    RateLimiter limiter = new RateLimiter(2, 1, now::get);
    assertEquals(0, limiter.acquire("ada"));
    assertEquals(500, limiter.acquire("ada"), "2 per second: the next token in 500 ms");
    now.addAndGet(SECOND / 4);
    assertEquals(250, limiter.acquire("ada"));
    assertEquals(1, RateLimiter.retryAfterSeconds(250), "Retry-After rounds up to whole seconds");
    now.addAndGet(SECOND / 4);
    assertEquals(0, limiter.acquire("ada"));
  }

  @Test
  void eachKeyHasItsOwnBucket() {
    RateLimiter limiter = new RateLimiter(1, 1, now::get);
    assertEquals(0, limiter.acquire("ada"));
    assertTrue(limiter.acquire("ada") > 0);
    assertEquals(0, limiter.acquire("bob"), "Ada's use does not limit Bob");
  }

  @Test
  void refilledBucketsAreForgotten() {
    RateLimiter limiter = new RateLimiter(10, 10, now::get);
    for (int i = 0; i < 1_000; i++) {
      limiter.acquire("user-" + i);
    }
    assertEquals(1_000, limiter.size());
    now.addAndGet(11 * SECOND);
    limiter.acquire("someone");
    assertEquals(1, limiter.size(), "only the bucket still in use is kept");
  }

  @Test
  void aRateOfZeroTurnsTheLimitOff() {
    RateLimiter limiter = new RateLimiter(0, 0, now::get);
    for (int i = 0; i < 10_000; i++) {
      assertEquals(0, limiter.acquire("ada"));
    }
  }
}
