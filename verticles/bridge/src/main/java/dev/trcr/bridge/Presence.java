package dev.trcr.bridge;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Config;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Which users have an authenticated socket on this node, told to the chat verticles on {@code bridge.presence}. The
 * bus carries this node's user set, never single sockets: a change is published only when a user's first socket here
 * authenticates or their last one closes (changes within {@link #COALESCE_MS} travel together), and the whole set goes
 * out every {@code TRCR_PRESENCE_HEARTBEAT_MS} as a heartbeat. A node that stops sending (killed, cut off) is
 * counted as gone by chat after {@code TRCR_PRESENCE_NODE_TIMEOUT_MS}. Used on the bridge verticle's event loop only.
 */
final class Presence {

  /** Reconnect storms: the changes of this long go out as one event. */
  static final long COALESCE_MS = 25;

  private final Vertx vertx;
  /** A fresh id per start: a restarted node is a new node, and chat forgets the old one by its silence. */
  private final String nodeId = UUID.randomUUID().toString();
  private final long heartbeatMs;
  /** Authenticated sockets per user on this node. */
  private final Map<UUID, Integer> sockets = new HashMap<>();
  /** Net changes not yet published: user → now online (true) or offline (false). */
  private final Map<UUID, Boolean> changes = new LinkedHashMap<>();
  private long flushTimer = -1;
  private long heartbeatTimer = -1;
  private boolean stopped;

  Presence(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.heartbeatMs = Config.integer(config, "TRCR_PRESENCE_HEARTBEAT_MS");
  }

  void start() {
    heartbeatTimer = vertx.setPeriodic(heartbeatMs, id -> snapshot(false));
    snapshot(false);
  }

  /** Orderly stop: the node says it holds nobody, so its users need not wait for the node timeout. */
  void stop() {
    if (stopped) {
      return;
    }
    vertx.cancelTimer(heartbeatTimer);
    sockets.clear();
    snapshot(true);
    stopped = true;
  }

  String nodeId() {
    return nodeId;
  }

  /**
   * A frame of the socket carried a valid token for {@code user}: from now on the socket counts for that user (a
   * socket that proves another user's token moves over). A socket closed meanwhile does not count.
   */
  void authenticated(BridgeSocket socket, UUID user) {
    if (socket.closed() || user.equals(socket.presentAs)) {
      return;
    }
    if (socket.presentAs != null) {
      leave(socket.presentAs);
    }
    socket.presentAs = user;
    sockets.merge(user, 1, Integer::sum);
    if (sockets.get(user) == 1) {
      changed(user, true);
    }
  }

  /** The socket closed: it no longer counts. */
  void closed(BridgeSocket socket) {
    if (socket.presentAs != null) {
      leave(socket.presentAs);
      socket.presentAs = null;
    }
  }

  private void leave(UUID user) {
    Integer left = sockets.computeIfPresent(user, (u, n) -> n > 1 ? n - 1 : null);
    if (left == null) {
      changed(user, false);
    }
  }

  private void changed(UUID user, boolean online) {
    if (stopped) {
      return;
    }
    changes.put(user, online);
    if (flushTimer == -1) {
      flushTimer = vertx.setTimer(COALESCE_MS, id -> flush());
    }
  }

  private void flush() {
    flushTimer = -1;
    if (changes.isEmpty() || stopped) {
      return;
    }
    JsonArray online = new JsonArray();
    JsonArray offline = new JsonArray();
    changes.forEach((user, on) -> (on ? online : offline).add(user.toString()));
    changes.clear();
    vertx.eventBus().publish(Address.BRIDGE_PRESENCE.address(), new JsonObject().put("nodeId", nodeId)
        .put("online", online).put("offline", offline).put("ts", System.currentTimeMillis()));
  }

  /** The whole set; it makes any change still waiting redundant. */
  private void snapshot(boolean leaving) {
    if (stopped) {
      return;
    }
    if (flushTimer != -1) {
      vertx.cancelTimer(flushTimer);
      flushTimer = -1;
    }
    changes.clear();
    JsonArray users = new JsonArray();
    sockets.keySet().forEach(u -> users.add(u.toString()));
    JsonObject event = new JsonObject().put("nodeId", nodeId).put("snapshot", true).put("users", users)
        .put("ts", System.currentTimeMillis());
    if (leaving) {
      event.put("leaving", true);
    }
    vertx.eventBus().publish(Address.BRIDGE_PRESENCE.address(), event);
  }

  /** Users with a socket here (for the node's stats). */
  int userCount() {
    return sockets.size();
  }
}
