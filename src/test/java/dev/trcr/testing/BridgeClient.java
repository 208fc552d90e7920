package dev.trcr.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test peer on the bridge's raw WebSocket ({@code /eventbus/websocket}) speaking the frames of
 * {@code @vertx/eventbus-bridge-client.js}: register, send with replyAddress, ping. Frames received are queued.
 */
public final class BridgeClient implements AutoCloseable {

  private final WebSocketClient client;
  private final WebSocket socket;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final java.util.ArrayDeque<JsonObject> held = new java.util.ArrayDeque<>();
  private final Vertx vertx;
  private final long pinger;
  private final java.util.concurrent.CompletableFuture<Integer> closeCode = new java.util.concurrent.CompletableFuture<>();

  private BridgeClient(Vertx vertx, WebSocketClient client, WebSocket socket) {
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    // The raw SockJS WebSocket may use text or binary frames: take both.
    socket.handler(buffer -> frames.add(new JsonObject(buffer)));
    socket.closeHandler(v -> closeCode.complete(socket.closeStatusCode() == null ? -1 : (int) socket.closeStatusCode()));
    this.pinger = vertx.setPeriodic(5_000, id -> socket.writeTextMessage("{\"type\":\"ping\"}"));
  }

  public static BridgeClient connect(Vertx vertx, int port) {
    return connect(vertx, port, null);
  }

  public static BridgeClient connect(Vertx vertx, int port, String origin) {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(port).setURI("/eventbus/websocket");
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    return new BridgeClient(vertx, client, client.connect(options).await());
  }

  public void register(String address, String token) {
    write(frame("register", address, token));
  }

  /** Registers and asks for the events after {@code since} in {@code epoch} first (recovery after a reconnect). */
  public void register(String address, String token, long since, String epoch) {
    JsonObject frame = frame("register", address, token);
    frame.getJsonObject("headers").put("since", Long.toString(since));
    if (epoch != null) {
      frame.getJsonObject("headers").put("epoch", epoch);
    }
    write(frame);
  }

  /** Sends a command with a reply address and waits for the reply frame (or an err frame). */
  public JsonObject request(String address, JsonObject body, String token) {
    String replyAddress = UUID.randomUUID().toString();
    write(frame("send", address, token).put("body", body).put("replyAddress", replyAddress));
    return nextMatching(f -> replyAddress.equals(f.getString("address")) || "err".equals(f.getString("type"))
        && f.getString("address") == null, 10_000);
  }

  public void send(JsonObject frame) {
    write(frame);
  }

  private void write(JsonObject frame) {
    socket.writeTextMessage(frame.encode()).await();
  }

  private static JsonObject frame(String type, String address, String token) {
    JsonObject frame = new JsonObject().put("type", type).put("address", address);
    if (token != null) {
      frame.put("headers", new JsonObject().put("authorization", "Bearer " + token));
    }
    return frame;
  }

  /** The next frame within {@code millis} (frames passed over by {@link #nextMatching} first), or null. */
  public JsonObject next(long millis) {
    if (!held.isEmpty()) {
      return held.removeFirst();
    }
    try {
      return frames.poll(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The first frame that matches within {@code millis}, or null; the others are kept, in order, for later. */
  public JsonObject nextMatching(java.util.function.Predicate<JsonObject> match, long millis) {
    for (var it = held.iterator(); it.hasNext(); ) {
      JsonObject f = it.next();
      if (match.test(f)) {
        it.remove();
        return f;
      }
    }
    long deadline = System.currentTimeMillis() + millis;
    try {
      while (true) {
        long left = deadline - System.currentTimeMillis();
        JsonObject f = left <= 0 ? null : frames.poll(left, TimeUnit.MILLISECONDS);
        if (f == null) {
          return null;
        }
        if (match.test(f)) {
          return f;
        }
        held.addLast(f);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The close code once the server closed the socket within {@code millis}, or null if it is still open. */
  public Integer awaitClose(long millis) {
    try {
      return closeCode.get(millis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      return null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The close reason the server gave, if it closed the socket. */
  public String closeReason() {
    return socket.closeReason();
  }

  /** True if no frame arrives within {@code millis}. */
  public boolean quietFor(long millis) {
    return next(millis) == null;
  }

  @Override
  public void close() {
    vertx.cancelTimer(pinger);
    if (!closeCode.isDone()) {
      socket.close().await();
    }
    client.close().await();
  }
}
