package dev.trcr.notifications;

/** Every statement of the notifications verticle, in one place. */
final class NotificationsSql {

  private NotificationsSql() {
  }

  // --- cursors ------------------------------------------------------------------------------------------------------

  static final String ENSURE_CURSOR = "INSERT INTO notifications.cursors (stream) VALUES ($1) ON CONFLICT DO NOTHING";

  static final String CURSOR = "SELECT epoch, last_seq FROM notifications.cursors WHERE stream = $1";

  static final String LOCK_CURSOR = "SELECT epoch, last_seq FROM notifications.cursors WHERE stream = $1 FOR UPDATE";

  static final String ADVANCE_CURSOR = "UPDATE notifications.cursors SET epoch = $2, last_seq = $3, updated_at = now() "
      + "WHERE stream = $1";

  // --- notifications ------------------------------------------------------------------------------------------------

  /** Inserts one notification unless its user already has one for that event; returns it only when inserted. */
  static final String INSERT_NOTIFICATION = "INSERT INTO notifications.notifications "
      + "(id, user_id, event_id, kind, team_id, title, body, link, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
      + "ON CONFLICT (user_id, event_id) DO NOTHING RETURNING id, user_id, kind, team_id, title, body, link, data, "
      + "created_at, read_at";

  private static final String COLUMNS = "n.id, n.user_id, n.kind, n.team_id, n.title, n.body, n.link, n.data, "
      + "n.created_at, n.read_at, o.status AS email_status, o.last_error AS email_error";

  private static final String WITH_EMAIL = " FROM notifications.notifications n LEFT JOIN LATERAL (SELECT status, "
      + "last_error FROM notifications.outbox WHERE notification_id = n.id ORDER BY created_at LIMIT 1) o ON true ";

  /** A page of a user's notifications, newest first, after an optional cursor (created_at, id). */
  static final String PAGE = "SELECT " + COLUMNS + WITH_EMAIL
      + "WHERE n.user_id = $1 AND ($2::boolean IS NOT TRUE OR n.read_at IS NULL) "
      + "AND ($3::timestamptz IS NULL OR (n.created_at, n.id) < ($3, $4)) "
      + "ORDER BY n.created_at DESC, n.id DESC LIMIT $5";

  static final String NOTIFIED = "SELECT 1 FROM notifications.notifications WHERE user_id = $1 AND event_id = $2";

  static final String CURSOR_OF = "SELECT created_at, id FROM notifications.notifications WHERE user_id = $1 AND id = $2";

  static final String ONE = "SELECT " + COLUMNS + WITH_EMAIL + "WHERE n.user_id = $1 AND n.id = $2";

  static final String UNREAD = "SELECT count(*) AS unread FROM notifications.notifications WHERE user_id = $1 "
      + "AND read_at IS NULL";

  static final String MARK_READ = "UPDATE notifications.notifications SET read_at = now() WHERE user_id = $1 AND id = $2 "
      + "AND read_at IS NULL RETURNING id";

  static final String MARK_ALL_READ = "UPDATE notifications.notifications SET read_at = now() WHERE user_id = $1 "
      + "AND read_at IS NULL";

  // --- settings -----------------------------------------------------------------------------------------------------

  static final String SETTINGS = "SELECT email FROM notifications.settings WHERE user_id = $1";

  static final String SAVE_SETTINGS = "INSERT INTO notifications.settings (user_id, email) VALUES ($1, $2) "
      + "ON CONFLICT (user_id) DO UPDATE SET email = notifications.settings.email || EXCLUDED.email, updated_at = now() "
      + "RETURNING email";

  // --- outbox -------------------------------------------------------------------------------------------------------

  static final String ENQUEUE = "INSERT INTO notifications.outbox (id, notification_id, event_id, kind, to_address, "
      + "subject, text_body, html_body, attachment_team_id, attachment_invoice_id) "
      + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_id, to_address) DO NOTHING RETURNING id";

  /**
   * Claims due rows for one sender pass: rows another node is claiming are skipped, and the claimed ones are leased
   * (next_attempt_at moves past the pass) so that no other pass takes them while this one sends.
   */
  static final String CLAIM = "UPDATE notifications.outbox SET next_attempt_at = now() + make_interval(secs => $2) "
      + "WHERE id IN (SELECT id FROM notifications.outbox WHERE status = 'pending' AND next_attempt_at <= now() "
      + "ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id, notification_id, kind, to_address, "
      + "subject, text_body, html_body, attachment_team_id, attachment_invoice_id, attempts";

  static final String SENT = "UPDATE notifications.outbox SET status = 'sent', attempts = attempts + 1, sent_at = now(), "
      + "last_error = NULL WHERE id = $1 RETURNING notification_id";

  static final String RETRY = "UPDATE notifications.outbox SET attempts = attempts + 1, last_error = $2, "
      + "next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1";

  static final String FAILED = "UPDATE notifications.outbox SET status = 'failed', attempts = attempts + 1, "
      + "last_error = $2 WHERE id = $1 RETURNING notification_id";
}
