package dev.trcr.security;

import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rate limits and the login throttle on a real node with small limits: 5 requests per second per user with bursts of
 * 10 (REST and bridge commands together), 20 frames at once per socket, 3 logins a minute per email and 5 per client
 * address. Login tests come from loopback addresses of their own (127.0.0.x), so their address buckets are separate.
 */
class AbuseLimitsTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config()
      .put("TRCR_RATE_LIMIT_PER_SECOND", 5)
      .put("TRCR_RATE_LIMIT_BURST", 10)
      .put("TRCR_BRIDGE_FRAMES_PER_SECOND", 5)
      .put("TRCR_BRIDGE_FRAMES_BURST", 20)
      .put("TRCR_LOGIN_LIMIT_PER_EMAIL_PER_MINUTE", 3)
      .put("TRCR_LOGIN_LIMIT_PER_ADDRESS_PER_MINUTE", 5));

  /** Calls GET /api/me until the first 429 (at most 50 calls), which must not come before {@code left} passed. */
  private static Api.Response exhaust(Session user, int left) {
    for (int i = 0; i < 50; i++) {
      Api.Response r = NODE.api().get("/api/me", user.token());
      if (r.status() == 429) {
        assertTrue(i >= left, left + " calls pass; refused after " + i);
        return r;
      }
      expect(200, r);
    }
    throw new AssertionError("never rate limited");
  }

  @Test
  void aUserOverTheRateLimitGets429WithRetryAfterAndOthersAreUnaffected() throws InterruptedException {
    Session ada = NODE.api().signup("Ada");
    Session bob = NODE.api().signup("Bob");
    Api.Response limited = exhaust(ada, 10);
    assertEquals("rate_limited", limited.errorCode());
    long retryAfter = Long.parseLong(limited.header("Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);

    expect(200, NODE.api().get("/api/me", bob.token()));
    Thread.sleep(retryAfter * 1000);
    expect(200, NODE.api().get("/api/me", ada.token()));
  }

  @Test
  void restCallsAndBridgeCommandsDrawFromTheSameBucket() {
    Session ada = NODE.api().signup("Ada");
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      JsonObject teamless = new JsonObject().put("teamId", UUID.randomUUID().toString());
      assertEquals(404, socket.request("timers.stop", teamless, ada.token()).getInteger("failureCode"));

      exhaust(ada, 9); // the bridge command took one token of the burst
      JsonObject failure = socket.request("timers.stop", teamless, ada.token());
      assertEquals("err", failure.getString("type"), failure.encode());
      assertEquals(429, failure.getInteger("failureCode"));
      JsonObject error = new JsonObject(failure.getString("message")).getJsonObject("error");
      assertEquals("rate_limited", error.getString("code"));
      assertNotNull(error.getString("message"));
    }
  }

  @Test
  void bridgeCommandsAloneHitTheUsersLimit() {
    Session ada = NODE.api().signup("Ada");
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      JsonObject teamless = new JsonObject().put("teamId", UUID.randomUUID().toString());
      int refusedAt = -1;
      for (int i = 0; i < 15 && refusedAt < 0; i++) {
        if (socket.request("timers.stop", teamless, ada.token()).getInteger("failureCode") == 429) {
          refusedAt = i;
        }
      }
      assertTrue(refusedAt >= 10, "a burst of 10 commands passes, then 429; refused at " + refusedAt);
    }
  }

  @Test
  void aSocketThatSendsTooManyFramesGetsRateLimitedFrames() throws InterruptedException {
    try (BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      String address = "team." + UUID.randomUUID() + ".timers";
      for (int i = 0; i < 40; i++) {
        socket.send(new JsonObject().put("type", "unregister").put("address", address));
      }
      int limited = 0;
      for (JsonObject f = socket.next(500); f != null; f = socket.next(200)) {
        assertEquals("rate_limited", f.getString("body"), f.encode());
        limited++;
      }
      assertTrue(limited >= 15 && limited <= 20, "20 frames pass at once, the rest are refused: " + limited);

      Thread.sleep(400);
      socket.register(address, "not-a-token");
      assertEquals("access_denied", socket.next(5_000).getString("body"), "after a pause frames are handled again");
    }
  }

  @Test
  void loginAttemptsAreThrottledPerEmailWhateverThePassword() {
    Session ada = NODE.api().signup("Ada");
    Api client = new Api(NODE.clientVertx(), NODE.node().httpPort(), "127.0.0.3");
    try {
      JsonObject wrong = new JsonObject().put("email", ada.email()).put("password", "guess");
      for (int i = 0; i < 3; i++) {
        assertEquals("invalid_credentials", expect(401, client.post("/api/auth/login", null, wrong)).errorCode());
      }
      Api.Response limited = expect(429, client.post("/api/auth/login", null,
          new JsonObject().put("email", ada.email().toUpperCase()).put("password", "correct horse battery")));
      assertEquals("rate_limited", limited.errorCode());
      assertTrue(Long.parseLong(limited.header("Retry-After")) >= 1);

      Session bob = NODE.api().signup("Bob");
      expect(200, client.post("/api/auth/login", null,
          new JsonObject().put("email", bob.email()).put("password", "correct horse battery")));
    } finally {
      client.close();
    }
  }

  @Test
  void loginAttemptsAreThrottledPerClientAddress() {
    Api attacker = new Api(NODE.clientVertx(), NODE.node().httpPort(), "127.0.0.2");
    Api someoneElse = new Api(NODE.clientVertx(), NODE.node().httpPort(), "127.0.0.4");
    try {
      for (int i = 0; i < 5; i++) {
        expect(401, attacker.post("/api/auth/login", null,
            new JsonObject().put("email", "victim" + i + "@example.com").put("password", "guess")));
      }
      assertEquals("rate_limited", expect(429, attacker.post("/api/auth/login", null,
          new JsonObject().put("email", "victim9@example.com").put("password", "guess"))).errorCode());
      expect(401, someoneElse.post("/api/auth/login", null,
          new JsonObject().put("email", "victim9@example.com").put("password", "guess")));
    } finally {
      attacker.close();
      someoneElse.close();
    }
  }

  @Test
  void guessingTheCurrentPasswordIsThrottledLikeLogins() {
    Session ada = NODE.api().signup("Ada");
    JsonObject guess = new JsonObject().put("currentPassword", "guess").put("newPassword", "new horse battery");
    for (int i = 0; i < 3; i++) {
      assertEquals("wrong_password",
          expect(403, NODE.api().post("/api/auth/password", ada.token(), guess)).errorCode());
    }
    assertEquals("rate_limited", expect(429, NODE.api().post("/api/auth/password", ada.token(), guess)).errorCode());
  }
}
