package dev.trcr.integrations;

/** The SQL of outgoing webhooks (tables in V3__webhooks.sql). */
final class WebhooksSql {

  private WebhooksSql() {
  }

  private static final String COLUMNS = "id, team_id, url, events, enabled, consecutive_failures, disabled_at, "
      + "secret_updated_at, created_by, created_at, updated_at";

  /** $1 id, $2 team, $3 url, $4 events, $5 secret, $6 created_by. */
  static final String INSERT = "INSERT INTO integrations.webhooks (id, team_id, url, events, secret, created_by) "
      + "VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + COLUMNS;

  static final String LIST = "SELECT " + COLUMNS + " FROM integrations.webhooks WHERE team_id = $1 "
      + "ORDER BY created_at, id";

  static final String GET = "SELECT " + COLUMNS + " FROM integrations.webhooks WHERE team_id = $1 AND id = $2";

  static final String GET_FOR_UPDATE = GET + " FOR UPDATE";

  /**
   * $1 team, $2 id, $3 url, $4 events, $5 secret (NULL: unchanged), $6 enabled, $7 re-enabled (resets the failures
   * and makes the pending deliveries due now).
   */
  static final String UPDATE = "UPDATE integrations.webhooks SET url = $3, events = $4, "
      + "secret = coalesce($5, secret), secret_updated_at = CASE WHEN $5::text IS NULL THEN secret_updated_at "
      + "ELSE now() END, enabled = $6, "
      + "consecutive_failures = CASE WHEN $7 THEN 0 ELSE consecutive_failures END, "
      + "disabled_at = CASE WHEN $6 THEN NULL WHEN enabled THEN now() ELSE disabled_at END, updated_at = now() "
      + "WHERE team_id = $1 AND id = $2 RETURNING " + COLUMNS;

  static final String DUE_NOW = "UPDATE integrations.webhook_deliveries SET next_attempt_at = now() "
      + "WHERE webhook_id = $1 AND status = 'pending'";

  static final String DELETE = "DELETE FROM integrations.webhooks WHERE team_id = $1 AND id = $2";

  /** $1 webhook, $2 before seq (NULL: newest), $3 limit. */
  static final String DELIVERIES = "SELECT id, seq, event, status, attempts, response_code, last_error, created_at, "
      + "last_attempt_at, next_attempt_at, delivered_at FROM integrations.webhook_deliveries WHERE webhook_id = $1 "
      + "AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3";

  // --- enqueueing (in the feed's transaction) -----------------------------------------------------------------------

  /**
   * The enabled webhooks of these teams, locked in id order (one order for every transaction, so two feeds enqueueing
   * for the same webhooks never deadlock); the lock also orders their seqs by commit.
   */
  static final String LOCK_TEAM_WEBHOOKS = "SELECT id, team_id, events, created_at, last_seq "
      + "FROM integrations.webhooks WHERE team_id = ANY($1) AND enabled ORDER BY id FOR UPDATE";

  /** $1 id, $2 webhook, $3 seq, $4 event, $5 body. */
  static final String ENQUEUE = "INSERT INTO integrations.webhook_deliveries (id, webhook_id, seq, event, body) "
      + "VALUES ($1, $2, $3, $4, $5)";

  static final String ADVANCE_SEQ = "UPDATE integrations.webhooks SET last_seq = $2 WHERE id = $1";

  // --- sending ------------------------------------------------------------------------------------------------------

  /** The oldest pending delivery of each enabled webhook, where it is due and nobody holds it; at most $1. */
  static final String DUE_HEADS = "SELECT webhook_id, id FROM (SELECT DISTINCT ON (d.webhook_id) d.webhook_id, d.id, "
      + "d.next_attempt_at, d.lease_until FROM integrations.webhook_deliveries d JOIN integrations.webhooks w "
      + "ON w.id = d.webhook_id AND w.enabled WHERE d.status = 'pending' ORDER BY d.webhook_id, d.seq) h "
      + "WHERE h.next_attempt_at <= now() AND (h.lease_until IS NULL OR h.lease_until < now()) LIMIT $1";

  /**
   * Takes delivery $1 for $2 ms if it is still due, free, and the oldest pending one of its (enabled) webhook. Another
   * node claiming at the same moment skips the locked row; after a commit the lease condition stops a second claim.
   */
  static final String CLAIM = "UPDATE integrations.webhook_deliveries d SET lease_until = now() + $2::float8 * interval "
      + "'1 millisecond' FROM integrations.webhooks w WHERE d.id = (SELECT id FROM integrations.webhook_deliveries "
      + "WHERE id = $1 FOR UPDATE SKIP LOCKED) AND w.id = d.webhook_id AND w.enabled AND d.status = 'pending' "
      + "AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now()) "
      + "AND NOT EXISTS (SELECT 1 FROM integrations.webhook_deliveries p WHERE p.webhook_id = d.webhook_id "
      + "AND p.status = 'pending' AND p.seq < d.seq) "
      + "RETURNING d.id, d.webhook_id, d.event, d.body, d.attempts, w.url, w.secret";

  /**
   * In the transaction that records a delivery as delivered: takes the next delivery of webhook $1 for $2 ms, on the
   * same conditions as {@link #CLAIM} (due, free, the oldest pending one), so a backlog drains one commit per delivery.
   */
  static final String CLAIM_NEXT = "UPDATE integrations.webhook_deliveries d SET lease_until = now() + $2::float8 * "
      + "interval '1 millisecond' FROM integrations.webhooks w WHERE d.id = (SELECT id FROM "
      + "integrations.webhook_deliveries WHERE webhook_id = $1 AND status = 'pending' ORDER BY seq LIMIT 1 "
      + "FOR UPDATE SKIP LOCKED) AND w.id = d.webhook_id AND w.enabled AND d.next_attempt_at <= now() "
      + "AND (d.lease_until IS NULL OR d.lease_until < now()) "
      + "AND NOT EXISTS (SELECT 1 FROM integrations.webhook_deliveries p WHERE p.webhook_id = d.webhook_id "
      + "AND p.status = 'pending' AND p.seq < d.seq) "
      + "RETURNING d.id, d.webhook_id, d.event, d.body, d.attempts, w.url, w.secret";

  /** $1 delivery, $2 response code. */
  static final String DELIVERED = "UPDATE integrations.webhook_deliveries SET status = 'delivered', "
      + "attempts = attempts + 1, last_attempt_at = now(), response_code = $2, last_error = NULL, lease_until = NULL, "
      + "delivered_at = now() WHERE id = $1";

  static final String RESET_FAILURES = "UPDATE integrations.webhooks SET consecutive_failures = 0 "
      + "WHERE id = $1 AND consecutive_failures <> 0";

  static final String WEBHOOK_FOR_UPDATE = "SELECT id, team_id, url, events, enabled, consecutive_failures "
      + "FROM integrations.webhooks WHERE id = $1 FOR UPDATE";

  /**
   * $1 delivery, $2 response code (NULL: no answer), $3 error, $4 retry hours, $5 delay ms: another attempt later, or
   * failed for good once the delivery is older than the retry window.
   */
  static final String ATTEMPT_FAILED = "UPDATE integrations.webhook_deliveries SET attempts = attempts + 1, "
      + "last_attempt_at = now(), response_code = $2, last_error = $3, lease_until = NULL, "
      + "status = CASE WHEN created_at < now() - $4::float8 * interval '1 hour' THEN 'failed' ELSE 'pending' END, "
      + "next_attempt_at = now() + $5::float8 * interval '1 millisecond' WHERE id = $1 AND status = 'pending' "
      + "RETURNING attempts, status";

  static final String COUNT_FAILURE = "UPDATE integrations.webhooks SET consecutive_failures = consecutive_failures + 1 "
      + "WHERE id = $1 RETURNING consecutive_failures";

  static final String DISABLE = "UPDATE integrations.webhooks SET enabled = false, disabled_at = now(), "
      + "updated_at = now() WHERE id = $1";

  /** Finished deliveries older than $1 days. */
  static final String PRUNE = "DELETE FROM integrations.webhook_deliveries WHERE status <> 'pending' "
      + "AND created_at < now() - $1::float8 * interval '1 day'";
}
