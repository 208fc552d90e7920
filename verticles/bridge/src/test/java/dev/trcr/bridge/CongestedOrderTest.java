package dev.trcr.bridge;

import dev.trcr.kernel.Address;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.trcr.testing.Await.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A socket whose client reads slowly still gets its frames in the order the hub wrote them, fan-outs and a single
 * subscriber's events alike. (A shortcut that wrote a fan-out's shared bytes straight into each channel broke this:
 * they overtook what Vert.x still held for the congested socket.)
 */
class CongestedOrderTest {

  // Room for a congested socket to catch up instead of being closed as a slow consumer.
  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config()
      .put("TRCR_BRIDGE_SLOW_CLIENT_MS", 60_000)
      .put("TRCR_BRIDGE_PING_TIMEOUT_MS", 60_000)
      .put("TRCR_BRIDGE_MAX_QUEUED_BYTES", 256 * 1024 * 1024));

  @Test
  void aSlowReaderGetsEveryFrameInOrderWhetherFannedOutOrNot() throws Exception {
    Session ada = NODE.api().signup("Ada");
    Session bob = NODE.api().signup("Bob");
    String teamId = NODE.api().createTeam(ada, "Acme");
    NODE.api().addMember(ada, teamId, bob, "member");
    String team = "team." + teamId + ".timers";
    String own = "user." + ada.id() + ".timers";
    WebSocketClient client = NODE.clientVertx().createWebSocketClient();
    try (BridgeClient other = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      // The team stream has two subscribers (a fan-out); Ada's own stream has one.
      other.register(team, bob.token());
      WebSocket slow = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(NODE.node().bridgePort()).setURI("/eventbus/websocket")).await();
      List<JsonObject> frames = new CopyOnWriteArrayList<>();
      slow.binaryMessageHandler(b -> frames.add(b.toJsonObject()));
      slow.textMessageHandler(t -> frames.add(new JsonObject(t)));
      for (String address : List.of(team, own)) {
        slow.writeTextMessage(new JsonObject().put("type", "register").put("address", address)
            .put("headers", new JsonObject().put("authorization", "Bearer " + ada.token())).encode()).await();
      }
      awaitTrue(() -> {
        publish(own, own, -1, "");
        return frames.stream().anyMatch(f -> f.getJsonObject("body", new JsonObject()).getInteger("n", 0) == -1
            && own.equals(f.getString("address")));
      }, "the slow socket is registered on both streams", 30_000);
      frames.clear();
      slow.pause();

      // 48 MiB alternately on both streams: far more than loopback buffers hold, so the socket congests midway.
      String pad = "x".repeat(32 * 1024);
      int count = 1536;
      for (int n = 0; n < count; n++) {
        publish(n % 2 == 0 ? team : own, own, n, pad);
        if (n % 64 == 63) {
          Thread.sleep(10);
        }
      }
      Thread.sleep(500);
      slow.resume();
      awaitTrue(() -> frames.stream().filter(f -> f.getJsonObject("body").getInteger("n", -1) >= 0).count() == count,
          "every frame reached the slow reader", 30_000);
      int expected = 0;
      for (JsonObject f : frames) {
        int n = f.getJsonObject("body").getInteger("n", -1);
        if (n >= 0) {
          assertEquals(expected, n, "frame " + n + " (" + f.getString("address") + ") arrived where " + expected
              + " was due");
          expected++;
        }
      }
      assertTrue(other.next(1_000) != null, "the other subscriber got the team stream too");
    } finally {
      client.close().await();
    }
  }

  /** Event {@code n} on {@code address}; the user stream goes the way its publishers send it (the node-level address). */
  private static void publish(String address, String own, int n, String pad) {
    JsonObject body = new JsonObject().put("type", "entry.updated").put("n", n).put("pad", pad);
    if (address.equals(own)) {
      NODE.node().vertx().eventBus().publish(Address.BRIDGE_USER_EVENTS.address(),
          new JsonObject().put("address", own).put("body", body));
    } else {
      NODE.node().vertx().eventBus().publish(address, body);
    }
  }
}
