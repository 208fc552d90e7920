package dev.trcr.chat;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.DomainStore;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Idempotency;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.Times;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Team chat: channels (general, public, private, DMs), messages with mentions, read markers and typing. Membership,
 * roles and names are the workspace verticle's, asked over the bus. Message events are journaled on
 * {@code team.{teamId}.chat.{channelId}} in the transaction of the change; typing is published directly, never stored.
 *
 * <p>Presence ({@link PresenceTracker}) follows the bridge nodes' reports and tells each team of a user who comes
 * online or goes offline on {@code team.{teamId}.presence}.
 *
 * <p>A team's {@code general} channel is created lazily, on the first listing of its channels (or the first channel
 * created in it): the workspace publishes no team-created event, and a team nobody opened chat in needs no row.
 */
public final class ChatVerticle extends VerticleBase {

  private static final Set<String> MANAGERS = Set.of("owner", "admin");
  private static final int TEXT_MAX = 4000;
  private static final int NAME_MAX = 80;
  private static final int CLIENT_ID_MAX = 100;
  private static final int MEMBER_IDS_MAX = 1000;
  private static final long TYPING_INTERVAL_MS = 2_000;

  private DomainStore store;
  private Pool pool;
  private Journal journal;
  /** Cluster-wide "user typed in channel within 2 s" marks, expiring by themselves: typing stays out of the database. */
  private AsyncMap<String, Boolean> typing;
  private PresenceTracker presence;

  @Override
  public Future<?> start() {
    return vertx.sharedData().<String, Boolean>getAsyncMap("trcr.chat.typing")
        .compose(map -> {
          typing = map;
          return DomainStore.open(vertx, config(), "chat");
        })
        .compose(opened -> {
          store = opened;
          pool = store.pool();
          journal = store.journal();
          presence = new PresenceTracker(vertx, pool, config());
          Future<Void> commands = store.commands()
              .on(Address.CHAT_JOURNAL_READ, journal::read)
              .on(Address.CHAT_JOURNAL_FEED, journal::feed)
              .on(Address.CHAT_ACCESS, this::access)
              .idempotent(Address.CHAT_CHANNELS_CREATE, this::createChannel)
              .on(Address.CHAT_CHANNELS_LIST, this::listChannels)
              .idempotent(Address.CHAT_DMS_OPEN, this::openDm)
              .idempotent(Address.CHAT_POST, this::post)
              .on(Address.CHAT_MESSAGES_SYSTEM, this::postSystem)
              .on(Address.CHAT_MESSAGES_LIST, this::listMessages)
              .idempotent(Address.CHAT_MESSAGES_EDIT, this::edit)
              .idempotent(Address.CHAT_MESSAGES_DELETE, this::delete)
              .idempotent(Address.CHAT_READ, this::markRead)
              .on(Address.CHAT_TYPING, this::typing)
              .on(Address.CHAT_PRESENCE_LIST, presence::list)
              .ready();
          return Future.all(commands, presence.start());
        });
  }

  @Override
  public Future<?> stop() {
    // Presence stops after the commands have drained and before the pool closes.
    Future<Void> stopped = presence == null ? Future.succeededFuture() : presence.stop();
    return stopped.compose(ignored -> store == null ? Future.succeededFuture() : store.close());
  }


  // --- channels -----------------------------------------------------------------------------------------------------

  private Future<JsonObject> createChannel(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    String name = in.string("name", 1, NAME_MAX);
    boolean isPrivate = flag(msg.body(), "private");
    List<UUID> memberIds = uuids(msg.body(), "memberIds");
    if (!isPrivate && !memberIds.isEmpty()) {
      throw ErrorCode.VALIDATION_FAILED.field("memberIds", "memberIds is for private channels: every team member "
          + "belongs to a public one");
    }
    UUID id = UUID.randomUUID();
    return team(teamId, caller).compose(team -> {
      for (UUID m : memberIds) {
        if (!team.names().containsKey(m)) {
          throw ErrorCode.VALIDATION_FAILED.field("memberIds", "memberIds names " + m + ", who is not a member of "
              + "this team");
        }
      }
      Set<UUID> members = new LinkedHashSet<>(memberIds);
      members.add(caller);
      return Database.transaction(pool, conn -> conn.preparedQuery(ChatSql.INSERT_GENERAL)
              .execute(Tuple.of(UUID.randomUUID(), teamId))
              .compose(ignored -> conn.preparedQuery(ChatSql.INSERT_CHANNEL)
                  .execute(Tuple.of(id, teamId, isPrivate ? "private" : "public", name, caller)))
              .compose(ignored -> isPrivate ? conn.preparedQuery(ChatSql.INSERT_MEMBERS)
                  .execute(Tuple.of(id, (Object) members.toArray(UUID[]::new))).mapEmpty() : Future.succeededFuture())
              .compose(ignored -> journal.record(conn, msg, Journal.Change.created(teamId, "channel", id,
                  new JsonObject().put("name", name).put("kind", isPrivate ? "private" : "public")
                      .put("memberIds", isPrivate ? new JsonArray(members.stream().map(UUID::toString).toList())
                          : null)))))
          .recover(e -> Future.failedFuture(Database.isUniqueViolation(e, "channels_team_name_key")
              ? ErrorCode.CHANNEL_NAME_TAKEN.field("name", "the team already has a channel named " + name) : e));
    }).compose(ignored -> readable(teamId, id, caller)).map(ChatVerticle::channel);
  }

  private Future<JsonArray> listChannels(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    return role(teamId, caller)
        .compose(ignored -> pool.preparedQuery(ChatSql.INSERT_GENERAL).execute(Tuple.of(UUID.randomUUID(), teamId)))
        .compose(ignored -> pool.preparedQuery(ChatSql.CHANNELS_OF_USER).execute(Tuple.of(teamId, caller)))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(r -> out.add(channel(r)));
          return out;
        });
  }

  /** The pair's one DM: concurrent first calls meet on the unique (team, pair) index and answer the same channel. */
  private Future<JsonObject> openDm(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID other = in.uuid("userId");
    if (other.equals(caller)) {
      throw ErrorCode.VALIDATION_FAILED.field("userId", "a direct message needs another member of the team");
    }
    String key = caller.compareTo(other) < 0 ? caller + ":" + other : other + ":" + caller;
    return team(teamId, caller).compose(team -> {
      if (!team.names().containsKey(other)) {
        throw ErrorCode.VALIDATION_FAILED.field("userId", "userId is not a member of this team");
      }
      return Database.transaction(pool, conn -> conn.preparedQuery(ChatSql.INSERT_DM)
          .execute(Tuple.of(UUID.randomUUID(), teamId, caller, key))
          .compose(rows -> {
            Row created = first(rows);
            if (created != null) {
              UUID id = created.getUUID("id");
              return conn.preparedQuery(ChatSql.INSERT_MEMBERS).execute(Tuple.of(id, (Object) new UUID[]{caller, other}))
                  .compose(ignored -> journal.record(conn, msg, Journal.Change.created(teamId, "channel", id,
                      new JsonObject().put("kind", "dm")
                          .put("memberIds", new JsonArray().add(caller.toString()).add(other.toString())))))
                  .map(id);
            }
            return conn.preparedQuery(ChatSql.DM_BY_KEY).execute(Tuple.of(teamId, key))
                .map(existing -> first(existing).getUUID("id"));
          }));
    }).compose(id -> readable(teamId, id, caller)).map(ChatVerticle::channel);
  }

  /** Internal, for the bridge: may {@code userId} read the channel? */
  private Future<JsonObject> access(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID channelId = in.uuid("channelId");
    UUID userId = in.uuid("userId");
    return role(teamId, userId).compose(role -> readable(teamId, channelId, userId)
        .map(c -> new JsonObject().put("channelId", channelId.toString()).put("kind", c.getString("kind"))
            .put("role", role)));
  }

  // --- messages -----------------------------------------------------------------------------------------------------

  private record Posted(JsonObject message, List<Journal.Event> events, boolean created) {
  }

  private Future<JsonObject> post(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID channelId = in.uuid("channelId");
    String text = in.string("text", 1, TEXT_MAX);
    String clientMessageId = in.optionalString("clientMessageId", CLIENT_ID_MAX);
    return team(teamId, caller).compose(team -> readable(teamId, channelId, caller).compose(channel -> {
      List<UUID> mentions = Mentions.extract(text, team.readersOf(channel));
      return insert(msg, teamId, channel, caller, clientMessageId, text, mentions, true)
          .map(posted -> {
            if (posted.created()) {
              journal.published(posted.events());
            }
            return posted.message();
          });
    }));
  }

  /** Posts a message without an audit record of its own (a message posted by the system, not by a command). */
  private Future<Posted> insert(UUID teamId, Row channel, UUID caller, String clientMessageId, String text,
                                List<UUID> mentions, boolean retryOnClash) {
    return insert(null, teamId, channel, caller, clientMessageId, text, mentions, retryOnClash);
  }

  /** Posts a message; with the command {@code cause}, its creation is recorded for the audit log too. */
  private Future<Posted> insert(Message<?> cause, UUID teamId, Row channel, UUID caller, String clientMessageId,
                                String text, List<UUID> mentions, boolean retryOnClash) {
    UUID channelId = channel.getUUID("id");
    List<Journal.Event> events = new ArrayList<>();
    return Database.transaction(pool, conn -> conn.preparedQuery(ChatSql.LOCK_CHANNEL).execute(Tuple.of(channelId))
            .compose(locked -> clientMessageId == null ? Future.succeededFuture((Row) null)
                : conn.preparedQuery(ChatSql.MESSAGE_BY_CLIENT_ID).execute(Tuple.of(channelId, caller, clientMessageId))
                    .map(ChatVerticle::first))
            .compose(existing -> {
              if (existing != null) {
                return Future.succeededFuture(new Posted(message(existing), events, false));
              }
              return conn.preparedQuery(ChatSql.INSERT_MESSAGE).execute(Tuple.from(new Object[]{
                      UUID.randomUUID(), channelId, caller, clientMessageId, text, mentions.toArray(UUID[]::new)}))
                  .compose(rows -> {
                    JsonObject message = message(first(rows));
                    return record(conn, events, teamId, channelId, "message.created", message)
                        .compose(v -> cause == null ? Future.<Void>succeededFuture() : journal.record(conn, cause,
                            Journal.Change.created(teamId, "message", message.getString("id"),
                                audited(channel, message))))
                        .compose(v -> mentioned(conn, events, teamId, channel, message, caller, mentions))
                        .map(v -> new Posted(message, events, true));
                  });
            }))
        // The channel lock makes retries queue and find the first message; the unique index stays the guard.
        .recover(e -> retryOnClash && Database.isUniqueViolation(e, "messages_client_id_key")
            ? insert(cause, teamId, channel, caller, clientMessageId, text, mentions, false)
            : Future.failedFuture(e));
  }

  /**
   * Internal (integrations): a message by a system author, to a channel of the team. No user, so no idempotency row
   * per user: the {@link Idempotency#HEADER} key is kept as the message's client id, unique per channel, and a repeat
   * answers the first message. It mentions nobody, whatever its text.
   */
  private Future<JsonObject> postSystem(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID channelId = in.uuid("channelId");
    String authorName = in.string("authorName", 1, NAME_MAX);
    String text = in.string("text", 1, TEXT_MAX);
    String key = msg.headers().get(Idempotency.HEADER);
    if (key != null && (key.isBlank() || key.length() > CLIENT_ID_MAX)) {
      throw ErrorCode.VALIDATION_FAILED.field("Idempotency-Key", "an idempotency key has 1 to " + CLIENT_ID_MAX
          + " characters");
    }
    List<Journal.Event> events = new ArrayList<>();
    return Database.transaction(pool, conn -> conn.preparedQuery(ChatSql.CHANNEL_OF_TEAM)
            .execute(Tuple.of(teamId, channelId))
            .compose(channels -> {
              if (channels.size() == 0) {
                throw ErrorCode.CHANNEL_NOT_FOUND.exception();
              }
              return conn.preparedQuery(ChatSql.LOCK_CHANNEL).execute(Tuple.of(channelId));
            })
            .compose(locked -> key == null ? Future.succeededFuture((Row) null)
                : conn.preparedQuery(ChatSql.MESSAGE_BY_SYSTEM_KEY).execute(Tuple.of(channelId, key))
                    .map(ChatVerticle::first))
            .compose(existing -> {
              if (existing != null) {
                return Future.succeededFuture(message(existing));
              }
              return conn.preparedQuery(ChatSql.INSERT_SYSTEM_MESSAGE)
                  .execute(Tuple.of(UUID.randomUUID(), channelId, authorName, key, text))
                  .compose(rows -> {
                    JsonObject message = message(first(rows));
                    return record(conn, events, teamId, channelId, "message.created", message)
                        .compose(v -> journal.record(conn, msg, Journal.Change.created(teamId, "message",
                            message.getString("id"), new JsonObject().put("channelId", channelId.toString())
                                .put("authorName", authorName))))
                        .map(message);
                  });
            }))
        .onSuccess(ignored -> journal.published(events));
  }

  private Future<JsonObject> listMessages(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID channelId = in.uuid("channelId");
    UUID before = in.optionalUuid("before");
    int limit = in.integer("limit", 1, 100, 50);
    return role(teamId, caller)
        .compose(ignored -> readable(teamId, channelId, caller))
        .compose(ignored -> before == null ? Future.succeededFuture((Long) null)
            : pool.preparedQuery(ChatSql.MESSAGE_IN_CHANNEL).execute(Tuple.of(channelId, before)).map(rows -> {
              Row cursor = first(rows);
              if (cursor == null) {
                throw ErrorCode.VALIDATION_FAILED.field("before", "before is not a message of this channel");
              }
              return cursor.getLong("seq");
            }))
        .compose(seq -> pool.preparedQuery(ChatSql.LIST_MESSAGES).execute(Tuple.of(channelId, seq, limit + 1)))
        .map(rows -> {
          JsonArray items = new JsonArray();
          for (Row r : rows) {
            if (items.size() == limit) {
              break;
            }
            items.add(message(r));
          }
          String next = rows.size() > limit ? items.getJsonObject(items.size() - 1).getString("id") : null;
          return new JsonObject().put("items", items).put("next", next);
        });
  }

  private Future<JsonObject> edit(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID channelId = in.uuid("channelId");
    UUID messageId = in.uuid("messageId");
    String text = in.string("text", 1, TEXT_MAX);
    List<Journal.Event> events = new ArrayList<>();
    List<UUID> added = new ArrayList<>();
    JsonObject[] previous = new JsonObject[1];
    return team(teamId, caller).compose(team -> readable(teamId, channelId, caller).compose(channel -> {
      List<UUID> mentions = Mentions.extract(text, team.readersOf(channel));
      return Database.transaction(pool, conn -> conn.preparedQuery(ChatSql.MESSAGE_FOR_UPDATE)
          .execute(Tuple.of(channelId, messageId)).compose(rows -> {
            Row current = existing(first(rows));
            if (!caller.equals(current.getUUID("user_id"))) {
              throw ErrorCode.FORBIDDEN.exception("only a message's author may edit it");
            }
            previous[0] = message(current);
            Set<UUID> before = new HashSet<>(List.of(current.getArrayOfUUIDs("mentions")));
            mentions.stream().filter(m -> !before.contains(m)).forEach(added::add);
            return conn.preparedQuery(ChatSql.EDIT_MESSAGE)
                .execute(Tuple.of(channelId, messageId, text, mentions.toArray(UUID[]::new)));
          })
          .compose(rows -> {
            JsonObject message = message(first(rows));
            return record(conn, events, teamId, channelId, "message.edited", message)
                .compose(v -> journal.record(conn, msg, Journal.Change.updated(teamId, "message", messageId,
                    audited(channel, previous[0]), audited(channel, message))))
                .compose(v -> mentioned(conn, events, teamId, channel, message, caller, added))
                .map(v -> message);
          }));
    })).onSuccess(message -> journal.published(events));
  }

  private Future<JsonObject> delete(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID channelId = in.uuid("channelId");
    UUID messageId = in.uuid("messageId");
    List<Journal.Event> events = new ArrayList<>();
    return role(teamId, caller).compose(role -> readable(teamId, channelId, caller).compose(channel -> Database
        .transaction(pool, conn -> conn.preparedQuery(ChatSql.MESSAGE_FOR_UPDATE).execute(Tuple.of(channelId, messageId))
            .compose(rows -> {
              Row current = first(rows);
              if (current == null) {
                throw ErrorCode.MESSAGE_NOT_FOUND.exception();
              }
              if (!caller.equals(current.getUUID("user_id")) && !MANAGERS.contains(role)) {
                throw ErrorCode.FORBIDDEN.exception("only a message's author or a team owner or admin may delete it");
              }
              if (current.getOffsetDateTime("deleted_at") != null) {
                return Future.succeededFuture(); // already a tombstone: nothing changes, nothing to tell
              }
              return conn.preparedQuery(ChatSql.DELETE_MESSAGE).execute(Tuple.of(channelId, messageId))
                  .compose(deleted -> record(conn, events, teamId, channelId, "message.deleted",
                      message(first(deleted))))
                  .compose(v -> journal.record(conn, msg, Journal.Change.deleted(teamId, "message", messageId,
                      audited(channel, message(current)))));
            }))))
        .map(ignored -> {
          journal.published(events);
          return new JsonObject();
        });
  }

  // --- read markers and typing --------------------------------------------------------------------------------------

  private Future<JsonObject> markRead(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID channelId = in.uuid("channelId");
    UUID messageId = in.uuid("messageId");
    return role(teamId, caller)
        .compose(ignored -> readable(teamId, channelId, caller))
        .compose(ignored -> pool.preparedQuery(ChatSql.MESSAGE_IN_CHANNEL).execute(Tuple.of(channelId, messageId)))
        .compose(rows -> {
          Row m = first(rows);
          if (m == null) {
            throw ErrorCode.MESSAGE_NOT_FOUND.field("messageId", "no such message in this channel");
          }
          return pool.preparedQuery(ChatSql.MARK_READ).execute(Tuple.of(channelId, caller, m.getLong("seq")));
        })
        .compose(marked -> {
          long seq = first(marked).getLong("last_read_seq");
          Future<RowSet<Row>> last = pool.preparedQuery(ChatSql.MESSAGE_ID_BY_SEQ).execute(Tuple.of(channelId, seq));
          Future<RowSet<Row>> unread = pool.preparedQuery(ChatSql.UNREAD_COUNT).execute(Tuple.of(channelId, caller));
          return Future.all(last, unread).map(ignored -> new JsonObject()
              .put("channelId", channelId.toString())
              .put("lastReadMessageId", first(last.result()).getUUID("id").toString())
              .put("unreadCount", first(unread.result()).getLong("n")));
        });
  }

  /**
   * Replies {@code {}} as soon as the caller may read the channel; the event follows unless the caller's last one in
   * this channel is less than 2 s old (a cluster-wide mark with a time to live, so any node's chat throttles alike).
   */
  private Future<JsonObject> typing(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID channelId = in.uuid("channelId");
    return role(teamId, caller).compose(ignored -> readable(teamId, channelId, caller)).map(ignored -> {
      typing.putIfAbsent(channelId + "|" + caller, true, TYPING_INTERVAL_MS).onSuccess(previous -> {
        if (previous == null) {
          vertx.eventBus().publish(Address.TEAM_CHAT.address(teamId, channelId), new JsonObject()
              .put("type", "typing").put("teamId", teamId.toString()).put("channelId", channelId.toString())
              .put("userId", caller.toString()).put("ts", System.currentTimeMillis()));
        }
      });
      return new JsonObject();
    });
  }

  // --- shared -------------------------------------------------------------------------------------------------------

  /** The team as the caller sees it: their role, and every member's name (for mentions and membership checks). */
  private record Team(String role, Map<UUID, String> names) {

    /** Who may read a channel, with names: the whole team, or the listed members of a private channel or DM. */
    Map<UUID, String> readersOf(Row channel) {
      UUID[] members = channel.getArrayOfUUIDs("member_ids");
      if (members == null || "general".equals(channel.getString("kind")) || "public".equals(channel.getString("kind"))) {
        return names;
      }
      Map<UUID, String> readers = new HashMap<>();
      for (UUID m : members) {
        if (names.containsKey(m)) {
          readers.put(m, names.get(m));
        }
      }
      return readers;
    }
  }

  /** The members of a team, asked on the caller's behalf (team_not_found for non-members). */
  private Future<Team> team(UUID teamId, UUID caller) {
    return Bus.<JsonArray>request(vertx, Address.WORKSPACE_MEMBERS_LIST,
        new JsonObject().put("teamId", teamId.toString()), caller).map(members -> {
          Map<UUID, String> names = new HashMap<>();
          String role = null;
          for (Object o : members) {
            JsonObject m = (JsonObject) o;
            UUID id = UUID.fromString(m.getJsonObject("user").getString("id"));
            names.put(id, m.getJsonObject("user").getString("name"));
            if (id.equals(caller)) {
              role = m.getString("role");
            }
          }
          return new Team(role, names);
        });
  }

  /** The user's role in the team (404 team_not_found for non-members). */
  private Future<String> role(UUID teamId, UUID userId) {
    return Bus.<JsonObject>request(vertx, Address.WORKSPACE_ACCESS,
            new JsonObject().put("teamId", teamId.toString()).put("userId", userId.toString()), null)
        .map(access -> access.getString("role"));
  }

  /** The channel, if the user may read it; otherwise channel_not_found (no existence leak of private channels). */
  private Future<Row> readable(UUID teamId, UUID channelId, UUID userId) {
    return pool.preparedQuery(ChatSql.CHANNEL_OF_USER).execute(Tuple.of(teamId, userId, channelId)).map(rows -> {
      Row c = first(rows);
      if (c == null) {
        throw ErrorCode.CHANNEL_NOT_FOUND.exception();
      }
      return c;
    });
  }

  private static Row existing(Row message) {
    if (message == null) {
      throw ErrorCode.MESSAGE_NOT_FOUND.exception();
    }
    if (message.getOffsetDateTime("deleted_at") != null) {
      throw ErrorCode.MESSAGE_DELETED.exception("the message was deleted; it cannot be edited");
    }
    return message;
  }

  /**
   * Journals a message event on the channel's stream in the caller's transaction; published after commit. The event
   * carries the channel's kind so that readers of the journal (integrations' webhooks) can keep DMs and private
   * channels to themselves.
   */
  private Future<Void> record(SqlConnection conn, List<Journal.Event> events, UUID teamId, UUID channelId, String type,
                              JsonObject message) {
    return conn.preparedQuery(ChatSql.CHANNEL_KIND).execute(Tuple.of(channelId)).compose(rows -> {
      Row channel = first(rows);
      JsonObject payload = new JsonObject().put("type", type).put("teamId", teamId.toString())
          .put("channelId", channelId.toString()).put("channelKind", channel == null ? null : channel.getString("kind"))
          .put("messageId", message.getString("id")).put("message", message);
      return journal.append(conn, Address.TEAM_CHAT, List.of(teamId, channelId), payload).onSuccess(events::add)
          .mapEmpty();
    });
  }

  /**
   * Journals one {@code events.chat.mention} per mentioned user (never the author) in the message's transaction, so
   * notifications, which read that stream from its cursor, get every mention once even if it was down at the time.
   */
  private Future<Void> mentioned(SqlConnection conn, List<Journal.Event> events, UUID teamId, Row channel,
                                 JsonObject message, UUID author, List<UUID> users) {
    Future<Void> chain = Future.succeededFuture();
    String text = message.getString("text");
    for (UUID user : users) {
      if (!user.equals(author)) {
        JsonObject payload = new JsonObject().put("id", UUID.randomUUID().toString())
            .put("teamId", teamId.toString()).put("channelId", channel.getUUID("id").toString())
            .put("channelName", channel.getString("name")).put("channelKind", channel.getString("kind"))
            .put("messageId", message.getString("id")).put("userId", user.toString())
            .put("authorId", author.toString())
            .put("text", text.length() > 200 ? text.substring(0, 200) + "…" : text);
        chain = chain.compose(v -> journal.append(conn, Address.CHAT_MENTION, List.of(), payload)
            .onSuccess(events::add).mapEmpty());
      }
    }
    return chain;
  }

  /**
   * A message as the audit log keeps it: the text of public channels; for private channels and DMs only its SHA-256
   * (hex), so that the team's admins reading the audit do not read conversations they are not part of.
   */
  private static JsonObject audited(Row channel, JsonObject message) {
    JsonObject out = message.copy();
    String kind = channel.getString("kind");
    if ("private".equals(kind) || "dm".equals(kind)) {
      Object text = out.remove("text");
      out.put("textSha256", text == null ? null : sha256(text.toString()));
    }
    return out;
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject channel(Row r) {
    String kind = r.getString("kind");
    UUID[] members = r.getArrayOfUUIDs("member_ids");
    JsonArray memberIds = null;
    if (members != null) {
      memberIds = new JsonArray();
      for (UUID m : members) {
        memberIds.add(m.toString());
      }
    }
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("teamId", r.getUUID("team_id").toString())
        .put("name", r.getString("name"))
        .put("kind", kind)
        .put("private", "private".equals(kind) || "dm".equals(kind))
        .put("memberIds", memberIds)
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")))
        .put("lastMessageAt", Times.iso(r.getOffsetDateTime("last_message_at")))
        .put("unreadCount", r.getLong("unread_count"));
  }

  static JsonObject message(Row r) {
    JsonArray mentions = new JsonArray();
    for (UUID m : r.getArrayOfUUIDs("mentions")) {
      mentions.add(m.toString());
    }
    boolean deleted = r.getOffsetDateTime("deleted_at") != null;
    JsonObject out = new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("channelId", r.getUUID("channel_id").toString())
        .put("userId", r.getUUID("user_id") == null ? null : r.getUUID("user_id").toString())
        .put("authorName", r.getString("author_name"))
        .put("text", r.getString("text"))
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")))
        .put("editedAt", Times.iso(r.getOffsetDateTime("edited_at")))
        .put("deleted", deleted)
        .put("mentions", mentions);
    if (deleted) {
      out.put("deletedAt", Times.iso(r.getOffsetDateTime("deleted_at")));
    }
    return out;
  }

  private static boolean flag(JsonObject body, String field) {
    Object raw = body.getValue(field);
    if (raw == null) {
      return false;
    }
    if (!(raw instanceof Boolean b)) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be true or false");
    }
    return b;
  }

  private static List<UUID> uuids(JsonObject body, String field) {
    Object raw = body.getValue(field);
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof JsonArray array)) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be an array of user ids");
    }
    if (array.size() > MEMBER_IDS_MAX) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " may list at most " + MEMBER_IDS_MAX + " users");
    }
    Set<UUID> ids = new LinkedHashSet<>();
    for (Object o : array) {
      if (!(o instanceof String s)) {
        throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be an array of user id strings");
      }
      ids.add(Input.parseUuid(field, s));
    }
    return new ArrayList<>(ids);
  }

  private static Row first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? it.next() : null;
  }
}
