-- The event journal of one verticle's schema (${schema}): every browser-facing event, written in the transaction of
-- the change that causes it, numbered per stream without gaps. Migrated by Database.migrateKernelTables with the kernel's own history table.

CREATE TABLE ${schema}.journal_streams (
  stream   text   PRIMARY KEY,
  epoch    text   NOT NULL,
  last_seq bigint NOT NULL
);

CREATE TABLE ${schema}.journal (
  stream     text        NOT NULL,
  seq        bigint      NOT NULL,
  epoch      text        NOT NULL,
  payload    jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published  boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (stream, seq)
);

-- What the relay looks for: committed events whose publisher may have died before publishing them.
CREATE INDEX journal_unpublished_idx ON ${schema}.journal (created_at) WHERE NOT published;
