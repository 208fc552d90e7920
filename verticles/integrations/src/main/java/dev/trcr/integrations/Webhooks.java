package dev.trcr.integrations;

import dev.trcr.kernel.Commands;
import dev.trcr.kernel.Journal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

/** Outgoing webhooks: registration, the deliveries outbox filled from the journals' events, and the sender. (Stub.) */
final class Webhooks {

  private final Vertx vertx;
  private final Pool pool;

  Webhooks(Vertx vertx, Pool pool, Journal journal, JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
  }

  void register(Commands commands) {
    // integrations.webhooks.*
  }

  void start() {
  }

  Future<Void> stop() {
    return Future.succeededFuture();
  }

  FeedHandler events() {
    return new FeedHandler() {
      @Override
      public String feed() {
        return "events";
      }

      @Override
      public Future<Void> handle(SqlConnection conn, String owner, JsonArray items) {
        return Future.succeededFuture();
      }
    };
  }
}
