package dev.trcr.integrations;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Commands;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.Keyset;
import dev.trcr.kernel.TeamAccess;
import dev.trcr.kernel.Times;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The audit log: every change the verticles record in their journals ({@code journal_changes}, written in the
 * transaction of the change), copied per team by the changes feed and listed to the team's owners and admins. Entries
 * are only ever inserted: no command edits or deletes them.
 */
final class AuditLog {

  /** The entities the verticles record changes of (the {@code entity} filter accepts these only). */
  static final Set<String> ENTITIES = Set.of("team", "member", "project", "project_rate", "time_entry", "channel",
      "message", "column", "task", "client", "billing_settings", "invoice", "git_integration", "webhook", "service_token");

  private static final String INSERT = "INSERT INTO integrations.audit_entries (id, owner, source_id, at, team_id, "
      + "actor_id, origin, request_id, entity, entity_id, action, changes) "
      + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (owner, source_id) DO NOTHING";

  private static final String LIST = "SELECT id, at, actor_id, origin, request_id, entity, entity_id, action, changes "
      + "FROM integrations.audit_entries WHERE team_id = $1 "
      + "AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at <= $3) "
      + "AND ($4::uuid IS NULL OR actor_id = $4) AND ($5::text IS NULL OR entity = $5) "
      + "AND ($6::timestamptz IS NULL OR (at, id) < ($6, $7::uuid)) "
      + "ORDER BY at DESC, id DESC LIMIT $8";

  private final Vertx vertx;
  private final Pool pool;

  AuditLog(Vertx vertx, Pool pool, Journal journal, JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
  }

  void register(Commands commands) {
    commands.on(Address.INTEGRATIONS_AUDIT_LIST, this::list);
  }

  /** Copies a page of an owner's recorded changes: the team's ones, once each whatever the number of reads. */
  FeedHandler changes() {
    return new FeedHandler() {
      @Override
      public String feed() {
        return "changes";
      }

      @Override
      public Future<Void> handle(SqlConnection conn, String owner, JsonArray items) {
        List<Tuple> rows = new ArrayList<>();
        for (Object o : items) {
          JsonObject c = (JsonObject) o;
          String team = c.getString("teamId");
          if (team == null) {
            continue; // a change outside any team (a user's own account) is not a team's audit
          }
          String actor = c.getString("actorId");
          rows.add(Tuple.tuple().addValue(UUID.randomUUID()).addValue(owner).addValue(c.getLong("id"))
              .addValue(OffsetDateTime.ofInstant(Instant.parse(c.getString("at")), ZoneOffset.UTC))
              .addValue(UUID.fromString(team)).addValue(actor == null ? null : UUID.fromString(actor))
              .addValue(c.getString("origin")).addValue(c.getString("requestId")).addValue(c.getString("entity"))
              .addValue(c.getString("entityId")).addValue(c.getString("action"))
              .addValue(c.getJsonObject("changes", new JsonObject())));
        }
        return rows.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(INSERT).executeBatch(rows).mapEmpty();
      }
    };
  }

  /** {@code integrations.audit.list}: the team's entries, newest first, filtered, keyset-paginated. */
  private Future<JsonObject> list(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    Instant from = in.optionalInstant("from");
    Instant to = in.optionalInstant("to");
    if (from != null && to != null && from.isAfter(to)) {
      throw ErrorCode.VALIDATION_FAILED.field("from", "from must not be after to");
    }
    UUID actorId = in.optionalUuid("actorId");
    String entity = in.has("entity") ? in.oneOf("entity", ENTITIES, null) : null;
    int limit = in.integer("limit", 1, 1_000, 50);
    Keyset after = Keyset.decode(in.optionalString("cursor", 200));
    return manager(teamId, caller)
        .compose(role -> pool.preparedQuery(LIST).execute(Tuple.from(new Object[]{teamId, utc(from), utc(to),
            actorId, entity, after == null ? null : utc(after.at()), after == null ? null : after.id(), limit + 1})))
        .compose(rows -> names(rows).map(names -> Keyset.page(rows, limit, "at", r -> item(r, names))));
  }

  private static JsonObject item(Row r, Map<String, String> names) {
    UUID actor = r.getUUID("actor_id");
    return new JsonObject().put("id", r.getUUID("id").toString()).put("at", Times.iso(r.getOffsetDateTime("at")))
        .put("actorId", actor == null ? null : actor.toString())
        .put("actorName", actor == null ? null : names.get(actor.toString()))
        .put("origin", r.getString("origin")).put("requestId", r.getString("request_id"))
        .put("entity", r.getString("entity")).put("entityId", r.getString("entity_id"))
        .put("action", r.getString("action")).put("changes", r.getValue("changes"));
  }

  /** The actors' names, from workspace; a system change has no actor. */
  private Future<Map<String, String>> names(RowSet<Row> rows) {
    Set<String> ids = new LinkedHashSet<>();
    rows.forEach(r -> {
      UUID actor = r.getUUID("actor_id");
      if (actor != null) {
        ids.add(actor.toString());
      }
    });
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return Bus.<JsonArray>request(vertx, Address.WORKSPACE_USERS_LOOKUP,
        new JsonObject().put("ids", new JsonArray(new ArrayList<>(ids))), null).map(users -> {
          Map<String, String> names = new HashMap<>();
          users.forEach(u -> names.put(((JsonObject) u).getString("id"), ((JsonObject) u).getString("name")));
          return names;
        });
  }

  /** Owners and admins only: members get 403 forbidden, non-members 404 team_not_found (from workspace). */
  private Future<String> manager(UUID teamId, UUID caller) {
    return TeamAccess.requireManager(vertx, teamId, caller, "only the team's owners and admins read the audit log");
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
