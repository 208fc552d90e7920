-- The notifications verticle: in-app notifications per user, each user's email settings, the email outbox, and a
-- cursor per journaled source stream. user_id, team_id and invoice ids refer to other verticles' rows by id only.

-- How far each source stream (events.chat.mention, events.task.assigned, events.invoice.issued,
-- events.invoice.overdue, read from its owner's journal) has been turned into notifications. The row is the stream's
-- lock: a catch-up locks it in the transaction that writes an event's notifications and advances last_seq, so the
-- nodes never process one event twice. A changed epoch (the owner rebuilt its history) restarts from 0; the unique
-- (user_id, event_id) below keeps a replay from notifying anyone twice.
CREATE TABLE notifications.cursors (
  stream     text PRIMARY KEY,
  epoch      text,
  last_seq   bigint      NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notifications.notifications (
  id         uuid PRIMARY KEY,
  user_id    uuid        NOT NULL,
  -- the source event's id (its journaled payload's id), or "timer_forgotten:<entryId>"
  event_id   text        NOT NULL,
  kind       text        NOT NULL CHECK (kind IN ('mention', 'task_assigned', 'invoice_issued', 'invoice_overdue',
                                                  'timer_forgotten')),
  team_id    uuid,
  title      text        NOT NULL,
  body       text,
  link       text,
  data       jsonb       NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at    timestamptz,
  CONSTRAINT notifications_user_event_key UNIQUE (user_id, event_id)
);

-- Newest first per user, keyset-paginated on (created_at, id).
CREATE INDEX notifications_user_created_idx ON notifications.notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_user_unread_idx ON notifications.notifications (user_id, created_at DESC, id DESC)
  WHERE read_at IS NULL;

-- Email on or off per kind; a user without a row has every kind on.
CREATE TABLE notifications.settings (
  user_id    uuid PRIMARY KEY,
  email      jsonb       NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Emails to send. A sender pass claims due rows with FOR UPDATE SKIP LOCKED and leases them (next_attempt_at moves
-- ahead), so one node sends each row; a failure backs off exponentially; a permanent one (an SMTP 5xx reply, or the
-- last attempt) ends as failed, and the user sees it on the notification.
CREATE TABLE notifications.outbox (
  id                    uuid PRIMARY KEY,
  notification_id       uuid REFERENCES notifications.notifications (id) ON DELETE SET NULL,
  event_id              text        NOT NULL,
  kind                  text        NOT NULL,
  to_address            text        NOT NULL,
  subject               text        NOT NULL,
  text_body             text        NOT NULL,
  html_body             text        NOT NULL,
  attachment_team_id    uuid,
  attachment_invoice_id uuid,
  status                text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts              integer     NOT NULL DEFAULT 0,
  next_attempt_at       timestamptz NOT NULL DEFAULT now(),
  last_error            text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  sent_at               timestamptz,
  CONSTRAINT outbox_event_recipient_key UNIQUE (event_id, to_address)
);

CREATE INDEX outbox_due_idx ON notifications.outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_notification_idx ON notifications.outbox (notification_id);
