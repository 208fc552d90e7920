package dev.trcr.billing;

import dev.trcr.kernel.ErrorCode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * How time becomes money, exactly (no double anywhere). A duration is rounded per entry to the rounding step (up or
 * to the nearest, a half step going up; no step: to the second); a line's amount is its seconds × rate / 3600,
 * rounded half-up to the currency's minor unit once; the subtotal is the sum of the line amounts; the tax is
 * subtotal × rate / 100, half-up; the total is subtotal + tax. Entries of one group billed at different rates (a
 * member's own rate on a project) become one line per rate, so that every line is hours × one rate.
 */
final class Money {

  static final Set<Integer> ROUNDING_MINUTES = Set.of(0, 1, 5, 6, 10, 15, 30);
  static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private Money() {
  }

  enum GroupBy { PROJECT, TASK, ENTRY }

  /** Per-entry rounding of durations: {@code minutes} 0 keeps the seconds. */
  record Rounding(int minutes, boolean up) {
    static final Rounding NONE = new Rounding(0, true);

    long apply(long seconds) {
      if (minutes == 0 || seconds <= 0) {
        return Math.max(0, seconds);
      }
      long step = minutes * 60L;
      long steps = up ? (seconds + step - 1) / step : (seconds + step / 2) / step;
      return steps * step;
    }
  }

  /** A stopped time entry as timers describes it. */
  record Entry(UUID id, UUID userId, UUID projectId, UUID taskId, String description, Instant startedAt,
               long seconds) {
  }

  /** A project linked to the client, with its rate and the members' own rates. */
  record Project(UUID id, String name, String key, BigDecimal hourlyRate, String currency,
                 Map<UUID, BigDecimal> rates) {

    BigDecimal rateOf(UUID userId) {
      BigDecimal own = rates.get(userId);
      return own != null ? own : hourlyRate;
    }
  }

  /** One invoice line. {@code seconds} are the rounded seconds billed; {@code entryIds} the entries it bills. */
  record Line(String description, UUID projectId, UUID taskId, UUID userId, long seconds, BigDecimal rate,
              BigDecimal amount, List<UUID> entryIds) {

    /** Hours shown with two decimals (the amount is computed from the exact seconds, not from these). */
    BigDecimal hours() {
      return BigDecimal.valueOf(seconds).divide(SECONDS_PER_HOUR, 2, RoundingMode.HALF_UP);
    }
  }

  record Totals(List<Line> lines, BigDecimal subtotal, BigDecimal tax, BigDecimal total) {
  }

  /** What the lines need besides the entries: member and task names for readable descriptions. */
  record Names(Map<UUID, String> members, Map<UUID, String> tasks) {
    String member(UUID id) {
      return members.getOrDefault(id, "a former member");
    }

    String task(UUID id) {
      String name = tasks.get(id);
      return name != null ? name : "task " + id.toString().substring(0, 8);
    }
  }

  /** The minor unit digits of an ISO 4217 currency (JPY 0, EUR 2, BHD 3); unknown codes are refused. */
  static int digits(String currency) {
    try {
      int digits = Currency.getInstance(currency).getDefaultFractionDigits();
      if (digits < 0) {
        throw ErrorCode.VALIDATION_FAILED.field("currency", currency + " is not a currency with a minor unit");
      }
      return digits;
    } catch (IllegalArgumentException | NullPointerException e) {
      throw ErrorCode.VALIDATION_FAILED.field("currency", "currency must be an ISO 4217 code like EUR");
    }
  }

  /** seconds × rate / 3600, half-up to the currency's minor unit, computed once from exact values. */
  static BigDecimal amount(long seconds, BigDecimal rate, int digits) {
    return BigDecimal.valueOf(seconds).multiply(rate).divide(SECONDS_PER_HOUR, digits, RoundingMode.HALF_UP);
  }

  static BigDecimal tax(BigDecimal subtotal, BigDecimal ratePercent, int digits) {
    return subtotal.multiply(ratePercent).divide(HUNDRED, digits, RoundingMode.HALF_UP);
  }

  /** A money value as it goes on the wire: a decimal string with exactly the currency's digits ("1190.00"). */
  static String text(BigDecimal value, int digits) {
    return value.setScale(digits, RoundingMode.HALF_UP).toPlainString();
  }

  /** A rate as given but with at least the currency's digits ("120.00", "95.125"). */
  static String rateText(BigDecimal rate, int digits) {
    BigDecimal stripped = rate.stripTrailingZeros();
    return stripped.setScale(Math.max(digits, Math.max(0, stripped.scale()))).toPlainString();
  }

  /**
   * The lines and totals of an invoice. Throws 422 {@code rate_missing} if an entry has neither a member rate nor a
   * project rate, 422 {@code currency_mismatch} if its project bills in another currency.
   */
  static Totals invoice(List<Entry> entries, Map<UUID, Project> projects, Names names, GroupBy groupBy,
                        Rounding rounding, String currency, BigDecimal taxPercent) {
    int digits = digits(currency);
    // group key → rate → entries (insertion order kept for stable, readable output)
    Map<String, Map<BigDecimal, List<Entry>>> groups = new LinkedHashMap<>();
    List<Entry> ordered = new ArrayList<>(entries);
    ordered.sort(Comparator.comparing((Entry e) -> projectName(projects, e)).thenComparing(e -> taskOrder(names, e))
        .thenComparing(Entry::startedAt).thenComparing(Entry::id));
    for (Entry e : ordered) {
      Project project = projects.get(e.projectId());
      if (project == null) {
        throw new IllegalStateException("entry " + e.id() + " of a project not linked to the client");
      }
      if (!currency.equals(project.currency())) {
        throw ErrorCode.CURRENCY_MISMATCH.exception("project " + project.name() + " bills in " + project.currency()
            + ", the client in " + currency);
      }
      BigDecimal rate = project.rateOf(e.userId());
      if (rate == null) {
        throw ErrorCode.RATE_MISSING.exception("project " + project.name() + " has no hourly rate for "
            + names.member(e.userId()) + "; set the project's rate or the member's own rate");
      }
      String key = switch (groupBy) {
        case PROJECT -> e.projectId().toString();
        case TASK -> e.projectId() + "/" + e.taskId();
        case ENTRY -> e.id().toString();
      };
      groups.computeIfAbsent(key, k -> new TreeMap<>(Comparator.reverseOrder()))
          .computeIfAbsent(rate.stripTrailingZeros(), r -> new ArrayList<>()).add(e);
    }
    List<Line> lines = new ArrayList<>();
    for (Map<BigDecimal, List<Entry>> byRate : groups.values()) {
      boolean split = byRate.size() > 1;
      for (Map.Entry<BigDecimal, List<Entry>> group : byRate.entrySet()) {
        List<Entry> members = group.getValue();
        Entry first = members.get(0);
        Project project = projects.get(first.projectId());
        long seconds = 0;
        List<UUID> ids = new ArrayList<>();
        Set<String> who = new LinkedHashSet<>();
        for (Entry e : members) {
          seconds += rounding.apply(e.seconds());
          ids.add(e.id());
          who.add(names.member(e.userId()));
        }
        BigDecimal rate = group.getKey();
        String description = switch (groupBy) {
          case PROJECT -> project.name();
          case TASK -> project.name() + " — " + (first.taskId() == null ? "no task" : names.task(first.taskId()));
          case ENTRY -> project.name() + " — " + (first.description() == null ? "no description"
              : first.description()) + " — " + first.startedAt().atOffset(ZoneOffset.UTC).toLocalDate() + " — "
              + names.member(first.userId());
        };
        if (split) {
          description += " (" + String.join(", ", who) + ")";
        }
        lines.add(new Line(description, project.id(), groupBy == GroupBy.PROJECT ? null : first.taskId(),
            groupBy == GroupBy.ENTRY ? first.userId() : null, seconds, rate, amount(seconds, rate, digits),
            List.copyOf(ids)));
      }
    }
    BigDecimal subtotal = BigDecimal.ZERO.setScale(digits);
    for (Line line : lines) {
      subtotal = subtotal.add(line.amount());
    }
    BigDecimal tax = tax(subtotal, taxPercent, digits);
    return new Totals(lines, subtotal, tax, subtotal.add(tax));
  }

  private static String projectName(Map<UUID, Project> projects, Entry e) {
    Project p = projects.get(e.projectId());
    return (p == null ? "" : p.name()) + "\u0000" + e.projectId();
  }

  private static String taskOrder(Names names, Entry e) {
    return e.taskId() == null ? "\uffff" : names.task(e.taskId()) + "\u0000" + e.taskId();
  }
}
