package dev.trcr.workspace;

/** Every SQL statement of the workspace verticle, in one place. */
final class WorkspaceSql {

  private WorkspaceSql() {
  }

  static final String PROJECT_COLUMNS = "id, team_id, name, key, hourly_rate, currency, client_id, created_at";

  static final String INSERT_USER =
      "INSERT INTO workspace.users (id, email, name, password_hash) VALUES ($1, $2, $3, $4)";
  static final String USER_BY_EMAIL =
      "SELECT id, email, name, password_hash, token_version, kind FROM workspace.users WHERE email = $1";
  static final String USER_WITH_HASH_BY_ID =
      "SELECT id, email, name, password_hash, token_version, kind FROM workspace.users WHERE id = $1";
  static final String KIND_OF_USER =
      "SELECT kind FROM workspace.users WHERE id = $1";
  static final String TOKEN_VERSION =
      "SELECT token_version FROM workspace.users WHERE id = $1";
  static final String REVOKE_TOKENS =
      "UPDATE workspace.users SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version";
  /** Only if the hash is still the one the current password was checked against: a concurrent change wins once. */
  static final String CHANGE_PASSWORD =
      "UPDATE workspace.users SET password_hash = $3, token_version = token_version + 1 "
          + "WHERE id = $1 AND password_hash = $2 RETURNING token_version";
  static final String USER_BY_ID =
      "SELECT id, email, name FROM workspace.users WHERE id = $1";
  static final String USERS_BY_IDS =
      "SELECT id, name FROM workspace.users WHERE id = ANY($1)";
  static final String TEAMS_OF_USERS =
      "SELECT user_id, team_id FROM workspace.memberships WHERE user_id = ANY($1) ORDER BY user_id, team_id";
  static final String TEAMS_OF_USER =
      "SELECT t.id, t.name, m.role FROM workspace.memberships m JOIN workspace.teams t ON t.id = m.team_id "
          + "WHERE m.user_id = $1 ORDER BY lower(t.name), t.id";
  static final String INSERT_TEAM =
      "INSERT INTO workspace.teams (id, name) VALUES ($1, $2)";
  static final String INSERT_MEMBERSHIP =
      "INSERT INTO workspace.memberships (team_id, user_id, role) VALUES ($1, $2, $3)";
  static final String ROLE_OF =
      "SELECT m.role, u.name FROM workspace.memberships m JOIN workspace.users u ON u.id = m.user_id "
          + "WHERE m.team_id = $1 AND m.user_id = $2";
  static final String MEMBERS =
      "SELECT u.id, u.name, u.email, m.role FROM workspace.memberships m JOIN workspace.users u ON u.id = m.user_id "
          + "WHERE m.team_id = $1 ORDER BY lower(u.name), u.id";
  static final String INSERT_PROJECT =
      "INSERT INTO workspace.projects (id, team_id, name, hourly_rate, currency, key) VALUES ($1, $2, $3, $4, $5, $6) "
          + "RETURNING " + PROJECT_COLUMNS;
  /** The keys of a team that start with a derived key's base, to pick the first free one. */
  static final String KEYS_LIKE =
      "SELECT key FROM workspace.projects WHERE team_id = $1 AND key LIKE $2 || '%'";
  static final String PROJECTS =
      "SELECT " + PROJECT_COLUMNS + " FROM workspace.projects WHERE team_id = $1 "
          + "ORDER BY lower(name), id";
  static final String PROJECT =
      "SELECT " + PROJECT_COLUMNS + " FROM workspace.projects "
          + "WHERE team_id = $1 AND id = $2";
  /** Changes only the fields flagged ($4, $6): hourlyRate and clientId may be set to null. */
  static final String UPDATE_PROJECT =
      "UPDATE workspace.projects SET name = coalesce($3, name), "
          + "hourly_rate = CASE WHEN $4 THEN $5 ELSE hourly_rate END, "
          + "client_id = CASE WHEN $6 THEN $7 ELSE client_id END "
          + "WHERE team_id = $1 AND id = $2 RETURNING " + PROJECT_COLUMNS;
  static final String TEAM =
      "SELECT id, name FROM workspace.teams WHERE id = $1";
  static final String CLIENT_PROJECTS =
      "SELECT " + PROJECT_COLUMNS + " FROM workspace.projects WHERE team_id = $1 AND client_id = $2 "
          + "ORDER BY lower(name), id";
  static final String RATES_OF_PROJECTS =
      "SELECT project_id, user_id, hourly_rate FROM workspace.project_rates WHERE project_id = ANY($1) "
          + "ORDER BY project_id, user_id";
  static final String SET_RATE =
      "INSERT INTO workspace.project_rates (project_id, user_id, hourly_rate) VALUES ($1, $2, $3) "
          + "ON CONFLICT (project_id, user_id) DO UPDATE SET hourly_rate = EXCLUDED.hourly_rate, updated_at = now()";
  static final String DELETE_RATE =
      "DELETE FROM workspace.project_rates WHERE project_id = $1 AND user_id = $2";
  /** The team's owners, locked: concurrent demotions queue here, so the last owner cannot be removed twice over. */
  static final String LOCK_OWNERS =
      "SELECT user_id FROM workspace.memberships WHERE team_id = $1 AND role = 'owner' FOR UPDATE";
  static final String SET_ROLE =
      "UPDATE workspace.memberships m SET role = $3 FROM workspace.users u "
          + "WHERE m.team_id = $1 AND m.user_id = $2 AND u.id = m.user_id RETURNING u.id, u.name, u.email, m.role";

  // --- service accounts
  static final String SERVICE_TOKEN_COLUMNS = "id, team_id, user_id, name, role, created_by, created_at, revoked_at";
  static final String INSERT_SERVICE_USER =
      "INSERT INTO workspace.users (id, email, name, password_hash, kind) VALUES ($1, $2, $3, NULL, 'service') "
          + "RETURNING token_version";
  static final String INSERT_SERVICE_TOKEN =
      "INSERT INTO workspace.service_tokens (id, team_id, user_id, name, role, created_by) "
          + "VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + SERVICE_TOKEN_COLUMNS;
  static final String SERVICE_TOKENS =
      "SELECT " + SERVICE_TOKEN_COLUMNS + " FROM workspace.service_tokens WHERE team_id = $1 ORDER BY created_at, id";
  static final String LOCK_SERVICE_TOKEN =
      "SELECT " + SERVICE_TOKEN_COLUMNS + " FROM workspace.service_tokens WHERE team_id = $1 AND id = $2 FOR UPDATE";
  static final String REVOKE_SERVICE_TOKEN =
      "UPDATE workspace.service_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 "
          + "RETURNING " + SERVICE_TOKEN_COLUMNS;
  static final String DELETE_MEMBERSHIP =
      "DELETE FROM workspace.memberships WHERE team_id = $1 AND user_id = $2";
}
