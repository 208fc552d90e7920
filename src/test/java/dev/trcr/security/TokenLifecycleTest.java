package dev.trcr.security;

import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens expire, refresh, and stop working everywhere at once after logout or a password change. One real node. */
class TokenLifecycleTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode();

  private final List<BridgeClient> sockets = new ArrayList<>();

  @AfterEach
  void closeSockets() {
    sockets.forEach(BridgeClient::close);
    sockets.clear();
  }

  private BridgeClient socket() {
    BridgeClient socket = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort());
    sockets.add(socket);
    return socket;
  }

  private static JsonObject claims(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  private static String login(Session user, String password) {
    return expect(200, NODE.api().post("/api/auth/login", null,
        new JsonObject().put("email", user.email()).put("password", password))).json().getString("token");
  }

  /** A command that any authenticated user may send: its 404 reply proves the socket's token was accepted. */
  private static JsonObject probe(BridgeClient socket, String token) {
    return socket.request("timers.stop", new JsonObject().put("teamId", UUID.randomUUID().toString()), token);
  }

  private static void assertAccepted(JsonObject reply) {
    assertEquals(404, reply.getInteger("failureCode"), "the token was accepted: " + reply.encode());
  }

  private static void assertDenied(JsonObject reply) {
    assertEquals("access_denied", reply.getString("body"), reply.encode());
  }

  @Test
  void aTokenLivesTwelveHoursByDefault() {
    JsonObject claims = claims(NODE.api().signup("Ada").token());
    assertEquals(12 * 3600, claims.getLong("exp") - claims.getLong("iat"));
    assertEquals(0, claims.getInteger("ver"), "a new user's tokens have version 0");
  }

  @Test
  void anExpiredTokenIsRefusedOnRestAndOnTheBridge() {
    Session ada = NODE.api().signup("Ada");
    JWTAuth signer = JWTAuth.create(NODE.clientVertx(), new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(TestNodes.JWT_SECRET)));
    long now = System.currentTimeMillis() / 1000;
    String expired = signer.generateToken(new JsonObject().put("sub", ada.id()).put("ver", 0)
        .put("iat", now - 3600).put("exp", now - 5), new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
    String valid = signer.generateToken(new JsonObject().put("sub", ada.id()).put("ver", 0)
        .put("iat", now).put("exp", now + 60), new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));

    assertEquals("unauthenticated", expect(401, NODE.api().get("/api/me", expired)).errorCode());
    assertEquals("unauthenticated", expect(401, NODE.api().post("/api/auth/refresh", expired, null)).errorCode());
    expect(200, NODE.api().get("/api/me", valid));
    assertDenied(probe(socket(), expired));
  }

  @Test
  void refreshGivesAFreshTokenThatWorks() {
    Session ada = NODE.api().signup("Ada");
    String fresh = expect(200, NODE.api().post("/api/auth/refresh", ada.token(), null)).json().getString("token");
    assertNotNull(fresh);
    assertEquals(ada.id(), claims(fresh).getString("sub"));
    assertTrue(claims(fresh).getLong("exp") >= claims(ada.token()).getLong("exp"));
    assertEquals("Ada", expect(200, NODE.api().get("/api/me", fresh)).json().getJsonObject("user").getString("name"));
    expect(200, NODE.api().get("/api/me", ada.token()));
    expect(401, NODE.api().post("/api/auth/refresh", "not-a-token", null));
    expect(401, NODE.api().post("/api/auth/refresh", null, null));
  }

  @Test
  void afterLogoutEveryEarlierTokenOfTheUserIsRefusedButOtherUsersAreUntouched() {
    Session ada = NODE.api().signup("Ada");
    Session bob = NODE.api().signup("Bob");
    String second = login(ada, "correct horse battery");
    String refreshed = expect(200, NODE.api().post("/api/auth/refresh", second, null)).json().getString("token");

    assertEquals(204, NODE.api().post("/api/auth/logout", ada.token(), null).status());

    for (String old : List.of(ada.token(), second, refreshed)) {
      assertEquals("unauthenticated", expect(401, NODE.api().get("/api/me", old)).errorCode());
      expect(401, NODE.api().post("/api/auth/refresh", old, null));
      expect(401, NODE.api().post("/api/auth/logout", old, null));
    }
    expect(200, NODE.api().get("/api/me", bob.token()));
    String again = login(ada, "correct horse battery");
    expect(200, NODE.api().get("/api/me", again));
    assertNotEquals(claims(ada.token()).getInteger("ver"), claims(again).getInteger("ver"));
  }

  @Test
  void logoutClosesTheUsersOpenBridgeSocketsAtOnce() {
    Session ada = NODE.api().signup("Ada");
    Session bob = NODE.api().signup("Bob");
    String adaLaptop = login(ada, "correct horse battery");
    BridgeClient adaPhone = socket();
    BridgeClient adaDesk = socket();
    BridgeClient bobSocket = socket();
    assertAccepted(probe(adaPhone, ada.token()));
    assertAccepted(probe(adaDesk, adaLaptop));
    assertAccepted(probe(bobSocket, bob.token()));

    long loggedOut = System.nanoTime();
    assertEquals(204, NODE.api().post("/api/auth/logout", adaLaptop, null).status());

    assertEquals(4401, adaPhone.awaitClose(1_000), "the socket with a revoked token is closed");
    assertEquals(4401, adaDesk.awaitClose(1_000));
    assertTrue((System.nanoTime() - loggedOut) / 1_000_000 < 1_000);
    assertTrue(adaDesk.closeReason().contains("revoked"), adaDesk.closeReason());
    assertNull(bobSocket.awaitClose(200), "another user's socket stays open");
    assertAccepted(probe(bobSocket, bob.token()));
    assertDenied(probe(socket(), ada.token()));

    String fresh = login(ada, "correct horse battery");
    BridgeClient next = socket();
    assertAccepted(probe(next, fresh));
  }

  @Test
  void aPasswordChangeRevokesEveryOtherTokenAndAnswersWithAFreshOne() {
    Session ada = NODE.api().signup("Ada");
    String otherDevice = login(ada, "correct horse battery");
    BridgeClient otherSocket = socket();
    assertAccepted(probe(otherSocket, otherDevice));

    Api.Response wrong = expect(403, NODE.api().post("/api/auth/password", ada.token(),
        new JsonObject().put("currentPassword", "not my password").put("newPassword", "new horse battery")));
    assertEquals("wrong_password", wrong.errorCode());
    assertEquals("validation_failed", expect(400, NODE.api().post("/api/auth/password", ada.token(),
        new JsonObject().put("currentPassword", "correct horse battery").put("newPassword", "short"))).errorCode());
    expect(200, NODE.api().get("/api/me", otherDevice));

    String fresh = expect(200, NODE.api().post("/api/auth/password", ada.token(),
        new JsonObject().put("currentPassword", "correct horse battery").put("newPassword", "new horse battery")))
        .json().getString("token");

    assertEquals(4401, otherSocket.awaitClose(1_000), "the other device's socket is closed");
    expect(401, NODE.api().get("/api/me", otherDevice));
    expect(401, NODE.api().get("/api/me", ada.token()));
    expect(200, NODE.api().get("/api/me", fresh));
    expect(401, NODE.api().post("/api/auth/login", null,
        new JsonObject().put("email", ada.email()).put("password", "correct horse battery")));
    login(ada, "new horse battery");
  }
}
