-- A new kind: a team's webhook was disabled after a run of failed deliveries (events.webhook.disabled, read from the
-- integrations journal); its owners are told.
ALTER TABLE notifications.notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications.notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('mention',
  'task_assigned', 'invoice_issued', 'invoice_overdue', 'timer_forgotten', 'webhook_disabled'));
