package dev.trcr.kernel;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;

/**
 * The request a piece of work belongs to: its origin and request id, kept in the Vert.x context of the command being
 * handled (every bus message is handled on its own duplicated context, and the futures it chains stay on it). Commands
 * sent while handling one carry the same origin and request id ({@link Bus#request}), so a request can be followed
 * through every verticle and node it touches, in the logs and in the audit log.
 */
public final class CallContext {

  /** Where the work came from and which request it serves (either may be null). */
  public record Call(String origin, String requestId) {
  }

  /**
   * Context-local storage must be registered before a Vert.x instance is built: Vert.x loads {@link Registration}
   * (a service provider, see META-INF/services) while it builds every instance, which loads this class first.
   */
  static final ContextLocal<Call> LOCAL = ContextLocal.registerLocal(Call.class);

  private CallContext() {
  }

  /** The call the current context serves, or null (not on a Vert.x thread, or not within a command). */
  public static Call current() {
    Context context = Vertx.currentContext();
    if (context == null) {
      return null;
    }
    try {
      return LOCAL.get(context);
    } catch (RuntimeException e) {
      return null; // an instance built without the slot (cannot happen with the service provider in place)
    }
  }

  static void set(Call call) {
    Context context = Vertx.currentContext();
    if (context != null) {
      try {
        LOCAL.put(context, call);
      } catch (RuntimeException ignored) {
        // see current()
      }
    }
  }

  /** Registers {@link #LOCAL} before Vert.x builds an instance; does nothing else. */
  public static final class Registration implements VertxServiceProvider {

    @Override
    public void init(VertxBootstrap bootstrap) {
      java.util.Objects.requireNonNull(LOCAL);
    }
  }
}
