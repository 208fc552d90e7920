package dev.trcr.kernel;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Typed, validating reads of a command's JSON body. Each failure names the field and carries the shared codes
 * ({@code validation_failed}, {@code invalid_id}), so REST and bridge clients see the same clear 400.
 */
public final class Input {

  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");

  private final JsonObject body;

  private Input(JsonObject body) {
    this.body = body;
  }

  public static Input of(JsonObject body) {
    return new Input(body == null ? new JsonObject() : body);
  }

  public boolean has(String field) {
    return body.getValue(field) != null;
  }

  public boolean present(String field) {
    return body.containsKey(field);
  }

  public String string(String field, int minLength, int maxLength) {
    String value = optionalString(field, maxLength);
    if (value == null) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " is required");
    }
    if (value.codePointCount(0, value.length()) < minLength) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must have at least " + minLength + " characters");
    }
    return value;
  }

  /** A trimmed string or null; empty after trimming counts as absent. */
  public String optionalString(String field, int maxLength) {
    Object raw = body.getValue(field);
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof String s)) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be a string");
    }
    if (s.indexOf('\u0000') >= 0) {
      // PostgreSQL's text cannot hold NUL: refuse it here as the client's mistake, not as a database failure.
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must not contain NUL characters");
    }
    String value = s.strip();
    if (value.codePointCount(0, value.length()) > maxLength) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must have at most " + maxLength + " characters");
    }
    return value.isEmpty() ? null : value;
  }

  /** A password is taken as typed (no trimming). */
  public String password(String field, int minLength, int maxLength) {
    Object raw = body.getValue(field);
    if (!(raw instanceof String s)) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + (raw == null ? " is required" : " must be a string"));
    }
    int length = s.codePointCount(0, s.length());
    if (length < minLength || length > maxLength) {
      throw ErrorCode.VALIDATION_FAILED.field(field,
          field + " must have between " + minLength + " and " + maxLength + " characters");
    }
    return s;
  }

  public String email(String field) {
    String value = string(field, 3, 254).toLowerCase(Locale.ROOT);
    if (!EMAIL.matcher(value).matches()) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " is not an email address");
    }
    return value;
  }

  public UUID uuid(String field) {
    UUID value = optionalUuid(field);
    if (value == null) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " is required");
    }
    return value;
  }

  public UUID optionalUuid(String field) {
    Object raw = body.getValue(field);
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof String s)) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be a UUID string");
    }
    return parseUuid(field, s);
  }

  public static UUID parseUuid(String field, String s) {
    if (s.length() != 36) {
      throw ErrorCode.INVALID_ID.field(field, field + " is not a UUID: " + abbreviate(s));
    }
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      throw ErrorCode.INVALID_ID.field(field, field + " is not a UUID: " + abbreviate(s));
    }
  }

  public Instant instant(String field) {
    Instant value = optionalInstant(field);
    if (value == null) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " is required");
    }
    return value;
  }

  public Instant optionalInstant(String field) {
    Object raw = body.getValue(field);
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof String s)) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be an ISO-8601 instant string");
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      try {
        return java.time.OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e2) {
        throw ErrorCode.VALIDATION_FAILED.field(field,
            field + " must be an ISO-8601 instant like 2026-01-02T09:00:00Z");
      }
    }
  }

  public String oneOf(String field, Set<String> allowed, String fallback) {
    Object raw = body.getValue(field);
    if (raw == null) {
      if (fallback == null) {
        throw ErrorCode.VALIDATION_FAILED.field(field, field + " is required");
      }
      return fallback;
    }
    if (!(raw instanceof String s) || !allowed.contains(s)) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be one of " + String.join(", ", allowed));
    }
    return s;
  }

  /** A decimal given as a JSON number or string, never through a double. */
  public BigDecimal optionalDecimal(String field) {
    Object raw = body.getValue(field);
    if (raw == null) {
      return null;
    }
    if (raw instanceof Double || raw instanceof Float) {
      // JsonObject parses JSON numbers with a fraction as Double: go back to the shortest decimal text.
      return new BigDecimal(raw.toString());
    }
    if (raw instanceof Number || raw instanceof String) {
      try {
        return new BigDecimal(raw.toString().strip());
      } catch (NumberFormatException e) {
        throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be a decimal number");
      }
    }
    throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be a decimal number");
  }

  public int integer(String field, int min, int max, int fallback) {
    Object raw = body.getValue(field);
    if (raw == null) {
      return fallback;
    }
    long value;
    if (raw instanceof Integer || raw instanceof Long) {
      value = ((Number) raw).longValue();
    } else if (raw instanceof String s && s.matches("-?\\d{1,9}")) {
      value = Long.parseLong(s);
    } else {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be a whole number");
    }
    if (value < min || value > max) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be between " + min + " and " + max);
    }
    return (int) value;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
