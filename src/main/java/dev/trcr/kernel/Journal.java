package dev.trcr.kernel;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The event journal a verticle keeps in its own schema (a transactional outbox). Every browser-facing event is
 * appended in the transaction of the change that causes it, numbered per stream ({@code seq} from 1, without gaps:
 * the stream's head row is locked until commit) under the stream's {@code epoch}. After commit the verticle publishes
 * what it appended (the fast path); a relay on every node that runs the verticle, one at a time under a cluster lock,
 * publishes whatever stayed unpublished, such as the events of a node that died between commit and publish. A
 * subscriber may therefore see an event twice or out of order across nodes: the bridge's hub orders and de-duplicates
 * by {@code seq}, and reads the journal ({@code <owner>.journal.read}) to fill gaps and to recover reconnecting
 * clients.
 */
public final class Journal {

  /** An appended event: where it goes and its number in its stream. */
  public record Event(Address stream, String address, long seq, String epoch, JsonObject payload) {

    /** What subscribers receive: the payload with {@code seq}, {@code epoch} and {@code ts} (ms at publish). */
    public JsonObject body() {
      return payload.copy().put("seq", seq).put("epoch", epoch).put("ts", System.currentTimeMillis());
    }
  }

  /**
   * A change to one entity, for the audit log: what changed ({@code {"field": {"before": …, "after": …}}}, only the
   * fields that changed), on which entity ({@code time_entry}, {@code task}, …), by which action ({@code created},
   * {@code updated}, {@code deleted}, or a verb such as {@code issued}). Who and from where come from the command.
   * Never put secrets (passwords, tokens, webhook secrets) in it.
   */
  public record Change(UUID teamId, String entity, String entityId, String action, JsonObject changes) {

    public static Change created(UUID teamId, String entity, Object id, JsonObject after) {
      return of(teamId, entity, id, "created", new JsonObject(), after);
    }

    public static Change updated(UUID teamId, String entity, Object id, JsonObject before, JsonObject after) {
      return of(teamId, entity, id, "updated", before, after);
    }

    public static Change deleted(UUID teamId, String entity, Object id, JsonObject before) {
      return of(teamId, entity, id, "deleted", before, new JsonObject());
    }

    /** A change named by {@code action}, with the fields that differ between {@code before} and {@code after}. */
    public static Change of(UUID teamId, String entity, Object id, String action, JsonObject before, JsonObject after) {
      return new Change(teamId, entity, String.valueOf(id), action, diff(before, after));
    }

    /** {@code {"field": {"before": …, "after": …}}} for each field whose value differs (absent counts as null). */
    public static JsonObject diff(JsonObject before, JsonObject after) {
      JsonObject out = new JsonObject();
      java.util.Set<String> fields = new java.util.LinkedHashSet<>(before.fieldNames());
      fields.addAll(after.fieldNames());
      for (String field : fields) {
        Object b = before.getValue(field);
        Object a = after.getValue(field);
        if (!same(b, a)) {
          JsonObject change = new JsonObject();
          if (before.containsKey(field) || !after.containsKey(field)) {
            change.put("before", b);
          }
          if (after.containsKey(field) || !before.containsKey(field)) {
            change.put("after", a);
          }
          out.put(field, change);
        }
      }
      return out;
    }

    private static boolean same(Object a, Object b) {
      if (a instanceof Number x && b instanceof Number y) {
        return new java.math.BigDecimal(x.toString()).compareTo(new java.math.BigDecimal(y.toString())) == 0;
      }
      return java.util.Objects.equals(a, b);
    }

    /** An update that changed no field: nothing to record. */
    public boolean isEmpty() {
      return changes.isEmpty() && "updated".equals(action);
    }
  }

  private static final System.Logger LOG = System.getLogger(Journal.class.getName());
  /** How long the fast path's "published" marks wait to be written together in one statement. */
  private static final long MARK_BATCH_MS = 20;

  private final Vertx vertx;
  private final Pool pool;
  private final String schema;
  private final boolean fastPublish;
  private final long relayIntervalMs;
  private final long relayGraceMs;
  private final String appendSql;
  private final String markSql;
  private final String markBatchSql;
  /** Events published by the fast path and not yet marked so: marked together, every {@link #MARK_BATCH_MS}. */
  private final List<String> unmarkedStreams = new ArrayList<>();
  private final List<Long> unmarkedSeqs = new ArrayList<>();
  private boolean markPending;
  private final String unpublishedSql;
  private final String readSql;
  private final String streamSql;
  private final String changeSql;
  private final String eventFeedSql;
  private final String changeFeedSql;
  private long relayTimer = -1;
  /** Age in seconds of the oldest event the last relay pass found unpublished (0: none): the relay's lag. */
  private volatile double relayLagSeconds;
  private final io.micrometer.core.instrument.Counter relayed;

  public Journal(Vertx vertx, Pool pool, String schema, JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
    this.schema = schema;
    this.fastPublish = Config.flag(config, "TRCR_JOURNAL_FAST_PUBLISH");
    this.relayIntervalMs = Config.integer(config, "TRCR_JOURNAL_RELAY_MS");
    this.relayGraceMs = Config.integer(config, "TRCR_JOURNAL_RELAY_GRACE_MS");
    // One round trip per event: raise the stream's head (locking its row until commit, so seq has no gaps) and write
    // the event under the new number.
    this.appendSql = "WITH head AS (INSERT INTO " + schema + ".journal_streams (stream, epoch, last_seq) "
        + "VALUES ($1, $2, 1) ON CONFLICT (stream) DO UPDATE SET last_seq = " + schema + ".journal_streams.last_seq + 1 "
        + "RETURNING epoch, last_seq) INSERT INTO " + schema + ".journal (stream, seq, epoch, payload) "
        + "SELECT $1, last_seq, epoch, $3 FROM head RETURNING seq, epoch";
    this.markSql = "UPDATE " + schema + ".journal SET published = true WHERE stream = $1 AND seq = $2";
    this.markBatchSql = "UPDATE " + schema + ".journal j SET published = true "
        + "FROM unnest($1::text[], $2::bigint[]) AS m(stream, seq) WHERE j.stream = m.stream AND j.seq = m.seq";
    this.unpublishedSql = "SELECT stream, seq, epoch, payload, created_at FROM " + schema + ".journal WHERE NOT published "
        + "AND created_at < now() - make_interval(secs => $1) ORDER BY stream, seq LIMIT 1000";
    this.readSql = "SELECT seq, epoch, payload FROM " + schema + ".journal WHERE stream = $1 AND seq > $2 "
        + "ORDER BY seq LIMIT $3";
    this.streamSql = "SELECT epoch, last_seq FROM " + schema + ".journal_streams WHERE stream = $1";
    this.changeSql = "INSERT INTO " + schema + ".journal_changes (team_id, actor_id, origin, request_id, entity, "
        + "entity_id, action, changes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    // Only rows of transactions that have all ended (below the oldest running one) so that a cursor never skips a
    // row that commits later with a smaller tx (see V3__journal_feed.sql).
    String finished = "tx < pg_snapshot_xmin(pg_current_snapshot())";
    // The text form of tx gets its own name: "ORDER BY tx" must sort by the xid8 column, not by its text (where
    // "1000" sorts before "999" and a page's last row would not be its highest).
    this.eventFeedSql = "SELECT tx::text AS tx_text, feed_id, stream, seq, epoch, payload, created_at FROM " + schema
        + ".journal WHERE (tx, feed_id) > ($1::text::xid8, $2) AND " + finished + " ORDER BY tx, feed_id LIMIT $3";
    this.changeFeedSql = "SELECT tx::text AS tx_text, id, at, team_id, actor_id, origin, request_id, entity, entity_id, "
        + "action, changes FROM " + schema + ".journal_changes WHERE (tx, id) > ($1::text::xid8, $2) AND " + finished
        + " ORDER BY tx, id LIMIT $3";
    Metrics.gauge(vertx, "trcr.journal.relay.lag.seconds", "Age of the oldest event the journal relay had to publish "
        + "in its last pass (0 when the fast path published everything)", () -> relayLagSeconds, "schema", schema);
    this.relayed = Metrics.counter(vertx, "trcr.journal.relayed", "Events published by the relay instead of the fast "
        + "path (their node died, or publishing failed)", "schema", schema);
  }

  /** Starts the relay; call from the verticle's start. */
  public void startRelay() {
    relayTimer = vertx.setPeriodic(relayIntervalMs, id -> relay());
  }

  public void stopRelay() {
    if (relayTimer != -1) {
      vertx.cancelTimer(relayTimer);
    }
  }

  /** Appends an event to {@code stream} (a catalogue stream) for {@code id} within the caller's transaction. */
  public Future<Event> append(SqlConnection conn, Address stream, Object id, JsonObject payload) {
    return appendTo(conn, stream, stream.address(id), payload);
  }

  /** Appends to a stream whose template has several ids ({@code team.{teamId}.chat.{channelId}}), in template order. */
  public Future<Event> append(SqlConnection conn, Address stream, List<?> ids, JsonObject payload) {
    return appendTo(conn, stream, stream.address(ids.toArray()), payload);
  }

  /** Like {@link #append} with the concrete address already built. */
  public Future<Event> appendTo(SqlConnection conn, Address stream, String address, JsonObject payload) {
    String newEpoch = UUID.randomUUID().toString().substring(0, 8);
    return conn.preparedQuery(appendSql).execute(Tuple.of(address, newEpoch, payload)).map(rows -> {
      Row row = rows.iterator().next();
      return new Event(stream, address, row.getLong("seq"), row.getString("epoch"), payload);
    });
  }

  /**
   * Records a change made by the command {@code cause} within the caller's transaction: the acting user, origin and
   * request id come from its headers. An update that changed nothing records nothing.
   */
  public Future<Void> record(SqlConnection conn, Message<?> cause, Change change) {
    String user = cause.headers().get(Bus.USER_HEADER);
    return insertChange(conn, change, user == null ? null : UUID.fromString(user), Bus.origin(cause),
        Bus.requestId(cause));
  }

  /** Records a change nobody asked for in a command (a job: overdue invoices, forgotten timers). */
  public Future<Void> recordSystem(SqlConnection conn, Change change) {
    return insertChange(conn, change, null, Bus.ORIGIN_SYSTEM, null);
  }

  private Future<Void> insertChange(SqlConnection conn, Change change, UUID actor, String origin, String requestId) {
    if (change.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple row = Tuple.tuple().addValue(change.teamId()).addValue(actor).addValue(origin).addValue(requestId)
        .addValue(change.entity()).addValue(change.entityId()).addValue(change.action()).addValue(change.changes());
    return conn.preparedQuery(changeSql).execute(row).mapEmpty();
  }

  /**
   * The {@code <owner>.journal.feed} command: {@code {of: "events"|"changes", after: cursor|null, limit}} → {@code
   * {items, next}}, the journal's events (every stream) or changes in commit-safe order after the cursor; {@code next}
   * is the cursor to pass next time (the same one when nothing is new). Exactly what was committed, each row once.
   */
  public Future<JsonObject> feed(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    String of = in.string("of", 1, 20);
    boolean events = switch (of) {
      case "events" -> true;
      case "changes" -> false;
      default -> throw ErrorCode.VALIDATION_FAILED.field("of", "of must be events or changes");
    };
    String after = msg.body().getValue("after") instanceof String s ? s : "0:0";
    String[] cursor = after.split(":");
    long afterId;
    if (cursor.length != 2 || !cursor[0].matches("[0-9]{1,20}")) {
      throw ErrorCode.VALIDATION_FAILED.field("after", "after must be a cursor from a previous reply");
    }
    try {
      afterId = Long.parseLong(cursor[1]);
    } catch (NumberFormatException e) {
      throw ErrorCode.VALIDATION_FAILED.field("after", "after must be a cursor from a previous reply");
    }
    int limit = in.integer("limit", 1, 1_000, 500);
    return pool.preparedQuery(events ? eventFeedSql : changeFeedSql).execute(Tuple.of(cursor[0], afterId, limit))
        .map(rows -> {
          JsonArray items = new JsonArray();
          String next = after;
          for (Row r : rows) {
            if (events) {
              next = r.getString("tx_text") + ":" + r.getLong("feed_id");
              items.add(new JsonObject().put("stream", r.getString("stream")).put("seq", r.getLong("seq"))
                  .put("epoch", r.getString("epoch")).put("at", Times.iso(r.getOffsetDateTime("created_at")))
                  .put("payload", r.getValue("payload")));
            } else {
              next = r.getString("tx_text") + ":" + r.getLong("id");
              items.add(new JsonObject().put("id", r.getLong("id")).put("at", Times.iso(r.getOffsetDateTime("at")))
                  .put("teamId", str(r.getUUID("team_id"))).put("actorId", str(r.getUUID("actor_id")))
                  .put("origin", r.getString("origin")).put("requestId", r.getString("request_id"))
                  .put("entity", r.getString("entity")).put("entityId", r.getString("entity_id"))
                  .put("action", r.getString("action")).put("changes", r.getValue("changes")));
            }
          }
          return new JsonObject().put("items", items).put("next", next);
        });
  }

  private static String str(UUID id) {
    return id == null ? null : id.toString();
  }

  /**
   * After commit: publishes what the transaction appended, then marks it published (the relay covers a crash). The
   * marks of all commands within {@link #MARK_BATCH_MS} go in one statement, committed without waiting for its WAL
   * flush ({@code synchronous_commit = off}): a mark lost in a crash only makes the relay publish that event again,
   * which subscribers drop as a repeat. So a command costs one durable commit, not two.
   */
  public void published(List<Event> events) {
    if (!fastPublish || events.isEmpty()) {
      return;
    }
    for (Event e : events) {
      send(e.stream(), e.address(), e.body());
      unmarkedStreams.add(e.address());
      unmarkedSeqs.add(e.seq());
    }
    if (!markPending) {
      markPending = true;
      vertx.setTimer(MARK_BATCH_MS, id -> markPublished());
    }
  }

  private void markPublished() {
    markPending = false;
    // Two array parameters: Tuple.of(a, b) with b an array would spread b over varargs (one parameter per seq).
    Tuple marks = Tuple.tuple().addArrayOfString(unmarkedStreams.toArray(new String[0]))
        .addArrayOfLong(unmarkedSeqs.toArray(new Long[0]));
    unmarkedStreams.clear();
    unmarkedSeqs.clear();
    Database.transaction(pool, conn -> conn.query("SET LOCAL synchronous_commit TO OFF").execute()
            .compose(ignored -> conn.preparedQuery(markBatchSql).execute(marks)))
        .onFailure(err -> LOG.log(System.Logger.Level.WARNING, "marking events published failed; the relay will "
            + "publish them again and subscribers drop the repeats", err));
  }

  private void send(Address stream, String address, JsonObject body) {
    if (stream.browser() == Address.Browser.SUBSCRIBE_SELF) {
      vertx.eventBus().publish(Address.BRIDGE_USER_EVENTS.address(),
          new JsonObject().put("address", address).put("body", body));
    } else {
      vertx.eventBus().publish(address, body);
    }
  }

  /** One relay pass, by one node at a time: publishes events left unpublished for longer than the grace period. */
  private void relay() {
    vertx.sharedData().getLockWithTimeout("trcr.journal.relay." + schema, 10).onSuccess(lock ->
        pool.preparedQuery(unpublishedSql).execute(Tuple.of(relayGraceMs / 1000.0)).compose(rows -> {
          List<Tuple> marks = new ArrayList<>();
          double oldest = 0;
          for (Row r : rows) {
            java.time.OffsetDateTime created = r.getOffsetDateTime("created_at");
            if (created != null) {
              oldest = Math.max(oldest, (System.currentTimeMillis() - created.toInstant().toEpochMilli()) / 1000.0);
            }
            String address = r.getString("stream");
            Address stream = Address.of(address).orElse(null);
            if (stream != null) {
              JsonObject payload = (JsonObject) r.getValue("payload");
              send(stream, address, payload.copy().put("seq", r.getLong("seq")).put("epoch", r.getString("epoch"))
                  .put("ts", System.currentTimeMillis()));
            }
            marks.add(Tuple.of(address, r.getLong("seq")));
          }
          relayLagSeconds = oldest;
          relayed.increment(marks.size());
          return marks.isEmpty() ? Future.succeededFuture() : pool.preparedQuery(markSql).executeBatch(marks);
        }).onComplete(ar -> {
          lock.release();
          if (ar.failed()) {
            LOG.log(System.Logger.Level.WARNING, "journal relay pass failed in " + schema, ar.cause());
          }
        }));
  }

  /**
   * The {@code <owner>.journal.read} command: {@code {stream, after, limit}} → {@code {stream, epoch, lastSeq,
   * events}}, the events after {@code after} in order (at most {@code limit}; 0 asks only for the head).
   */
  public Future<JsonObject> read(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    String stream = in.string("stream", 1, 300);
    if (msg.body().getValue("after") != null && !(msg.body().getValue("after") instanceof Number)) {
      throw ErrorCode.VALIDATION_FAILED.field("after", "after must be a whole number");
    }
    long after = Math.max(0, msg.body().getLong("after", 0L));
    int limit = in.integer("limit", 0, 10_000, 500);
    Future<io.vertx.sqlclient.RowSet<Row>> head = pool.preparedQuery(streamSql).execute(Tuple.of(stream));
    Future<io.vertx.sqlclient.RowSet<Row>> events = limit == 0 ? Future.succeededFuture(null)
        : pool.preparedQuery(readSql).execute(Tuple.of(stream, after, limit));
    return Future.all(head, events).map(ignored -> {
      var it = head.result().iterator();
      JsonObject out = new JsonObject().put("stream", stream);
      if (!it.hasNext()) {
        return out.putNull("epoch").put("lastSeq", 0).put("events", new JsonArray());
      }
      Row h = it.next();
      JsonArray list = new JsonArray();
      if (events.result() != null) {
        for (Row r : events.result()) {
          list.add(((JsonObject) r.getValue("payload")).copy().put("seq", r.getLong("seq"))
              .put("epoch", r.getString("epoch")).put("ts", System.currentTimeMillis()));
        }
      }
      return out.put("epoch", h.getString("epoch")).put("lastSeq", h.getLong("last_seq")).put("events", list);
    });
  }
}
