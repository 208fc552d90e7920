package dev.trcr.kernel;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.function.Function;

/**
 * The opaque cursor of every keyset-paginated list ({@code {items, next}} replies): the last item's sort instant and
 * id, as base64url of {@code "<instant>|<id>"}. Clients pass it back unchanged; it is not a contract beyond that, but
 * the same format everywhere lets an edge (GraphQL's connections) build one for any item of a page.
 */
public record Keyset(Instant at, UUID id) {

  public String encode() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((at + "|" + id).getBytes(StandardCharsets.UTF_8));
  }

  /** The cursor in {@code text}, {@code null} for none; anything this API did not hand out is a 400 on {@code cursor}. */
  public static Keyset decode(String text) {
    if (text == null) {
      return null;
    }
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|");
      return new Keyset(Instant.parse(parts[0]), UUID.fromString(parts[1]));
    } catch (RuntimeException e) {
      throw ErrorCode.VALIDATION_FAILED.field("cursor", "cursor is not one this API returned");
    }
  }

  /**
   * A page reply {@code {items, next}} from rows fetched with {@code LIMIT limit + 1}: the extra row only tells that
   * there is more, and {@code next} is the cursor of the last item shown ({@code instantColumn} and {@code id}).
   */
  public static JsonObject page(Iterable<Row> rows, int limit, String instantColumn, Function<Row, Object> item) {
    JsonArray items = new JsonArray();
    Row last = null;
    boolean more = false;
    for (Row r : rows) {
      if (items.size() == limit) {
        more = true;
        break;
      }
      items.add(item.apply(r));
      last = r;
    }
    String next = more ? new Keyset(last.getOffsetDateTime(instantColumn).toInstant(), last.getUUID("id")).encode()
        : null;
    return new JsonObject().put("items", items).put("next", next);
  }
}
