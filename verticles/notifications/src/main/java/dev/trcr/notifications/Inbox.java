package dev.trcr.notifications;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Writes notifications inside the caller's transaction: each note at most once per user and event (the unique
 * (user_id, event_id) decides), its email queued in the outbox when email is on and the user's settings allow that
 * kind, and {@code notification.created} with the user's unread count journaled on {@code user.{userId}.notifications}.
 * The caller publishes the returned events after commit.
 */
final class Inbox {

  static final Set<String> KINDS = Set.of("mention", "task_assigned", "invoice_issued", "invoice_overdue",
      "timer_forgotten", "webhook_disabled");

  private final Journal journal;
  private final boolean emailEnabled;

  Inbox(Journal journal, boolean emailEnabled) {
    this.journal = journal;
    this.emailEnabled = emailEnabled;
  }

  boolean emailEnabled() {
    return emailEnabled;
  }

  /** Writes the notes and mails; answers the journal events to publish after commit (none for repeats). */
  Future<List<Journal.Event>> record(SqlConnection conn, List<Note> notes, List<Mail> mails) {
    List<Journal.Event> events = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Note note : notes) {
      chain = chain.compose(ignored -> note(conn, note, events));
    }
    if (emailEnabled) {
      for (Mail mail : mails) {
        chain = chain.compose(ignored -> conn.preparedQuery(NotificationsSql.ENQUEUE).execute(Tuple.from(new Object[]{
            UUID.randomUUID(), null, mail.eventId(), mail.kind(), mail.to(), mail.subject(), mail.text(), mail.html(),
            mail.teamId(), mail.invoiceId()})).mapEmpty());
      }
    }
    return chain.map(events);
  }

  private Future<Void> note(SqlConnection conn, Note note, List<Journal.Event> events) {
    UUID id = UUID.randomUUID();
    return conn.preparedQuery(NotificationsSql.INSERT_NOTIFICATION).execute(Tuple.from(new Object[]{id, note.userId(),
            note.eventId(), note.kind(), note.teamId(), note.title(), note.body(), note.link(),
            note.data() == null ? new JsonObject() : note.data()}))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(); // this user already has this event's notification
          }
          JsonObject notification = json(rows.iterator().next());
          return queueEmail(conn, note, id).compose(queued -> {
            notification.put("email", queued ? new JsonObject().put("status", "pending") : null);
            return unread(conn, note.userId());
          }).compose(unread -> journal.append(conn, Address.USER_NOTIFICATIONS, note.userId(), new JsonObject()
              .put("type", "notification.created").put("notification", notification).put("unread", unread)))
              .onSuccess(events::add)
              .mapEmpty();
        });
  }

  /** Queues the note's email if email is on, the note has an address, and the user has not turned the kind off. */
  private Future<Boolean> queueEmail(SqlConnection conn, Note note, UUID notificationId) {
    if (!emailEnabled || note.email() == null || undeliverable(note.email())) {
      return Future.succeededFuture(false);
    }
    return conn.preparedQuery(NotificationsSql.SETTINGS).execute(Tuple.of(note.userId())).compose(rows -> {
      JsonObject email = rows.size() == 0 ? new JsonObject() : (JsonObject) rows.iterator().next().getValue("email");
      if (!email.getBoolean(note.kind(), true)) {
        return Future.succeededFuture(false);
      }
      return conn.preparedQuery(NotificationsSql.ENQUEUE).execute(Tuple.from(new Object[]{UUID.randomUUID(),
              notificationId, note.eventId(), note.kind(), note.email(), note.title(),
              Texts.plain(note.title(), note.body(), note.link()), Texts.html(note.title(), note.body(), note.link()),
              null, null}))
          .map(queued -> queued.size() > 0);
    });
  }

  /**
   * Addresses under the reserved {@code .invalid} top-level domain (RFC 2606) never receive mail: service accounts
   * have one ({@code service-<id>@service.trcr.invalid}) and see their notifications in the app or over the bus only.
   */
  static boolean undeliverable(String address) {
    return address.toLowerCase(java.util.Locale.ROOT).endsWith(".invalid");
  }

  static Future<Long> unread(SqlConnection conn, UUID userId) {
    return conn.preparedQuery(NotificationsSql.UNREAD).execute(Tuple.of(userId))
        .map(rows -> rows.iterator().next().getLong("unread"));
  }

  /** A notification as clients see it; {@code email} is {status, error?} when an email was queued, else null. */
  static JsonObject json(Row r) {
    UUID team = r.getUUID("team_id");
    JsonObject n = new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("kind", r.getString("kind"))
        .put("teamId", team == null ? null : team.toString())
        .put("title", r.getString("title"))
        .put("body", r.getString("body"))
        .put("link", r.getString("link"))
        .put("data", r.getValue("data"))
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")))
        .put("readAt", Times.iso(r.getOffsetDateTime("read_at")));
    if (r.getColumnIndex("email_status") >= 0) {
      String status = r.getString("email_status");
      if (status == null) {
        n.putNull("email");
      } else {
        JsonObject email = new JsonObject().put("status", status);
        if ("failed".equals(status) && r.getString("email_error") != null) {
          email.put("error", r.getString("email_error"));
        }
        n.put("email", email);
      }
    }
    return n;
  }
}
