package dev.trcr.kernel;

import io.vertx.core.json.JsonObject;

/** {@code java -jar target/trcr.jar}: reads the configuration, starts one node, prints where it listens. */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    Node node;
    try {
      JsonObject config = Config.load(System.getenv());
      node = Node.start(config).await();
    } catch (Config.ConfigException e) {
      System.err.println("trcr: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Throwable e) {
      System.err.println("trcr: failed to start: " + e);
      e.printStackTrace();
      System.exit(1);
      return;
    }
    // SIGTERM (docker stop, systemd, kill): stop in order and exit 0. Other exits still close the node.
    sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> new Thread(() -> {
      System.out.println("trcr: SIGTERM, stopping: no new sockets or commands, finishing what is in flight");
      node.close().await();
      System.exit(0);
    }, "trcr-sigterm").start());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> node.close().await(), "trcr-shutdown"));
    System.out.println("trcr is running (verticles: " + node.config().getString("TRCR_VERTICLES") + ")");
    if (node.httpPort() > 0) {
      System.out.println("  app and REST API: http://localhost:" + node.httpPort() + "/");
      System.out.println("  health:           http://localhost:" + node.httpPort() + "/health");
    }
    if (node.bridgePort() > 0) {
      System.out.println("  event-bus bridge: http://localhost:" + node.bridgePort() + "/eventbus");
    }
  }
}
