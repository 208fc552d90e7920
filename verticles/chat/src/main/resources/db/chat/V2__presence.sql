-- The presence each user was last announced with. Who is online is worked out in memory by every chat instance from
-- the bridge nodes' reports (bridge.presence); this table is where the instances agree on a change: the one whose
-- update actually flips a row publishes the team events, so each change is told once however many instances run.
CREATE TABLE chat.presence (
  user_id    uuid PRIMARY KEY,
  status     text        NOT NULL CHECK (status IN ('online', 'offline')),
  changed_at timestamptz NOT NULL DEFAULT now()
);
