-- Outcomes of commands sent with an idempotency key, per user and key, kept 24 h (see kernel Idempotency).

CREATE TABLE ${schema}.idempotency (
  user_id      uuid        NOT NULL,
  key          text        NOT NULL,
  request_hash text        NOT NULL,
  state        text        NOT NULL CHECK (state IN ('pending', 'done')),
  status       int,
  body         text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_created_idx ON ${schema}.idempotency (created_at);
