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

/**
 * Issues and verifies the bearer tokens (HS256 JWTs signed with {@code TRCR_JWT_SECRET}) of users: {@code sub} is the
 * user id, {@code ver} the user's token version at issue (see {@link TokenVersions}), {@code exp} the expiry after
 * {@code TRCR_JWT_TTL_SECONDS} if set, else {@code TRCR_JWT_TTL_MINUTES}. An edge that attaches its
 * {@link TokenVersions} ({@link #revocable}) also refuses tokens revoked by logout or a password change.
 */
public final class Tokens {

  private static final String BEARER = "Bearer ";

  /** The claim that carries the user's token version. */
  public static final String VERSION_CLAIM = "ver";

  private final JWTAuth auth;
  private final int ttlSeconds;
  private final TokenVersions versions;

  private Tokens(JWTAuth auth, int ttlSeconds, TokenVersions versions) {
    this.auth = auth;
    this.ttlSeconds = ttlSeconds;
    this.versions = versions;
  }

  public static Tokens create(Vertx vertx, JsonObject config) {
    String secret = Config.string(config, "TRCR_JWT_SECRET");
    if (secret == null) {
      throw new Config.ConfigException("TRCR_JWT_SECRET is not set");
    }
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    Number seconds = config.getNumber("TRCR_JWT_TTL_SECONDS");
    int ttl = seconds != null && seconds.intValue() > 0 ? seconds.intValue()
        : Math.multiplyExact(Config.integer(config, "TRCR_JWT_TTL_MINUTES"), 60);
    if (ttl <= 0) {
      throw new Config.ConfigException("TRCR_JWT_TTL_MINUTES must be positive");
    }
    return new Tokens(auth, ttl, null);
  }

  /** The same tokens, and verification also refuses tokens older than their user's current version. */
  public Tokens revocable(TokenVersions tokenVersions) {
    return new Tokens(auth, ttlSeconds, tokenVersions);
  }

  /** A token for a user whose current token version is {@code version}. */
  public String issue(UUID userId, int version) {
    return auth.generateToken(new JsonObject().put("sub", userId.toString()).put(VERSION_CLAIM, version),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(ttlSeconds));
  }

  /** A token with its own lifetime (service accounts' tokens live for days, not minutes); revocable like any other. */
  public String issue(UUID userId, int version, java.time.Duration ttl) {
    return auth.generateToken(new JsonObject().put("sub", userId.toString()).put(VERSION_CLAIM, version),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(Math.toIntExact(ttl.toSeconds())));
  }

  /** A verified token: its user, the token version it was issued with, and when it expires. */
  public record Verified(UUID userId, int version, long expiresAtMillis) {
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
    Future<Verified> verified = auth.authenticate(new TokenCredentials(token))
        .map(user -> new Verified(UUID.fromString(user.principal().getString("sub")),
            // Tokens from before versions existed count as version 0: the first revocation refuses them.
            user.principal().getInteger(VERSION_CLAIM, 0),
            // exp is among the user's attributes (Vert.x copies the JWT's time claims there), not in the principal.
            (user.get("exp") instanceof Number exp ? exp.longValue() : Long.MAX_VALUE / 1000) * 1000))
        .recover(e -> Future.failedFuture(ErrorCode.UNAUTHENTICATED.exception("the token is invalid or expired")));
    return versions == null ? verified
        : verified.compose(v -> versions.check(v.userId(), v.version()).map(v));
  }
}
