package dev.trcr.notifications;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Config;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.DomainStore;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.Journal;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Notifications: in-app per user (listed, marked read, live on {@code user.{userId}.notifications}) and by email
 * through an outbox in PostgreSQL. Sources are the journaled internal events ({@link Intake}, exactly once per user
 * and event) and the forgotten-timer check ({@link ForgottenTimers}); the outbox is sent by {@link Mailer}. Without
 * {@code TRCR_SMTP_HOST} email is off: nothing is queued and the settings say {@code emailEnabled: false}.
 */
public final class NotificationsVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(NotificationsVerticle.class.getName());
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  private DomainStore store;
  private Pool pool;
  private Journal journal;
  private Mailer mailer;
  private Intake intake;
  private ForgottenTimers forgotten;

  @Override
  public Future<?> start() {
    // Bad values stop the start with a clear message, before anything is opened.
    double hours = ForgottenTimers.hours(config());
    Mailer.mailConfig(config());
    return DomainStore.open(vertx, config(), "notifications").compose(opened -> {
      store = opened;
      pool = store.pool();
      journal = store.journal();
      mailer = Mailer.of(vertx, pool, config());
      Runnable mailQueued = mailer == null ? () -> { } : mailer::kick;
      Inbox inbox = new Inbox(journal, mailer != null);
      Planner planner = new Planner(vertx, Config.string(config(), "TRCR_PUBLIC_URL"));
      intake = new Intake(vertx, pool, journal, inbox, planner, mailQueued,
          Math.max(50, Config.integer(config(), "TRCR_NOTIFICATIONS_POLL_MS")));
      forgotten = new ForgottenTimers(vertx, pool, journal, inbox, planner, mailQueued, config());
      if (mailer == null) {
        LOG.log(System.Logger.Level.INFO, "notifications: email is off (TRCR_SMTP_HOST is empty); in-app "
            + "notifications only, no email is queued");
      } else {
        LOG.log(System.Logger.Level.INFO, "notifications: email on through " + mailer.describe());
        mailer.start();
      }
      forgotten.start();
      LOG.log(System.Logger.Level.DEBUG, "forgotten timers: over " + hours + " h");
      return store.commands()
          .on(Address.NOTIFICATIONS_JOURNAL_READ, journal::read)
          .on(Address.NOTIFICATIONS_LIST, this::list)
          .idempotent(Address.NOTIFICATIONS_READ, this::read)
          .idempotent(Address.NOTIFICATIONS_READ_ALL, this::readAll)
          .on(Address.NOTIFICATIONS_SETTINGS_GET, this::settings)
          .idempotent(Address.NOTIFICATIONS_SETTINGS_UPDATE, this::updateSettings)
          .ready()
          .compose(ignored -> intake.start());
    });
  }

  @Override
  public Future<?> stop() {
    // Sources stop first, then the sender finishes its pass, then commands drain and the pool closes.
    Future<Void> sources = Future.all(intake == null ? Future.succeededFuture() : intake.stop(),
        forgotten == null ? Future.succeededFuture() : forgotten.stop()).mapEmpty();
    return sources.compose(ignored -> mailer == null ? Future.succeededFuture() : mailer.stop())
        .compose(ignored -> store == null ? Future.succeededFuture() : store.close());
  }

  // --- in-app -------------------------------------------------------------------------------------------------------

  /** {@code {unread?, limit?, cursor?}} → {@code {items, next, unread}}, newest first. */
  private Future<JsonObject> list(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    boolean unreadOnly = bool(msg.body(), "unread");
    int limit = in.integer("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
    UUID cursor = in.optionalUuid("cursor");
    Future<Row> after = cursor == null ? Future.succeededFuture(null)
        : pool.preparedQuery(NotificationsSql.CURSOR_OF).execute(Tuple.of(caller, cursor)).map(rows -> {
          if (rows.size() == 0) {
            throw ErrorCode.VALIDATION_FAILED.field("cursor", "cursor is not one of your notifications; use next "
                + "from the previous page");
          }
          return rows.iterator().next();
        });
    return after.compose(row -> {
      OffsetDateTime at = row == null ? null : row.getOffsetDateTime("created_at");
      UUID id = row == null ? null : row.getUUID("id");
      // Counted first, listed second: the list's snapshot is the later one, so a client never sees "1 unread" beside
      // an unread list that does not show it yet.
      Future<io.vertx.sqlclient.RowSet<Row>> unread = pool.preparedQuery(NotificationsSql.UNREAD)
          .execute(Tuple.of(caller));
      Future<io.vertx.sqlclient.RowSet<Row>> page = unread.compose(counted -> pool.preparedQuery(NotificationsSql.PAGE)
          .execute(Tuple.of(caller, unreadOnly, at, id, limit + 1)));
      return page.map(ignored -> {
        JsonArray items = new JsonArray();
        String next = null;
        for (Row r : page.result()) {
          if (items.size() == limit) {
            next = items.getJsonObject(limit - 1).getString("id");
            break;
          }
          items.add(Inbox.json(r));
        }
        return new JsonObject().put("items", items).put("next", next)
            .put("unread", unread.result().iterator().next().getLong("unread"));
      });
    });
  }

  /** Marks one of the caller's notifications read (again: no change, no event); 404 for anyone else's. */
  private Future<JsonObject> read(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID id = Input.of(msg.body()).uuid("id");
    List<Journal.Event> events = new ArrayList<>();
    return Database.transaction(pool, conn -> conn.preparedQuery(NotificationsSql.MARK_READ).execute(Tuple.of(caller, id))
            .compose(marked -> conn.preparedQuery(NotificationsSql.ONE).execute(Tuple.of(caller, id))
                .compose(rows -> {
                  if (rows.size() == 0) {
                    throw ErrorCode.NOTIFICATION_NOT_FOUND.field("id", "no such notification of yours");
                  }
                  JsonObject notification = Inbox.json(rows.iterator().next());
                  if (marked.size() == 0) {
                    return Future.succeededFuture(notification);
                  }
                  return Inbox.unread(conn, caller).compose(unread -> journal.append(conn, Address.USER_NOTIFICATIONS,
                          caller, new JsonObject().put("type", "notification.read").put("notification", notification)
                              .put("unread", unread)))
                      .map(event -> {
                        events.add(event);
                        return notification;
                      });
                })))
        .onSuccess(ignored -> journal.published(events));
  }

  /** Marks all the caller's notifications read: {@code {marked, unread: 0}}. */
  private Future<JsonObject> readAll(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    List<Journal.Event> events = new ArrayList<>();
    return Database.transaction(pool, conn -> conn.preparedQuery(NotificationsSql.MARK_ALL_READ).execute(Tuple.of(caller))
            .compose(marked -> {
              JsonObject reply = new JsonObject().put("marked", marked.rowCount()).put("unread", 0);
              if (marked.rowCount() == 0) {
                return Future.succeededFuture(reply);
              }
              return journal.append(conn, Address.USER_NOTIFICATIONS, caller, new JsonObject()
                      .put("type", "notifications.read-all").put("marked", marked.rowCount()).put("unread", 0))
                  .map(event -> {
                    events.add(event);
                    return reply;
                  });
            }))
        .onSuccess(ignored -> journal.published(events));
  }

  // --- settings -----------------------------------------------------------------------------------------------------

  private Future<JsonObject> settings(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    return pool.preparedQuery(NotificationsSql.SETTINGS).execute(Tuple.of(caller))
        .map(rows -> settingsJson(rows.size() == 0 ? new JsonObject() : (JsonObject) rows.iterator().next()
            .getValue("email")));
  }

  /** {@code {email: {kind: boolean, ...}}}: the kinds given change, the others stay. */
  private Future<JsonObject> updateSettings(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Object raw = msg.body().getValue("email");
    if (!(raw instanceof JsonObject email)) {
      throw ErrorCode.VALIDATION_FAILED.field("email", "email must be an object of kind → true/false, kinds: "
          + String.join(", ", new TreeSet<>(Inbox.KINDS)));
    }
    for (String kind : email.fieldNames()) {
      if (!Inbox.KINDS.contains(kind)) {
        throw ErrorCode.VALIDATION_FAILED.field("email." + kind, kind + " is not a notification kind; kinds: "
            + String.join(", ", new TreeSet<>(Inbox.KINDS)));
      }
      if (!(email.getValue(kind) instanceof Boolean)) {
        throw ErrorCode.VALIDATION_FAILED.field("email." + kind, "email." + kind + " must be true or false");
      }
    }
    for (String field : msg.body().fieldNames()) {
      if (!"email".equals(field) && !"emailEnabled".equals(field)) {
        throw ErrorCode.VALIDATION_FAILED.field(field, field + " is not a setting; send {\"email\": {...}}");
      }
    }
    return pool.preparedQuery(NotificationsSql.SAVE_SETTINGS).execute(Tuple.of(caller, email))
        .map(rows -> settingsJson((JsonObject) rows.iterator().next().getValue("email")));
  }

  private JsonObject settingsJson(JsonObject stored) {
    JsonObject email = new JsonObject();
    for (String kind : new TreeSet<>(Inbox.KINDS)) {
      email.put(kind, stored.getBoolean(kind, true));
    }
    return new JsonObject().put("email", email).put("emailEnabled", mailer != null);
  }

  /** A boolean given as JSON or as a query string ("true"/"false"); absent is false. */
  private static boolean bool(JsonObject body, String field) {
    Object raw = body.getValue(field);
    if (raw == null) {
      return false;
    }
    if (raw instanceof Boolean b) {
      return b;
    }
    if ("true".equals(raw) || "false".equals(raw)) {
      return Boolean.parseBoolean((String) raw);
    }
    throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be true or false");
  }
}
