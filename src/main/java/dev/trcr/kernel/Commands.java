package dev.trcr.kernel;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The commands one verticle instance serves: registers them (mutating ones behind its {@link Idempotency}), knows
 * when they are all registered cluster-wide, and on shutdown stops taking new ones and lets those in flight finish.
 * Used on the verticle's event loop only.
 */
public final class Commands {

  private final Vertx vertx;
  private final Idempotency idempotency;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private int inFlight;

  /** {@code idempotency} may be null for a verticle with no mutating commands. */
  public Commands(Vertx vertx, Idempotency idempotency) {
    this.vertx = vertx;
    this.idempotency = idempotency;
  }

  /** A command that changes nothing, or that cannot be repeated by its nature (login). */
  public Commands on(Address address, Function<Message<JsonObject>, Future<?>> handler) {
    consumers.add(Bus.command(vertx, address, message -> {
      inFlight++;
      Future<?> outcome;
      try {
        outcome = handler.apply(message);
      } catch (RuntimeException e) {
        inFlight--;
        throw e;
      }
      return outcome.onComplete(ignored -> inFlight--);
    }));
    return this;
  }

  /** A mutating command: repeats with the same idempotency key replay its first outcome. */
  public Commands idempotent(Address address, Function<Message<JsonObject>, Future<?>> handler) {
    return on(address, idempotency.wrap(address, handler));
  }

  /** Completes when every command is registered (cluster-wide, on a clustered node). */
  public Future<Void> ready() {
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /** Stops taking commands, then waits up to {@code maxWaitMs} for those in flight. */
  public Future<Void> drain(long maxWaitMs) {
    Future<Void> unregistered = Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
    long deadline = System.currentTimeMillis() + maxWaitMs;
    return unregistered.recover(ignored -> Future.succeededFuture()).compose(ignored -> idle(deadline));
  }

  private Future<Void> idle(long deadline) {
    if (inFlight == 0 || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(20, id -> idle(deadline).onComplete(later));
    return later.future();
  }
}
