package dev.trcr.integrations;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Commands;
import dev.trcr.kernel.Config;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.TeamAccess;
import dev.trcr.kernel.Times;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Outgoing webhooks: registration (owners and admins), the deliveries outbox filled from the team streams of every
 * journal ({@link #events()}, in the transaction that moves integrations' feed cursor, so each event is enqueued once
 * per matching webhook) and the {@link WebhookSender}. DMs and private channels never leave: chat events go out only
 * for general and public channels.
 */
final class Webhooks {

  /** The event types a webhook may ask for: the {@code type}s of the team streams' journaled events. */
  static final Set<String> EVENTS = Set.of(
      "timer.started", "timer.stopped", "entry.created", "entry.updated", "entry.deleted",
      "task.created", "task.updated", "task.moved", "task.deleted", "columns.changed",
      "message.created", "message.edited", "message.deleted",
      "invoice.created", "invoice.issued", "invoice.paid", "invoice.overdue", "invoice.voided", "invoice.deleted");

  private static final Set<String> PUBLIC_CHANNELS = Set.of("general", "public");
  private static final int URL_MAX = 2_000;
  private static final int SECRET_MIN = 16;
  private static final int SECRET_MAX = 200;
  private static final String ENTITY = "webhook";

  private final Vertx vertx;
  private final Pool pool;
  private final Journal journal;
  private final UrlGuard guard;
  private final WebhookSender sender;
  private final SecureRandom random = new SecureRandom();

  Webhooks(Vertx vertx, Pool pool, Journal journal, JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
    this.journal = journal;
    this.guard = new UrlGuard(vertx, Config.list(config, "TRCR_WEBHOOK_ALLOWED_HOSTS"));
    this.sender = new WebhookSender(vertx, pool, journal, guard, new WebhookSender.Settings(
        Math.max(100, Config.integer(config, "TRCR_WEBHOOK_TIMEOUT_MS")),
        Math.max(1, Config.integer(config, "TRCR_WEBHOOK_RETRY_BASE_MS")),
        Math.max(1, Config.integer(config, "TRCR_WEBHOOK_RETRY_MAX_MS")),
        Math.max(1, Config.integer(config, "TRCR_WEBHOOK_RETRY_HOURS")),
        Math.max(1, Config.integer(config, "TRCR_WEBHOOK_DISABLE_AFTER")),
        Math.max(50, Config.integer(config, "TRCR_INTEGRATIONS_POLL_MS"))));
  }

  void register(Commands commands) {
    commands.idempotent(Address.INTEGRATIONS_WEBHOOKS_CREATE, this::create)
        .on(Address.INTEGRATIONS_WEBHOOKS_LIST, this::list)
        .on(Address.INTEGRATIONS_WEBHOOKS_GET, this::get)
        .idempotent(Address.INTEGRATIONS_WEBHOOKS_UPDATE, this::update)
        .idempotent(Address.INTEGRATIONS_WEBHOOKS_DELETE, this::delete)
        .on(Address.INTEGRATIONS_WEBHOOKS_DELIVERIES, this::deliveries);
  }

  void start() {
    sender.start();
  }

  Future<Void> stop() {
    return sender.stop();
  }

  // --- registration -------------------------------------------------------------------------------------------------

  private Future<JsonObject> create(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    String url = in.string("url", 1, URL_MAX);
    UrlGuard.parse(url);
    String[] events = events(msg.body());
    String given = secret(msg.body());
    String secret = given != null ? given : generatedSecret();
    UUID id = UUID.randomUUID();
    return manager(teamId, caller)
        .compose(role -> guard.check(url))
        .compose(ok -> Database.transaction(pool, conn -> conn.preparedQuery(WebhooksSql.INSERT)
            .execute(Tuple.from(new Object[]{id, teamId, url, events, secret, caller}))
            .compose(rows -> {
              Row r = rows.iterator().next();
              return journal.record(conn, msg, Journal.Change.created(teamId, ENTITY, id, audited(r)))
                  .map(ignored -> json(r).put("secret", secret));
            })));
  }

  private Future<JsonArray> list(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    return manager(teamId, caller).compose(role -> pool.preparedQuery(WebhooksSql.LIST).execute(Tuple.of(teamId)))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(r -> out.add(json(r)));
          return out;
        });
  }

  private Future<JsonObject> get(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID webhookId = in.uuid("webhookId");
    return manager(teamId, caller).compose(role -> webhook(pool, teamId, webhookId, false)).map(Webhooks::json);
  }

  private Future<JsonObject> update(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID webhookId = in.uuid("webhookId");
    String url = in.present("url") ? in.string("url", 1, URL_MAX) : null;
    if (url != null) {
      UrlGuard.parse(url);
    }
    String[] events = in.present("events") ? events(msg.body()) : null;
    String secret = in.present("secret") ? secret(msg.body()) : null;
    Object enabledGiven = msg.body().getValue("enabled");
    if (enabledGiven != null && !(enabledGiven instanceof Boolean)) {
      throw ErrorCode.VALIDATION_FAILED.field("enabled", "enabled must be true or false");
    }
    Boolean enabled = (Boolean) enabledGiven;
    return manager(teamId, caller)
        .compose(role -> url == null ? Future.succeededFuture() : guard.check(url))
        .compose(ok -> Database.transaction(pool, conn -> webhook(conn, teamId, webhookId, true).compose(before -> {
          boolean on = enabled != null ? enabled : before.getBoolean("enabled");
          boolean reEnabled = Boolean.TRUE.equals(enabled);
          return conn.preparedQuery(WebhooksSql.UPDATE).execute(Tuple.from(new Object[]{teamId, webhookId,
                  url != null ? url : before.getString("url"),
                  events != null ? events : before.getArrayOfStrings("events"), secret, on, reEnabled}))
              .compose(rows -> {
                Row after = rows.iterator().next();
                Future<Void> due = reEnabled
                    ? conn.preparedQuery(WebhooksSql.DUE_NOW).execute(Tuple.of(webhookId)).mapEmpty()
                    : Future.succeededFuture();
                return due.compose(ignored -> journal.record(conn, msg,
                        Journal.Change.updated(teamId, ENTITY, webhookId, audited(before), audited(after))))
                    .map(ignored -> {
                      JsonObject reply = json(after);
                      if (secret != null) {
                        reply.put("secret", secret);
                      }
                      return reply;
                    });
              });
        })))
        .onSuccess(ignored -> sender.wake());
  }

  private Future<JsonObject> delete(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID webhookId = in.uuid("webhookId");
    return manager(teamId, caller).compose(role -> Database.transaction(pool, conn ->
        webhook(conn, teamId, webhookId, true).compose(before -> conn.preparedQuery(WebhooksSql.DELETE)
            .execute(Tuple.of(teamId, webhookId))
            .compose(ignored -> journal.record(conn, msg,
                Journal.Change.deleted(teamId, ENTITY, webhookId, audited(before))))
            .map(ignored -> new JsonObject()))));
  }

  private Future<JsonObject> deliveries(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID webhookId = in.uuid("webhookId");
    int limit = in.integer("limit", 1, 100, 20);
    String cursor = in.optionalString("cursor", 20);
    Long before;
    try {
      before = cursor == null ? null : Long.parseLong(cursor);
    } catch (NumberFormatException e) {
      throw ErrorCode.VALIDATION_FAILED.field("cursor", "cursor is not one this API returned");
    }
    return manager(teamId, caller)
        .compose(role -> webhook(pool, teamId, webhookId, false))
        .compose(hook -> pool.preparedQuery(WebhooksSql.DELIVERIES).execute(Tuple.of(webhookId, before, limit + 1)))
        .map(rows -> {
          JsonArray items = new JsonArray();
          Long last = null;
          for (Row r : rows) {
            if (items.size() == limit) {
              break;
            }
            items.add(delivery(r));
            last = r.getLong("seq");
          }
          return new JsonObject().put("items", items)
              .put("next", rows.size() > limit && last != null ? String.valueOf(last) : null);
        });
  }

  // --- the outbox, filled from the journals -------------------------------------------------------------------------

  /** One journal event to offer to a team's webhooks. */
  private record Offered(UUID teamId, String type, String occurredAt, JsonObject data) {
  }

  FeedHandler events() {
    return new FeedHandler() {
      @Override
      public String feed() {
        return "events";
      }

      @Override
      public Future<Void> handle(SqlConnection conn, String owner, JsonArray items) {
        return enqueue(conn, items);
      }

      @Override
      public void committed() {
        sender.wake();
      }
    };
  }

  private Future<Void> enqueue(SqlConnection conn, JsonArray items) {
    List<Offered> offered = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Offered o = offered(items.getJsonObject(i));
      if (o != null) {
        offered.add(o);
      }
    }
    if (offered.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID[] teams = offered.stream().map(Offered::teamId).distinct().toArray(UUID[]::new);
    return conn.preparedQuery(WebhooksSql.LOCK_TEAM_WEBHOOKS).execute(Tuple.of(teams)).compose(rows -> {
      Map<UUID, List<Row>> byTeam = new HashMap<>();
      Map<UUID, Long> lastSeq = new HashMap<>();
      for (Row r : rows) {
        byTeam.computeIfAbsent(r.getUUID("team_id"), t -> new ArrayList<>()).add(r);
        lastSeq.put(r.getUUID("id"), r.getLong("last_seq"));
      }
      List<Tuple> deliveries = new ArrayList<>();
      Set<UUID> touched = new LinkedHashSet<>();
      for (Offered o : offered) {
        for (Row hook : byTeam.getOrDefault(o.teamId(), List.of())) {
          if (!wants(hook, o)) {
            continue;
          }
          UUID hookId = hook.getUUID("id");
          long seq = lastSeq.merge(hookId, 1L, Long::sum);
          touched.add(hookId);
          UUID deliveryId = UUID.randomUUID();
          String body = new JsonObject().put("id", deliveryId.toString()).put("event", o.type())
              .put("teamId", o.teamId().toString()).put("occurredAt", o.occurredAt()).put("data", o.data()).encode();
          deliveries.add(Tuple.of(deliveryId, hookId, seq, o.type(), body));
        }
      }
      if (deliveries.isEmpty()) {
        return Future.<Void>succeededFuture();
      }
      List<Tuple> seqs = touched.stream().map(id -> Tuple.of(id, lastSeq.get(id))).toList();
      return conn.preparedQuery(WebhooksSql.ENQUEUE).executeBatch(deliveries)
          .compose(ignored -> conn.preparedQuery(WebhooksSql.ADVANCE_SEQ).executeBatch(seqs))
          .<Void>mapEmpty();
    });
  }

  /**
   * A journal item as an event for webhooks, or null: only team streams ({@code user.…} ones repeat them, {@code
   * events.…} ones are internal), only the known types, and chat only from general and public channels.
   */
  private static Offered offered(JsonObject item) {
    String stream = item.getString("stream", "");
    String[] parts = stream.split("\\.");
    if (parts.length < 3 || !parts[0].equals("team")) {
      return null;
    }
    UUID teamId;
    try {
      teamId = UUID.fromString(parts[1]);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!(item.getValue("payload") instanceof JsonObject payload)) {
      return null;
    }
    String type = payload.getString("type");
    if (type == null || !EVENTS.contains(type)) {
      return null;
    }
    if (parts[2].equals("chat") && !PUBLIC_CHANNELS.contains(payload.getString("channelKind"))) {
      return null; // a DM or a private channel (or an event from before chat said which)
    }
    JsonObject data = payload.copy();
    data.remove("seq");
    data.remove("epoch");
    data.remove("ts");
    return new Offered(teamId, type, item.getString("at"), data);
  }

  /** The webhook asked for this type, and existed when the event happened (it is not sent the past). */
  private static boolean wants(Row hook, Offered o) {
    List<String> events = List.of(hook.getArrayOfStrings("events"));
    if (!events.contains("*") && !events.contains(o.type())) {
      return false;
    }
    try {
      return o.occurredAt() == null || !Instant.parse(o.occurredAt()).isBefore(hook.getOffsetDateTime("created_at")
          .toInstant().minusSeconds(1));
    } catch (RuntimeException e) {
      return true;
    }
  }

  // --- shared -------------------------------------------------------------------------------------------------------

  /** {@code events}: a non-empty list of known types, or {@code ["*"]}; 400 validation_failed listing the known ones. */
  private static String[] events(JsonObject body) {
    if (!(body.getValue("events") instanceof JsonArray list) || list.isEmpty() || list.size() > EVENTS.size()) {
      throw ErrorCode.VALIDATION_FAILED.field("events", "events must be a non-empty list of event types or [\"*\"]; "
          + "known types: " + String.join(", ", new TreeSet<>(EVENTS)));
    }
    Set<String> out = new LinkedHashSet<>();
    for (Object o : list) {
      if (!(o instanceof String s) || !(EVENTS.contains(s) || s.equals("*"))) {
        throw ErrorCode.VALIDATION_FAILED.field("events", o + " is not an event type; known types: "
            + String.join(", ", new TreeSet<>(EVENTS)) + " (or [\"*\"] for all)");
      }
      out.add(s);
    }
    if (out.contains("*") && out.size() > 1) {
      throw ErrorCode.VALIDATION_FAILED.field("events", "\"*\" stands alone: it already means every event type");
    }
    return out.toArray(String[]::new);
  }

  /** A given secret (16-200 characters), or null when absent. */
  private static String secret(JsonObject body) {
    Object raw = body.getValue("secret");
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof String s) || s.length() < SECRET_MIN || s.length() > SECRET_MAX) {
      throw ErrorCode.VALIDATION_FAILED.field("secret", "secret must be " + SECRET_MIN + "-" + SECRET_MAX
          + " characters");
    }
    return s;
  }

  private String generatedSecret() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return "whsec_" + HexFormat.of().formatHex(bytes);
  }

  /** Owners and admins only: members get 403 forbidden, non-members 404 team_not_found (from workspace). */
  private Future<String> manager(UUID teamId, UUID caller) {
    return TeamAccess.requireManager(vertx, teamId, caller, "only the team's owners and admins manage webhooks");
  }

  private static Future<Row> webhook(io.vertx.sqlclient.SqlClient sql, UUID teamId, UUID webhookId, boolean lock) {
    return sql.preparedQuery(lock ? WebhooksSql.GET_FOR_UPDATE : WebhooksSql.GET).execute(Tuple.of(teamId, webhookId))
        .map(rows -> {
          if (rows.size() == 0) {
            throw ErrorCode.WEBHOOK_NOT_FOUND.field("webhookId", "no such webhook in this team");
          }
          return rows.iterator().next();
        });
  }

  /** A webhook as clients see it: never its secret. */
  static JsonObject json(Row r) {
    UUID createdBy = r.getUUID("created_by");
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("teamId", r.getUUID("team_id").toString())
        .put("url", r.getString("url"))
        .put("events", new JsonArray(List.of(r.getArrayOfStrings("events"))))
        .put("enabled", r.getBoolean("enabled"))
        .put("consecutiveFailures", r.getInteger("consecutive_failures"))
        .put("disabledAt", Times.iso(r.getOffsetDateTime("disabled_at")))
        .put("createdBy", createdBy == null ? null : createdBy.toString())
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")))
        .put("updatedAt", Times.iso(r.getOffsetDateTime("updated_at")));
  }

  /** What the audit log keeps of a webhook: when the secret changed, never the secret. */
  private static JsonObject audited(Row r) {
    return new JsonObject().put("url", r.getString("url"))
        .put("events", new JsonArray(List.of(r.getArrayOfStrings("events"))))
        .put("enabled", r.getBoolean("enabled"))
        .put("secretUpdatedAt", Times.iso(r.getOffsetDateTime("secret_updated_at")));
  }

  private static JsonObject delivery(Row r) {
    String status = r.getString("status");
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("event", r.getString("event"))
        .put("status", status)
        .put("attempts", r.getInteger("attempts"))
        .put("responseCode", r.getInteger("response_code"))
        .put("lastError", r.getString("last_error"))
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")))
        .put("lastAttemptAt", Times.iso(r.getOffsetDateTime("last_attempt_at")))
        .put("nextAttemptAt", "pending".equals(status) ? Times.iso(r.getOffsetDateTime("next_attempt_at")) : null)
        .put("deliveredAt", Times.iso(r.getOffsetDateTime("delivered_at")));
  }
}
