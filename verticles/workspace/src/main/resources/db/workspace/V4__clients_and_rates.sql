-- A project may bill a client (a billing client's id: billing owns clients, so there is no foreign key across schemas;
-- workspace asks billing before linking). A member may bill a project at their own rate, overriding the project's.
ALTER TABLE workspace.projects ADD COLUMN client_id uuid;
CREATE INDEX projects_client_idx ON workspace.projects (team_id, client_id) WHERE client_id IS NOT NULL;

CREATE TABLE workspace.project_rates (
  project_id  uuid           NOT NULL REFERENCES workspace.projects (id) ON DELETE CASCADE,
  user_id     uuid           NOT NULL REFERENCES workspace.users (id) ON DELETE CASCADE,
  hourly_rate numeric(14, 4) NOT NULL CHECK (hourly_rate >= 0),
  updated_at  timestamptz    NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, user_id)
);
