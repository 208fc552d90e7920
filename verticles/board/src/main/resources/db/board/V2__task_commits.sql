-- Commits that cite a task's key, linked by integrations' git sync (board.tasks.link). One row per task and commit
-- sha, so that a provider's retried delivery links nothing twice. closes: the commit closed the task (a closing
-- keyword on the default branch, or a merged pull request); a later closing link of a commit already linked without
-- closing upgrades the row, and only that first closing link moves the card.
CREATE TABLE board.task_commits (
  task_id   uuid        NOT NULL REFERENCES board.tasks (id) ON DELETE CASCADE,
  sha       text        NOT NULL,
  message   text        NOT NULL,
  author    text,
  url       text,
  at        timestamptz,
  closes    boolean     NOT NULL DEFAULT false,
  linked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (task_id, sha)
);
