package dev.trcr.timers;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.DomainStore;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.Keyset;
import dev.trcr.kernel.Times;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Running timers and time entries. Membership and projects are the workspace verticle's: every command asks it over
 * the bus ({@code workspace.access}) before touching a row. Events go to {@code team.{teamId}.timers} after commit.
 */
public final class TimersVerticle extends VerticleBase {

  private static final Set<String> MANAGERS = Set.of("owner", "admin");
  private static final int DESCRIPTION_MAX = 500;
  /** Should a start still meet the unique index (it cannot while the user lock holds), it retries. */
  private static final int START_ATTEMPTS = 5;

  private DomainStore store;
  private Pool pool;
  private Journal journal;

  @Override
  public Future<?> start() {
    return DomainStore.open(vertx, config(), "timers").compose(opened -> {
      store = opened;
      pool = store.pool();
      journal = store.journal();
      return store.commands()
          .on(Address.TIMERS_JOURNAL_READ, journal::read)
          .on(Address.TIMERS_JOURNAL_FEED, journal::feed)
          .idempotent(Address.TIMERS_START, this::startTimer)
          .idempotent(Address.TIMERS_STOP, this::stopTimer)
          .on(Address.TIMERS_RUNNING, this::running)
          .on(Address.TIMERS_ENTRIES_LIST, this::listEntries)
          .idempotent(Address.TIMERS_ENTRIES_CREATE, this::createEntry)
          .idempotent(Address.TIMERS_ENTRIES_UPDATE, this::updateEntry)
          .idempotent(Address.TIMERS_ENTRIES_DELETE, this::deleteEntry)
          .on(Address.TIMERS_TASKS_TRACKED, this::trackedPerTask)
          .on(Address.TIMERS_ENTRIES_CLAIM, this::claim)
          .on(Address.TIMERS_ENTRIES_RELEASE, this::release)
          .on(Address.TIMERS_ENTRIES_UNBILLED, this::unbilled)
          .on(Address.TIMERS_RUNNING_LONGER, this::runningLonger)
          .ready();
    });
  }

  @Override
  public Future<?> stop() {
    return store == null ? Future.succeededFuture() : store.close();
  }

  // --- timers -------------------------------------------------------------------------------------------------------

  private record Started(JsonObject stopped, JsonObject started, List<Journal.Event> events) {
  }

  private Future<JsonObject> startTimer(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    String description = in.optionalString("description", DESCRIPTION_MAX);
    UUID taskId = in.optionalUuid("taskId");
    return access(teamId, caller, projectId).compose(access -> task(teamId, projectId, taskId).compose(ignored ->
        startInTransaction(msg, teamId, caller, projectId, taskId, description, access.getJsonObject("user"), 1)))
        .map(result -> {
          journal.published(result.events());
          return result.started();
        });
  }

  private Future<Started> startInTransaction(Message<JsonObject> msg, UUID teamId, UUID userId, UUID projectId,
                                             UUID taskId, String description, JsonObject user, int attempt) {
    // BEGIN, the user's lock, the stop of their running timer and the insert go out together (PostgreSQL runs them in
    // this order; one round trip), then the journal appends, the audit records and COMMIT (one more). The access check
    // comes before, on the bus, with no lock held: a check that waits for a node that died holds up nobody else.
    return Database.pipelinedTransaction(pool, conn -> {
      Future<?> locked = conn.preparedQuery(TimersSql.LOCK_USER).execute(Tuple.of(userId.toString()));
      Future<RowSet<Row>> stopping = conn.preparedQuery(TimersSql.STOP_RUNNING_OF_USER).execute(Tuple.of(userId));
      Future<RowSet<Row>> starting = conn.preparedQuery(TimersSql.INSERT_RUNNING)
          .execute(Tuple.of(UUID.randomUUID(), teamId, userId, projectId, description, taskId));
      return Future.all(locked, stopping, starting).map(ignored -> {
        RowSet<Row> stoppedRows = stopping.result();
        RowSet<Row> startedRows = starting.result();
        List<Journal.Event> events = new ArrayList<>();
        Row previous = first(stoppedRows);
        JsonObject stopped = previous == null ? null : entry(previous).put("user", user);
        JsonObject started = entry(first(startedRows)).put("user", user);
        // Sent at once (the connection pipelines them; PostgreSQL runs them in this order): the journal
        // appends and the audit records cost one round trip, not one each, and COMMIT follows them.
        List<Future<?>> writes = new ArrayList<>();
        if (stopped != null) {
          writes.add(record(conn, events, "timer.stopped", stopped));
          writes.add(audit(conn, msg, "stopped", whileRunning(previous), entry(previous)));
        }
        writes.add(record(conn, events, "timer.started", started));
        writes.add(audit(conn, msg, "started", new JsonObject(), entry(first(startedRows))));
        return Future.all(writes).map(written -> new Started(stopped, started, events));
      });
    })
        .recover(e -> attempt < START_ATTEMPTS && Database.isUniqueViolation(e, "time_entries_one_running_per_user")
            ? startInTransaction(msg, teamId, userId, projectId, taskId, description, user, attempt + 1)
            : Future.failedFuture(e));
  }

  private Future<JsonObject> stopTimer(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    List<Journal.Event> events = new ArrayList<>();
    return access(teamId, caller, null).compose(access -> Database.pipelinedTransaction(pool, conn -> conn
        .preparedQuery(TimersSql.STOP_RUNNING_IN_TEAM).execute(Tuple.of(caller, teamId))
        .map(rows -> {
          Row stopped = first(rows);
          if (stopped == null) {
            throw ErrorCode.NO_RUNNING_TIMER.exception("you have no running timer in this team");
          }
          JsonObject entry = entry(stopped).put("user", access.getJsonObject("user"));
          return Future.all(record(conn, events, "timer.stopped", entry),
              audit(conn, msg, "stopped", whileRunning(stopped), entry(stopped))).map(written -> entry);
        })))
        .onSuccess(ignored -> journal.published(events));
  }

  private Future<JsonArray> running(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    return access(teamId, caller, null)
        .compose(ignored -> pool.preparedQuery(TimersSql.RUNNING_IN_TEAM).execute(Tuple.of(teamId)))
        .compose(rows -> {
          List<JsonObject> entries = new ArrayList<>();
          rows.forEach(r -> entries.add(entry(r)));
          JsonArray ids = new JsonArray(entries.stream().map(e -> e.getString("userId")).distinct().toList());
          Future<JsonArray> names = ids.isEmpty() ? Future.succeededFuture(new JsonArray())
              : Bus.request(vertx, Address.WORKSPACE_USERS_LOOKUP, new JsonObject().put("ids", ids), null);
          return names.map(users -> {
            Map<String, JsonObject> byId = new HashMap<>();
            users.forEach(u -> byId.put(((JsonObject) u).getString("id"), (JsonObject) u));
            JsonArray out = new JsonArray();
            entries.forEach(e -> out.add(e.put("user", byId.getOrDefault(e.getString("userId"),
                new JsonObject().put("id", e.getString("userId")).putNull("name")))));
            return out;
          });
        });
  }

  // --- time entries -------------------------------------------------------------------------------------------------

  private Future<JsonObject> listEntries(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID userId = in.optionalUuid("userId");
    UUID projectId = in.optionalUuid("projectId");
    Instant from = in.optionalInstant("from");
    Instant to = in.optionalInstant("to");
    int limit = in.integer("limit", 1, 200, 50);
    Keyset after = Keyset.decode(in.optionalString("cursor", 200));
    if (from != null && to != null && !to.isAfter(from)) {
      throw ErrorCode.VALIDATION_FAILED.field("to", "to must be after from");
    }
    return access(teamId, caller, null).compose(access -> {
      UUID who = userId;
      if (!MANAGERS.contains(access.getString("role"))) {
        if (who != null && !who.equals(caller)) {
          throw ErrorCode.FORBIDDEN.exception("members see their own time entries; owners and admins see everyone's");
        }
        who = caller;
      }
      return pool.preparedQuery(TimersSql.LIST_ENTRIES).execute(Tuple.from(new Object[]{
          teamId, who, projectId, utc(from), utc(to),
          after == null ? null : utc(after.at()), after == null ? null : after.id(), limit + 1}));
    }).map(rows -> Keyset.page(rows, limit, "started_at", TimersVerticle::entry));
  }

  private Future<JsonObject> createEntry(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    Instant startedAt = in.instant("startedAt");
    Instant stoppedAt = in.instant("stoppedAt");
    String description = in.optionalString("description", DESCRIPTION_MAX);
    UUID taskId = in.optionalUuid("taskId");
    requireOrder(startedAt, stoppedAt);
    List<Journal.Event> events = new ArrayList<>();
    return access(teamId, caller, projectId)
        .compose(ignored -> task(teamId, projectId, taskId))
        .compose(ignored -> Database.transaction(pool, conn -> conn.preparedQuery(TimersSql.INSERT_MANUAL)
            .execute(Tuple.from(new Object[]{
                UUID.randomUUID(), teamId, caller, projectId, description, utc(startedAt), utc(stoppedAt), taskId}))
            .compose(rows -> {
              JsonObject entry = entry(first(rows));
              return record(conn, events, "entry.created", entry)
                  .compose(v -> audit(conn, msg, "created", new JsonObject(), entry)).map(v -> entry);
            })))
        .onSuccess(ignored -> journal.published(events));
  }

  private Future<JsonObject> updateEntry(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID entryId = in.uuid("entryId");
    UUID projectId = in.optionalUuid("projectId");
    Instant startedAt = in.optionalInstant("startedAt");
    Instant stoppedAt = in.optionalInstant("stoppedAt");
    boolean descriptionGiven = in.present("description");
    String description = in.optionalString("description", DESCRIPTION_MAX);
    if (in.present("stoppedAt") && stoppedAt == null) {
      throw ErrorCode.VALIDATION_FAILED.field("stoppedAt", "a stopped entry cannot be resumed; start a timer instead");
    }
    if (in.present("projectId") && projectId == null) {
      throw ErrorCode.VALIDATION_FAILED.field("projectId", "projectId cannot be removed");
    }
    boolean taskGiven = in.present("taskId");
    UUID taskId = in.optionalUuid("taskId");
    if (taskId != null && projectId == null) {
      throw ErrorCode.VALIDATION_FAILED.field("projectId", "a taskId needs the projectId of its task");
    }
    List<Journal.Event> events = new ArrayList<>();
    return access(teamId, caller, projectId).compose(access -> task(teamId, projectId, taskId).compose(checked ->
        Database.transaction(pool, conn -> conn
        .preparedQuery(TimersSql.ENTRY_FOR_UPDATE).execute(Tuple.of(teamId, entryId))
        .compose(rows -> {
          Row current = unlocked(owned(first(rows), caller, access));
          // A task belongs to one project: moving the entry to another project without a task drops its task.
          UUID newTask = taskGiven ? taskId
              : projectId == null || projectId.equals(current.getUUID("project_id")) ? current.getUUID("task_id") : null;
          Instant start = startedAt != null ? startedAt : current.getOffsetDateTime("started_at").toInstant();
          OffsetDateTime currentStop = current.getOffsetDateTime("stopped_at");
          Instant stop = stoppedAt != null ? stoppedAt : currentStop == null ? null : currentStop.toInstant();
          if (stop != null) {
            requireOrder(start, stop);
          }
          return (stop == null ? notInFuture(conn, start) : Future.succeededFuture())
              .compose(ignored -> conn.preparedQuery(TimersSql.UPDATE_ENTRY).execute(Tuple.from(new Object[]{
                  teamId, entryId,
                  projectId != null ? projectId : current.getUUID("project_id"),
                  descriptionGiven ? description : current.getString("description"),
                  utc(start), utc(stop), newTask})))
              .compose(updated -> {
                JsonObject entry = entry(first(updated));
                return record(conn, events, "entry.updated", entry)
                    .compose(v -> audit(conn, msg, "updated", entry(current), entry)).map(v -> entry);
              });
        }))))
        .onSuccess(ignored -> journal.published(events));
  }

  private Future<JsonObject> deleteEntry(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID entryId = in.uuid("entryId");
    List<Journal.Event> events = new ArrayList<>();
    return access(teamId, caller, null).compose(access -> Database.transaction(pool, conn -> conn
        .preparedQuery(TimersSql.ENTRY_FOR_UPDATE).execute(Tuple.of(teamId, entryId))
        .compose(rows -> {
          Row current = unlocked(owned(first(rows), caller, access));
          return conn.preparedQuery(TimersSql.DELETE_ENTRY).execute(Tuple.of(teamId, entryId))
              .compose(ignored -> record(conn, events, "entry.deleted", entry(current)))
              .compose(ignored -> audit(conn, msg, "deleted", entry(current), new JsonObject()));
        })))
        .map(ignored -> {
          journal.published(events);
          return new JsonObject();
        });
  }

  // --- time on tasks ------------------------------------------------------------------------------------------------

  /** Internal: {@code {teamId, taskIds}} → {@code {tracked:{taskId: seconds}}}; tasks without time are left out. */
  private Future<JsonObject> trackedPerTask(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    Object raw = msg.body().getValue("taskIds");
    if (!(raw instanceof JsonArray ids) || ids.size() > 10_000) {
      throw ErrorCode.VALIDATION_FAILED.field("taskIds", "taskIds must be an array of at most 10000 task ids");
    }
    UUID[] tasks = ids.stream().map(id -> Input.parseUuid("taskIds", String.valueOf(id))).toArray(UUID[]::new);
    return pool.preparedQuery(TimersSql.TRACKED_PER_TASK).execute(Tuple.tuple().addUUID(teamId).addArrayOfUUID(tasks)).map(rows -> {
      JsonObject tracked = new JsonObject();
      rows.forEach(r -> tracked.put(r.getUUID("task_id").toString(), r.getLong("seconds")));
      return new JsonObject().put("tracked", tracked);
    });
  }

  // --- billing's view: claims of entries by invoices ----------------------------------------------------------------

  /** Internal: puts a period's stopped, uninvoiced entries of some projects on an invoice, in one statement. */
  private Future<JsonObject> claim(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID invoiceId = in.uuid("invoiceId");
    UUID[] projects = projectIds(msg.body());
    Instant from = in.instant("from");
    Instant to = in.instant("to");
    return pool.preparedQuery(TimersSql.CLAIM).execute(Tuple.tuple().addUUID(teamId).addUUID(invoiceId)
            .addArrayOfUUID(projects).addOffsetDateTime(utc(from)).addOffsetDateTime(utc(to)))
        .map(rows -> {
          JsonArray entries = new JsonArray();
          rows.forEach(r -> entries.add(entry(r)));
          return new JsonObject().put("entries", entries);
        });
  }

  /** Internal: takes every entry off an invoice; harmless to repeat. */
  private Future<JsonObject> release(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID invoiceId = in.uuid("invoiceId");
    return pool.preparedQuery(TimersSql.RELEASE).execute(Tuple.of(teamId, invoiceId))
        .map(rows -> new JsonObject().put("released", rows.rowCount()));
  }

  /** Internal: what a client would be billed now: stopped, uninvoiced entries (in the period) and running timers. */
  private Future<JsonObject> unbilled(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID[] projects = projectIds(msg.body());
    Instant from = in.optionalInstant("from");
    Instant to = in.optionalInstant("to");
    Future<RowSet<Row>> stopped = pool.preparedQuery(TimersSql.UNBILLED).execute(Tuple.tuple().addUUID(teamId)
        .addArrayOfUUID(projects).addOffsetDateTime(utc(from)).addOffsetDateTime(utc(to)));
    Future<RowSet<Row>> running = pool.preparedQuery(TimersSql.RUNNING_OF_PROJECTS)
        .execute(Tuple.tuple().addUUID(teamId).addArrayOfUUID(projects));
    Future<RowSet<Row>> now = pool.query(TimersSql.NOW).execute();
    return Future.all(stopped, running, now).map(ignored -> {
      if (stopped.result().size() > 100_000) {
        throw ErrorCode.VALIDATION_FAILED.field("from", "more than 100000 entries; choose a shorter period");
      }
      JsonArray entries = new JsonArray();
      stopped.result().forEach(r -> entries.add(entry(r)));
      JsonArray live = new JsonArray();
      running.result().forEach(r -> live.add(entry(r)));
      return new JsonObject().put("entries", entries).put("running", live)
          .put("now", Times.iso(first(now.result()).getOffsetDateTime("now")));
    });
  }

  /** Internal: timers, in any team, running longer than {@code seconds}: the forgotten-timer check. */
  private Future<JsonArray> runningLonger(Message<JsonObject> msg) {
    Object raw = msg.body() == null ? null : msg.body().getValue("seconds");
    if (!(raw instanceof Number n) || n.doubleValue() < 0) {
      throw ErrorCode.VALIDATION_FAILED.field("seconds", "seconds must be a number of seconds, 0 or more");
    }
    return pool.preparedQuery(TimersSql.RUNNING_LONGER).execute(Tuple.of(n.doubleValue())).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(entry(r)));
      return out;
    });
  }

  private static UUID[] projectIds(JsonObject body) {
    if (!(body.getValue("projectIds") instanceof JsonArray ids) || ids.size() > 10_000) {
      throw ErrorCode.VALIDATION_FAILED.field("projectIds", "projectIds must be an array of at most 10000 project ids");
    }
    return ids.stream().map(id -> Input.parseUuid("projectIds", String.valueOf(id))).toArray(UUID[]::new);
  }

  /** A task of that project, asked of the board (404 task_not_found); nothing to ask without one. */
  private Future<Void> task(UUID teamId, UUID projectId, UUID taskId) {
    if (taskId == null) {
      return Future.succeededFuture();
    }
    return Bus.request(vertx, Address.BOARD_TASKS_CHECK, new JsonObject().put("teamId", teamId.toString())
        .put("projectId", projectId.toString()).put("taskId", taskId.toString()), null).mapEmpty();
  }

  // --- shared -------------------------------------------------------------------------------------------------------

  /** The caller's role and name in the team (404 team_not_found for non-members), and the project if given. */
  private Future<JsonObject> access(UUID teamId, UUID userId, UUID projectId) {
    JsonObject body = new JsonObject().put("teamId", teamId.toString()).put("userId", userId.toString());
    if (projectId != null) {
      body.put("projectId", projectId.toString());
    }
    return Bus.request(vertx, Address.WORKSPACE_ACCESS, body, null);
  }

  private static Row owned(Row entry, UUID caller, JsonObject access) {
    if (entry == null) {
      throw ErrorCode.ENTRY_NOT_FOUND.exception();
    }
    if (!entry.getUUID("user_id").equals(caller) && !MANAGERS.contains(access.getString("role"))) {
      throw ErrorCode.FORBIDDEN.exception("only the entry's owner or a team owner or admin may change it");
    }
    return entry;
  }

  /** An entry on an invoice keeps what was billed: the row is locked (FOR UPDATE), so a claim cannot slip between. */
  private static Row unlocked(Row entry) {
    if (entry.getUUID("invoice_id") != null) {
      throw ErrorCode.ENTRY_LOCKED.exception("the entry is on invoice " + entry.getUUID("invoice_id")
          + "; delete the draft or void the invoice to change it");
    }
    return entry;
  }

  private static void requireOrder(Instant start, Instant stop) {
    if (!stop.isAfter(start)) {
      throw ErrorCode.VALIDATION_FAILED.field("stoppedAt", "stoppedAt must be after startedAt");
    }
  }

  private static Future<Void> notInFuture(SqlConnection conn, Instant start) {
    return conn.query(TimersSql.NOW).execute().map(rows -> {
      if (start.isAfter(first(rows).getOffsetDateTime("now").toInstant())) {
        throw ErrorCode.VALIDATION_FAILED.field("startedAt", "a running timer cannot start in the future");
      }
      return null;
    });
  }

  /**
   * Journals an event in the caller's transaction: on the team's stream, and for the owner's own timer starts and
   * stops also on their per-user stream. Published after commit by {@link Journal#published}.
   */
  private Future<Void> record(SqlConnection conn, List<Journal.Event> events, String type, JsonObject entry) {
    String teamId = entry.getString("teamId");
    JsonObject payload = new JsonObject().put("type", type).put("teamId", teamId).put("entry", entry);
    // Both appends are sent at once; they complete in the order sent, so events keep the team event first.
    Future<Journal.Event> team = journal.append(conn, Address.TEAM_TIMERS, teamId, payload).onSuccess(events::add);
    if (!type.startsWith("timer.")) {
      return team.mapEmpty();
    }
    Future<Journal.Event> user = journal.append(conn, Address.USER_TIMERS, entry.getString("userId"), payload)
        .onSuccess(events::add);
    return Future.all(team, user).mapEmpty();
  }

  /** Records the change of one time entry for the audit log, in the caller's transaction. */
  private Future<Void> audit(SqlConnection conn, Message<JsonObject> msg, String action, JsonObject before,
                             JsonObject after) {
    JsonObject any = after.isEmpty() ? before : after;
    return journal.record(conn, msg, Journal.Change.of(UUID.fromString(any.getString("teamId")), "time_entry",
        any.getString("id"), action, before, after));
  }

  /** A stopped entry as it was while its timer ran. */
  private static JsonObject whileRunning(Row stopped) {
    return entry(stopped).putNull("stoppedAt").putNull("durationSeconds");
  }

  static JsonObject entry(Row r) {
    OffsetDateTime started = r.getOffsetDateTime("started_at");
    OffsetDateTime stopped = r.getOffsetDateTime("stopped_at");
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("teamId", r.getUUID("team_id").toString())
        .put("userId", r.getUUID("user_id").toString())
        .put("projectId", r.getUUID("project_id").toString())
        .put("taskId", r.getUUID("task_id") == null ? null : r.getUUID("task_id").toString())
        .put("description", r.getString("description"))
        .put("startedAt", Times.iso(started))
        .put("stoppedAt", Times.iso(stopped))
        .put("durationSeconds", stopped == null ? null : Duration.between(started, stopped).toSeconds())
        .put("invoiceId", r.getUUID("invoice_id") == null ? null : r.getUUID("invoice_id").toString());
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static Row first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? it.next() : null;
  }

}
