-- The journal as a feed for other verticles (integrations: audit log, webhooks), and the journal's record of changes.
--
-- Every row carries the id of the transaction that wrote it (tx). A reader asks for rows with tx below the oldest
-- transaction still running (pg_snapshot_xmin of the current snapshot): those transactions have all ended, so no row
-- can appear later below that mark, and a cursor (tx, id) over them never skips a row committed late.

ALTER TABLE ${schema}.journal
  ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ADD COLUMN feed_id bigserial;
CREATE INDEX journal_feed_idx ON ${schema}.journal (tx, feed_id);

-- Who changed what: one row per entity a command (or a job) changed, written in the transaction of the change.
-- changes: {"field": {"before": ..., "after": ...}} for the fields that changed (creates: after only; deletes: before).
CREATE TABLE ${schema}.journal_changes (
  id         bigserial   PRIMARY KEY,
  tx         xid8        NOT NULL DEFAULT pg_current_xact_id(),
  at         timestamptz NOT NULL DEFAULT now(),
  team_id    uuid,
  actor_id   uuid,
  origin     text        NOT NULL,
  request_id text,
  entity     text        NOT NULL,
  entity_id  text        NOT NULL,
  action     text        NOT NULL,
  changes    jsonb       NOT NULL
);
CREATE INDEX journal_changes_feed_idx ON ${schema}.journal_changes (tx, id);
