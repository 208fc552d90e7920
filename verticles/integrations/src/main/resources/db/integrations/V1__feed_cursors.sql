-- How far the integrations verticle has read each owner's journal feed (one row per owner and kind of feed).
-- A pass reads a page after the cursor, then writes what it means (audit entries, webhook deliveries) and moves the
-- cursor in one transaction: every journal row is handled exactly once. Cursors are "<tx>:<id>" (see the kernel's
-- V3__journal_feed.sql).
CREATE TABLE integrations.feed_cursors (
  owner      text        NOT NULL,
  feed       text        NOT NULL,
  cursor     text        NOT NULL DEFAULT '0:0',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, feed)
);
