-- The board verticle owns each project's board: ordered columns and ordered tasks. team_id, project_id, assignee_id
-- and created_by refer to the workspace verticle's rows by id only (no cross-schema keys).

-- One board per project, created with its default columns on first access. Its row is the board's lock: every change
-- of an order (tasks created, moved or deleted; columns added, moved or deleted) locks it first, so that changes of
-- one board's order run one at a time and each renumbers from the committed order.
CREATE TABLE board.boards (
  project_id  uuid PRIMARY KEY,
  team_id     uuid        NOT NULL,
  -- the n of the last task key {projectKey}-{n}; numbers are never reused
  last_number integer     NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Positions are 0..n-1 within the board, without gaps. The unique constraint is the guard (deferred, so that one
-- statement may renumber a whole board and only the committed order is checked).
CREATE TABLE board.columns (
  id         uuid PRIMARY KEY,
  project_id uuid        NOT NULL REFERENCES board.boards (project_id) ON DELETE CASCADE,
  name       text        NOT NULL,
  position   integer     NOT NULL CHECK (position >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT columns_board_position_key UNIQUE (project_id, position) DEFERRABLE INITIALLY DEFERRED
);

-- Positions are 0..n-1 within a column, without gaps; no two tasks of a column share one.
CREATE TABLE board.tasks (
  id               uuid PRIMARY KEY,
  team_id          uuid        NOT NULL,
  project_id       uuid        NOT NULL REFERENCES board.boards (project_id) ON DELETE CASCADE,
  column_id        uuid        NOT NULL REFERENCES board.columns (id),
  number           integer     NOT NULL CHECK (number > 0),
  position         integer     NOT NULL CHECK (position >= 0),
  title            text        NOT NULL,
  description      text,
  assignee_id      uuid,
  estimate_minutes integer     CHECK (estimate_minutes >= 0),
  due_date         date,
  labels           text[]      NOT NULL DEFAULT '{}',
  version          integer     NOT NULL DEFAULT 1 CHECK (version > 0),
  created_by       uuid        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tasks_project_number_key UNIQUE (project_id, number),
  CONSTRAINT tasks_column_position_key UNIQUE (column_id, position) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX tasks_project_idx ON board.tasks (project_id);
