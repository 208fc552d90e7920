package dev.trcr.kernel;

/**
 * The one table of machine-readable error codes and the HTTP status each maps to. The bus carries the status as the
 * {@code ReplyException} failure code, REST as the response status; both carry {@code {"error":{"code","message"}}}.
 */
public enum ErrorCode {
  INVALID_JSON(400, "the body is not a JSON object"),
  VALIDATION_FAILED(400, "a field is missing or has a wrong value"),
  INVALID_ID(400, "an id is not a UUID"),
  INVALID_QUERY(400, "the GraphQL request does not parse, or does not fit the schema"),
  QUERY_TOO_DEEP(400, "the GraphQL query nests deeper than the limit"),
  QUERY_TOO_COMPLEX(400, "the GraphQL query selects more than the complexity limit"),
  UNAUTHENTICATED(401, "a valid bearer token is required"),
  INVALID_CREDENTIALS(401, "wrong email or password"),
  INVALID_SIGNATURE(401, "the delivery's signature or token is missing or wrong"),
  FORBIDDEN(403, "the caller's role does not allow this"),
  WRONG_PASSWORD(403, "the current password is wrong"),
  NOT_FOUND(404, "no such route"),
  TEAM_NOT_FOUND(404, "no such team, or the caller is not a member"),
  PROJECT_NOT_FOUND(404, "no such project in this team"),
  USER_NOT_FOUND(404, "no user with this email"),
  ENTRY_NOT_FOUND(404, "no such time entry in this team"),
  TASK_NOT_FOUND(404, "no such task on this board"),
  COLUMN_NOT_FOUND(404, "no such column on this board"),
  CHANNEL_NOT_FOUND(404, "no such channel in this team, or the caller is not a member of it"),
  MESSAGE_NOT_FOUND(404, "no such message in this channel"),
  CLIENT_NOT_FOUND(404, "no such client in this team"),
  INVOICE_NOT_FOUND(404, "no such invoice in this team"),
  INTEGRATION_NOT_FOUND(404, "no such integration in this team"),
  WEBHOOK_NOT_FOUND(404, "no such webhook in this team"),
  NOTIFICATION_NOT_FOUND(404, "no such notification of the caller"),
  METHOD_NOT_ALLOWED(405, "this route does not accept that method"),
  EMAIL_TAKEN(409, "a user with this email exists"),
  ALREADY_MEMBER(409, "the user is already a member of the team"),
  LAST_OWNER(409, "a team keeps at least one owner"),
  PROJECT_NAME_TAKEN(409, "the team has a project of that name"),
  NO_RUNNING_TIMER(409, "the caller has no running timer in this team"),
  PROJECT_KEY_TAKEN(409, "the team has a project with that key"),
  VERSION_CONFLICT(409, "the task changed since the version given"),
  COLUMN_NOT_EMPTY(409, "the column still has tasks"),
  LAST_COLUMN(409, "a board keeps at least one column"),
  CHANNEL_NAME_TAKEN(409, "the team has a channel of that name"),
  MESSAGE_DELETED(409, "the message was deleted"),
  IDEMPOTENCY_IN_PROGRESS(409, "the first request with this idempotency key is still running"),
  ENTRY_LOCKED(409, "the time entry is on an invoice; delete the draft or void the invoice to change it"),
  INVOICE_STATE(409, "the invoice's status does not allow this (e.g. issuing one that is not a draft)"),
  CLIENT_NAME_TAKEN(409, "the team has a client of that name"),
  PAYLOAD_TOO_LARGE(413, "the body is larger than the limit"),
  UNSUPPORTED_MEDIA_TYPE(415, "the body's Content-Type is not one this route reads"),
  IDEMPOTENCY_KEY_REUSED(422, "the idempotency key was used with other parameters"),
  NOTHING_TO_INVOICE(422, "the client's projects have no stopped, uninvoiced time entries in the period"),
  CURRENCY_MISMATCH(422, "the project's currency differs from the client's"),
  RATE_MISSING(422, "a project to be invoiced has no hourly rate for a member who tracked time on it"),
  OVERPAYMENT(422, "the payment is larger than the amount still due"),
  URL_NOT_ALLOWED(422, "the URL is not http(s), or its host is a private, loopback or link-local address not in TRCR_WEBHOOK_ALLOWED_HOSTS"),
  RATE_LIMITED(429, "too many requests; retry after the time in Retry-After"),
  INTERNAL_ERROR(500, "an unexpected error; it has been logged"),
  SERVICE_UNAVAILABLE(503, "the service that handles this is not reachable right now");

  private final int status;
  private final String description;

  ErrorCode(int status, String description) {
    this.status = status;
    this.description = description;
  }

  /** The HTTP status, and the failure code on the bus. */
  public int status() {
    return status;
  }

  /** The machine code clients switch on, e.g. {@code team_not_found}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public String description() {
    return description;
  }

  public TrcrException exception(String message) {
    return new TrcrException(this, message, null);
  }

  public TrcrException exception() {
    return new TrcrException(this, description, null);
  }

  public TrcrException field(String field, String message) {
    return new TrcrException(this, message, field);
  }
}
