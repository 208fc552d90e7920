-- Outgoing webhooks: a team's registered receivers and the outbox of their deliveries.
-- A delivery row is written in the transaction that moves integrations' feed cursor past the journal event it carries
-- (so each event is enqueued once per matching webhook) and holds the exact body that is signed and sent on every
-- attempt; its id is the X-Trcr-Delivery header. Deliveries of one webhook go out strictly by seq, one at a time: a
-- sender claims only the oldest pending one, under a lease that other nodes respect and a killed node lets expire.
CREATE TABLE integrations.webhooks (
  id                   uuid PRIMARY KEY,
  team_id              uuid        NOT NULL,
  url                  text        NOT NULL,
  events               text[]      NOT NULL,
  -- signs the bodies (HMAC-SHA256); never shown again after create or a change of it
  secret               text        NOT NULL,
  secret_updated_at    timestamptz NOT NULL DEFAULT now(),
  enabled              boolean     NOT NULL DEFAULT true,
  consecutive_failures integer     NOT NULL DEFAULT 0,
  disabled_at          timestamptz,
  -- the seq of the last delivery enqueued; raised under this row's lock so seqs commit in order
  last_seq             bigint      NOT NULL DEFAULT 0,
  created_by           uuid,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhooks_team_idx ON integrations.webhooks (team_id, created_at, id);

CREATE TABLE integrations.webhook_deliveries (
  id              uuid PRIMARY KEY,
  webhook_id      uuid        NOT NULL REFERENCES integrations.webhooks (id) ON DELETE CASCADE,
  seq             bigint      NOT NULL,
  event           text        NOT NULL,
  body            text        NOT NULL,
  status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- while in the future, one node is sending this delivery
  lease_until     timestamptz,
  last_attempt_at timestamptz,
  response_code   integer,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz,
  CONSTRAINT webhook_deliveries_order_key UNIQUE (webhook_id, seq)
);

CREATE INDEX webhook_deliveries_pending_idx ON integrations.webhook_deliveries (webhook_id, seq)
  WHERE status = 'pending';
