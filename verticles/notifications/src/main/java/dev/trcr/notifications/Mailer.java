package dev.trcr.notifications;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Config;
import dev.trcr.kernel.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailAttachment;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.SMTPException;
import io.vertx.ext.mail.StartTLSOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends the outbox. Every pass claims due rows with {@code FOR UPDATE SKIP LOCKED} and leases them, so each row goes
 * out from one node; a transient failure (SMTP down, a 4xx reply, billing not answering for the PDF) backs off
 * {@code min(TRCR_MAIL_RETRY_BASE_MS · 2^attempts, TRCR_MAIL_RETRY_MAX_MS)} with ±20 % jitter; an SMTP 5xx reply, or
 * the {@code TRCR_MAIL_MAX_ATTEMPTS}th failure, marks the row failed with its error. All state is in PostgreSQL, so a
 * restart loses nothing (a node killed mid-send leaves its rows leased for {@link #LEASE_SECONDS}, then they are
 * sent again: delivery is at least once). Used on the verticle's event loop only.
 */
final class Mailer {

  private static final System.Logger LOG = System.getLogger(Mailer.class.getName());
  private static final int BATCH = 20;
  static final int LEASE_SECONDS = 120;

  private final Vertx vertx;
  private final Pool pool;
  private final MailConfig mailConfig;
  private final String from;
  private final long baseMs;
  private final long maxMs;
  private final int maxAttempts;
  private final long tickMs;
  private MailClient client;
  private long ticker = -1;
  private boolean sending;
  private boolean again;
  private boolean stopped;
  private Future<Void> pass = Future.succeededFuture();

  private Mailer(Vertx vertx, Pool pool, MailConfig mailConfig, JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
    this.mailConfig = mailConfig;
    this.from = Config.string(config, "TRCR_MAIL_FROM");
    this.baseMs = Math.max(1, Config.integer(config, "TRCR_MAIL_RETRY_BASE_MS"));
    this.maxMs = Math.max(baseMs, Config.integer(config, "TRCR_MAIL_RETRY_MAX_MS"));
    this.maxAttempts = Math.max(1, Config.integer(config, "TRCR_MAIL_MAX_ATTEMPTS"));
    this.tickMs = Math.max(100, Math.min(1_000, baseMs));
  }

  /** The mailer of a configuration, or null when {@code TRCR_SMTP_HOST} is empty (email off). */
  static Mailer of(Vertx vertx, Pool pool, JsonObject config) {
    MailConfig mail = mailConfig(config);
    return mail == null ? null : new Mailer(vertx, pool, mail, config);
  }

  /** The SMTP settings, or null when {@code TRCR_SMTP_HOST} is empty; a bad TRCR_SMTP_TLS is a ConfigException. */
  static MailConfig mailConfig(JsonObject config) {
    String host = Config.string(config, "TRCR_SMTP_HOST");
    if (host == null) {
      return null;
    }
    MailConfig mail = new MailConfig().setHostname(host).setPort(Config.integer(config, "TRCR_SMTP_PORT"))
        // A fresh connection per mail: an SMTP server that restarted leaves no dead pooled connection behind.
        .setKeepAlive(false).setConnectTimeout(10_000);
    String tls = Config.string(config, "TRCR_SMTP_TLS") == null ? "starttls"
        : Config.string(config, "TRCR_SMTP_TLS").toLowerCase(Locale.ROOT);
    switch (tls) {
      case "none" -> mail.setStarttls(StartTLSOptions.DISABLED);
      case "starttls" -> mail.setStarttls(StartTLSOptions.REQUIRED);
      case "tls" -> mail.setSsl(true).setStarttls(StartTLSOptions.DISABLED);
      default -> throw new Config.ConfigException("TRCR_SMTP_TLS=" + tls + " is not one of starttls, tls, none");
    }
    String user = Config.string(config, "TRCR_SMTP_USER");
    if (user != null) {
      mail.setLogin(LoginOption.REQUIRED).setUsername(user).setPassword(config.getString("TRCR_SMTP_PASSWORD", ""));
    } else {
      mail.setLogin(LoginOption.DISABLED);
    }
    return mail;
  }

  String describe() {
    return mailConfig.getHostname() + ":" + mailConfig.getPort() + (mailConfig.isSsl() ? " (TLS)"
        : mailConfig.getStarttls() == StartTLSOptions.DISABLED ? " (plain)" : " (STARTTLS)");
  }

  void start() {
    client = MailClient.create(vertx, mailConfig);
    ticker = vertx.setPeriodic(tickMs, id -> kick());
    kick();
  }

  /** Waits for the pass in flight (its rows are marked), then closes the client. */
  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(ticker);
    return pass.recover(ignored -> Future.succeededFuture())
        .compose(ignored -> client == null ? Future.succeededFuture() : client.close());
  }

  /** Runs a pass now (rows were just queued) or right after the one in flight. */
  void kick() {
    if (stopped) {
      return;
    }
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    pass = claimAndSend().onComplete(ar -> {
      sending = false;
      if (ar.failed()) {
        LOG.log(System.Logger.Level.WARNING, "outbox pass failed; retried at the next tick", ar.cause());
      }
      boolean more = ar.succeeded() && ar.result() >= BATCH;
      if (again || more) {
        again = false;
        kick();
      }
    }).mapEmpty();
  }

  private Future<Integer> claimAndSend() {
    return pool.preparedQuery(NotificationsSql.CLAIM).execute(Tuple.of(BATCH, LEASE_SECONDS)).compose(rows -> {
      List<Row> claimed = new ArrayList<>();
      rows.forEach(claimed::add);
      Future<Void> chain = Future.succeededFuture();
      for (Row row : claimed) {
        chain = chain.compose(ignored -> deliver(row));
      }
      return chain.map(claimed.size());
    });
  }

  private Future<Void> deliver(Row row) {
    UUID id = row.getUUID("id");
    int attempts = row.getInteger("attempts");
    return message(row).compose(client::sendMail).transform(ar -> {
      if (ar.succeeded()) {
        Metrics.jobRun(vertx, "email", "sent");
        return pool.preparedQuery(NotificationsSql.SENT).execute(Tuple.of(id)).mapEmpty();
      }
      Throwable e = ar.cause();
      String error = error(e);
      boolean forGood = permanent(e) || attempts + 1 >= maxAttempts;
      Metrics.jobRun(vertx, "email", forGood ? "failed" : "retry");
      if (forGood) {
        LOG.log(System.Logger.Level.WARNING, "email " + id + " to " + row.getString("to_address") + " failed for good "
            + "after " + (attempts + 1) + " attempt(s): " + error);
        return pool.preparedQuery(NotificationsSql.FAILED).execute(Tuple.of(id, error)).mapEmpty();
      }
      double delaySeconds = backoffMs(attempts) / 1000.0;
      LOG.log(System.Logger.Level.INFO, "email " + id + " not sent (attempt " + (attempts + 1) + "), retrying in "
          + Math.round(delaySeconds * 1000) + " ms: " + error);
      return pool.preparedQuery(NotificationsSql.RETRY).execute(Tuple.of(id, error, delaySeconds)).mapEmpty();
    });
  }

  /** min(base · 2^attempts, max), then ±20 % so that retries of many rows spread out, never above max. */
  long backoffMs(int attempts) {
    double exact = Math.min((double) maxMs, baseMs * Math.pow(2, Math.min(attempts, 40)));
    double jittered = exact * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble());
    return Math.max(1, Math.min(maxMs, Math.round(jittered)));
  }

  private Future<MailMessage> message(Row row) {
    MailMessage message = new MailMessage().setFrom(from).setTo(row.getString("to_address"))
        .setSubject(row.getString("subject")).setText(row.getString("text_body")).setHtml(row.getString("html_body"));
    UUID invoiceId = row.getUUID("attachment_invoice_id");
    if (invoiceId == null) {
      return Future.succeededFuture(message);
    }
    // The PDF is fetched when sent, not when queued: the outbox holds no copies of documents.
    return Bus.<JsonObject>request(vertx, Address.BILLING_INVOICES_DOCUMENT, new JsonObject()
            .put("teamId", row.getUUID("attachment_team_id").toString()).put("invoiceId", invoiceId.toString()), null)
        .map(document -> message.setAttachment(List.of(MailAttachment.create()
            .setData(Buffer.buffer(Base64.getDecoder().decode(document.getString("pdf"))))
            .setName(document.getString("filename", "invoice.pdf"))
            .setContentType(document.getString("contentType", "application/pdf"))
            .setDisposition("attachment"))));
  }

  /** An SMTP 5xx reply, or an invoice billing says does not exist: sending again would not help. */
  static boolean permanent(Throwable e) {
    return e instanceof SMTPException smtp && smtp.isPermanent()
        || e instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE && r.failureCode() == 404;
  }

  static String error(Throwable e) {
    String text = e instanceof SMTPException smtp ? "SMTP " + smtp.getReplyCode() + " " + smtp.getReplyMessage()
        : e instanceof ReplyException r && r.failureType() != ReplyFailure.RECIPIENT_FAILURE
        ? "billing did not answer for the invoice PDF (" + r.failureType() + ")"
        : e.getClass().getSimpleName() + ": " + e.getMessage();
    return text.length() > 500 ? text.substring(0, 500) : text;
  }
}
