-- Git sync: a team's GitHub or GitLab integrations. The secret signs (GitHub) or is (GitLab) each delivery; it is
-- shown once, when the integration is created. channel_id names a chat channel (chat's row, by id only).
CREATE TABLE integrations.git_integrations (
  id               uuid PRIMARY KEY,
  team_id          uuid        NOT NULL,
  provider         text        NOT NULL CHECK (provider IN ('github', 'gitlab')),
  channel_id       uuid,
  secret           text        NOT NULL,
  created_by       uuid        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_delivery_at timestamptz
);
CREATE INDEX git_integrations_team_idx ON integrations.git_integrations (team_id, created_at);

-- Deliveries processed to the end, by the provider's delivery id: a repeat is acknowledged and ignored. A delivery
-- is marked only after its links and chat summary succeeded, so a failed one is processed again on the retry.
CREATE TABLE integrations.git_deliveries (
  integration_id uuid        NOT NULL REFERENCES integrations.git_integrations (id) ON DELETE CASCADE,
  delivery_id    text        NOT NULL,
  processed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, delivery_id)
);
CREATE INDEX git_deliveries_processed_idx ON integrations.git_deliveries (processed_at);
