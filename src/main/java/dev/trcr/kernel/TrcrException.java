package dev.trcr.kernel;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/** A failure with a machine code: what a handler throws or fails a future with for any expected error. */
public final class TrcrException extends RuntimeException {

  private final ErrorCode code;
  private final String field;

  TrcrException(ErrorCode code, String message, String field) {
    super(message, null, false, false);
    this.code = code;
    this.field = field;
  }

  public ErrorCode code() {
    return code;
  }

  /** The JSON error object every channel shows: {@code {"error":{"code","message","field"?}}}. */
  public JsonObject toJson() {
    return errorJson(code.code(), getMessage(), field);
  }

  public ReplyException toReply() {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code.status(), toJson().encode());
  }

  public static JsonObject errorJson(String code, String message, String field) {
    JsonObject error = new JsonObject().put("code", code).put("message", message);
    if (field != null) {
      error.put("field", field);
    }
    return new JsonObject().put("error", error);
  }
}
