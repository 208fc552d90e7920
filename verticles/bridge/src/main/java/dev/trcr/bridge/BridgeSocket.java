package dev.trcr.bridge;

import dev.trcr.kernel.TokenBucket;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One client's socket on this node (a browser over SockJS or a service over TCP, see {@link Transport}): who it is
 * (once a frame carried a valid token), what it subscribed to, and how far behind it is. Used only on the bridge
 * verticle's event loop.
 */
final class BridgeSocket {

  /** WebSocket close codes in the application range, with the reason a client can log. */
  static final int CLOSE_PING_TIMEOUT = 4000;
  static final int CLOSE_SLOW_CONSUMER = 4008;
  static final int CLOSE_NODE_FULL = 4029;
  /** A TCP frame announced a length far over the frame limit: the stream cannot be resynchronised, so it ends. */
  static final int CLOSE_FRAME_TOO_LARGE = 1009;
  /** The user logged out or changed their password: the token this socket proved is revoked. */
  static final int CLOSE_TOKEN_REVOKED = 4401;

  final Transport sock;
  /** Usually two (the team stream and the user stream): a small table. */
  final Set<String> subscriptions = new HashSet<>(4);
  private final BridgeLimits limits;
  private final Hub hub;

  String token;
  UUID user;
  /** The user this socket counts for in presence (see {@link Presence}); null until a frame proved a token. */
  UUID presentAs;
  int tokenVersion;
  long tokenExpiresAt;
  /** This socket's frames (pings aside); null when the limit is off. */
  final TokenBucket frames;
  int pendingReplies;
  long lastSeen;
  private long congestedSince;
  private long bytesWhileCongested;
  private boolean closed;

  BridgeSocket(Transport sock, BridgeLimits limits, Hub hub) {
    this.sock = sock;
    this.limits = limits;
    this.hub = hub;
    this.lastSeen = System.currentTimeMillis();
    this.frames = limits.framesPerSecond() > 0
        ? new TokenBucket(limits.framesPerSecond(), limits.framesBurst(), System.nanoTime()) : null;
  }

  boolean closed() {
    return closed;
  }

  /**
   * Writes a frame unless the client has stopped reading: while the outbound queue is full, frames still go out (none
   * is dropped), but past {@code maxQueuedBytes} or {@code slowClientMs} the socket is closed, so a stalled client
   * costs the node a bounded amount of memory. The client reconnects and reloads.
   */
  void write(Frame frame) {
    if (closed) {
      return;
    }
    Buffer data = sock.encode(frame);
    if (data == null) {
      return;
    }
    try {
      writeOrCloseSlow(data);
    } catch (IllegalStateException gone) {
      // The transport closed before its close handler ran: this socket is done; the other subscribers are not.
      closedByPeer();
    }
  }

  private void writeOrCloseSlow(Buffer frame) {
    if (sock.writeQueueFull()) {
      long now = System.currentTimeMillis();
      if (congestedSince == 0) {
        congestedSince = now;
        sock.drainHandler(v -> {
          congestedSince = 0;
          bytesWhileCongested = 0;
        });
      }
      bytesWhileCongested += frame.length();
      if (bytesWhileCongested > limits.maxQueuedBytes() || now - congestedSince > limits.slowClientMs()) {
        closeSlow();
        return;
      }
    }
    sock.write(frame);
  }

  /** A live frame kept back while the journal replays what the client missed. */
  private record Held(Long seq, Frame frame) {
  }

  /** Addresses being recovered (register with {@code since}) and the live frames that arrived meanwhile. */
  private Map<String, List<Held>> holding;

  void hold(String address) {
    if (holding == null) {
      holding = new HashMap<>();
    }
    holding.put(address, new ArrayList<>());
  }

  void release(String address) {
    if (holding != null) {
      holding.remove(address);
    }
  }

  /** A live event for one of this socket's addresses: written now, or after that address's replay. */
  void deliver(String address, Long seq, Frame frame) {
    List<Held> held = holding == null ? null : holding.get(address);
    if (held == null) {
      write(frame);
    } else {
      held.add(new Held(seq, frame));
    }
  }

  /**
   * The replay of {@code address} is ready: either a reset, or the missed frames up to {@code lastReplayed}. Then the
   * live frames kept back meanwhile follow, without the ones the replay already carried.
   */
  void replayed(String address, io.vertx.core.json.JsonObject reset, List<Frame> frames, long lastReplayed) {
    List<Held> held = holding == null ? null : holding.remove(address);
    if (held == null || closed) {
      return;
    }
    if (reset != null) {
      write(Frame.event(address, reset));
    } else {
      frames.forEach(this::write);
    }
    for (Held h : held) {
      if (reset != null || h.seq() == null || h.seq() > lastReplayed) {
        write(h.frame());
      }
    }
  }

  /** Called by the node's sweep: closes a socket that went quiet or stayed congested with nothing new to write. */
  void sweep(long now) {
    if (closed) {
      return;
    }
    if (congestedSince != 0 && now - congestedSince > limits.slowClientMs()) {
      closeSlow();
    } else if (now - lastSeen > limits.pingTimeoutMs()) {
      close(CLOSE_PING_TIMEOUT, "no frame or ping for " + limits.pingTimeoutMs() + " ms");
    }
  }

  private void closeSlow() {
    close(CLOSE_SLOW_CONSUMER, "slow consumer: outbound queue full for too long; reconnect and reload");
  }

  /** Closes with a reason (raw WebSockets carry it; SockJS transports close plainly) and drops all subscriptions. */
  void close(int code, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    hub.forget(this);
    sock.close(code, reason);
  }

  /** The socket closed from the other side. */
  void closedByPeer() {
    if (!closed) {
      closed = true;
      hub.forget(this);
    }
  }
}
