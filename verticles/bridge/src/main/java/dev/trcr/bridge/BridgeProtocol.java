package dev.trcr.bridge;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Idempotency;
import dev.trcr.kernel.RateLimiter;
import dev.trcr.kernel.TokenVersions;
import dev.trcr.kernel.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The wire protocol of {@code @vertx/eventbus-bridge-client.js} 1.0.0 on one node: {@code ping}, {@code register},
 * {@code unregister}, {@code send} (with {@code replyAddress}) and {@code publish}, each authorised from the token in
 * the frame's {@code authorization} header. Team streams are open to the team's members, per-user streams to their
 * user, commands marked {@link Address.Browser#SEND} to every authenticated user (the domain checks the rest).
 */
final class BridgeProtocol {

  private static final int REPLY_ADDRESS_LENGTH = 36;
  /** Retries of an access check nobody answered (100, 200, 400 ms apart, with jitter) before registration_failure. */
  private static final int ACCESS_RETRIES = 3;

  private final Vertx vertx;
  private final Tokens tokens;
  private final BridgeLimits limits;
  private final Hub hub;
  private final TokenVersions versions;
  private final Presence presence;
  /** Per user, shared with the api of this node: bridge commands and REST calls draw from one bucket. */
  private final RateLimiter users;
  /** user|team → until when membership was confirmed; saves a bus round trip per register in reconnect storms. */
  private final Map<String, Long> memberships = new HashMap<>();

  BridgeProtocol(Vertx vertx, Tokens tokens, BridgeLimits limits, Hub hub, TokenVersions versions, RateLimiter users,
                 Presence presence) {
    this.vertx = vertx;
    this.presence = presence;
    this.tokens = tokens;
    this.limits = limits;
    this.hub = hub;
    this.versions = versions;
    this.users = users;
  }

  void handle(BridgeSocket socket, Buffer data) {
    socket.lastSeen = System.currentTimeMillis();
    if (data.length() > limits.maxFrameBytes()) {
      socket.write(Frame.error(Frames.FRAME_TOO_LARGE));
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(data);
    } catch (RuntimeException e) {
      socket.write(Frame.error(Frames.INVALID_JSON));
      return;
    }
    Object type = frame.getValue("type");
    if (!(type instanceof String t)) {
      socket.write(Frame.error(Frames.MISSING_TYPE));
      return;
    }
    if (!"ping".equals(t) && socket.frames != null) {
      long wait = socket.frames.take(System.nanoTime());
      if (wait > 0) {
        refuseThrottled(socket, t, frame, (wait + 999_999) / 1_000_000);
        return;
      }
    }
    switch (t) {
      case "ping" -> socket.write(Frame.pong()); // and lastSeen; SockJS clients get no pong
      case "register" -> register(socket, frame);
      case "unregister" -> unregister(socket, frame);
      case "send" -> send(socket, frame);
      case "publish" -> publish(socket, frame);
      default -> socket.write(Frame.error(Frames.INVALID_TYPE));
    }
  }

  private String address(BridgeSocket socket, JsonObject frame) {
    Object address = frame.getValue("address");
    if (!(address instanceof String a)) {
      socket.write(Frame.error(Frames.MISSING_ADDRESS));
      return null;
    }
    if (a.length() > limits.maxAddressLength()) {
      socket.write(Frame.error(Frames.MAX_ADDRESS_LENGTH));
      return null;
    }
    return a;
  }

  private void register(BridgeSocket socket, JsonObject frame) {
    String requested = address(socket, frame);
    if (requested == null) {
      return;
    }
    // Interned: every socket of a stream (and the hub's topic) shares one copy of its address (unreferenced ones are
    // collected).
    String address = requested.intern();
    Optional<Address> entry = Address.of(address);
    Address.Browser access = entry.map(Address::browser).orElse(Address.Browser.NONE);
    if (access != Address.Browser.SUBSCRIBE_TEAM_MEMBERS && access != Address.Browser.SUBSCRIBE_SELF
        && access != Address.Browser.SUBSCRIBE_CHANNEL_MEMBERS && access != Address.Browser.SUBSCRIBE_TEAM_ADMINS) {
      socket.write(Frame.error(Frames.ACCESS_DENIED));
      return;
    }
    if (socket.subscriptions.contains(address)) {
      socket.write(Frame.error(Frames.ALREADY_REGISTERED));
      return;
    }
    if (socket.subscriptions.size() >= limits.maxSubscriptions()) {
      socket.write(Frame.error(Frames.MAX_HANDLERS));
      return;
    }
    // Hold the slot while authorising, so a burst of registers cannot overshoot the limit.
    socket.subscriptions.add(address);
    String id = entry.get().idOf(address).orElseThrow();
    authenticate(socket, frame)
        .compose(user -> switch (access) {
          case SUBSCRIBE_SELF -> Future.succeededFuture(user.toString().equalsIgnoreCase(id));
          case SUBSCRIBE_CHANNEL_MEMBERS -> isChannelMember(user, entry.get(), address);
          case SUBSCRIBE_TEAM_ADMINS -> isAdmin(user, id);
          default -> isMember(user, id);
        })
        .onComplete(ar -> {
          if (socket.closed() || !socket.subscriptions.contains(address)) {
            return; // closed, or unregistered while its register was being authorised
          }
          if (ar.failed() && ar.cause() instanceof Unavailable) {
            socket.subscriptions.remove(address);
            socket.write(Frame.error(Frames.REGISTRATION_FAILURE));
            return;
          }
          if (ar.failed() || !ar.result()) {
            socket.subscriptions.remove(address);
            socket.write(Frame.error(Frames.ACCESS_DENIED));
            return;
          }
          JsonObject headers = frame.getValue("headers") instanceof JsonObject h ? h : new JsonObject();
          hub.subscribe(socket, address, entry.get(), text(headers.getValue("since")), text(headers.getValue("epoch")));
        });
  }

  /** Header values are strings by contract; a number is taken as its text. */
  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  private void unregister(BridgeSocket socket, JsonObject frame) {
    String address = address(socket, frame);
    if (address != null && socket.subscriptions.remove(address)) {
      hub.unsubscribe(socket, address);
    }
  }

  private void publish(BridgeSocket socket, JsonObject frame) {
    // No address is open to publishing from a browser: every browser action is a command with a reply.
    if (address(socket, frame) != null) {
      socket.write(Frame.error(Frames.ACCESS_DENIED));
    }
  }

  private void send(BridgeSocket socket, JsonObject frame) {
    String address = address(socket, frame);
    if (address == null) {
      return;
    }
    Object replyValue = frame.getValue("replyAddress");
    if (replyValue != null && (!(replyValue instanceof String r) || r.length() > REPLY_ADDRESS_LENGTH)) {
      socket.write(Frame.error(Frames.INVALID_REPLY_ADDRESS));
      return;
    }
    String replyAddress = (String) replyValue;
    boolean command = Address.of(address).map(a -> a.browser() == Address.Browser.SEND).orElse(false);
    if (!command) {
      socket.write(Frame.error(Frames.ACCESS_DENIED));
      return;
    }
    if (hub.draining()) {
      if (replyAddress != null) {
        socket.write(Frame.failure(replyAddress, address, new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503,
            new JsonObject().put("error", new JsonObject().put("code", "service_unavailable")
                .put("message", "this node is shutting down; reconnect and retry")).encode())));
      }
      return;
    }
    if (socket.pendingReplies >= limits.maxPendingReplies()) {
      socket.write(Frame.error(Frames.TOO_MANY_PENDING_REPLIES));
      return;
    }
    socket.pendingReplies++;
    authenticate(socket, frame).onComplete(auth -> {
      if (auth.failed()) {
        socket.pendingReplies--;
        socket.write(Frame.error(Frames.ACCESS_DENIED));
        return;
      }
      long wait = users.acquire(auth.result());
      if (wait > 0) {
        socket.pendingReplies--;
        refuseThrottled(socket, "send", frame, wait);
        return;
      }
      Object body = frame.getValue("body");
      if (!(body instanceof JsonObject)) {
        socket.pendingReplies--;
        if (replyAddress != null) {
          socket.write(Frame.failure(replyAddress, address, new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 400,
              new JsonObject().put("error", new JsonObject().put("code", "invalid_json")
                  .put("message", "the body must be a JSON object")).encode())));
        }
        return;
      }
      // The bus sees only the verified user: whatever headers the browser sent stay here.
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(limits.replyTimeoutMs())
          .addHeader(Bus.USER_HEADER, auth.result().toString());
      Bus.fromEdge(options, Bus.ORIGIN_BUS, java.util.UUID.randomUUID().toString());
      JsonObject headers = frame.getValue("headers") instanceof JsonObject h ? h : null;
      if (headers != null && headers.getValue(Idempotency.HEADER) instanceof String key) {
        options.addHeader(Idempotency.HEADER, key);
      }
      vertx.eventBus().request(address, body, options).onComplete(reply -> {
        socket.pendingReplies--;
        if (replyAddress == null || socket.closed()) {
          return;
        }
        if (reply.succeeded()) {
          Message<Object> message = reply.result();
          socket.write(Frame.reply(replyAddress, message.body()));
        } else {
          ReplyException failure = reply.cause() instanceof ReplyException r ? r
              : new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 500, reply.cause().getMessage());
          socket.write(Frame.failure(replyAddress, address, failure));
        }
      });
    });
  }

  /**
   * Over a limit (the socket's frames, or the user's commands on this node): a send with a reply address gets a
   * failure with code 429 and the JSON error object, as REST would answer; any other frame an {@code err} frame.
   */
  private void refuseThrottled(BridgeSocket socket, String type, JsonObject frame, long waitMillis) {
    if ("send".equals(type) && frame.getValue("replyAddress") instanceof String replyAddress
        && replyAddress.length() <= REPLY_ADDRESS_LENGTH) {
      socket.write(Frame.failure(replyAddress, frame.getValue("address") instanceof String a ? a : null,
          RateLimiter.limited(waitMillis).toReply()));
    } else {
      socket.write(Frame.error(Frames.RATE_LIMITED));
    }
  }

  /**
   * The user of the frame's token. A socket that repeats the token it last proved is not verified again, but its
   * version is checked against the node's cache (no round trip while fresh), so a revocation refuses it at once (and
   * {@link BridgeVerticle} closes such sockets).
   */
  private Future<UUID> authenticate(BridgeSocket socket, JsonObject frame) {
    JsonObject headers = frame.getValue("headers") instanceof JsonObject h ? h : null;
    Object header = headers == null ? null : headers.getValue("authorization");
    if (!(header instanceof String authorization)) {
      return Future.failedFuture("no token");
    }
    if (authorization.equals(socket.token) && System.currentTimeMillis() < socket.tokenExpiresAt) {
      UUID user = socket.user;
      return versions.check(user, socket.tokenVersion).map(user);
    }
    return tokens.verifyWithExpiry(authorization).map(verified -> {
      // Interned: a user's sockets (tabs, devices) share one copy of the token (unreferenced ones are collected).
      socket.token = authorization.intern();
      socket.user = verified.userId();
      socket.tokenVersion = verified.version();
      socket.tokenExpiresAt = verified.expiresAtMillis();
      // A socket counts for presence from its first authenticated frame (register or send with a valid token).
      presence.authenticated(socket, verified.userId());
      return verified.userId();
    });
  }

  /**
   * A channel stream ({@code team.{teamId}.chat.{channelId}}): its owner's {@code <owner>.access} command decides,
   * cached like team membership (a removed member keeps receiving for at most TRCR_BRIDGE_ACCESS_CACHE_MS).
   */
  private Future<Boolean> isChannelMember(UUID user, Address stream, String address) {
    java.util.List<String> ids = stream.idsOf(address).orElseThrow();
    return admitted(user + "|" + address, stream.accessCheck(),
        new JsonObject().put("teamId", ids.get(0)).put("channelId", ids.get(1)).put("userId", user.toString()),
        reply -> true, 0);
  }

  private Future<Boolean> isMember(UUID user, String teamId) {
    return admitted(user + "|" + teamId, Address.WORKSPACE_ACCESS,
        new JsonObject().put("teamId", teamId).put("userId", user.toString()), reply -> true, 0);
  }

  /** Owners and admins only (billing streams); cached under its own key, like membership. */
  private Future<Boolean> isAdmin(UUID user, String teamId) {
    return admitted(user + "|" + teamId + "|admin", Address.WORKSPACE_ACCESS,
        new JsonObject().put("teamId", teamId).put("userId", user.toString()),
        reply -> "owner".equals(reply.getString("role")) || "admin".equals(reply.getString("role")), 0);
  }

  /**
   * Asks the owner of a stream whether a user may follow it; a yes is cached for {@code accessCacheMs}. A clear no
   * (a 4xx) is a no. A check that could not be answered (the owner overloaded or unreachable, as in a reconnect storm)
   * is retried with backoff, and then fails with {@link Unavailable}: the browser gets {@code registration_failure},
   * not a false {@code access_denied}.
   */
  private Future<Boolean> admitted(String key, Address check, JsonObject body,
                                   java.util.function.Predicate<JsonObject> accepts, int attempt) {
    Long until = memberships.get(key);
    long now = System.currentTimeMillis();
    if (until != null && until > now) {
      return Future.succeededFuture(true);
    }
    return Bus.<JsonObject>request(vertx, check, body, null, limits.replyTimeoutMs())
        .map(access -> {
          if (!accepts.test(access)) {
            return false;
          }
          if (memberships.size() > 100_000) {
            memberships.clear();
          }
          memberships.put(key, System.currentTimeMillis() + limits.accessCacheMs());
          return true;
        })
        .recover(e -> {
          if (e instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE
              && r.failureCode() >= 400 && r.failureCode() < 500) {
            return Future.succeededFuture(false);
          }
          if (attempt >= ACCESS_RETRIES) {
            return Future.failedFuture(new Unavailable());
          }
          io.vertx.core.Promise<Boolean> retried = io.vertx.core.Promise.promise();
          long backoff = (100L << attempt) + java.util.concurrent.ThreadLocalRandom.current().nextLong(100);
          vertx.setTimer(backoff, id -> admitted(key, check, body, accepts, attempt + 1).onComplete(retried));
          return retried.future();
        });
  }

  /** An access check nobody could answer. */
  private static final class Unavailable extends RuntimeException {
    Unavailable() {
      super("access check unavailable", null, false, false);
    }
  }
}
