-- Service accounts: users of kind 'service' that a team's owners and admins create for a program (a Slack relay, an
-- exporter) to act for that one team over the TCP bridge or REST. They have no password (no login), a synthetic
-- unique email under the reserved .invalid domain, and exactly one membership, which revoking removes.
ALTER TABLE workspace.users ADD COLUMN kind text NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'service'));
ALTER TABLE workspace.users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE workspace.users ADD CONSTRAINT users_password_of_people CHECK ((kind = 'person') = (password_hash IS NOT NULL));

CREATE TABLE workspace.service_tokens (
  id         uuid PRIMARY KEY,
  team_id    uuid        NOT NULL REFERENCES workspace.teams (id) ON DELETE CASCADE,
  user_id    uuid        NOT NULL UNIQUE REFERENCES workspace.users (id) ON DELETE CASCADE,
  name       text        NOT NULL,
  role       text        NOT NULL CHECK (role IN ('admin', 'member')),
  created_by uuid        REFERENCES workspace.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX service_tokens_team_idx ON workspace.service_tokens (team_id, created_at, id);
