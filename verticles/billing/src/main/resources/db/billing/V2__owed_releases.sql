-- Entries that timers still has to take off a voided or deleted invoice. The row is written in the transaction that
-- voids or deletes, so the debt survives a failed bus request or a crash; billing releases right after commit and a
-- sweeper on every node repeats the (idempotent) release until the row is old enough that no late claim can follow.
CREATE TABLE billing.owed_releases (
  invoice_id uuid PRIMARY KEY,
  team_id    uuid        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
