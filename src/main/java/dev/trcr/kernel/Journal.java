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

  private static final System.Logger LOG = System.getLogger(Journal.class.getName());

  private final Vertx vertx;
  private final Pool pool;
  private final String schema;
  private final boolean fastPublish;
  private final long relayIntervalMs;
  private final long relayGraceMs;
  private final String appendSql;
  private final String markSql;
  private final String unpublishedSql;
  private final String readSql;
  private final String streamSql;
  private long relayTimer = -1;

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
    this.unpublishedSql = "SELECT stream, seq, epoch, payload FROM " + schema + ".journal WHERE NOT published "
        + "AND created_at < now() - make_interval(secs => $1) ORDER BY stream, seq LIMIT 1000";
    this.readSql = "SELECT seq, epoch, payload FROM " + schema + ".journal WHERE stream = $1 AND seq > $2 "
        + "ORDER BY seq LIMIT $3";
    this.streamSql = "SELECT epoch, last_seq FROM " + schema + ".journal_streams WHERE stream = $1";
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

  /** After commit: publishes what the transaction appended, then marks it published (the relay covers a crash). */
  public void published(List<Event> events) {
    if (!fastPublish || events.isEmpty()) {
      return;
    }
    List<Tuple> marks = new ArrayList<>(events.size());
    for (Event e : events) {
      send(e.stream(), e.address(), e.body());
      marks.add(Tuple.of(e.address(), e.seq()));
    }
    pool.preparedQuery(markSql).executeBatch(marks)
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
          for (Row r : rows) {
            String address = r.getString("stream");
            Address stream = Address.of(address).orElse(null);
            if (stream != null) {
              JsonObject payload = (JsonObject) r.getValue("payload");
              send(stream, address, payload.copy().put("seq", r.getLong("seq")).put("epoch", r.getString("epoch"))
                  .put("ts", System.currentTimeMillis()));
            }
            marks.add(Tuple.of(address, r.getLong("seq")));
          }
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
