package dev.trcr.testing;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling for a condition that becomes true asynchronously, from a test's own thread (never an event loop). */
public final class Await {

  private Await() {
  }

  /** {@link #awaitTrue(BooleanSupplier, String, long)} with 10 s. */
  public static void awaitTrue(BooleanSupplier condition, String what) {
    awaitTrue(condition, what, 10_000);
  }

  /** Polls {@code condition} every 50 ms until it holds; fails with "timed out waiting until {@code what}". */
  public static void awaitTrue(BooleanSupplier condition, String what, long timeoutMs) {
    awaitValue(() -> condition.getAsBoolean() ? Boolean.TRUE : null, what, timeoutMs);
  }

  /** Polls {@code value} every 50 ms until it is not null and returns it; fails like {@link #awaitTrue}. */
  public static <T> T awaitValue(Supplier<T> value, String what, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      T v = value.get();
      if (v != null) {
        return v;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }
}
