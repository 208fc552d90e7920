package dev.trcr.bridge;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/**
 * The frames of {@code @vertx/eventbus-bridge-client.js} 1.0.0, as the built-in Vert.x bridge writes them. A frame is
 * encoded once and the same buffer is written to every local subscriber.
 */
final class Frames {

  // Error bodies the official client receives in onerror (the built-in bridge's names, plus trcr's own limits).
  static final String ACCESS_DENIED = "access_denied";
  static final String INVALID_JSON = "invalid_json";
  static final String MISSING_TYPE = "missing_type";
  static final String INVALID_TYPE = "invalid_type";
  static final String MISSING_ADDRESS = "missing_address";
  static final String MAX_ADDRESS_LENGTH = "max_address_length_reached";
  static final String MAX_HANDLERS = "max_handlers_reached";
  static final String ALREADY_REGISTERED = "address_already_registered";
  static final String INVALID_REPLY_ADDRESS = "invalid_reply_address";
  static final String FRAME_TOO_LARGE = "frame_too_large";
  static final String TOO_MANY_PENDING_REPLIES = "too_many_pending_replies";
  /** The access check could not be answered (overload): retry the register; not a refusal. */
  static final String REGISTRATION_FAILURE = "registration_failure";
  static final String RATE_LIMITED = "rate_limited";

  private Frames() {
  }

  /** A message delivered to {@code address}: {@code {"type":"rec","address":…,"body":…,"headers"?:…}}. */
  static Buffer rec(String address, Object body, MultiMap headers) {
    JsonObject frame = new JsonObject().put("type", "rec").put("address", address).put("body", body);
    if (headers != null && !headers.isEmpty()) {
      JsonObject copy = new JsonObject();
      for (String name : headers.names()) {
        var values = headers.getAll(name);
        copy.put(name, values.size() == 1 ? values.get(0) : values);
      }
      frame.put("headers", copy);
    }
    return frame.toBuffer();
  }

  /** A protocol error with no address, delivered to the client's {@code onerror}. */
  static Buffer error(String body) {
    return new JsonObject().put("type", "err").put("body", body).toBuffer();
  }

  /** A failed reply to a {@code send}: delivered to the callback registered under {@code replyAddress}. */
  static Buffer failure(String replyAddress, ReplyException failure) {
    return new JsonObject()
        .put("type", "err")
        .put("address", replyAddress)
        .put("failureCode", failure.failureCode())
        .put("failureType", failure.failureType().name())
        .put("message", failure.getMessage())
        .toBuffer();
  }
}
