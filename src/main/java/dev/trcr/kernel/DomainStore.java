package dev.trcr.kernel;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/**
 * What a domain verticle keeps in PostgreSQL, opened and closed in one place: its schema migrated (its own migrations,
 * then the kernel's tables), its pool, its {@link Journal} with the relay running, its {@link Idempotency} store
 * purged hourly, and the {@link Commands} it serves. {@link #close} stops taking commands, lets those in flight finish
 * and closes the pool. One per verticle instance, used on its event loop.
 */
public final class DomainStore {

  private static final long PURGE_EVERY_MS = 3_600_000;
  private static final long DRAIN_MS = 10_000;

  private final Vertx vertx;
  private final Pool pool;
  private final Journal journal;
  private final Commands commands;
  private final long purger;

  private DomainStore(Vertx vertx, Pool pool, Journal journal, Commands commands, long purger) {
    this.vertx = vertx;
    this.pool = pool;
    this.journal = journal;
    this.commands = commands;
    this.purger = purger;
  }

  /** Migrates {@code schema} and opens everything; register commands on {@link #commands()}, then await ready. */
  public static Future<DomainStore> open(Vertx vertx, JsonObject config, String schema) {
    return Database.migrate(vertx, config, schema)
        .compose(ignored -> Database.migrateKernelTables(vertx, config, schema))
        .map(ignored -> {
          Pool pool = Database.pool(vertx, config, schema);
          Journal journal = new Journal(vertx, pool, schema, config);
          Idempotency idempotency = new Idempotency(vertx, pool, schema, config);
          long purger = vertx.setPeriodic(PURGE_EVERY_MS, id -> idempotency.purge());
          journal.startRelay();
          return new DomainStore(vertx, pool, journal, new Commands(vertx, idempotency), purger);
        });
  }

  public Pool pool() {
    return pool;
  }

  public Journal journal() {
    return journal;
  }

  public Commands commands() {
    return commands;
  }

  /** Takes no new command, lets those in flight commit and publish, then closes the pool. */
  public Future<Void> close() {
    journal.stopRelay();
    vertx.cancelTimer(purger);
    return commands.drain(DRAIN_MS).compose(ignored -> pool.close());
  }
}
