package dev.trcr.kernel;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One trcr node: a Vert.x instance (clustered over Hazelcast when {@code TRCR_CLUSTER=true}) running the verticles
 * named in {@code TRCR_VERTICLES}. Verticles are deployed by class name so that the kernel never depends on them.
 */
public final class Node {

  /** Every verticle, in deployment order: domain verticles first, so the edges open only when commands have handlers. */
  public static final Map<String, String> VERTICLES = verticles();

  /** Shared-data map (local to one Vert.x instance) where verticles publish what the launcher reports. */
  public static final String LOCAL_MAP = "trcr.node";

  private final Vertx vertx;
  private final JsonObject config;
  private final EmbeddedDatabase embedded;
  /** Deployment ids in deployment order: closing undeploys them in reverse, edges first. */
  private final List<String> deployments;
  private final io.micrometer.core.instrument.MeterRegistry registry;
  private Future<Void> closing;

  private Node(Vertx vertx, JsonObject config, EmbeddedDatabase embedded, List<String> deployments,
               io.micrometer.core.instrument.MeterRegistry registry) {
    this.registry = registry;
    this.vertx = vertx;
    this.config = config;
    this.embedded = embedded;
    this.deployments = deployments;
  }

  private static Map<String, String> verticles() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("workspace", "dev.trcr.workspace.WorkspaceVerticle");
    m.put("timers", "dev.trcr.timers.TimersVerticle");
    m.put("chat", "dev.trcr.chat.ChatVerticle");
    m.put("board", "dev.trcr.board.BoardVerticle");
    m.put("billing", "dev.trcr.billing.BillingVerticle");
    m.put("notifications", "dev.trcr.notifications.NotificationsVerticle");
    m.put("integrations", "dev.trcr.integrations.IntegrationsVerticle");
    m.put("api", "dev.trcr.api.ApiVerticle");
    m.put("bridge", "dev.trcr.bridge.BridgeVerticle");
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Checks the configuration, starts the embedded PostgreSQL if none is configured, then starts Vert.x and deploys.
   * Blocks while it prepares: call it from a plain thread (main, or a test), never from an event loop.
   */
  public static Future<Node> start(JsonObject given) {
    JsonObject config = given.copy();
    List<String> names = verticleNames(config);
    boolean clustered = Config.flag(config, "TRCR_CLUSTER");
    Path dataDir = Path.of(Config.string(config, "TRCR_DATA_DIR") == null ? "./data" : Config.string(config, "TRCR_DATA_DIR"));
    if (clustered && Config.string(config, "TRCR_PG_URL") == null) {
      throw new Config.ConfigException("TRCR_CLUSTER=true needs TRCR_PG_URL: all nodes must share one PostgreSQL");
    }
    if (clustered && Config.string(config, "TRCR_JWT_SECRET") == null) {
      throw new Config.ConfigException("TRCR_CLUSTER=true needs TRCR_JWT_SECRET, the same on every node");
    }
    presenceTimings(config);
    if (Config.string(config, "TRCR_JWT_SECRET") == null) {
      config.put("TRCR_JWT_SECRET", localSecret(dataDir));
    }
    EmbeddedDatabase embedded = null;
    if (Config.string(config, "TRCR_PG_URL") == null) {
      embedded = EmbeddedDatabase.start(dataDir, Config.string(config, "TRCR_EMBEDDED_PG_SETTINGS"));
      config.put("TRCR_PG_URL", embedded.url());
    }
    EmbeddedDatabase db = embedded;
    Logs.configure(config);
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = Metrics.newRegistry(config);
    VertxOptions options = Metrics.options(new VertxOptions(), registry);
    int eventLoops = Config.integer(config, "TRCR_EVENT_LOOPS");
    if (eventLoops > 0) {
      options.setEventLoopPoolSize(eventLoops);
    }
    options.setPreferNativeTransport(Config.flag(config, "TRCR_NATIVE_TRANSPORT"));
    io.vertx.spi.cluster.hazelcast.HazelcastClusterManager manager = clustered ? Cluster.manager(config) : null;
    Future<Vertx> vertx = clustered
        ? Metrics.withMetrics(Vertx.builder()
            .with(options.setEventBusOptions(new EventBusOptions()
                .setHost(Config.string(config, "TRCR_CLUSTER_HOST"))
                .setPort(Config.integer(config, "TRCR_EVENTBUS_PORT")))), registry)
            .withClusterManager(manager)
            .buildClustered()
        : Future.succeededFuture(Metrics.withMetrics(Vertx.builder().with(options), registry).build());
    List<String> deployments = new ArrayList<>();
    return vertx.compose(v -> {
      Metrics.remember(v, registry);
      if (Config.flag(config, "TRCR_NATIVE_TRANSPORT") && !v.isNativeTransportEnabled()) {
        System.getLogger(Node.class.getName()).log(System.Logger.Level.INFO, "native transport unavailable here ("
            + v.unavailableNativeTransportCause() + "); using Java NIO");
      }
      v.sharedData().getLocalMap(LOCAL_MAP).put("node.id", manager != null ? manager.getNodeId() : hostName());
      return registry == null ? Future.succeededFuture(v) : Metrics.serve(v, config, registry).map(v);
    }).compose(v -> deploy(v, config, names, deployments)
        .map(ignored -> new Node(v, config, db, deployments, registry))
        .recover(e -> v.close().eventually(() -> {
          if (db != null) {
            db.close();
          }
          return Future.succeededFuture();
        }).transform(ignored -> Future.failedFuture(e))));
  }

  private static Future<Void> deploy(Vertx vertx, JsonObject config, List<String> names, List<String> deployments) {
    Future<String> chain = Future.succeededFuture();
    for (String name : VERTICLES.keySet()) {
      if (names.contains(name)) {
        chain = chain.compose(ignored -> vertx.deployVerticle(VERTICLES.get(name),
            new DeploymentOptions().setConfig(config)).onSuccess(deployments::add));
      }
    }
    return chain.onSuccess(ignored -> vertx.sharedData().getLocalMap(LOCAL_MAP).put("ready", true)).mapEmpty();
  }

  static List<String> verticleNames(JsonObject config) {
    List<String> names = Config.list(config, "TRCR_VERTICLES");
    if (names.isEmpty()) {
      throw new Config.ConfigException("TRCR_VERTICLES is empty; name some of " + String.join(",", VERTICLES.keySet()));
    }
    List<String> unknown = new ArrayList<>(names);
    unknown.removeAll(VERTICLES.keySet());
    if (!unknown.isEmpty()) {
      throw new Config.ConfigException("TRCR_VERTICLES names unknown verticles " + unknown + "; known: "
          + String.join(",", VERTICLES.keySet()));
    }
    return names;
  }

  /**
   * A bridge node counts as gone when its presence heartbeat is older than the node timeout, so the timeout must
   * leave room for at least one heartbeat to be late.
   */
  static void presenceTimings(JsonObject config) {
    int grace = Config.integer(config, "TRCR_PRESENCE_GRACE_MS");
    int heartbeat = Config.integer(config, "TRCR_PRESENCE_HEARTBEAT_MS");
    int timeout = Config.integer(config, "TRCR_PRESENCE_NODE_TIMEOUT_MS");
    if (grace < 0 || heartbeat < 50 || timeout <= heartbeat) {
      throw new Config.ConfigException("presence timings need TRCR_PRESENCE_GRACE_MS >= 0, "
          + "TRCR_PRESENCE_HEARTBEAT_MS >= 50 and TRCR_PRESENCE_NODE_TIMEOUT_MS above the heartbeat (given "
          + grace + ", " + heartbeat + ", " + timeout + ")");
    }
  }

  /** Single-node mode keeps a generated secret in the data dir, so tokens survive a restart. */
  private static String localSecret(Path dataDir) {
    Path file = dataDir.resolve("jwt-secret");
    try {
      if (Files.exists(file)) {
        return Files.readString(file).trim();
      }
      Files.createDirectories(dataDir);
      byte[] bytes = new byte[48];
      new SecureRandom().nextBytes(bytes);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      Files.writeString(file, secret);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: the data dir's own permissions protect it
      }
      return secret;
    } catch (IOException e) {
      throw new Config.ConfigException("cannot keep the JWT secret in " + file + ": " + e.getMessage());
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  public JsonObject config() {
    return config;
  }

  /** The port the api listens on (useful when configured as 0), or -1 when this node runs no api. */
  public int httpPort() {
    return (int) vertx.sharedData().getLocalMap(LOCAL_MAP).getOrDefault("http.port", -1);
  }

  /** The port {@code /metrics} is served on, or -1 when metrics are off. */
  public int metricsPort() {
    return (int) vertx.sharedData().getLocalMap(LOCAL_MAP).getOrDefault("metrics.port", -1);
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "local";
    }
  }

  /** The port the bridge listens on, or -1 when this node runs no bridge. */
  public int bridgePort() {
    return (int) vertx.sharedData().getLocalMap(LOCAL_MAP).getOrDefault("bridge.port", -1);
  }

  /** The TCP event-bus bridge's port on this node; -1 when it is off ({@code TRCR_TCP_BRIDGE_PORT} -1). */
  public int tcpBridgePort() {
    return (int) vertx.sharedData().getLocalMap(LOCAL_MAP).getOrDefault("tcp-bridge.port", -1);
  }

  /**
   * Stops the node in order: the edges stop taking sockets and requests first (bridge clients are told to reconnect
   * elsewhere), then each domain verticle stops taking commands and finishes those in flight, then the node leaves
   * the cluster. Idempotent.
   */
  public synchronized Future<Void> close() {
    if (closing == null) {
      vertx.sharedData().getLocalMap(LOCAL_MAP).put("ready", false);
      Future<Void> chain = Future.succeededFuture();
      for (int i = deployments.size() - 1; i >= 0; i--) {
        String id = deployments.get(i);
        chain = chain.compose(ignored -> vertx.undeploy(id).recover(e -> Future.succeededFuture()));
      }
      closing = chain.compose(ignored -> vertx.close()).eventually(() -> {
        Metrics.close(registry);
        if (embedded != null) {
          embedded.close();
        }
        return Future.succeededFuture();
      });
    }
    return closing;
  }
}
