package dev.trcr.api;

import dev.trcr.testing.Api;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** GraphQL for tests: blocking HTTP calls through {@link Api}, and a graphql-transport-ws peer. Call from the test thread. */
final class GraphqlClient {

  private final Api api;

  GraphqlClient(Api api) {
    this.api = api;
  }

  /** POSTs {@code {query, variables}} and returns the response (any status). */
  Api.Response post(String token, String query, JsonObject variables) {
    JsonObject body = new JsonObject().put("query", query);
    if (variables != null) {
      body.put("variables", variables);
    }
    return api.call(HttpMethod.POST, "/graphql", token, body);
  }

  /** A query or mutation that must succeed: its {@code data}. */
  JsonObject data(String token, String query, JsonObject variables) {
    Api.Response r = post(token, query, variables);
    assertEquals(200, r.status(), r.toString());
    assertNull(r.json().getValue("errors"), r.toString());
    return r.json().getJsonObject("data");
  }

  /** A query or mutation that must fail with 200 and one error: that error. */
  JsonObject error(String token, String query, JsonObject variables) {
    Api.Response r = post(token, query, variables);
    assertEquals(200, r.status(), r.toString());
    JsonArray errors = r.json().getJsonArray("errors");
    assertNotNull(errors, r.toString());
    return errors.getJsonObject(0);
  }

  static String code(JsonObject error) {
    return error.getJsonObject("extensions").getString("code");
  }

  Api.Response raw(HttpMethod method, String path, String token, Object body, MultiMap headers) {
    return api.call(method, path, token, body, headers);
  }

  /** A graphql-transport-ws connection; messages received are queued. */
  static final class Socket implements AutoCloseable {
    private final WebSocketClient client;
    private final WebSocket socket;
    private final BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

    private Socket(WebSocketClient client, WebSocket socket) {
      this.client = client;
      this.socket = socket;
      socket.textMessageHandler(text -> messages.add(new JsonObject(text)));
      socket.closeHandler(v -> closeCode.complete(socket.closeStatusCode() == null ? -1 : (int) socket.closeStatusCode()));
    }

    static Socket connect(Vertx vertx, int port) {
      WebSocketClient client = vertx.createWebSocketClient();
      WebSocket socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
          .setURI("/graphql").addSubProtocol(GraphqlApi.WS_SUBPROTOCOL)).await();
      assertEquals(GraphqlApi.WS_SUBPROTOCOL, socket.subProtocol());
      return new Socket(client, socket);
    }

    /** connection_init with the token, and the connection_ack. */
    Socket init(String token) {
      send(new JsonObject().put("type", "connection_init")
          .put("payload", new JsonObject().put("authorization", "Bearer " + token)));
      JsonObject ack = next(5_000);
      assertNotNull(ack, "no connection_ack");
      assertEquals("connection_ack", ack.getString("type"), ack.encode());
      return this;
    }

    void subscribe(String id, String query, JsonObject variables) {
      send(new JsonObject().put("id", id).put("type", "subscribe").put("payload",
          new JsonObject().put("query", query).put("variables", variables == null ? new JsonObject() : variables)));
    }

    void complete(String id) {
      send(new JsonObject().put("id", id).put("type", "complete"));
    }

    void send(JsonObject message) {
      socket.writeTextMessage(message.encode()).await();
    }

    JsonObject next(long timeoutMs) {
      try {
        return messages.poll(timeoutMs, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    /** The next message that matches, dropping others, or null after the timeout. */
    JsonObject nextMatching(Predicate<JsonObject> matches, long timeoutMs) {
      long deadline = System.currentTimeMillis() + timeoutMs;
      for (long left = timeoutMs; left > 0; left = deadline - System.currentTimeMillis()) {
        JsonObject m = next(left);
        if (m != null && matches.test(m)) {
          return m;
        }
      }
      return null;
    }

    /** The close code, or null if the socket is still open after the timeout. */
    Integer awaitClose(long timeoutMs) {
      try {
        return closeCode.get(timeoutMs, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        return null;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      if (!closeCode.isDone()) {
        socket.close().await();
      }
      client.close().await();
    }
  }

}
