package dev.trcr.ops;

import dev.trcr.kernel.Logs;
import dev.trcr.testing.Api;
import dev.trcr.testing.TestDatabase;
import dev.trcr.testing.TestNodes;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code TRCR_LOG_FORMAT=json}, one JSON line per request and per bus command, and the request id travels in the
 * bus headers: a timer started through one node's api and handled on the other node shows the same id on both.
 */
class RequestLogTest {

  /** Held, so that JUL's weakly referenced logger (and the handler on it) is the one Logs writes to. */
  private static final Logger ACCESS = Logger.getLogger(Logs.ACCESS);
  private static final List<JsonObject> LINES = new CopyOnWriteArrayList<>();
  private static final Handler CAPTURE = new Handler() {
    private final Logs.JsonFormatter format = new Logs.JsonFormatter();

    @Override
    public void publish(LogRecord record) {
      if (isLoggable(record)) {
        LINES.add(new JsonObject(format.format(record)));
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  private static TestNodes.TwoNodes nodes;
  private static Vertx client;

  @BeforeAll
  static void start() {
    // The tests' logging.properties keeps everything outside dev.trcr at WARNING: let access lines through, to this
    // test's handler only.
    ACCESS.setLevel(java.util.logging.Level.INFO);
    ACCESS.setUseParentHandlers(false);
    ACCESS.addHandler(CAPTURE);
    JsonObject shared = TestNodes.config().put("TRCR_LOG_FORMAT", "json");
    // The edge serves REST (and the workspace); timers, chat and board run on the core node only.
    nodes = TestNodes.startTwo(shared, "workspace,api", "timers,chat,board");
    client = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    ACCESS.removeHandler(CAPTURE);
    ACCESS.setLevel(null);
    ACCESS.setUseParentHandlers(true);
    client.close().await();
    nodes.close();
  }

  @Test
  void oneRequestIdFollowsACommandAcrossBothNodes() {
    Api api = new Api(client, nodes.edge().httpPort());
    Api.Session ada = api.signup("Ada");
    String team = api.createTeam(ada, "Logs");
    String project = api.createProject(ada, team, "Web");
    String requestId = "trace-" + System.nanoTime();
    Api.Response started = api.call(HttpMethod.POST, "/api/teams/" + team + "/timer/start", ada.token(),
        new JsonObject().put("projectId", project), MultiMap.caseInsensitiveMultiMap().add("X-Request-Id", requestId));
    Api.expect(201, started);
    assertEquals(requestId, started.header("X-Request-Id"), "the request id is answered back");

    String edge = Logs.node(nodes.edge().vertx());
    String core = Logs.node(nodes.core().vertx());
    assertNotEquals(edge, core);
    JsonObject request = await(requestId, "request", null);
    assertEquals(edge, request.getString("node"));
    assertEquals("/api/teams/:teamId/timer/start", request.getString("route"));
    assertEquals(201, request.getInteger("status"));
    assertEquals(ada.id(), request.getString("userId"));
    assertEquals("INFO", request.getString("level"));
    assertTrue(request.getValue("durationMs") instanceof Number);
    assertTrue(request.getString("time").endsWith("Z"));

    JsonObject command = await(requestId, "command", "timers.start");
    assertEquals(core, command.getString("node"), "timers.start is handled on the core node");
    assertEquals("timers", command.getString("verticle"));
    assertEquals(ada.id(), command.getString("userId"));
    assertEquals("rest", command.getString("origin"));
    // timers asks the workspace (back on the edge) whether Ada may: that command carries the same request id.
    JsonObject access = await(requestId, "command", "workspace.access");
    assertEquals(edge, access.getString("node"));

    Api.Response unknown = api.get("/api/teams/" + team + "/nothing-here", ada.token());
    Api.expect(404, unknown);
    JsonObject notFound = await(unknown.header("X-Request-Id"), "request", null);
    assertEquals(404, notFound.getInteger("status"));
  }

  private static JsonObject await(String requestId, String type, String address) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      for (JsonObject line : LINES) {
        if (requestId.equals(line.getString("requestId")) && type.equals(line.getString("type"))
            && (address == null || address.equals(line.getString("address")))) {
          return line;
        }
      }
      assertTrue(System.currentTimeMillis() < deadline, "no " + type + " line " + (address == null ? "" : address)
          + " with request id " + requestId + " in " + LINES);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
