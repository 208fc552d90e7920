-- A project's key (2–10 of A–Z and 0–9, unique in its team) prefixes its task keys on the board (WEB-12). Existing
-- projects get one derived from their name, as the api derives it for a project created without a key.
ALTER TABLE workspace.projects ADD COLUMN key text;

DO $$
DECLARE
  p         record;
  base      text;
  candidate text;
  n         integer;
BEGIN
  FOR p IN SELECT id, team_id, name FROM workspace.projects ORDER BY created_at, id LOOP
    base := left(regexp_replace(upper(p.name), '[^A-Z0-9]', '', 'g'), 3);
    IF length(base) < 2 THEN
      base := 'PRJ';
    END IF;
    candidate := base;
    n := 1;
    WHILE EXISTS (SELECT 1 FROM workspace.projects WHERE team_id = p.team_id AND key = candidate) LOOP
      n := n + 1;
      candidate := base || n;
    END LOOP;
    UPDATE workspace.projects SET key = candidate WHERE id = p.id;
  END LOOP;
END $$;

ALTER TABLE workspace.projects ALTER COLUMN key SET NOT NULL;
ALTER TABLE workspace.projects ADD CONSTRAINT projects_key_format CHECK (key ~ '^[A-Z0-9]{2,10}$');
CREATE UNIQUE INDEX projects_team_key_key ON workspace.projects (team_id, key);
