-- The chat verticle owns channels, their members, messages and read markers.
-- team_id and user ids refer to the workspace verticle's rows by id only (no cross-schema keys).

-- kind: 'general' (one per team, created on first use), 'public' (every team member), 'private' (listed members and
-- the creator), 'dm' (exactly two users; dm_key = the two ids in order, so that a pair has one DM per team).
-- last_seq numbers the channel's messages; the row lock taken to raise it orders concurrent posts.
CREATE TABLE chat.channels (
  id              uuid PRIMARY KEY,
  team_id         uuid        NOT NULL,
  kind            text        NOT NULL CHECK (kind IN ('general', 'public', 'private', 'dm')),
  name            text,
  created_by      uuid,
  dm_key          text,
  last_seq        bigint      NOT NULL DEFAULT 0,
  last_message_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT channels_named CHECK ((kind = 'dm') = (name IS NULL)),
  CONSTRAINT channels_dm_key CHECK ((kind = 'dm') = (dm_key IS NOT NULL))
);
CREATE UNIQUE INDEX channels_one_general_per_team ON chat.channels (team_id) WHERE kind = 'general';
CREATE UNIQUE INDEX channels_one_dm_per_pair ON chat.channels (team_id, dm_key) WHERE kind = 'dm';
CREATE UNIQUE INDEX channels_team_name_key ON chat.channels (team_id, lower(name)) WHERE name IS NOT NULL;

-- Members of private channels and DMs only: public channels and general belong to every team member.
CREATE TABLE chat.channel_members (
  channel_id uuid NOT NULL REFERENCES chat.channels (id),
  user_id    uuid NOT NULL,
  PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user_idx ON chat.channel_members (user_id, channel_id);

-- seq orders a channel's messages (history is newest first by seq, stable however many post at once).
-- A clientMessageId is unique per user and channel: a retry finds the first message instead of adding one.
CREATE TABLE chat.messages (
  id                uuid PRIMARY KEY,
  channel_id        uuid        NOT NULL REFERENCES chat.channels (id),
  seq               bigint      NOT NULL,
  user_id           uuid        NOT NULL,
  client_message_id text,
  text              text,
  mentions          uuid[]      NOT NULL DEFAULT '{}',
  created_at        timestamptz NOT NULL,
  edited_at         timestamptz,
  deleted_at        timestamptz,
  CONSTRAINT messages_channel_seq_key UNIQUE (channel_id, seq),
  CONSTRAINT messages_tombstone CHECK ((deleted_at IS NULL) = (text IS NOT NULL))
);
CREATE UNIQUE INDEX messages_client_id_key ON chat.messages (channel_id, user_id, client_message_id)
  WHERE client_message_id IS NOT NULL;

-- The seq of the last message a user has read in a channel; only ever raised.
CREATE TABLE chat.read_markers (
  channel_id    uuid   NOT NULL REFERENCES chat.channels (id),
  user_id       uuid   NOT NULL,
  last_read_seq bigint NOT NULL,
  PRIMARY KEY (channel_id, user_id)
);
