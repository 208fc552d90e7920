package dev.trcr.kernel;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/** {@code GET /health}: UP when this node's verticles are all deployed and PostgreSQL answers; 503 otherwise. */
public final class Health {

  private Health() {
  }

  public static void handle(Vertx vertx, Pool pool, RoutingContext ctx) {
    boolean ready = Boolean.TRUE.equals(vertx.sharedData().getLocalMap(Node.LOCAL_MAP).get("ready"));
    Future<Boolean> db = pool.query("SELECT 1").execute().map(rows -> true).otherwise(false);
    db.onComplete(ar -> {
      boolean up = ready && ar.result();
      JsonObject body = new JsonObject()
          .put("status", up ? "UP" : "DOWN")
          .put("checks", new JsonObject()
              .put("verticles", ready ? "UP" : "DOWN")
              .put("database", ar.result() ? "UP" : "DOWN"));
      ctx.response().setStatusCode(up ? 200 : 503)
          .putHeader("content-type", "application/json")
          .putHeader("cache-control", "no-store")
          .end(body.encode());
    });
  }
}
