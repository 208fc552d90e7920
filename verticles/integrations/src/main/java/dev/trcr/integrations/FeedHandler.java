package dev.trcr.integrations;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.SqlConnection;

/** What one part of integrations does with a page of an owner's journal feed, in the transaction that moves the cursor. */
interface FeedHandler {

  /** The kind of feed read: {@code events} or {@code changes}. */
  String feed();

  /**
   * Writes what the items mean (in feed order) on {@code conn}; the cursor moves in the same transaction, so a
   * failure leaves the page to be read again.
   */
  Future<Void> handle(SqlConnection conn, String owner, JsonArray items);

  /** After the transaction committed (e.g. wake a sender). */
  default void committed() {
  }
}
