-- Time on tasks: an entry may name a task of its project (the board verticle's, by id only; timers asks the board
-- whether it exists before storing it). The board shows per task the sum of its entries, which timers computes.
ALTER TABLE timers.time_entries ADD COLUMN task_id uuid;

CREATE INDEX time_entries_task_idx ON timers.time_entries (team_id, task_id) WHERE task_id IS NOT NULL;
