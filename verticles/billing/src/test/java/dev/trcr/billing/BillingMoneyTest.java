package dev.trcr.billing;

import dev.trcr.kernel.TrcrException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The money rules, pure: rounding of durations, line amounts, tax, grouping, member rates and minor units. */
class BillingMoneyTest {

  private static final UUID ADA = UUID.randomUUID();
  private static final UUID BOB = UUID.randomUUID();
  private static final UUID WEB = UUID.randomUUID();
  private static final UUID APP = UUID.randomUUID();
  private static final UUID HERO = UUID.randomUUID();
  private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

  private static Money.Entry entry(UUID user, UUID project, UUID task, long seconds) {
    return new Money.Entry(UUID.randomUUID(), user, project, task, "work", T0.plusSeconds(seconds % 7), seconds);
  }

  private static Money.Project project(UUID id, String name, String rate, String currency, Map<UUID, BigDecimal> own) {
    return new Money.Project(id, name, name.substring(0, 3).toUpperCase(), rate == null ? null : new BigDecimal(rate),
        currency, own);
  }

  private static final Money.Names NAMES = new Money.Names(Map.of(ADA, "Ada", BOB, "Bob"), Map.of(HERO, "WEB-12 Hero"));

  @Test
  void roundingUpGoesToTheNextStepForEveryStepSize() {
    for (int minutes : List.of(1, 5, 6, 10, 15, 30)) {
      long step = minutes * 60L;
      Money.Rounding up = new Money.Rounding(minutes, true);
      assertEquals(step, up.apply(1), minutes + " min");
      assertEquals(step, up.apply(step), minutes + " min: an exact step stays");
      assertEquals(2 * step, up.apply(step + 1), minutes + " min");
      assertEquals(0, up.apply(0));
    }
  }

  @Test
  void roundingToTheNearestStepTakesHalfAStepUp() {
    for (int minutes : List.of(1, 5, 6, 10, 15, 30)) {
      long step = minutes * 60L;
      Money.Rounding nearest = new Money.Rounding(minutes, false);
      assertEquals(0, nearest.apply(step / 2 - 1), minutes + " min: below half goes down");
      assertEquals(step, nearest.apply(step / 2), minutes + " min: half goes up");
      assertEquals(step, nearest.apply(step + step / 2 - 1), minutes + " min");
      assertEquals(2 * step, nearest.apply(step + step / 2), minutes + " min");
    }
  }

  @Test
  void withoutRoundingDurationsAreBilledToTheSecond() {
    assertEquals(3601, Money.Rounding.NONE.apply(3601));
    assertEquals(3601, new Money.Rounding(0, false).apply(3601));
  }

  @Test
  void lineAmountsAreExactAndRoundedHalfUpOnce() {
    // 1 s at 100.00/h = 0.02777… → 0.03; 20 min at 100/h = 33.333… → 33.33; 50 min at 0.30/h = 0.25 exactly
    assertEquals("0.03", Money.amount(1, new BigDecimal("100.00"), 2).toPlainString());
    assertEquals("33.33", Money.amount(1200, new BigDecimal("100"), 2).toPlainString());
    assertEquals("0.25", Money.amount(3000, new BigDecimal("0.30"), 2).toPlainString());
    // 0.005 goes up: 18 s at 1.00/h = 0.005
    assertEquals("0.01", Money.amount(18, BigDecimal.ONE, 2).toPlainString());
  }

  @Test
  void taxIsComputedOnTheSubtotalHalfUp() {
    assertEquals("0.10", Money.tax(new BigDecimal("0.50"), new BigDecimal("19"), 2).toPlainString()); // 0.095
    assertEquals("190.00", Money.tax(new BigDecimal("1000.00"), new BigDecimal("19"), 2).toPlainString());
    assertEquals("1.17", Money.tax(new BigDecimal("15.55"), new BigDecimal("7.5"), 2).toPlainString()); // 1.16625
  }

  @Test
  void totalsAreTheSumOfRoundedLinesPlusTax() {
    Map<UUID, Money.Project> projects = Map.of(WEB, project(WEB, "Website", "100.00", "EUR", Map.of()),
        APP, project(APP, "App", "90", "EUR", Map.of()));
    List<Money.Entry> entries = List.of(entry(ADA, WEB, null, 1200), entry(ADA, WEB, null, 1200),
        entry(BOB, APP, null, 600));
    Money.Totals totals = Money.invoice(entries, projects, NAMES, Money.GroupBy.PROJECT, Money.Rounding.NONE, "EUR",
        new BigDecimal("19"));
    assertEquals(2, totals.lines().size());
    // sorted by project name: App first
    assertEquals("App", totals.lines().get(0).description());
    assertEquals("15.00", totals.lines().get(0).amount().toPlainString());
    assertEquals("Website", totals.lines().get(1).description());
    assertEquals("66.67", totals.lines().get(1).amount().toPlainString(), "2400 s at 100/h, not 2 × 33.33");
    assertEquals("0.67", totals.lines().get(1).hours().toPlainString());
    assertEquals("81.67", totals.subtotal().toPlainString());
    assertEquals("15.52", totals.tax().toPlainString()); // 15.5173
    assertEquals("97.19", totals.total().toPlainString());
  }

  @Test
  void roundingAppliesPerEntryBeforeGrouping() {
    Map<UUID, Money.Project> projects = Map.of(WEB, project(WEB, "Website", "60", "EUR", Map.of()));
    List<Money.Entry> entries = List.of(entry(ADA, WEB, null, 60), entry(ADA, WEB, null, 60));
    Money.Totals up = Money.invoice(entries, projects, NAMES, Money.GroupBy.PROJECT, new Money.Rounding(15, true),
        "EUR", BigDecimal.ZERO);
    assertEquals(1800, up.lines().get(0).seconds(), "each minute becomes a quarter hour");
    assertEquals("30.00", up.total().toPlainString());
    Money.Totals nearest = Money.invoice(entries, projects, NAMES, Money.GroupBy.PROJECT,
        new Money.Rounding(15, false), "EUR", BigDecimal.ZERO);
    assertEquals(0, nearest.lines().get(0).seconds());
    assertEquals("0.00", nearest.total().toPlainString());
  }

  @Test
  void memberRatesOverrideTheProjectRateAndSplitAGroupPerRate() {
    Map<UUID, Money.Project> projects = Map.of(WEB, project(WEB, "Website", "100.00", "EUR",
        Map.of(BOB, new BigDecimal("120.00"))));
    List<Money.Entry> entries = List.of(entry(ADA, WEB, null, 3600), entry(BOB, WEB, null, 1800),
        entry(BOB, WEB, null, 1800));
    Money.Totals totals = Money.invoice(entries, projects, NAMES, Money.GroupBy.PROJECT, Money.Rounding.NONE, "EUR",
        BigDecimal.ZERO);
    assertEquals(2, totals.lines().size(), "one line per rate");
    Money.Line bob = totals.lines().get(0);
    assertEquals(0, new BigDecimal("120").compareTo(bob.rate()));
    assertEquals("Website (Bob)", bob.description());
    assertEquals(3600, bob.seconds());
    assertEquals("120.00", bob.amount().toPlainString());
    Money.Line ada = totals.lines().get(1);
    assertEquals("Website (Ada)", ada.description());
    assertEquals("100.00", ada.amount().toPlainString());
    assertEquals("220.00", totals.total().toPlainString());
  }

  @Test
  void linesPerTaskHaveANoTaskLinePerProject() {
    Map<UUID, Money.Project> projects = Map.of(WEB, project(WEB, "Website", "100", "EUR", Map.of()));
    List<Money.Entry> entries = List.of(entry(ADA, WEB, HERO, 3600), entry(BOB, WEB, HERO, 3600),
        entry(ADA, WEB, null, 1800));
    Money.Totals totals = Money.invoice(entries, projects, NAMES, Money.GroupBy.TASK, Money.Rounding.NONE, "EUR",
        BigDecimal.ZERO);
    assertEquals(List.of("Website — WEB-12 Hero", "Website — no task"),
        totals.lines().stream().map(Money.Line::description).toList());
    assertEquals(7200, totals.lines().get(0).seconds());
    assertEquals(HERO, totals.lines().get(0).taskId());
    assertEquals("250.00", totals.total().toPlainString());
  }

  @Test
  void linesPerEntryNameTheDescriptionDateAndMember() {
    Map<UUID, Money.Project> projects = Map.of(WEB, project(WEB, "Website", "100", "EUR", Map.of()));
    Money.Entry e = new Money.Entry(UUID.randomUUID(), BOB, WEB, null, "Landing page",
        Instant.parse("2026-01-02T23:30:00Z"), 5400);
    Money.Totals totals = Money.invoice(List.of(e), projects, NAMES, Money.GroupBy.ENTRY, Money.Rounding.NONE, "EUR",
        BigDecimal.ZERO);
    assertEquals("Website — Landing page — 2026-01-02 — Bob", totals.lines().get(0).description());
    assertEquals("1.50", totals.lines().get(0).hours().toPlainString());
    assertEquals(BOB, totals.lines().get(0).userId());
    assertEquals(List.of(e.id()), totals.lines().get(0).entryIds());
  }

  @Test
  void yenHasNoMinorUnit() {
    Map<UUID, Money.Project> projects = Map.of(WEB, project(WEB, "Website", "5000", "JPY", Map.of()));
    Money.Totals totals = Money.invoice(List.of(entry(ADA, WEB, null, 1000)), projects, NAMES, Money.GroupBy.PROJECT,
        Money.Rounding.NONE, "JPY", new BigDecimal("10"));
    assertEquals("1389", totals.subtotal().toPlainString()); // 1388.88…
    assertEquals("139", totals.tax().toPlainString()); // 138.9
    assertEquals("1528", totals.total().toPlainString());
    assertEquals("1528", Money.text(totals.total(), Money.digits("JPY")));
    assertEquals(3, Money.digits("BHD"));
  }

  @Test
  void aMissingRateOrAForeignCurrencyIsRefused() {
    Map<UUID, Money.Project> noRate = new HashMap<>();
    noRate.put(WEB, project(WEB, "Website", null, "EUR", Map.of(BOB, new BigDecimal("50"))));
    assertEquals("rate_missing", code(() -> Money.invoice(List.of(entry(ADA, WEB, null, 60)), noRate, NAMES,
        Money.GroupBy.PROJECT, Money.Rounding.NONE, "EUR", BigDecimal.ZERO)));
    // Bob has his own rate: fine
    assertEquals("0.83", Money.invoice(List.of(entry(BOB, WEB, null, 60)), noRate, NAMES, Money.GroupBy.PROJECT,
        Money.Rounding.NONE, "EUR", BigDecimal.ZERO).total().toPlainString());
    Map<UUID, Money.Project> dollars = Map.of(WEB, project(WEB, "Website", "100", "USD", Map.of()));
    assertEquals("currency_mismatch", code(() -> Money.invoice(List.of(entry(ADA, WEB, null, 60)), dollars, NAMES,
        Money.GroupBy.PROJECT, Money.Rounding.NONE, "EUR", BigDecimal.ZERO)));
  }

  @Test
  void numberPatternsFormatTheYearAndThePaddedCounter() {
    assertEquals("INV-2026-0007", NumberPattern.of(NumberPattern.DEFAULT).format(2026, 7));
    assertEquals("INV-2026-12345", NumberPattern.of(NumberPattern.DEFAULT).format(2026, 12345));
    assertEquals("A7", NumberPattern.of("A{seq}").format(2026, 7));
    assertEquals("X-000042-2027", NumberPattern.of("X-{seq:6}-{yyyy}").format(2027, 42));
    for (String bad : List.of("", "INV-{yyyy}", "{seq", "{seq:0}", "{seq:13}", "{month}-{seq}", "a/{seq}",
        "a\"{seq}", "a\n{seq}")) {
      assertEquals("validation_failed", code(() -> NumberPattern.of(bad)), bad);
    }
  }

  private static String code(Runnable r) {
    TrcrException e = assertThrows(TrcrException.class, r::run);
    return e.code().code();
  }
}
