package dev.trcr.integrations;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Commands;
import dev.trcr.kernel.Config;
import dev.trcr.kernel.DomainStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.List;

/**
 * Integrations: git sync ({@link GitSync}: provider hooks link commits to tasks and post to chat), outgoing signed
 * webhooks ({@link Webhooks}: the team's journal events, at least once, in order per webhook) and the audit log
 * ({@link AuditLog}: every recorded change of every verticle). Webhooks and the audit log read the other verticles'
 * journals through their {@code <owner>.journal.feed} commands ({@link Feed}); like every verticle, this one talks to
 * the rest only over the bus.
 */
public final class IntegrationsVerticle extends VerticleBase {

  private DomainStore store;
  private AuditLog audit;
  private Webhooks webhooks;
  private GitSync git;
  private Feed feed;

  @Override
  public Future<?> start() {
    return DomainStore.open(vertx, config(), "integrations").compose(opened -> {
      store = opened;
      audit = new AuditLog(vertx, store.pool(), store.journal(), config());
      webhooks = new Webhooks(vertx, store.pool(), store.journal(), config());
      git = new GitSync(vertx, store.pool(), store.journal(), config());
      Commands commands = store.commands()
          .on(Address.INTEGRATIONS_JOURNAL_READ, store.journal()::read)
          .on(Address.INTEGRATIONS_JOURNAL_FEED, store.journal()::feed);
      audit.register(commands);
      webhooks.register(commands);
      git.register(commands);
      feed = new Feed(vertx, store.pool(), List.of(audit.changes(), webhooks.events()),
          Math.max(50, Config.integer(config(), "TRCR_INTEGRATIONS_POLL_MS")));
      return commands.ready().onSuccess(ignored -> {
        webhooks.start();
        feed.start();
      });
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> feedStopped = feed == null ? Future.succeededFuture() : feed.stop();
    return feedStopped
        .compose(ignored -> webhooks == null ? Future.succeededFuture() : webhooks.stop())
        .compose(ignored -> store == null ? Future.succeededFuture() : store.close());
  }
}
