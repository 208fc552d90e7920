package dev.trcr.integrations;

import dev.trcr.kernel.Commands;
import dev.trcr.kernel.Journal;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/** Git sync: GitHub/GitLab integrations and their hooks, linking commits to tasks and summarising pushes. (Stub.) */
final class GitSync {

  private final Vertx vertx;
  private final Pool pool;

  GitSync(Vertx vertx, Pool pool, Journal journal, JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
  }

  void register(Commands commands) {
    // integrations.git.*
  }
}
