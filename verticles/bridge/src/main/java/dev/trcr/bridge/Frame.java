package dev.trcr.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/**
 * One outbound frame, encoded at most once per wire flavour and shared by every socket it goes to: SockJS sockets get
 * the frames of {@code @vertx/eventbus-bridge-client.js}, TCP sockets those of {@code vertx-tcp-eventbus-bridge}
 * (length-prefixed, {@code message} for deliveries and replies, {@code err} with {@code message}, {@code pong}). The
 * rules that decide what is written live in {@link BridgeProtocol} and {@link Hub}, once for both.
 */
final class Frame {

  private enum Kind { EVENT, REPLY, ERROR, FAILURE, PONG }

  private final Kind kind;
  private final String address;
  private final Object body;
  private final ReplyException failure;
  private final String sourceAddress;
  private Buffer sockJs;
  private Buffer tcp;

  private Frame(Kind kind, String address, Object body, ReplyException failure, String sourceAddress) {
    this.kind = kind;
    this.address = address;
    this.body = body;
    this.failure = failure;
    this.sourceAddress = sourceAddress;
  }

  /** An event of a stream the socket subscribed to. */
  static Frame event(String address, Object body) {
    return new Frame(Kind.EVENT, address, body, null, null);
  }

  /** The reply to a {@code send}, to the client's {@code replyAddress}. */
  static Frame reply(String replyAddress, Object body) {
    return new Frame(Kind.REPLY, replyAddress, body, null, null);
  }

  /** A protocol error with no address (one of the codes in {@link Frames}). */
  static Frame error(String code) {
    return new Frame(Kind.ERROR, null, code, null, null);
  }

  /** A failed reply to a {@code send} of {@code sourceAddress}, to the client's {@code replyAddress}. */
  static Frame failure(String replyAddress, String sourceAddress, ReplyException failure) {
    return new Frame(Kind.FAILURE, replyAddress, null, failure, sourceAddress);
  }

  /** The answer to a ping over TCP; the SockJS client expects none. */
  static Frame pong() {
    return new Frame(Kind.PONG, null, null, null, null);
  }

  /** {@code {"type":"rec"|"err",…}} as the SockJS client reads it; null for a frame SockJS does not carry. */
  Buffer sockJs() {
    if (sockJs == null && kind != Kind.PONG) {
      JsonObject frame = switch (kind) {
        case EVENT, REPLY -> new JsonObject().put("type", "rec").put("address", address).put("body", body);
        case ERROR -> new JsonObject().put("type", "err").put("body", body);
        default -> failureJson(false);
      };
      sockJs = frame.toBuffer();
    }
    return sockJs;
  }

  /** A 4-byte big-endian length, then the JSON frame as {@code vertx-tcp-eventbus-bridge}'s clients read it. */
  Buffer tcp() {
    if (tcp == null) {
      JsonObject frame = switch (kind) {
        case EVENT, REPLY -> new JsonObject().put("type", "message").put("address", address)
            .put("headers", new JsonObject()).put("send", kind == Kind.REPLY).put("body", body);
        case ERROR -> new JsonObject().put("type", "err").put("message", tcpCode((String) body));
        case FAILURE -> failureJson(true);
        case PONG -> new JsonObject().put("type", "pong");
      };
      tcp = tcpFrame(frame);
    }
    return tcp;
  }

  static Buffer tcpFrame(JsonObject frame) {
    Buffer json = frame.toBuffer();
    return Buffer.buffer(4 + json.length()).appendInt(json.length()).appendBuffer(json);
  }

  private JsonObject failureJson(boolean tcp) {
    JsonObject frame = new JsonObject().put("type", "err").put("address", address);
    if (tcp) {
      frame.put("sourceAddress", sourceAddress);
    }
    return frame.put("failureCode", failure.failureCode())
        .put("failureType", failure.failureType().name())
        .put("message", failure.getMessage());
  }

  /** The TCP library names an unknown frame type differently; every other code is the same on both transports. */
  private static String tcpCode(String code) {
    return Frames.INVALID_TYPE.equals(code) ? "unknown_type" : code;
  }
}
