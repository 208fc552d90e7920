package dev.trcr.kernel;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.UUID;

/** Issues and verifies the bearer tokens (HS256 JWTs signed with {@code TRCR_JWT_SECRET}) of users. */
public final class Tokens {

  private static final String BEARER = "Bearer ";

  private final JWTAuth auth;
  private final int ttlMinutes;

  private Tokens(JWTAuth auth, int ttlMinutes) {
    this.auth = auth;
    this.ttlMinutes = ttlMinutes;
  }

  public static Tokens create(Vertx vertx, JsonObject config) {
    String secret = Config.string(config, "TRCR_JWT_SECRET");
    if (secret == null) {
      throw new Config.ConfigException("TRCR_JWT_SECRET is not set");
    }
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return new Tokens(auth, Config.integer(config, "TRCR_JWT_TTL_MINUTES"));
  }

  public String issue(UUID userId) {
    return auth.generateToken(new JsonObject().put("sub", userId.toString()),
        new JWTOptions().setAlgorithm("HS256").setExpiresInMinutes(ttlMinutes));
  }

  /** A verified token: its user and when it expires. */
  public record Verified(UUID userId, long expiresAtMillis) {
  }

  /** The user of an {@code Authorization} header value ({@code Bearer <jwt>}); fails with {@code unauthenticated}. */
  public Future<UUID> verify(String authorization) {
    return verifyWithExpiry(authorization).map(Verified::userId);
  }

  /** Like {@link #verify}, with the expiry, so that a caller may skip re-verifying the same token until then. */
  public Future<Verified> verifyWithExpiry(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Future.failedFuture(ErrorCode.UNAUTHENTICATED.exception("send Authorization: Bearer <token>"));
    }
    String token = authorization.substring(BEARER.length()).trim();
    if (token.isEmpty()) {
      return Future.failedFuture(ErrorCode.UNAUTHENTICATED.exception("the bearer token is empty"));
    }
    return auth.authenticate(new TokenCredentials(token))
        .map(user -> new Verified(UUID.fromString(user.principal().getString("sub")),
            user.principal().getLong("exp", Long.MAX_VALUE / 1000) * 1000))
        .recover(e -> Future.failedFuture(ErrorCode.UNAUTHENTICATED.exception("the token is invalid or expired")));
  }
}
