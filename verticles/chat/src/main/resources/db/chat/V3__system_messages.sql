-- Messages by a system author (integrations' git sync: "Ada pushed 3 commits to main: …"): no user, an author_name.
-- Their client_message_id is the sender's idempotency key, unique per channel, so a retried delivery posts once.
ALTER TABLE chat.messages ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE chat.messages ADD COLUMN author_name text;
ALTER TABLE chat.messages ADD CONSTRAINT messages_author CHECK (user_id IS NOT NULL OR author_name IS NOT NULL);
CREATE UNIQUE INDEX messages_system_key ON chat.messages (channel_id, client_message_id)
  WHERE user_id IS NULL AND client_message_id IS NOT NULL;
