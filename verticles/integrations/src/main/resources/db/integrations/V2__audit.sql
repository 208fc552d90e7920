-- The audit log: one row per change recorded in an owner's journal (journal_changes) that belongs to a team, copied by
-- the changes feed. (owner, source_id) is the journal row it came from, so a page read twice adds nothing. Nothing in
-- the API updates or deletes these rows.
CREATE TABLE integrations.audit_entries (
  id         uuid        PRIMARY KEY,
  owner      text        NOT NULL,
  source_id  bigint      NOT NULL,
  at         timestamptz NOT NULL,
  team_id    uuid        NOT NULL,
  actor_id   uuid,
  origin     text        NOT NULL,
  request_id text,
  entity     text        NOT NULL,
  entity_id  text        NOT NULL,
  action     text        NOT NULL,
  changes    jsonb       NOT NULL,
  UNIQUE (owner, source_id)
);
-- Newest first per team (keyset pagination on (at, id)).
CREATE INDEX audit_entries_team_idx ON integrations.audit_entries (team_id, at DESC, id DESC);
