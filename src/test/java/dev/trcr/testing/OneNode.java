package dev.trcr.testing;

import dev.trcr.kernel.Node;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.function.Supplier;

/**
 * One real node for a test class: started before its first test (and before the class's own {@code @BeforeAll}),
 * closed after its last (and after the class's own {@code @AfterAll}), with a client Vert.x and a REST client on it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));
 * }</pre>
 */
public final class OneNode implements BeforeAllCallback, AfterAllCallback {

  private final Supplier<JsonObject> config;
  private Node node;
  private Vertx clientVertx;
  private Api api;
  /** The class that started the node: a {@code @Nested} class inherits it rather than starting another. */
  private Class<?> owner;

  /** A node with every verticle on a fresh database ({@link TestNodes#config()}). */
  public OneNode() {
    this(TestNodes::config);
  }

  /** A node with this configuration, asked for when the node starts (so a fresh database per test class). */
  public OneNode(Supplier<JsonObject> config) {
    this.config = config;
  }

  /** The node under test. */
  public Node node() {
    return running(node);
  }

  /** A REST client on the node's HTTP port, running on {@link #clientVertx()}. */
  public Api api() {
    return running(api);
  }

  /** The client side's own Vert.x (not the node's): for extra web or bridge clients of a test. */
  public Vertx clientVertx() {
    return running(clientVertx);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (owner != null) {
      return;
    }
    owner = context.getRequiredTestClass();
    node = TestNodes.start(config.get());
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, node.httpPort());
  }

  /** Closes the REST client, the client Vert.x and the node, in that order, each even if an earlier one failed. */
  @Override
  public void afterAll(ExtensionContext context) {
    if (owner != context.getRequiredTestClass()) {
      return;
    }
    owner = null;
    Api a = api;
    Vertx v = clientVertx;
    Node n = node;
    api = null;
    clientVertx = null;
    node = null;
    try {
      if (a != null) {
        a.close();
      }
    } finally {
      try {
        if (v != null) {
          v.close().await();
        }
      } finally {
        if (n != null) {
          n.close().await();
        }
      }
    }
  }

  private static <T> T running(T value) {
    if (value == null) {
      throw new IllegalStateException("the node is not running: use OneNode as a static @RegisterExtension field, "
          + "and only between its beforeAll and afterAll");
    }
    return value;
  }
}
