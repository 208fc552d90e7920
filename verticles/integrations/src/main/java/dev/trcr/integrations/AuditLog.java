package dev.trcr.integrations;

import dev.trcr.kernel.Commands;
import dev.trcr.kernel.Journal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

/** The audit log: every change recorded in the journals, kept per team, listed to owners and admins. (Stub.) */
final class AuditLog {

  private final Vertx vertx;
  private final Pool pool;

  AuditLog(Vertx vertx, Pool pool, Journal journal, JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
  }

  void register(Commands commands) {
    // integrations.audit.list
  }

  FeedHandler changes() {
    return new FeedHandler() {
      @Override
      public String feed() {
        return "changes";
      }

      @Override
      public Future<Void> handle(SqlConnection conn, String owner, JsonArray items) {
        return Future.succeededFuture();
      }
    };
  }
}
