-- The workspace verticle owns users, teams, memberships and projects.

CREATE TABLE workspace.users (
  id            uuid PRIMARY KEY,
  email         text        NOT NULL,
  name          text        NOT NULL,
  password_hash text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
-- Emails are stored lower-cased; one account per address.
CREATE UNIQUE INDEX users_email_key ON workspace.users (email);

CREATE TABLE workspace.teams (
  id         uuid PRIMARY KEY,
  name       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workspace.memberships (
  team_id    uuid        NOT NULL REFERENCES workspace.teams (id) ON DELETE CASCADE,
  user_id    uuid        NOT NULL REFERENCES workspace.users (id) ON DELETE CASCADE,
  role       text        NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX memberships_user_idx ON workspace.memberships (user_id);

CREATE TABLE workspace.projects (
  id          uuid PRIMARY KEY,
  team_id     uuid          NOT NULL REFERENCES workspace.teams (id) ON DELETE CASCADE,
  name        text          NOT NULL,
  hourly_rate numeric(14, 4) CHECK (hourly_rate >= 0),
  currency    char(3)       NOT NULL,
  created_at  timestamptz   NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX projects_team_name_key ON workspace.projects (team_id, lower(name));
