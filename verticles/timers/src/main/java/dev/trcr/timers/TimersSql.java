package dev.trcr.timers;

/** Every SQL statement of the timers verticle, in one place. */
final class TimersSql {

  private TimersSql() {
  }

  static final String COLUMNS =
      "id, team_id, user_id, project_id, task_id, description, started_at, stopped_at, invoice_id";

  /**
   * Serialises one user's starts (a transaction-scoped lock on the user id), so that concurrent starts queue and each
   * stops the previous one instead of colliding on the unique index, which stays the invariant's guard.
   */
  static final String LOCK_USER = "SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))";

  /** Stops the user's running timer wherever it is; the clock is PostgreSQL's, never a node's. */
  static final String STOP_RUNNING_OF_USER =
      "UPDATE timers.time_entries SET stopped_at = greatest(date_trunc('milliseconds', now()), started_at), "
          + "updated_at = now() WHERE user_id = $1 AND stopped_at IS NULL RETURNING " + COLUMNS;
  static final String STOP_RUNNING_IN_TEAM =
      "UPDATE timers.time_entries SET stopped_at = greatest(date_trunc('milliseconds', now()), started_at), "
          + "updated_at = now() WHERE user_id = $1 AND team_id = $2 AND stopped_at IS NULL RETURNING " + COLUMNS;
  static final String INSERT_RUNNING =
      "INSERT INTO timers.time_entries (id, team_id, user_id, project_id, description, task_id, started_at) "
          + "VALUES ($1, $2, $3, $4, $5, $6, date_trunc('milliseconds', now())) RETURNING " + COLUMNS;
  static final String INSERT_MANUAL =
      "INSERT INTO timers.time_entries (id, team_id, user_id, project_id, description, started_at, stopped_at, "
          + "task_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING " + COLUMNS;
  static final String RUNNING_IN_TEAM =
      "SELECT " + COLUMNS + " FROM timers.time_entries WHERE team_id = $1 AND stopped_at IS NULL "
          + "ORDER BY started_at, id";
  static final String ENTRY_FOR_UPDATE =
      "SELECT " + COLUMNS + " FROM timers.time_entries WHERE team_id = $1 AND id = $2 FOR UPDATE";
  static final String UPDATE_ENTRY =
      "UPDATE timers.time_entries SET project_id = $3, description = $4, started_at = $5, stopped_at = $6, "
          + "task_id = $7, updated_at = now() WHERE team_id = $1 AND id = $2 RETURNING " + COLUMNS;
  static final String DELETE_ENTRY =
      "DELETE FROM timers.time_entries WHERE team_id = $1 AND id = $2";
  static final String NOW = "SELECT now() AS now";
  /** Whole seconds per task: each entry's duration truncated like durationSeconds, a running one up to now. */
  static final String TRACKED_PER_TASK =
      "SELECT task_id, sum(floor(extract(epoch FROM coalesce(stopped_at, now()) - started_at)))::bigint AS seconds "
          + "FROM timers.time_entries WHERE team_id = $1 AND task_id = ANY($2) GROUP BY task_id";

  /** One statement for every filter combination; absent filters are NULL. Keyset pagination on (started_at, id). */
  static final String LIST_ENTRIES =
      "SELECT " + COLUMNS + " FROM timers.time_entries WHERE team_id = $1 "
          + "AND ($2::uuid IS NULL OR user_id = $2) "
          + "AND ($3::uuid IS NULL OR project_id = $3) "
          + "AND ($4::timestamptz IS NULL OR started_at >= $4) "
          + "AND ($5::timestamptz IS NULL OR started_at < $5) "
          + "AND ($6::timestamptz IS NULL OR (started_at, id) < ($6, $7::uuid)) "
          + "ORDER BY started_at DESC, id DESC LIMIT $8";

  /** One statement: entries already claimed (by a concurrent draft) are skipped, so each lands on one invoice. */
  static final String CLAIM =
      "UPDATE timers.time_entries SET invoice_id = $2, updated_at = now() WHERE team_id = $1 AND project_id = ANY($3) "
          + "AND stopped_at IS NOT NULL AND invoice_id IS NULL AND started_at >= $4 AND started_at < $5 "
          + "RETURNING " + COLUMNS;
  static final String RELEASE =
      "UPDATE timers.time_entries SET invoice_id = NULL, updated_at = now() WHERE team_id = $1 AND invoice_id = $2";
  static final String UNBILLED =
      "SELECT " + COLUMNS + " FROM timers.time_entries WHERE team_id = $1 AND project_id = ANY($2) "
          + "AND stopped_at IS NOT NULL AND invoice_id IS NULL "
          + "AND ($3::timestamptz IS NULL OR started_at >= $3) AND ($4::timestamptz IS NULL OR started_at < $4) "
          + "ORDER BY started_at, id LIMIT 100001";
  static final String RUNNING_OF_PROJECTS =
      "SELECT " + COLUMNS + " FROM timers.time_entries WHERE team_id = $1 AND project_id = ANY($2) "
          + "AND stopped_at IS NULL ORDER BY started_at, id";
  static final String RUNNING_LONGER =
      "SELECT " + COLUMNS + " FROM timers.time_entries WHERE stopped_at IS NULL "
          + "AND started_at < now() - make_interval(secs => $1) ORDER BY started_at, id LIMIT 10000";
}
