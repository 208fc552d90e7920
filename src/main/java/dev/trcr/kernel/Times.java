package dev.trcr.kernel;

import java.time.Instant;
import java.time.OffsetDateTime;

/** Instants on the wire: ISO-8601 UTC strings ({@code 2026-01-02T09:00:00Z}, milliseconds when there are any). */
public final class Times {

  private Times() {
  }

  public static String iso(OffsetDateTime time) {
    return time == null ? null : iso(time.toInstant());
  }

  public static String iso(Instant instant) {
    return instant == null ? null : instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
  }
}
