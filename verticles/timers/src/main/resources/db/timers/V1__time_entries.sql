-- The timers verticle owns time entries; a running timer is an entry without stopped_at.
-- team_id, user_id and project_id refer to the workspace verticle's rows by id only (no cross-schema keys: each
-- verticle owns its tables and talks to the others over the event bus).

CREATE TABLE timers.time_entries (
  id          uuid PRIMARY KEY,
  team_id     uuid        NOT NULL,
  user_id     uuid        NOT NULL,
  project_id  uuid        NOT NULL,
  description text,
  started_at  timestamptz NOT NULL,
  stopped_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT time_entries_stop_after_start CHECK (stopped_at IS NULL OR stopped_at >= started_at)
);

-- At most one running timer per user, anywhere: two concurrent starts cannot both commit.
CREATE UNIQUE INDEX time_entries_one_running_per_user ON timers.time_entries (user_id) WHERE stopped_at IS NULL;

CREATE INDEX time_entries_team_started_idx ON timers.time_entries (team_id, started_at DESC, id DESC);
CREATE INDEX time_entries_team_user_started_idx ON timers.time_entries (team_id, user_id, started_at DESC, id DESC);
CREATE INDEX time_entries_running_idx ON timers.time_entries (team_id) WHERE stopped_at IS NULL;
