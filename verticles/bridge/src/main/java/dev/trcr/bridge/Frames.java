package dev.trcr.bridge;

/**
 * The error codes a client receives in an {@code err} frame: the built-in Vert.x bridges' names, plus trcr's own
 * limits. Frames themselves are {@link Frame}s, encoded per transport.
 */
final class Frames {

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
}
