package dev.trcr.bridge;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * What a {@link BridgeSocket} is carried by: a browser's SockJS socket or a service's TCP connection. Only the wire
 * differs (frame flavour, how a close is said); limits, authorisation and fan-out are the same for both.
 */
interface Transport {

  /** The frame in this transport's flavour, or null when this transport does not carry it. */
  Buffer encode(Frame frame);

  void write(Buffer data);

  boolean writeQueueFull();

  void drainHandler(Handler<Void> handler);

  /** Closes with an application close code and a reason a client can log. */
  void close(int code, String reason);

  /** A browser over SockJS: WebSocket close codes (SockJS's other transports close plainly). */
  static Transport sockJs(SockJSSocket sock) {
    return new Transport() {
      @Override
      public Buffer encode(Frame frame) {
        return frame.sockJs();
      }

      @Override
      public void write(Buffer data) {
        sock.write(data);
      }

      @Override
      public boolean writeQueueFull() {
        return sock.writeQueueFull();
      }

      @Override
      public void drainHandler(Handler<Void> handler) {
        sock.drainHandler(handler);
      }

      @Override
      public void close(int code, String reason) {
        sock.close(code, reason);
      }
    };
  }

  /**
   * A client on the raw WebSocket ({@code /eventbus/websocket}): SockJS's frames without SockJS's session, each one a
   * binary message as SockJS's own raw transport writes them. Served directly rather than through the SockJS handler
   * so that an open socket keeps nothing of its upgrade request but the WebSocket (a few KB less per socket).
   */
  static Transport webSocket(ServerWebSocket ws) {
    return new Transport() {
      @Override
      public Buffer encode(Frame frame) {
        return frame.sockJs();
      }

      @Override
      public void write(Buffer data) {
        ws.writeBinaryMessage(data);
      }

      @Override
      public boolean writeQueueFull() {
        return ws.writeQueueFull();
      }

      @Override
      public void drainHandler(Handler<Void> handler) {
        ws.drainHandler(handler);
      }

      @Override
      public void close(int code, String reason) {
        ws.close((short) code, reason);
      }
    };
  }

  /**
   * A service over {@code vertx-tcp-eventbus-bridge}'s framing. TCP has no close code, so a last {@code err} frame
   * says why ({@code {"type":"err","message":"socket_closed","code":4401,"reason":…}}) before the connection ends.
   */
  static Transport tcp(NetSocket sock) {
    return new Transport() {
      @Override
      public Buffer encode(Frame frame) {
        return frame.tcp();
      }

      @Override
      public void write(Buffer data) {
        sock.write(data);
      }

      @Override
      public boolean writeQueueFull() {
        return sock.writeQueueFull();
      }

      @Override
      public void drainHandler(Handler<Void> handler) {
        sock.drainHandler(handler);
      }

      @Override
      public void close(int code, String reason) {
        sock.end(Frame.tcpFrame(new JsonObject().put("type", "err").put("message", "socket_closed")
            .put("code", code).put("reason", reason)));
      }
    };
  }
}
