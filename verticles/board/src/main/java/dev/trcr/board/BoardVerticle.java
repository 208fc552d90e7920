package dev.trcr.board;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.DomainStore;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.Times;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Each project's board: ordered columns and ordered tasks with human keys ({@code WEB-12}) and per-task versions.
 * Membership, roles and projects are the workspace's ({@code workspace.access}); time on tasks is the timers'
 * ({@code timers.tasks.tracked}). Every change of an order runs under the board's row lock and renumbers positions
 * 0..n-1, so concurrent moves serialise, lose no card and leave one order that every subscriber of
 * {@code team.{teamId}.board.{projectId}} reaches by applying the journaled events in {@code seq} order.
 */
public final class BoardVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(BoardVerticle.class.getName());
  private static final List<String> DEFAULT_COLUMNS = List.of("To do", "In progress", "Review", "Done");
  private static final Set<String> MANAGERS = Set.of("owner", "admin");
  private static final int TITLE_MAX = 200;
  private static final int DESCRIPTION_MAX = 10_000;
  private static final int COLUMN_NAME_MAX = 100;
  private static final int LABELS_MAX = 20;
  private static final int LABEL_MAX = 50;
  private static final int ESTIMATE_MAX = 1_000_000;
  /** How many of a task's newest commits it shows. */
  private static final int COMMITS_SHOWN = 20;
  private static final int LINKS_MAX = 1000;
  private static final java.util.regex.Pattern TASK_KEY =
      java.util.regex.Pattern.compile("([A-Z][A-Z0-9]{1,9})-([1-9][0-9]{0,8})");

  private DomainStore store;
  private Pool pool;
  private Journal journal;

  @Override
  public Future<?> start() {
    return DomainStore.open(vertx, config(), "board").compose(opened -> {
      store = opened;
      pool = store.pool();
      journal = store.journal();
      return store.commands()
          .on(Address.BOARD_JOURNAL_READ, journal::read)
          .on(Address.BOARD_JOURNAL_FEED, journal::feed)
          .on(Address.BOARD_GET, this::board)
          .idempotent(Address.BOARD_COLUMNS_CREATE, this::createColumn)
          .idempotent(Address.BOARD_COLUMNS_UPDATE, this::updateColumn)
          .idempotent(Address.BOARD_COLUMNS_DELETE, this::deleteColumn)
          .idempotent(Address.BOARD_TASKS_CREATE, this::createTask)
          .idempotent(Address.BOARD_TASKS_UPDATE, this::updateTask)
          .idempotent(Address.BOARD_MOVE, this::moveTask)
          .idempotent(Address.BOARD_TASKS_DELETE, this::deleteTask)
          .on(Address.BOARD_TASKS_CHECK, this::checkTask)
          .on(Address.BOARD_TASKS_LINK, this::linkTasks)
          .ready();
    });
  }

  @Override
  public Future<?> stop() {
    return store == null ? Future.succeededFuture() : store.close();
  }

  /** Who asks, about which project: from {@code workspace.access} (404 team_not_found, 404 project_not_found). */
  private record Scope(UUID teamId, UUID projectId, UUID caller, String role, String key) {

    boolean manager() {
      return MANAGERS.contains(role);
    }
  }

  // --- the board ----------------------------------------------------------------------------------------------------

  private Future<JsonObject> board(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    return scope(teamId, caller, projectId).compose(scope -> read(scope).compose(rows -> rows.size() > 0
            ? Future.succeededFuture(rows)
            : Database.transaction(pool, conn -> ensureBoard(conn, scope)).compose(created -> read(scope)))
        .compose(rows -> {
          Map<String, JsonObject> columns = new LinkedHashMap<>();
          List<JsonObject> tasks = new ArrayList<>();
          for (Row r : rows) {
            JsonObject column = columns.computeIfAbsent(r.getUUID("col_id").toString(), id -> new JsonObject()
                .put("id", id).put("name", r.getString("col_name")).put("position", r.getInteger("col_position"))
                .put("tasks", new JsonArray()));
            if (r.getUUID("id") != null) {
              JsonObject task = task(r, scope.key());
              column.getJsonArray("tasks").add(task);
              tasks.add(task);
            }
          }
          return withCommits(pool, tasks).compose(ignored -> withTracked(teamId, tasks))
              .map(ignored -> new JsonObject().put("projectId", projectId.toString())
              .put("columns", new JsonArray(new ArrayList<>(columns.values()))));
        }));
  }

  private Future<RowSet<Row>> read(Scope scope) {
    return pool.preparedQuery(BoardSql.BOARD).execute(Tuple.of(scope.projectId()));
  }

  /** Creates the board with its default columns if this is its first access. */
  private Future<Void> ensureBoard(SqlConnection conn, Scope scope) {
    return conn.preparedQuery(BoardSql.CREATE_BOARD).execute(Tuple.of(scope.projectId(), scope.teamId()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture();
          }
          List<Tuple> columns = new ArrayList<>();
          for (int i = 0; i < DEFAULT_COLUMNS.size(); i++) {
            columns.add(Tuple.of(UUID.randomUUID(), scope.projectId(), DEFAULT_COLUMNS.get(i), i));
          }
          return conn.preparedQuery(BoardSql.INSERT_COLUMN).executeBatch(columns).mapEmpty();
        });
  }

  /** The board's lock, held to commit: changes of one board's order run one at a time. */
  private Future<Void> lockBoard(SqlConnection conn, Scope scope) {
    return ensureBoard(conn, scope)
        .compose(ignored -> conn.preparedQuery(BoardSql.LOCK_BOARD).execute(Tuple.of(scope.projectId())))
        .mapEmpty();
  }

  // --- columns ------------------------------------------------------------------------------------------------------

  private Future<JsonObject> createColumn(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    String name = in.string("name", 1, COLUMN_NAME_MAX);
    UUID after = in.optionalUuid("afterColumnId");
    UUID id = UUID.randomUUID();
    List<Journal.Event> events = new ArrayList<>();
    return manager(teamId, caller, projectId).compose(scope -> Database.transaction(pool, conn -> lockBoard(conn, scope)
            .compose(ignored -> columnIds(conn, scope))
            .compose(order -> {
              int at = after == null ? order.size() : indexOf(order, after, "afterColumnId") + 1;
              order.add(at, id);
              return conn.preparedQuery(BoardSql.INSERT_COLUMN).execute(Tuple.of(id, projectId, name, order.size()))
                  .compose(inserted -> renumber(conn, BoardSql.RENUMBER_COLUMNS, order));
            })
            .compose(ignored -> columnsChanged(conn, scope, events))
            .compose(columns -> auditColumn(conn, msg, scope, "created", new JsonObject(), column(columns, id))
                .map(columns))))
        .map(columns -> {
          journal.published(events);
          return column(columns, id);
        });
  }

  private Future<JsonObject> updateColumn(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    UUID columnId = in.uuid("columnId");
    String name = in.present("name") ? in.string("name", 1, COLUMN_NAME_MAX) : null;
    boolean moves = in.present("afterColumnId");
    UUID after = in.optionalUuid("afterColumnId");
    if (columnId.equals(after)) {
      throw ErrorCode.VALIDATION_FAILED.field("afterColumnId", "a column cannot go after itself");
    }
    List<Journal.Event> events = new ArrayList<>();
    JsonArray[] before = new JsonArray[1];
    return manager(teamId, caller, projectId).compose(scope -> Database.transaction(pool, conn -> lockBoard(conn, scope)
            .compose(ignored -> columns(conn, scope))
            .compose(columns -> {
              before[0] = columns;
              return columnIds(conn, scope);
            })
            .compose(order -> {
              if (!order.contains(columnId)) {
                throw ErrorCode.COLUMN_NOT_FOUND.field("columnId", "no such column on this board");
              }
              Future<Void> renamed = name == null ? Future.succeededFuture()
                  : conn.preparedQuery(BoardSql.RENAME_COLUMN).execute(Tuple.of(projectId, columnId, name)).mapEmpty();
              if (!moves) {
                return renamed;
              }
              order.remove(columnId);
              int at = after == null ? 0 : indexOf(order, after, "afterColumnId") + 1;
              order.add(at, columnId);
              return renamed.compose(ignored -> renumber(conn, BoardSql.RENUMBER_COLUMNS, order));
            })
            .compose(ignored -> columnsChanged(conn, scope, events))
            .compose(columns -> auditColumn(conn, msg, scope, "updated", column(before[0], columnId),
                column(columns, columnId)).map(columns))))
        .map(columns -> {
          journal.published(events);
          return column(columns, columnId);
        });
  }

  private Future<JsonObject> deleteColumn(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    UUID columnId = in.uuid("columnId");
    List<Journal.Event> events = new ArrayList<>();
    JsonArray[] before = new JsonArray[1];
    return manager(teamId, caller, projectId).compose(scope -> Database.transaction(pool, conn -> lockBoard(conn, scope)
            .compose(ignored -> columns(conn, scope))
            .compose(columns -> {
              before[0] = columns;
              return columnIds(conn, scope);
            })
            .compose(order -> {
              if (!order.contains(columnId)) {
                throw ErrorCode.COLUMN_NOT_FOUND.field("columnId", "no such column on this board");
              }
              if (order.size() == 1) {
                throw ErrorCode.LAST_COLUMN.exception("this is the board's last column; add another one first");
              }
              return conn.preparedQuery(BoardSql.COLUMN_HAS_TASKS).execute(Tuple.of(columnId)).compose(busy -> {
                if (first(busy).getBoolean("busy")) {
                  throw ErrorCode.COLUMN_NOT_EMPTY.exception("move or delete the column's tasks first");
                }
                order.remove(columnId);
                return conn.preparedQuery(BoardSql.DELETE_COLUMN).execute(Tuple.of(projectId, columnId))
                    .compose(ignored -> renumber(conn, BoardSql.RENUMBER_COLUMNS, order));
              });
            })
            .compose(ignored -> columnsChanged(conn, scope, events))
            .compose(columns -> auditColumn(conn, msg, scope, "deleted", column(before[0], columnId),
                new JsonObject()).map(columns))))
        .map(columns -> {
          journal.published(events);
          return new JsonObject();
        });
  }

  private Future<List<UUID>> columnIds(SqlConnection conn, Scope scope) {
    return conn.preparedQuery(BoardSql.COLUMNS).execute(Tuple.of(scope.projectId())).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(r -> ids.add(r.getUUID("id")));
      return ids;
    });
  }

  /** Journals {@code columns.changed} with the board's columns as they will commit, and returns them. */
  private Future<JsonArray> columnsChanged(SqlConnection conn, Scope scope, List<Journal.Event> events) {
    return columns(conn, scope).compose(columns ->
        record(conn, scope, events, "columns.changed", "columns", columns).map(columns));
  }

  private Future<JsonArray> columns(SqlConnection conn, Scope scope) {
    return conn.preparedQuery(BoardSql.COLUMNS).execute(Tuple.of(scope.projectId())).map(rows -> {
      JsonArray columns = new JsonArray();
      rows.forEach(r -> columns.add(new JsonObject().put("id", r.getUUID("id").toString())
          .put("name", r.getString("name")).put("position", r.getInteger("position"))));
      return columns;
    });
  }

  /** Records the change of one column (with its project) for the audit log, in the caller's transaction. */
  private Future<Void> auditColumn(SqlConnection conn, Message<?> msg, Scope scope, String action, JsonObject before,
                                   JsonObject after) {
    String id = (after.isEmpty() ? before : after).getString("id");
    String project = scope.projectId().toString();
    return journal.record(conn, msg, Journal.Change.of(scope.teamId(), "column", id, action,
        before.isEmpty() ? before : before.copy().put("projectId", project),
        after.isEmpty() ? after : after.copy().put("projectId", project)));
  }

  private static JsonObject column(JsonArray columns, UUID id) {
    return columns.stream().map(JsonObject.class::cast).filter(c -> c.getString("id").equals(id.toString()))
        .findFirst().orElseThrow();
  }

  // --- tasks --------------------------------------------------------------------------------------------------------

  private Future<JsonObject> createTask(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    String title = in.string("title", 1, TITLE_MAX);
    String description = in.optionalString("description", DESCRIPTION_MAX);
    UUID columnId = in.optionalUuid("columnId");
    UUID assigneeId = in.optionalUuid("assigneeId");
    Integer estimate = estimate(in);
    LocalDate due = dueDate(msg.body());
    String[] labels = labels(msg.body());
    UUID id = UUID.randomUUID();
    List<Journal.Event> events = new ArrayList<>();
    return scope(teamId, caller, projectId).compose(scope -> member(teamId, assigneeId).compose(checked ->
            Database.transaction(pool, conn -> lockBoard(conn, scope)
                .compose(ignored -> columnIds(conn, scope))
                .compose(order -> {
                  if (columnId != null && !order.contains(columnId)) {
                    throw ErrorCode.COLUMN_NOT_FOUND.field("columnId", "no such column on this board");
                  }
                  UUID column = columnId != null ? columnId : order.get(0);
                  return conn.preparedQuery(BoardSql.NEXT_NUMBER).execute(Tuple.of(projectId))
                      .compose(numbers -> conn.preparedQuery(BoardSql.INSERT_TASK).execute(Tuple.from(new Object[]{
                          id, teamId, projectId, column, first(numbers).getInteger("last_number"), title,
                          description, assigneeId, estimate, due, labels, caller})));
                })
                .compose(rows -> {
                  JsonObject task = task(first(rows), scope.key());
                  return record(conn, scope, events, "task.created", "task", task)
                      .compose(v -> journal.record(conn, msg, Journal.Change.created(teamId, "task", id, task)))
                      .compose(v -> assigneeId == null ? Future.<Void>succeededFuture()
                          : assigned(conn, events, scope, task, assigneeId))
                      .map(task);
                })))
        .map(task -> {
          journal.published(events);
          return task.copy().put("trackedSeconds", 0L);
        }));
  }

  private Future<JsonObject> updateTask(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    UUID taskId = in.uuid("taskId");
    int version = version(in);
    if (in.present("columnId")) {
      throw ErrorCode.VALIDATION_FAILED.field("columnId", "move a task with POST .../tasks/{taskId}/move");
    }
    String title = in.present("title") ? in.string("title", 1, TITLE_MAX) : null;
    boolean descriptionGiven = in.present("description");
    String description = in.optionalString("description", DESCRIPTION_MAX);
    boolean assigneeGiven = in.present("assigneeId");
    UUID assigneeId = in.optionalUuid("assigneeId");
    boolean estimateGiven = in.present("estimateMinutes");
    Integer estimate = estimate(in);
    boolean dueGiven = in.present("dueDate");
    LocalDate due = dueDate(msg.body());
    boolean labelsGiven = in.present("labels");
    String[] labels = labels(msg.body());
    List<Journal.Event> events = new ArrayList<>();
    UUID[] previousAssignee = new UUID[1];
    JsonObject[] before = new JsonObject[1];
    return scope(teamId, caller, projectId).compose(scope -> member(teamId, assigneeId).compose(checked ->
            Database.transaction(pool, conn -> conn.preparedQuery(BoardSql.TASK_FOR_UPDATE)
                .execute(Tuple.of(projectId, taskId))
                .compose(rows -> {
                  Row current = current(first(rows), version);
                  previousAssignee[0] = current.getUUID("assignee_id");
                  before[0] = task(current, scope.key());
                  return conn.preparedQuery(BoardSql.UPDATE_TASK).execute(Tuple.from(new Object[]{
                      projectId, taskId,
                      title != null ? title : current.getString("title"),
                      descriptionGiven ? description : current.getString("description"),
                      assigneeGiven ? assigneeId : current.getUUID("assignee_id"),
                      estimateGiven ? estimate : current.getInteger("estimate_minutes"),
                      dueGiven ? due : current.getLocalDate("due_date"),
                      labelsGiven ? labels : current.getArrayOfStrings("labels")}));
                })
                .compose(rows -> {
                  JsonObject task = task(first(rows), scope.key());
                  boolean newAssignee = assigneeGiven && assigneeId != null && !assigneeId.equals(previousAssignee[0]);
                  return record(conn, scope, events, "task.updated", "task", task)
                      .compose(v -> journal.record(conn, msg,
                          Journal.Change.updated(teamId, "task", taskId, before[0], task)))
                      .compose(v -> newAssignee ? assigned(conn, events, scope, task, assigneeId)
                          : Future.<Void>succeededFuture())
                      .map(task);
                })))
        .compose(task -> {
          journal.published(events);
          return withTracked(teamId, List.of(task)).map(ignored -> task);
        }));
  }

  /**
   * Moves a task under the board lock: the task leaves its column, enters the target after {@code afterTaskId} (at
   * the top without one), and both columns are renumbered 0..n-1. Only the moved task's version changes, so moves of
   * different tasks never conflict.
   */
  private Future<JsonObject> moveTask(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    UUID taskId = in.uuid("taskId");
    UUID columnId = in.uuid("columnId");
    UUID after = in.optionalUuid("afterTaskId");
    int version = version(in);
    if (taskId.equals(after)) {
      throw ErrorCode.VALIDATION_FAILED.field("afterTaskId", "a task cannot go after itself");
    }
    List<Journal.Event> events = new ArrayList<>();
    JsonObject[] before = new JsonObject[1];
    return scope(teamId, caller, projectId).compose(scope -> Database.transaction(pool, conn -> lockBoard(conn, scope)
            .compose(ignored -> columnIds(conn, scope))
            .compose(columns -> {
              if (!columns.contains(columnId)) {
                throw ErrorCode.COLUMN_NOT_FOUND.field("columnId", "no such column on this board");
              }
              return conn.preparedQuery(BoardSql.TASK_FOR_UPDATE).execute(Tuple.of(projectId, taskId));
            })
            .compose(rows -> {
              Row locked = current(first(rows), version);
              before[0] = task(locked, scope.key());
              UUID from = locked.getUUID("column_id");
              return taskIds(conn, from).compose(source -> {
                source.remove(taskId);
                Future<List<UUID>> target = from.equals(columnId) ? Future.succeededFuture(source)
                    : taskIds(conn, columnId);
                return target.compose(order -> {
                  int at = after == null ? 0 : indexOf(order, after, "afterTaskId") + 1;
                  order.add(at, taskId);
                  return conn.preparedQuery(BoardSql.MOVE_TASK).execute(Tuple.of(projectId, taskId, columnId))
                      .compose(ignored -> renumber(conn, BoardSql.RENUMBER_TASKS, order))
                      .compose(ignored -> from.equals(columnId) ? Future.succeededFuture()
                          : renumber(conn, BoardSql.RENUMBER_TASKS, source));
                });
              });
            })
            .compose(ignored -> conn.preparedQuery(BoardSql.TASK).execute(Tuple.of(projectId, taskId)))
            .compose(rows -> {
              JsonObject task = task(first(rows), scope.key());
              return record(conn, scope, events, "task.moved", "task", task)
                  .compose(v -> journal.record(conn, msg, Journal.Change.of(teamId, "task", taskId, "moved",
                      placement(before[0]), placement(task))))
                  .map(task);
            }))
        .compose(task -> {
          journal.published(events);
          return withTracked(teamId, List.of(task)).map(ignored -> task);
        }));
  }

  private Future<JsonObject> deleteTask(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    UUID taskId = in.uuid("taskId");
    List<Journal.Event> events = new ArrayList<>();
    return scope(teamId, caller, projectId).compose(scope -> Database.transaction(pool, conn -> lockBoard(conn, scope)
            .compose(ignored -> conn.preparedQuery(BoardSql.TASK_FOR_UPDATE).execute(Tuple.of(projectId, taskId)))
            .compose(rows -> {
              Row current = first(rows);
              if (current == null) {
                throw ErrorCode.TASK_NOT_FOUND.field("taskId", "no such task on this board");
              }
              JsonObject task = task(current, scope.key());
              UUID column = current.getUUID("column_id");
              return conn.preparedQuery(BoardSql.DELETE_TASK).execute(Tuple.of(projectId, taskId))
                  .compose(ignored -> taskIds(conn, column))
                  .compose(order -> renumber(conn, BoardSql.RENUMBER_TASKS, order))
                  .compose(ignored -> record(conn, scope, events, "task.deleted", "task", task))
                  .compose(ignored -> journal.record(conn, msg, Journal.Change.deleted(teamId, "task", taskId, task)));
            })))
        .map(ignored -> {
          journal.published(events);
          return new JsonObject();
        });
  }

  /** Internal: a task of that team and project, for timers before it puts time on it. */
  private Future<JsonObject> checkTask(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    UUID taskId = in.uuid("taskId");
    return pool.preparedQuery(BoardSql.TASK_OF_PROJECT).execute(Tuple.of(teamId, projectId, taskId)).map(rows -> {
      if (rows.size() == 0) {
        throw ErrorCode.TASK_NOT_FOUND.field("taskId", "no such task in this project");
      }
      return new JsonObject().put("id", taskId.toString()).put("projectId", projectId.toString());
    });
  }

  // --- commits linked by git sync -----------------------------------------------------------------------------------

  /** One commit citing one task key, as integrations' git sync sends it. */
  private record Link(String key, String projectKey, int number, String sha, String message, String author,
                      String url, OffsetDateTime at, boolean close) {
  }

  /**
   * Internal (integrations): links commits to the team's tasks they cite. Idempotent per (task, sha): a provider's
   * retried delivery links nothing twice and moves no card twice. Each project's links commit in one transaction
   * under its board lock.
   */
  private Future<JsonObject> linkTasks(Message<JsonObject> msg) {
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    List<Link> links = links(msg.body());
    return Bus.<JsonObject>request(vertx, Address.WORKSPACE_DIRECTORY,
        new JsonObject().put("teamId", teamId.toString()), null).compose(directory -> {
          Map<String, UUID> projects = new LinkedHashMap<>();
          for (Object o : directory.getJsonArray("projects", new JsonArray())) {
            JsonObject p = (JsonObject) o;
            projects.put(p.getString("key"), UUID.fromString(p.getString("id")));
          }
          Map<UUID, List<Link>> byProject = new LinkedHashMap<>();
          Set<String> unknown = new LinkedHashSet<>();
          for (Link link : links) {
            UUID projectId = projects.get(link.projectKey());
            if (projectId == null) {
              unknown.add(link.key());
            } else {
              byProject.computeIfAbsent(projectId, id -> new ArrayList<>()).add(link);
            }
          }
          JsonArray linked = new JsonArray();
          Future<Void> chain = Future.succeededFuture();
          for (Map.Entry<UUID, List<Link>> e : byProject.entrySet()) {
            Scope scope = new Scope(teamId, e.getKey(), null, null, e.getValue().get(0).projectKey());
            chain = chain.compose(ignored -> linkInProject(msg, scope, e.getValue(), linked, unknown));
          }
          return chain.map(ignored -> new JsonObject().put("linked", linked)
              .put("unknownKeys", new JsonArray(new ArrayList<>(unknown))));
        });
  }

  private Future<Void> linkInProject(Message<JsonObject> msg, Scope scope, List<Link> links, JsonArray linked,
                                     Set<String> unknown) {
    List<Journal.Event> events = new ArrayList<>();
    Map<Integer, List<Link>> byNumber = new LinkedHashMap<>();
    links.forEach(l -> byNumber.computeIfAbsent(l.number(), n -> new ArrayList<>()).add(l));
    Integer[] numbers = byNumber.keySet().toArray(Integer[]::new);
    return Database.transaction(pool, conn -> lockBoard(conn, scope)
            .compose(ignored -> conn.preparedQuery(BoardSql.TASKS_BY_NUMBER_FOR_UPDATE)
                .execute(Tuple.tuple().addUUID(scope.projectId()).addArrayOfInteger(numbers)))
            .compose(rows -> {
              Map<Integer, Row> tasks = new LinkedHashMap<>();
              rows.forEach(r -> tasks.put(r.getInteger("number"), r));
              Future<Void> chain = Future.succeededFuture();
              for (Map.Entry<Integer, List<Link>> e : byNumber.entrySet()) {
                Row task = tasks.get(e.getKey());
                if (task == null) {
                  unknown.add(e.getValue().get(0).key());
                } else {
                  chain = chain.compose(ignored -> linkTask(conn, msg, scope, task, e.getValue(), events, linked));
                }
              }
              return chain;
            }))
        .onSuccess(ignored -> journal.published(events));
  }

  private Future<Void> linkTask(SqlConnection conn, Message<JsonObject> msg, Scope scope, Row task, List<Link> links,
                                List<Journal.Event> events, JsonArray linked) {
    UUID taskId = task.getUUID("id");
    List<String> added = new ArrayList<>();
    boolean[] closing = {false};
    Future<Void> chain = Future.succeededFuture();
    for (Link l : links) {
      chain = chain.compose(ignored -> conn.preparedQuery(BoardSql.LINK_COMMIT).execute(Tuple.from(new Object[]{
          taskId, l.sha(), l.message(), l.author(), l.url(), l.at(), l.close()})).map(rows -> {
            rows.forEach(r -> {
              added.add(r.getString("sha"));
              closing[0] |= r.getBoolean("closing");
            });
            return null;
          }));
    }
    String key = links.get(0).key();
    return chain.compose(ignored -> {
      if (added.isEmpty()) {
        linked.add(new JsonObject().put("key", key).put("taskId", taskId.toString()).put("closed", false));
        return Future.succeededFuture();
      }
      return journal.record(conn, msg, Journal.Change.of(scope.teamId(), "task", taskId, "commit_linked",
              new JsonObject(), new JsonObject().put("commits", new JsonArray(new ArrayList<>(added)))))
          .compose(v -> taskWithCommits(conn, scope, taskId))
          .compose(json -> record(conn, scope, events, "task.updated", "task", json))
          .compose(v -> closing[0] ? close(conn, msg, scope, task, events) : Future.succeededFuture(false))
          .map(closed -> {
            linked.add(new JsonObject().put("key", key).put("taskId", taskId.toString()).put("closed", closed));
            return null;
          });
    });
  }

  /** Moves a task to the top of its board's last column (nothing if it is there already). */
  private Future<Boolean> close(SqlConnection conn, Message<JsonObject> msg, Scope scope, Row task,
                                List<Journal.Event> events) {
    UUID taskId = task.getUUID("id");
    UUID from = task.getUUID("column_id");
    return columnIds(conn, scope).compose(columns -> {
      UUID last = columns.get(columns.size() - 1);
      if (last.equals(from)) {
        return Future.succeededFuture(false);
      }
      return taskIds(conn, from).compose(source -> taskIds(conn, last).compose(target -> {
        source.remove(taskId);
        target.add(0, taskId);
        int version = task.getInteger("version");
        return conn.preparedQuery(BoardSql.MOVE_TASK).execute(Tuple.of(scope.projectId(), taskId, last))
            .compose(ignored -> renumber(conn, BoardSql.RENUMBER_TASKS, target))
            .compose(ignored -> renumber(conn, BoardSql.RENUMBER_TASKS, source))
            .compose(ignored -> journal.record(conn, msg, Journal.Change.of(scope.teamId(), "task", taskId, "moved",
                new JsonObject().put("columnId", from.toString()).put("version", version),
                new JsonObject().put("columnId", last.toString()).put("version", version + 1))))
            .compose(ignored -> taskWithCommits(conn, scope, taskId))
            .compose(json -> record(conn, scope, events, "task.moved", "task", json))
            .map(true);
      }));
    });
  }

  private Future<JsonObject> taskWithCommits(SqlConnection conn, Scope scope, UUID taskId) {
    return conn.preparedQuery(BoardSql.TASK).execute(Tuple.of(scope.projectId(), taskId)).compose(rows -> {
      JsonObject task = task(first(rows), scope.key());
      return withCommits(conn, List.of(task)).map(task);
    });
  }

  /** Adds each task's newest commits ({@code commits}, newest first, at most {@link #COMMITS_SHOWN}). */
  private static Future<Void> withCommits(io.vertx.sqlclient.SqlClient client, List<JsonObject> tasks) {
    if (tasks.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID[] ids = tasks.stream().map(t -> UUID.fromString(t.getString("id"))).toArray(UUID[]::new);
    return client.preparedQuery(BoardSql.COMMITS_OF_TASKS).execute(Tuple.tuple().addArrayOfUUID(ids)
        .addInteger(COMMITS_SHOWN)).map(rows -> {
          Map<String, JsonArray> byTask = new LinkedHashMap<>();
          tasks.forEach(t -> byTask.put(t.getString("id"), new JsonArray()));
          for (Row r : rows) {
            byTask.get(r.getUUID("task_id").toString()).add(new JsonObject().put("sha", r.getString("sha"))
                .put("message", r.getString("message")).put("author", r.getString("author"))
                .put("url", r.getString("url")).put("at", Times.iso(r.getOffsetDateTime("at"))));
          }
          tasks.forEach(t -> t.put("commits", byTask.get(t.getString("id"))));
          return null;
        });
  }

  private static List<Link> links(JsonObject body) {
    if (!(body.getValue("commits") instanceof JsonArray commits) || commits.size() > LINKS_MAX) {
      throw ErrorCode.VALIDATION_FAILED.field("commits", "commits must be an array of at most " + LINKS_MAX
          + " links");
    }
    List<Link> links = new ArrayList<>();
    for (Object o : commits) {
      if (!(o instanceof JsonObject c)) {
        throw ErrorCode.VALIDATION_FAILED.field("commits", "each commit is an object");
      }
      Input in = Input.of(c);
      String key = in.string("key", 4, 30);
      java.util.regex.Matcher m = TASK_KEY.matcher(key);
      if (!m.matches()) {
        throw ErrorCode.VALIDATION_FAILED.field("key", "a task key looks like WEB-12");
      }
      java.time.Instant at = in.optionalInstant("at");
      Object close = c.getValue("close");
      if (close != null && !(close instanceof Boolean)) {
        throw ErrorCode.VALIDATION_FAILED.field("close", "close must be true or false");
      }
      links.add(new Link(key, m.group(1), Integer.parseInt(m.group(2)), in.string("sha", 1, 100),
          in.string("message", 1, DESCRIPTION_MAX), in.optionalString("author", 200), in.optionalString("url", 2000),
          at == null ? null : at.atOffset(java.time.ZoneOffset.UTC), Boolean.TRUE.equals(close)));
    }
    return links;
  }

  private Future<List<UUID>> taskIds(SqlConnection conn, UUID columnId) {
    return conn.preparedQuery(BoardSql.TASK_IDS_IN_COLUMN).execute(Tuple.of(columnId)).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(r -> ids.add(r.getUUID("id")));
      return ids;
    });
  }

  /** The locked task, if it is still at the version the client saw. */
  private static Row current(Row task, int version) {
    if (task == null) {
      throw ErrorCode.TASK_NOT_FOUND.field("taskId", "no such task on this board");
    }
    int now = task.getInteger("version");
    if (now != version) {
      throw ErrorCode.VERSION_CONFLICT.field("version",
          "the task is at version " + now + ", not " + version + "; reload it and try again");
    }
    return task;
  }

  /** Sets positions 0..n-1 in the given order (tasks of one column, or the columns of one board). */
  private static Future<Void> renumber(SqlConnection conn, String sql, List<UUID> order) {
    if (order.isEmpty()) {
      return Future.succeededFuture();
    }
    Integer[] positions = new Integer[order.size()];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = i;
    }
    return conn.preparedQuery(sql).execute(Tuple.tuple().addArrayOfUUID(order.toArray(UUID[]::new))
        .addArrayOfInteger(positions)).mapEmpty();
  }

  private static int indexOf(List<UUID> order, UUID id, String field) {
    int at = order.indexOf(id);
    if (at < 0) {
      throw "afterTaskId".equals(field)
          ? ErrorCode.TASK_NOT_FOUND.field(field, "afterTaskId is not a task of that column")
          : ErrorCode.COLUMN_NOT_FOUND.field(field, field + " is not a column of this board");
    }
    return at;
  }

  // --- shared -------------------------------------------------------------------------------------------------------

  private Future<Scope> scope(UUID teamId, UUID caller, UUID projectId) {
    JsonObject body = new JsonObject().put("teamId", teamId.toString()).put("userId", caller.toString())
        .put("projectId", projectId.toString());
    return Bus.<JsonObject>request(vertx, Address.WORKSPACE_ACCESS, body, null).map(access -> new Scope(teamId,
        projectId, caller, access.getString("role"), access.getJsonObject("project").getString("key")));
  }

  private Future<Scope> manager(UUID teamId, UUID caller, UUID projectId) {
    return scope(teamId, caller, projectId).map(scope -> {
      if (!scope.manager()) {
        throw ErrorCode.FORBIDDEN.exception("only the team's owners and admins may change the columns");
      }
      return scope;
    });
  }

  /** An assignee must be a member of the team. */
  private Future<Void> member(UUID teamId, UUID userId) {
    if (userId == null) {
      return Future.succeededFuture();
    }
    return Bus.request(vertx, Address.WORKSPACE_ACCESS, new JsonObject().put("teamId", teamId.toString())
            .put("userId", userId.toString()), null)
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(e instanceof ReplyException r && r.failureCode() == 404
            ? ErrorCode.VALIDATION_FAILED.field("assigneeId", "assigneeId is not a member of the team") : e));
  }

  /**
   * Journals {@code events.task.assigned} (one global stream) in the task's transaction: notifications reads the stream
   * from its cursor, so an assignment made while it was down still reaches the assignee, once.
   */
  private Future<Void> assigned(SqlConnection conn, List<Journal.Event> events, Scope scope, JsonObject task,
                                UUID assigneeId) {
    JsonObject payload = new JsonObject().put("id", UUID.randomUUID().toString())
        .put("teamId", scope.teamId().toString()).put("projectId", scope.projectId().toString())
        .put("taskId", task.getString("id")).put("key", task.getString("key")).put("title", task.getString("title"))
        .put("assigneeId", assigneeId.toString()).put("byUserId", scope.caller().toString());
    return journal.append(conn, Address.EVENTS_TASK_ASSIGNED, List.of(), payload).onSuccess(events::add).mapEmpty();
  }

  /** Journals an event on the project's board stream in the caller's transaction; published after commit. */
  private Future<Void> record(SqlConnection conn, Scope scope, List<Journal.Event> events, String type, String field,
                              Object value) {
    if (value instanceof JsonObject task && "task".equals(field) && !task.containsKey("commits")
        && !"task.deleted".equals(type)) {
      // Every task event carries the task whole, linked commits included, so that applying it loses nothing.
      return withCommits(conn, List.of(task)).compose(ignored -> record(conn, scope, events, type, field, task));
    }
    JsonObject payload = new JsonObject().put("type", type).put("teamId", scope.teamId().toString())
        .put("projectId", scope.projectId().toString()).put(field, value);
    return journal.appendTo(conn, Address.TEAM_BOARD, Address.TEAM_BOARD.address(scope.teamId(), scope.projectId()),
        payload).onSuccess(events::add).mapEmpty();
  }

  /**
   * Adds {@code trackedSeconds} to each task, from timers. The board still answers without timers (a node that does
   * not run them, or a timeout): the field is then null.
   */
  private Future<Void> withTracked(UUID teamId, List<JsonObject> tasks) {
    if (tasks.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonArray ids = new JsonArray(tasks.stream().map(t -> t.getString("id")).toList());
    return Bus.<JsonObject>request(vertx, Address.TIMERS_TASKS_TRACKED,
            new JsonObject().put("teamId", teamId.toString()).put("taskIds", ids), null)
        .map(reply -> {
          JsonObject tracked = reply.getJsonObject("tracked");
          tasks.forEach(t -> t.put("trackedSeconds", tracked.getLong(t.getString("id"), 0L)));
          return (Void) null;
        })
        .recover(e -> {
          LOG.log(System.Logger.Level.WARNING, "tracked time unavailable: " + e.getMessage());
          tasks.forEach(t -> t.putNull("trackedSeconds"));
          return Future.succeededFuture();
        });
  }

  /** Where a task is on its board: what the audit log keeps of a move. */
  private static JsonObject placement(JsonObject task) {
    return new JsonObject().put("columnId", task.getString("columnId")).put("position", task.getInteger("position"));
  }

  static JsonObject task(Row r, String projectKey) {
    LocalDate due = r.getLocalDate("due_date");
    UUID assignee = r.getUUID("assignee_id");
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("key", projectKey + "-" + r.getInteger("number"))
        .put("teamId", r.getUUID("team_id").toString())
        .put("projectId", r.getUUID("project_id").toString())
        .put("columnId", r.getUUID("column_id").toString())
        .put("position", r.getInteger("position"))
        .put("title", r.getString("title"))
        .put("description", r.getString("description"))
        .put("assigneeId", assignee == null ? null : assignee.toString())
        .put("estimateMinutes", r.getInteger("estimate_minutes"))
        .put("dueDate", due == null ? null : due.toString())
        .put("labels", new JsonArray(List.of(r.getArrayOfStrings("labels"))))
        .put("version", r.getInteger("version"))
        .put("createdBy", r.getUUID("created_by").toString())
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")))
        .put("updatedAt", Times.iso(r.getOffsetDateTime("updated_at")));
  }

  private static int version(Input in) {
    if (!in.has("version")) {
      throw ErrorCode.VALIDATION_FAILED.field("version", "version is required: the task's version you saw");
    }
    return in.integer("version", 1, Integer.MAX_VALUE, 1);
  }

  private static Integer estimate(Input in) {
    return in.has("estimateMinutes") ? in.integer("estimateMinutes", 0, ESTIMATE_MAX, 0) : null;
  }

  /** {@code YYYY-MM-DD}, a real date. */
  private static LocalDate dueDate(JsonObject body) {
    Object raw = body.getValue("dueDate");
    if (raw == null) {
      return null;
    }
    if (raw instanceof String s && s.matches("\\d{4}-\\d{2}-\\d{2}")) {
      try {
        return LocalDate.parse(s);
      } catch (DateTimeParseException e) {
        // falls through to the error below
      }
    }
    throw ErrorCode.VALIDATION_FAILED.field("dueDate", "dueDate must be a date like 2026-02-01");
  }

  /** Up to 20 distinct labels of 1–50 characters each, trimmed, in the order given. */
  private static String[] labels(JsonObject body) {
    Object raw = body.getValue("labels");
    if (raw == null) {
      return new String[0];
    }
    if (!(raw instanceof JsonArray list) || list.size() > LABELS_MAX) {
      throw ErrorCode.VALIDATION_FAILED.field("labels", "labels must be an array of at most " + LABELS_MAX
          + " strings");
    }
    Set<String> labels = new LinkedHashSet<>();
    for (Object item : list) {
      String label = item instanceof String s ? s.strip() : null;
      if (label == null || label.isEmpty() || label.indexOf('\u0000') >= 0
          || label.codePointCount(0, label.length()) > LABEL_MAX) {
        throw ErrorCode.VALIDATION_FAILED.field("labels", "each label is a string of 1 to " + LABEL_MAX
            + " characters");
      }
      labels.add(label);
    }
    return labels.toArray(String[]::new);
  }

  private static Row first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? it.next() : null;
  }
}
