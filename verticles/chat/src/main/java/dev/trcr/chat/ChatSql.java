package dev.trcr.chat;

/** Every SQL statement of the chat verticle, in one place. */
final class ChatSql {

  private ChatSql() {
  }

  /** Who may read a channel: every team member for general and public ones, the listed members otherwise. */
  private static final String VISIBLE_TO_USER = "(c.kind IN ('general', 'public') OR EXISTS (SELECT 1 FROM "
      + "chat.channel_members vm WHERE vm.channel_id = c.id AND vm.user_id = $2))";

  /** A channel as its readers see it; $2 is the reader (their unread count: others' live messages after the marker). */
  private static final String CHANNEL_SELECT = "SELECT c.id, c.team_id, c.kind, c.name, c.created_at, c.last_message_at, "
      + "(SELECT array_agg(m.user_id ORDER BY m.user_id) FROM chat.channel_members m WHERE m.channel_id = c.id) "
      + "AS member_ids, "
      + "(SELECT count(*) FROM chat.messages x WHERE x.channel_id = c.id AND x.seq > coalesce(r.last_read_seq, 0) "
      + "AND x.user_id IS DISTINCT FROM $2 AND x.deleted_at IS NULL) AS unread_count "
      + "FROM chat.channels c LEFT JOIN chat.read_markers r ON r.channel_id = c.id AND r.user_id = $2 ";

  /** $1 team, $2 reader. General first, then named channels by name, then DMs. */
  static final String CHANNELS_OF_USER = CHANNEL_SELECT + "WHERE c.team_id = $1 AND " + VISIBLE_TO_USER
      + " ORDER BY (c.kind = 'general') DESC, (c.kind = 'dm'), lower(c.name), c.created_at, c.id";

  /** $1 team, $2 reader, $3 channel: the channel if the reader may see it. */
  static final String CHANNEL_OF_USER = CHANNEL_SELECT + "WHERE c.team_id = $1 AND c.id = $3 AND " + VISIBLE_TO_USER;

  /** Every team gets one general channel; the partial unique index makes concurrent first uses create one. */
  static final String INSERT_GENERAL = "INSERT INTO chat.channels (id, team_id, kind, name) "
      + "VALUES ($1, $2, 'general', 'general') ON CONFLICT DO NOTHING";

  static final String INSERT_CHANNEL = "INSERT INTO chat.channels (id, team_id, kind, name, created_by) "
      + "VALUES ($1, $2, $3, $4, $5)";

  /** A pair's DM, unless it exists (then nothing is returned and the caller reads it by key). */
  static final String INSERT_DM = "INSERT INTO chat.channels (id, team_id, kind, created_by, dm_key) "
      + "VALUES ($1, $2, 'dm', $3, $4) ON CONFLICT (team_id, dm_key) WHERE kind = 'dm' DO NOTHING RETURNING id";

  static final String DM_BY_KEY = "SELECT id FROM chat.channels WHERE team_id = $1 AND kind = 'dm' AND dm_key = $2";

  static final String INSERT_MEMBERS = "INSERT INTO chat.channel_members (channel_id, user_id) "
      + "SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING";

  // --- messages -----------------------------------------------------------------------------------------------------

  static final String MESSAGE_COLUMNS = "id, channel_id, seq, user_id, author_name, text, mentions, created_at, "
      + "edited_at, deleted_at";

  /** Serialises a channel's posts: a retry that waited here sees the first attempt's row once it committed. */
  static final String LOCK_CHANNEL = "SELECT last_seq FROM chat.channels WHERE id = $1 FOR UPDATE";

  static final String MESSAGE_BY_CLIENT_ID = "SELECT " + MESSAGE_COLUMNS + " FROM chat.messages "
      + "WHERE channel_id = $1 AND user_id = $2 AND client_message_id = $3";

  /**
   * Numbers the message in its channel and stamps it with PostgreSQL's clock, never earlier than the channel's last
   * message, so that createdAt and seq agree.
   */
  static final String INSERT_MESSAGE = "WITH c AS (UPDATE chat.channels SET last_seq = last_seq + 1, "
      + "last_message_at = greatest(date_trunc('milliseconds', clock_timestamp()), last_message_at) "
      + "WHERE id = $2 RETURNING last_seq, last_message_at) "
      + "INSERT INTO chat.messages (id, channel_id, seq, user_id, client_message_id, text, mentions, created_at) "
      + "SELECT $1, $2, c.last_seq, $3, $4, $5, $6, c.last_message_at FROM c RETURNING " + MESSAGE_COLUMNS;

  static final String MESSAGE_BY_SYSTEM_KEY = "SELECT " + MESSAGE_COLUMNS + " FROM chat.messages "
      + "WHERE channel_id = $1 AND user_id IS NULL AND client_message_id = $2";

  /** A system author's message, numbered and stamped like {@link #INSERT_MESSAGE}; it mentions nobody. */
  static final String INSERT_SYSTEM_MESSAGE = "WITH c AS (UPDATE chat.channels SET last_seq = last_seq + 1, "
      + "last_message_at = greatest(date_trunc('milliseconds', clock_timestamp()), last_message_at) "
      + "WHERE id = $2 RETURNING last_seq, last_message_at) "
      + "INSERT INTO chat.messages (id, channel_id, seq, author_name, client_message_id, text, created_at) "
      + "SELECT $1, $2, c.last_seq, $3, $4, $5, c.last_message_at FROM c RETURNING " + MESSAGE_COLUMNS;

  static final String CHANNEL_OF_TEAM = "SELECT id FROM chat.channels WHERE team_id = $1 AND id = $2";

  /** $1 channel, $2 seq of the cursor message (NULL: the newest), $3 limit. */
  static final String LIST_MESSAGES = "SELECT " + MESSAGE_COLUMNS + " FROM chat.messages WHERE channel_id = $1 "
      + "AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3";

  static final String MESSAGE_IN_CHANNEL = "SELECT " + MESSAGE_COLUMNS + " FROM chat.messages "
      + "WHERE channel_id = $1 AND id = $2";

  static final String MESSAGE_FOR_UPDATE = MESSAGE_IN_CHANNEL + " FOR UPDATE";

  static final String CHANNEL_KIND = "SELECT kind FROM chat.channels WHERE id = $1";

  static final String EDIT_MESSAGE = "UPDATE chat.messages SET text = $3, mentions = $4, "
      + "edited_at = greatest(date_trunc('milliseconds', clock_timestamp()), created_at) "
      + "WHERE channel_id = $1 AND id = $2 RETURNING " + MESSAGE_COLUMNS;

  /** Leaves a tombstone: the row keeps its place in history, without its text. */
  static final String DELETE_MESSAGE = "UPDATE chat.messages SET text = NULL, mentions = '{}', "
      + "deleted_at = greatest(date_trunc('milliseconds', clock_timestamp()), created_at) "
      + "WHERE channel_id = $1 AND id = $2 RETURNING " + MESSAGE_COLUMNS;

  // --- read markers -------------------------------------------------------------------------------------------------

  /** A marker only moves forward. */
  static final String MARK_READ = "INSERT INTO chat.read_markers (channel_id, user_id, last_read_seq) "
      + "VALUES ($1, $2, $3) ON CONFLICT (channel_id, user_id) DO UPDATE SET last_read_seq = "
      + "greatest(chat.read_markers.last_read_seq, EXCLUDED.last_read_seq) RETURNING last_read_seq";

  static final String MESSAGE_ID_BY_SEQ = "SELECT id FROM chat.messages WHERE channel_id = $1 AND seq = $2";

  static final String UNREAD_COUNT = "SELECT count(*) AS n FROM chat.messages WHERE channel_id = $1 AND seq > "
      + "coalesce((SELECT last_read_seq FROM chat.read_markers WHERE channel_id = $1 AND user_id = $2), 0) "
      + "AND user_id IS DISTINCT FROM $2 AND deleted_at IS NULL";

  // --- presence -----------------------------------------------------------------------------------------------------

  /**
   * $1 users, $2 status: sets it where it differs and returns only the rows it changed, so that of several chat
   * instances deciding the same change, one publishes it.
   */
  static final String PRESENCE_SET = "INSERT INTO chat.presence (user_id, status, changed_at) "
      + "SELECT u, $2, now() FROM unnest($1::uuid[]) AS u "
      + "ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status, changed_at = EXCLUDED.changed_at "
      + "WHERE chat.presence.status <> EXCLUDED.status RETURNING user_id";

  /** After a chat instance has heard every live bridge node: whoever is still online in the table but not here left. */
  static final String PRESENCE_RECONCILE = "UPDATE chat.presence SET status = 'offline', changed_at = now() "
      + "WHERE status = 'online' AND NOT (user_id = ANY($1::uuid[])) RETURNING user_id";

  static final String PRESENCE_OF_USERS = "SELECT user_id, status, changed_at FROM chat.presence "
      + "WHERE user_id = ANY($1::uuid[])";
}
