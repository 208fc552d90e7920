package dev.trcr.notifications;

import dev.trcr.kernel.Config;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.SMTPException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure rules: retry backoff, the forgotten-timer limit as configured, and escaping user text for HTML mail. */
class NotificationRulesTest {

  private static JsonObject smtp(long base, long max) {
    return Config.defaults().put("TRCR_SMTP_HOST", "127.0.0.1").put("TRCR_MAIL_RETRY_BASE_MS", base)
        .put("TRCR_MAIL_RETRY_MAX_MS", max);
  }

  @Test
  void retriesBackOffExponentiallyWithJitterUpToTheMaximum() {
    Mailer mailer = Mailer.of(null, null, smtp(1_000, 600_000));
    for (int i = 0; i < 200; i++) {
      long first = mailer.backoffMs(0);
      assertTrue(first >= 800 && first <= 1_200, "base ± 20 %: " + first);
      long fourth = mailer.backoffMs(3);
      assertTrue(fourth >= 6_400 && fourth <= 9_600, "base · 2^3 ± 20 %: " + fourth);
      long late = mailer.backoffMs(30);
      assertTrue(late >= 480_000 && late <= 600_000, "never above the maximum: " + late);
    }
  }

  @Test
  void withoutAnSmtpHostThereIsNoMailerAndABadTlsModeIsRefused() {
    assertNull(Mailer.of(null, null, Config.defaults()));
    assertThrows(Config.ConfigException.class, () -> Mailer.of(null, null, smtp(1_000, 2_000)
        .put("TRCR_SMTP_TLS", "sometimes")));
    assertTrue(Mailer.of(null, null, smtp(1_000, 2_000).put("TRCR_SMTP_TLS", "tls")).describe().endsWith("(TLS)"));
    assertTrue(Mailer.of(null, null, smtp(1_000, 2_000).put("TRCR_SMTP_TLS", "none")).describe().endsWith("(plain)"));
  }

  @Test
  void smtpFiveHundredRepliesArePermanentAndTheRestAreRetried() {
    SMTPException rejected = new SMTPException("550 no such mailbox", 550,
        List.of("no such mailbox"), false);
    SMTPException busy = new SMTPException("451 try later", 451,
        List.of("try later"), false);
    assertTrue(Mailer.permanent(rejected));
    assertTrue(Mailer.error(rejected).startsWith("SMTP 550"), Mailer.error(rejected));
    assertTrue(!Mailer.permanent(busy), "a 4xx reply is retried");
    assertTrue(!Mailer.permanent(new ConnectException("refused")), "a server that is down is retried");
    assertTrue(Mailer.permanent(new ReplyException(
        ReplyFailure.RECIPIENT_FAILURE, 404, "invoice_not_found")), "an unknown invoice");
    assertTrue(!Mailer.permanent(new ReplyException(ReplyFailure.NO_HANDLERS,
        "no billing")), "billing not deployed is retried");
  }

  @Test
  void theForgottenTimerLimitTakesDecimalHoursAlsoFromTheEnvironment() {
    assertEquals(10.0, ForgottenTimers.hours(Config.defaults()));
    assertEquals(0.5, ForgottenTimers.hours(Config.overlay(Config.defaults(),
        Map.of("TRCR_FORGOTTEN_TIMER_HOURS", "0.5"))));
    assertThrows(Config.ConfigException.class, () -> Config.overlay(Config.defaults(),
        Map.of("TRCR_FORGOTTEN_TIMER_HOURS", "ten")));
    assertThrows(Config.ConfigException.class, () -> ForgottenTimers.hours(Config.defaults()
        .put("TRCR_FORGOTTEN_TIMER_HOURS", 0)));
  }

  @Test
  void userTextIsEscapedInHtmlMail() {
    String html = Texts.html("Ada <script> mentioned you", "a & b \"c\" 'd'", "http://x/?a=1&b=2");
    assertTrue(html.contains("Ada &lt;script&gt; mentioned you"), html);
    assertTrue(html.contains("a &amp; b &quot;c&quot; &#39;d&#39;"), html);
    assertTrue(html.contains("href=\"http://x/?a=1&amp;b=2\""), html);
    assertTrue(Texts.plain("t", "b", "http://x").contains("http://x"));
    assertEquals("10 h 5 min", Texts.duration(36_300));
    assertEquals("42 min", Texts.duration(2_520));
    assertEquals("30 s", Texts.duration(30));
  }
}
