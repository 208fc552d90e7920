package dev.trcr.api;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Csv;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Streams a paginated list command ({@code {items, next}} replies, {@code cursor} to continue) as RFC 4180 CSV: one
 * page in memory at a time, the next page asked for only once the previous one is written, so a year of entries costs
 * the node one page. A failure before the first byte is an ordinary JSON error; after it, the connection is reset so
 * that a truncated file cannot pass for a whole one.
 */
final class CsvExport {

  /** Turns a page's items into CSV rows; may ask other commands (names) first. */
  interface Rows extends Function<JsonArray, Future<List<List<?>>>> {
  }

  private final Vertx vertx;
  private final long timeoutMs;

  CsvExport(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** {@code first} is the first page, already fetched (its failure is the caller's to answer as JSON). */
  Future<Void> stream(HttpServerResponse response, String filename, List<String> header, Address list,
                      JsonObject query, UUID user, JsonObject first, Rows rows) {
    response.setChunked(true).putHeader("content-type", "text/csv; charset=utf-8")
        .putHeader("content-disposition", "attachment; filename=\"" + filename + "\"");
    return response.write(Csv.row(header)).compose(v -> page(response, list, query, user, first, rows))
        .compose(v -> response.end())
        .onFailure(e -> response.reset());
  }

  private Future<Void> page(HttpServerResponse response, Address list, JsonObject query, UUID user, JsonObject page,
                            Rows rows) {
    return rows.apply(page.getJsonArray("items", new JsonArray())).compose(lines -> {
      StringBuilder chunk = new StringBuilder();
      lines.forEach(line -> chunk.append(Csv.row(line)));
      Future<Void> written = chunk.isEmpty() ? Future.succeededFuture() : response.write(chunk.toString());
      String next = page.getString("next");
      if (next == null) {
        return written;
      }
      return written.compose(v -> Bus.<JsonObject>request(vertx, list, query.copy().put("cursor", next), user, timeoutMs))
          .compose(p -> page(response, list, query, user, p, rows));
    });
  }
}
