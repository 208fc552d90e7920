package dev.trcr.testing;

import dev.trcr.kernel.Config;
import dev.trcr.kernel.Node;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.UUID;

/** Starts real trcr nodes for tests: loopback, ephemeral ports, a fresh database each. */
public final class TestNodes {

  public static final String JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789";

  private TestNodes() {
  }

  /** The configuration of a single node with every verticle on a fresh database. */
  public static JsonObject config() {
    try {
      return Config.defaults()
          .put("TRCR_HTTP_HOST", "127.0.0.1")
          .put("TRCR_HTTP_PORT", 0)
          .put("TRCR_BRIDGE_PORT", 0)
          .put("TRCR_TCP_BRIDGE_HOST", "127.0.0.1")
          .put("TRCR_PG_URL", TestDatabase.freshDatabaseUrl())
          .put("TRCR_PG_POOL_SIZE", 4)
          .put("TRCR_JWT_SECRET", JWT_SECRET)
          .put("TRCR_DATA_DIR", Files.createTempDirectory("trcr-test").toString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Cluster settings for a node of a test cluster: a unique cluster name per run, loopback only. */
  public static JsonObject clustered(JsonObject config, String clusterName, int port, int... memberPorts) {
    StringBuilder members = new StringBuilder();
    for (int p : memberPorts) {
      members.append(members.isEmpty() ? "" : ",").append("127.0.0.1:").append(p);
    }
    return config.copy()
        .put("TRCR_CLUSTER", true)
        .put("TRCR_CLUSTER_NAME", clusterName)
        .put("TRCR_CLUSTER_HOST", "127.0.0.1")
        .put("TRCR_CLUSTER_PORT", port)
        .put("TRCR_CLUSTER_MEMBERS", members.toString());
  }

  public static String uniqueClusterName() {
    return "trcr-test-" + UUID.randomUUID();
  }

  /** Two clustered nodes of one test cluster: an edge and a core, each running the verticles named. */
  public record TwoNodes(Node edge, Node core) {
    public void close() {
      io.vertx.core.Future.join(edge.close(), core.close()).await();
    }
  }

  /** Starts two nodes clustered on 127.0.0.1 under a cluster name of their own, sharing {@code shared}'s database. */
  public static TwoNodes startTwo(JsonObject shared, String edgeVerticles, String coreVerticles) {
    String name = uniqueClusterName();
    int edgePort = freePort();
    int corePort = freePort();
    io.vertx.core.Future<Node> edge = Node.start(clustered(shared, name, edgePort, edgePort, corePort)
        .put("TRCR_VERTICLES", edgeVerticles));
    io.vertx.core.Future<Node> core = Node.start(clustered(shared, name, corePort, edgePort, corePort)
        .put("TRCR_VERTICLES", coreVerticles));
    return new TwoNodes(edge.await(), core.await());
  }

  /** Counts the messages a node receives on {@code address}: which instance handled a command. */
  public static void countInbound(Node node, String address, java.util.concurrent.atomic.AtomicInteger counter) {
    node.vertx().eventBus().addInboundInterceptor(ctx -> {
      if (address.equals(ctx.message().address())) {
        counter.incrementAndGet();
      }
      ctx.next();
    });
  }

  public static Node start(JsonObject config) {
    return Node.start(config).await();
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
