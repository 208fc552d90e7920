-- An entry on an invoice (draft or issued) carries the invoice's id, set and cleared by billing's claim and release
-- commands. One column holds one invoice, so an entry can never be on two live invoices; while it is set, edits and
-- deletes are refused (entry_locked).
ALTER TABLE timers.time_entries ADD COLUMN invoice_id uuid;
CREATE INDEX time_entries_invoice_idx ON timers.time_entries (invoice_id) WHERE invoice_id IS NOT NULL;
-- What an invoice claims: a team's stopped, uninvoiced entries of some projects in a period.
CREATE INDEX time_entries_unbilled_idx ON timers.time_entries (team_id, project_id, started_at)
  WHERE invoice_id IS NULL AND stopped_at IS NOT NULL;
-- The forgotten-timer check scans running timers by age.
CREATE INDEX time_entries_running_age_idx ON timers.time_entries (started_at) WHERE stopped_at IS NULL;
