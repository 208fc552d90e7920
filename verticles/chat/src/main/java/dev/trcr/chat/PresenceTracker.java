package dev.trcr.chat;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Config;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.Times;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Presence: a user is online while any bridge node reports an authenticated socket of theirs, offline once none has
 * for {@code TRCR_PRESENCE_GRACE_MS} (so that a page reload does not flicker).
 *
 * <p>Every chat instance follows every bridge node's reports ({@code bridge.presence}: changes, and the whole set as a
 * heartbeat) in memory; a node not heard from for {@code TRCR_PRESENCE_NODE_TIMEOUT_MS} is gone, and so are its
 * users, after the same grace. Nothing of this is authoritative, and a restarted instance rebuilds it from the next
 * heartbeats. The instances agree on each change in {@code chat.presence}: the one whose update flips the row asks
 * the workspace for the user's teams and publishes {@code team.{teamId}.presence}, not journaled. Used on the chat
 * verticle's event loop only.
 */
final class PresenceTracker {

  private static final System.Logger LOG = System.getLogger(PresenceTracker.class.getName());

  private final Vertx vertx;
  private final Pool pool;
  private final long graceMs;
  private final long nodeTimeoutMs;
  private final long sweepMs;
  private final Map<String, NodeView> nodes = new HashMap<>();
  /** Per user: how many live bridge nodes report a socket of theirs. */
  private final Map<UUID, Integer> nodeCount = new HashMap<>();
  /** Users whose last socket went away, until the grace ends. */
  private final Map<UUID, Long> graceTimers = new HashMap<>();
  /** Changes decided but not yet written: user → online. */
  private final Map<UUID, Boolean> pending = new LinkedHashMap<>();
  private boolean flushScheduled;
  /** Writes happen one after another, so that the table sees this instance's changes in the order it made them. */
  private Future<Void> writing = Future.succeededFuture();
  private MessageConsumer<JsonObject> reports;
  private long sweeper = -1;
  private long warmUp = -1;

  /** One bridge node as last heard. */
  private static final class NodeView {
    final Set<UUID> users = new HashSet<>();
    long heardAt;
  }

  PresenceTracker(Vertx vertx, Pool pool, JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
    this.graceMs = Config.integer(config, "TRCR_PRESENCE_GRACE_MS");
    this.nodeTimeoutMs = Config.integer(config, "TRCR_PRESENCE_NODE_TIMEOUT_MS");
    this.sweepMs = Math.max(50, Math.min(1_000, nodeTimeoutMs / 4));
  }

  /** The bound within which a dead bridge node's users are announced offline (plus a database write). */
  long offlineBoundMs() {
    return nodeTimeoutMs + sweepMs + graceMs;
  }

  Future<Void> start() {
    reports = vertx.eventBus().consumer(Address.BRIDGE_PRESENCE.address(), this::onReport);
    sweeper = vertx.setPeriodic(sweepMs, id -> sweep());
    // By then every live bridge node has sent its whole set: whoever the table still has online left meanwhile.
    warmUp = vertx.setTimer(nodeTimeoutMs + sweepMs, id -> reconcile());
    return reports.completion();
  }

  Future<Void> stop() {
    vertx.cancelTimer(sweeper);
    vertx.cancelTimer(warmUp);
    graceTimers.values().forEach(vertx::cancelTimer);
    graceTimers.clear();
    Future<Void> unregistered = reports == null ? Future.succeededFuture() : reports.unregister();
    return unregistered.compose(ignored -> writing);
  }

  // --- following the bridge nodes -----------------------------------------------------------------------------------

  private void onReport(Message<JsonObject> message) {
    try {
      report(message.body());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "ignored a malformed bridge.presence report: " + e.getMessage());
    }
  }

  private void report(JsonObject report) {
    String nodeId = report.getString("nodeId");
    if (nodeId == null) {
      return;
    }
    NodeView view = nodes.computeIfAbsent(nodeId, id -> new NodeView());
    view.heardAt = System.nanoTime();
    if (report.getBoolean("snapshot", false)) {
      Set<UUID> users = uuids(report.getJsonArray("users"));
      for (UUID u : new ArrayList<>(view.users)) {
        if (!users.contains(u)) {
          view.users.remove(u);
          left(u);
        }
      }
      for (UUID u : users) {
        if (view.users.add(u)) {
          joined(u);
        }
      }
      if (report.getBoolean("leaving", false)) {
        nodes.remove(nodeId);
      }
    } else {
      for (UUID u : uuids(report.getJsonArray("online"))) {
        if (view.users.add(u)) {
          joined(u);
        }
      }
      for (UUID u : uuids(report.getJsonArray("offline"))) {
        if (view.users.remove(u)) {
          left(u);
        }
      }
    }
  }

  /** Nodes silent for longer than the timeout are gone (killed, or cut off): their users leave, with the grace. */
  private void sweep() {
    long now = System.nanoTime();
    for (var it = nodes.entrySet().iterator(); it.hasNext(); ) {
      NodeView view = it.next().getValue();
      if ((now - view.heardAt) / 1_000_000 > nodeTimeoutMs) {
        it.remove();
        view.users.forEach(this::left);
      }
    }
  }

  private void joined(UUID user) {
    int count = nodeCount.merge(user, 1, Integer::sum);
    if (count > 1) {
      return;
    }
    Long grace = graceTimers.remove(user);
    if (grace != null) {
      vertx.cancelTimer(grace); // back within the grace (a reload): nobody saw them leave
      return;
    }
    decided(user, true);
  }

  private void left(UUID user) {
    Integer count = nodeCount.get(user);
    if (count == null) {
      return;
    }
    if (count > 1) {
      nodeCount.put(user, count - 1);
      return;
    }
    nodeCount.remove(user);
    graceTimers.put(user, vertx.setTimer(Math.max(1, graceMs), id -> {
      graceTimers.remove(user);
      if (!nodeCount.containsKey(user)) {
        decided(user, false);
      }
    }));
  }

  // --- telling the teams --------------------------------------------------------------------------------------------

  /** Changes decided in one turn of the event loop (a heartbeat, a dead node) are written and told together. */
  private void decided(UUID user, boolean online) {
    pending.put(user, online);
    if (!flushScheduled) {
      flushScheduled = true;
      vertx.runOnContext(v -> {
        flushScheduled = false;
        flush();
      });
    }
  }

  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    List<UUID> online = new ArrayList<>();
    List<UUID> offline = new ArrayList<>();
    pending.forEach((user, on) -> (on ? online : offline).add(user));
    pending.clear();
    writing = writing.transform(ignored -> set(online, "online"))
        .compose(changed -> set(offline, "offline").map(more -> {
          changed.putAll(more);
          return changed;
        }))
        .compose(this::announce)
        .recover(e -> {
          LOG.log(System.Logger.Level.WARNING, "a presence change could not be written or told", e);
          return Future.succeededFuture();
        });
  }

  /** Writes the status; answers the users whose row it changed (the ones this instance tells). */
  private Future<Map<UUID, String>> set(List<UUID> users, String status) {
    Map<UUID, String> changed = new LinkedHashMap<>();
    if (users.isEmpty()) {
      return Future.succeededFuture(changed);
    }
    return pool.preparedQuery(ChatSql.PRESENCE_SET).execute(Tuple.of(users.toArray(UUID[]::new), status))
        .map(rows -> {
          rows.forEach(r -> changed.put(r.getUUID("user_id"), status));
          return changed;
        });
  }

  /** Once warm: the table's online users that no bridge node reports (they left while no chat instance ran). */
  private void reconcile() {
    Set<UUID> present = new HashSet<>(nodeCount.keySet());
    present.addAll(graceTimers.keySet());
    pending.forEach((user, on) -> {
      if (on) {
        present.add(user);
      }
    });
    writing = writing.transform(ignored -> pool.preparedQuery(ChatSql.PRESENCE_RECONCILE)
            .execute(Tuple.of((Object) present.toArray(UUID[]::new))))
        .compose(rows -> {
          Map<UUID, String> changed = new LinkedHashMap<>();
          rows.forEach(r -> changed.put(r.getUUID("user_id"), "offline"));
          return announce(changed);
        })
        .recover(e -> {
          LOG.log(System.Logger.Level.WARNING, "presence could not be reconciled with the table", e);
          return Future.succeededFuture();
        });
  }

  private Future<Void> announce(Map<UUID, String> changed) {
    if (changed.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonArray ids = new JsonArray();
    changed.keySet().forEach(u -> ids.add(u.toString()));
    return Bus.<JsonObject>request(vertx, Address.WORKSPACE_USERS_TEAMS, new JsonObject().put("userIds", ids), null)
        .map(reply -> {
          JsonObject teams = reply.getJsonObject("teams", new JsonObject());
          long ts = System.currentTimeMillis();
          changed.forEach((user, status) -> {
            for (Object team : teams.getJsonArray(user.toString(), new JsonArray())) {
              vertx.eventBus().publish(Address.TEAM_PRESENCE.address(team), new JsonObject()
                  .put("type", "presence").put("teamId", team).put("userId", user.toString())
                  .put("status", status).put("ts", ts));
            }
          });
          return (Void) null;
        });
  }

  // --- reading ------------------------------------------------------------------------------------------------------

  /** {@code chat.presence.list}: the caller's team's members (404 team_not_found otherwise) with their presence. */
  Future<JsonArray> list(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    return Bus.<JsonArray>request(vertx, Address.WORKSPACE_MEMBERS_LIST,
        new JsonObject().put("teamId", teamId.toString()), caller).compose(members -> {
          UUID[] ids = new UUID[members.size()];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = UUID.fromString(members.getJsonObject(i).getJsonObject("user").getString("id"));
          }
          return pool.preparedQuery(ChatSql.PRESENCE_OF_USERS).execute(Tuple.of((Object) ids))
              .map(rows -> members(members, rows));
        });
  }

  private static JsonArray members(JsonArray members, RowSet<Row> rows) {
    Map<UUID, Row> byUser = new HashMap<>();
    rows.forEach(r -> byUser.put(r.getUUID("user_id"), r));
    JsonArray out = new JsonArray();
    for (Object o : members) {
      JsonObject user = ((JsonObject) o).getJsonObject("user");
      Row r = byUser.get(UUID.fromString(user.getString("id")));
      out.add(new JsonObject().put("userId", user.getString("id")).put("name", user.getString("name"))
          .put("status", r == null ? "offline" : r.getString("status"))
          .put("since", r == null ? null : Times.iso(r.getOffsetDateTime("changed_at"))));
    }
    return out;
  }

  private static Set<UUID> uuids(JsonArray array) {
    Set<UUID> out = new HashSet<>();
    if (array != null) {
      for (Object o : array) {
        out.add(UUID.fromString((String) o));
      }
    }
    return out;
  }
}
