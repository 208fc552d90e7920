package dev.trcr.board;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Every SQL statement of the board verticle, in one place. */
final class BoardSql {

  private BoardSql() {
  }

  static final String TASK_COLUMNS = "id, team_id, project_id, column_id, number, position, title, description, "
      + "assignee_id, estimate_minutes, due_date, labels, version, created_by, created_at, updated_at";

  /** Creates the board on first access; a concurrent first access waits for this one and then does nothing. */
  static final String CREATE_BOARD =
      "INSERT INTO board.boards (project_id, team_id) VALUES ($1, $2) ON CONFLICT (project_id) DO NOTHING "
          + "RETURNING project_id";
  /** The board's lock: every change of an order takes it first (see V1__boards_columns_tasks.sql). */
  static final String LOCK_BOARD = "SELECT project_id FROM board.boards WHERE project_id = $1 FOR UPDATE";
  static final String NEXT_NUMBER =
      "UPDATE board.boards SET last_number = last_number + 1 WHERE project_id = $1 RETURNING last_number";

  /** The whole board in one statement, so that a read never sees half of a concurrent move. */
  static final String BOARD =
      "SELECT c.id AS col_id, c.name AS col_name, c.position AS col_position, "
          + Arrays.stream(TASK_COLUMNS.split(", ")).map(c -> "t." + c).collect(Collectors.joining(", "))
          + " FROM board.columns c LEFT JOIN board.tasks t ON t.column_id = c.id WHERE c.project_id = $1 "
          + "ORDER BY c.position, t.position";

  static final String COLUMNS = "SELECT id, name, position FROM board.columns WHERE project_id = $1 ORDER BY position";
  static final String INSERT_COLUMN =
      "INSERT INTO board.columns (id, project_id, name, position) VALUES ($1, $2, $3, $4)";
  static final String RENAME_COLUMN = "UPDATE board.columns SET name = $3 WHERE project_id = $1 AND id = $2";
  static final String DELETE_COLUMN = "DELETE FROM board.columns WHERE project_id = $1 AND id = $2";
  static final String COLUMN_HAS_TASKS = "SELECT EXISTS (SELECT 1 FROM board.tasks WHERE column_id = $1) AS busy";
  /** Sets the positions of a whole order at once: the deferred unique constraint checks the result at commit. */
  static final String RENUMBER_COLUMNS =
      "UPDATE board.columns c SET position = v.position FROM unnest($1::uuid[], $2::int[]) AS v(id, position) "
          + "WHERE c.id = v.id AND c.position <> v.position";

  static final String TASK_IDS_IN_COLUMN = "SELECT id FROM board.tasks WHERE column_id = $1 ORDER BY position";
  static final String RENUMBER_TASKS =
      "UPDATE board.tasks t SET position = v.position FROM unnest($1::uuid[], $2::int[]) AS v(id, position) "
          + "WHERE t.id = v.id AND t.position <> v.position";
  /** A new task goes to the bottom of its column (the board lock is held, so the count is the committed one). */
  static final String INSERT_TASK =
      "INSERT INTO board.tasks (id, team_id, project_id, column_id, number, position, title, description, "
          + "assignee_id, estimate_minutes, due_date, labels, created_by) VALUES ($1, $2, $3, $4, $5, "
          + "(SELECT count(*) FROM board.tasks WHERE column_id = $4), $6, $7, $8, $9, $10, $11, $12) "
          + "RETURNING " + TASK_COLUMNS;
  static final String TASK = "SELECT " + TASK_COLUMNS + " FROM board.tasks WHERE project_id = $1 AND id = $2";
  static final String TASK_FOR_UPDATE = TASK + " FOR UPDATE";
  static final String UPDATE_TASK =
      "UPDATE board.tasks SET title = $3, description = $4, assignee_id = $5, estimate_minutes = $6, due_date = $7, "
          + "labels = $8, version = version + 1, updated_at = now() WHERE project_id = $1 AND id = $2 "
          + "RETURNING " + TASK_COLUMNS;
  static final String MOVE_TASK =
      "UPDATE board.tasks SET column_id = $3, version = version + 1, updated_at = now() "
          + "WHERE project_id = $1 AND id = $2";
  static final String DELETE_TASK = "DELETE FROM board.tasks WHERE project_id = $1 AND id = $2";
  static final String TASK_OF_PROJECT =
      "SELECT id, project_id FROM board.tasks WHERE team_id = $1 AND project_id = $2 AND id = $3";

  // --- commits linked by git sync ---------------------------------------------------------------------------------

  /** $1 project, $2 task numbers: the tasks cited, locked for the link. */
  static final String TASKS_BY_NUMBER_FOR_UPDATE = "SELECT " + TASK_COLUMNS + " FROM board.tasks "
      + "WHERE project_id = $1 AND number = ANY($2::int[]) ORDER BY id FOR UPDATE";
  /**
   * Links a commit; returns a row only if it was new or now closes for the first time ({@code closing}: it closes
   * the task now). A repeat of the same link returns nothing.
   */
  static final String LINK_COMMIT =
      "INSERT INTO board.task_commits AS c (task_id, sha, message, author, url, at, closes) "
          + "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (task_id, sha) DO UPDATE SET closes = true "
          + "WHERE EXCLUDED.closes AND NOT c.closes RETURNING sha, closes AS closing";
  /** $1 task ids, $2 how many per task: each task's newest commits. */
  static final String COMMITS_OF_TASKS =
      "SELECT task_id, sha, message, author, url, at FROM (SELECT *, row_number() OVER (PARTITION BY task_id "
          + "ORDER BY at DESC NULLS LAST, linked_at DESC) AS n FROM board.task_commits "
          + "WHERE task_id = ANY($1::uuid[])) x "
          + "WHERE n <= $2 ORDER BY task_id, n";
}
