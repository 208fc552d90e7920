package dev.trcr.bridge;

import dev.trcr.kernel.Config;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Health;
import dev.trcr.kernel.Metrics;
import dev.trcr.kernel.Node;
import dev.trcr.kernel.RateLimiter;
import dev.trcr.kernel.SecurityHeaders;
import dev.trcr.kernel.TokenVersions;
import dev.trcr.kernel.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.sqlclient.Pool;

import java.net.URI;
import java.util.List;
import java.util.UUID;

/**
 * The event-bus bridge browsers join with {@code @vertx/eventbus-bridge-client.js} over SockJS (every transport, and
 * the raw WebSocket at {@code /eventbus/websocket}). It is a per-node hub ({@link Hub}): one bus consumer per address
 * for all local sockets, frames encoded once, bounded sockets ({@link BridgeLimits}), and the authorisation rules of
 * {@link BridgeProtocol}. With {@code TRCR_TCP_BRIDGE_PORT} it also serves services over TCP with the framing of
 * {@code vertx-tcp-eventbus-bridge}: the same hub, protocol and limits, only the wire differs ({@link Transport}).
 */
public final class BridgeVerticle extends VerticleBase {

  private Tokens tokens;
  private TokenVersions versions;
  private Pool healthPool;
  private HttpServer server;
  private NetServer tcpServer;
  private List<String> allowedOrigins;
  private BridgeLimits limits;
  private Hub hub;
  private BridgeProtocol protocol;
  private Presence presence;
  private long sweeper;

  @Override
  public Future<?> start() {
    return TokenVersions.start(vertx, config()).compose(v -> {
      versions = v;
      versions.onRevoked(this::closeRevoked);
      return startBridge();
    });
  }

  private Future<?> startBridge() {
    tokens = Tokens.create(vertx, config()).revocable(versions);
    healthPool = Database.pool(vertx, config().copy().put("TRCR_PG_POOL_SIZE", 1));
    allowedOrigins = Config.list(config(), "TRCR_ALLOWED_ORIGINS");
    limits = BridgeLimits.from(config());
    presence = new Presence(vertx, config());
    hub = new Hub(vertx, limits, presence);
    Metrics.gauge(vertx, "trcr.bridge.sockets", "Open bridge sockets on this node", hub::socketCount);
    Metrics.gauge(vertx, "trcr.bridge.subscriptions", "Subscriptions of this node's bridge sockets",
        () -> hub.sockets().stream().mapToInt(s -> s.subscriptions.size()).sum());
    Metrics.gauge(vertx, "trcr.bridge.bus.consumers", "Event-bus consumers the hub holds (one per subscribed address)",
        hub::consumerCount);
    protocol = new BridgeProtocol(vertx, tokens, limits, hub, versions,
        RateLimiter.perNode(vertx, "users", Config.integer(config(), "TRCR_RATE_LIMIT_PER_SECOND"),
            Config.integer(config(), "TRCR_RATE_LIMIT_BURST")), presence);

    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      // SockJS's iframe transports serve a page that the app's page frames and that loads the SockJS client.
      boolean sockJsIframe = ctx.request().path().matches("/eventbus/iframe[^/]*\\.html");
      if (sockJsIframe) {
        ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer");
      } else {
        SecurityHeaders.apply(ctx.response(), SecurityHeaders.NOTHING_CSP);
      }
      ctx.next();
    });
    router.get("/health").handler(ctx -> Health.handle(vertx, healthPool, ctx));
    router.route("/eventbus*").handler(this::checkOrigin);
    // The SockJS XHR transports post frames (xhr_send): Vert.x 5 needs the body read before the SockJS handler.
    router.post("/eventbus*").handler(BodyHandler.create(false).setBodyLimit(4L * limits.maxFrameBytes() + 1024));
    boolean builtin = "builtin".equals(Config.string(config(), "TRCR_BRIDGE_IMPL"));
    if (builtin) {
      router.route("/eventbus*").subRouter(new BuiltinBridge(vertx, tokens).router());
    } else {
      router.get("/eventbus/websocket").handler(this::acceptWebSocket);
      router.route("/eventbus/websocket").handler(ctx -> ctx.response().putHeader("Allow", "GET").setStatusCode(405)
          .end());
      router.route("/eventbus*").subRouter(SockJSHandler.create(vertx, new SockJSHandlerOptions()
          .setRegisterWriteHandler(false)).socketHandler(this::accept));
    }
    router.errorHandler(404, ctx -> ctx.response().setStatusCode(404).putHeader("content-type", "application/json")
        .end(ErrorCode.NOT_FOUND.exception("no route " + ctx.request().path()).toJson().encode()));

    sweeper = vertx.setPeriodic(1_000, id -> {
      hub.sweep();
      // What an operator (and a test) can read of this node's bridge without reaching into it.
      var stats = vertx.sharedData().getLocalMap(Node.LOCAL_MAP);
      stats.put("bridge.sockets", hub.socketCount());
      stats.put("bridge.consumers", hub.consumerCount());
      stats.put("bridge.users", presence.userCount());
    });
    return hub.start().compose(ignored -> vertx.createHttpServer(new HttpServerOptions()
            .setHost(Config.string(config(), "TRCR_HTTP_HOST"))
            .setPort(Config.integer(config(), "TRCR_BRIDGE_PORT"))
            // Every write to a socket happens on this verticle's event loop (the hub's): strict mode spares each
            // connection a cross-thread write queue (a 4 KB array per socket, see the fan-out benchmark's memory mode).
            .setStrictThreadMode(!builtin)
            // Frames somewhat over the limit get a clear err frame from the protocol; far larger ones are cut off
            // by the transport (close 1009) before they are buffered.
            .setMaxWebSocketFrameSize(4 * limits.maxFrameBytes() + 1024)
            .setMaxWebSocketMessageSize(4 * limits.maxFrameBytes() + 1024))
        .requestHandler(router)
        .listen())
        .onSuccess(s -> {
          server = s;
          vertx.sharedData().getLocalMap(Node.LOCAL_MAP).put("bridge.port", s.actualPort());
        })
        .compose(s -> listenTcp())
        .onSuccess(ignored -> presence.start());
  }

  /** The TCP bridge, when {@code TRCR_TCP_BRIDGE_PORT} is 0 (an ephemeral port, for tests) or more; -1 = off. */
  private Future<?> listenTcp() {
    int port = Config.integer(config(), "TRCR_TCP_BRIDGE_PORT");
    if (port < 0) {
      return Future.succeededFuture();
    }
    return vertx.createNetServer(new NetServerOptions()
            .setHost(Config.string(config(), "TRCR_TCP_BRIDGE_HOST"))
            .setPort(port)
            .setTcpNoDelay(true))
        .connectHandler(this::acceptTcp)
        .listen()
        .onSuccess(s -> {
          tcpServer = s;
          vertx.sharedData().getLocalMap(Node.LOCAL_MAP).put("tcp-bridge.port", s.actualPort());
        });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweeper);
    return (hub == null ? Future.<Void>succeededFuture() : hub.stop())
        .onComplete(ignored -> {
          if (presence != null) {
            presence.stop();
          }
        })
        .compose(ignored -> server == null ? Future.succeededFuture() : server.close())
        .compose(ignored -> tcpServer == null ? Future.succeededFuture() : tcpServer.close())
        .compose(ignored -> Future.all(healthPool == null ? Future.succeededFuture() : healthPool.close(),
            versions == null ? Future.succeededFuture() : versions.stop()));
  }

  /** A revoked token stops working at once: the user's sockets that proved an older token are closed (4401). */
  private void closeRevoked(UUID user, int version) {
    for (BridgeSocket socket : hub.sockets()) {
      if (user.equals(socket.user) && socket.tokenVersion < version) {
        socket.close(BridgeSocket.CLOSE_TOKEN_REVOKED, "token revoked (logout or password change); log in again");
      }
    }
  }

  private void accept(SockJSSocket sock) {
    if (hub.socketCount() >= limits.maxSockets()) {
      sock.close(BridgeSocket.CLOSE_NODE_FULL, "this node holds its limit of " + limits.maxSockets()
          + " sockets; try another node");
      return;
    }
    BridgeSocket socket = new BridgeSocket(Transport.sockJs(sock), limits, hub);
    hub.add(socket);
    sock.handler(data -> protocol.handle(socket, data));
    sock.closeHandler(v -> socket.closedByPeer());
    sock.exceptionHandler(e -> socket.closedByPeer());
  }

  /**
   * The raw WebSocket at {@code /eventbus/websocket}, as SockJS's raw transport serves it (text or binary messages in,
   * binary out, a close code and reason), without keeping the upgrade request's routing context for the socket's life.
   */
  private void acceptWebSocket(RoutingContext ctx) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      ctx.response().setStatusCode(400).end("Can \"Upgrade\" only to \"WebSocket\".");
      return;
    }
    ctx.request().toWebSocket().onSuccess(ws -> {
      // Vert.x keeps the upgrade request and its response for the connection's life; nothing reads their headers
      // after the handshake (the origin was checked before it), so they go: about 1 KB per open socket.
      ws.headers().clear();
      ctx.response().headers().clear();
      Transport transport = Transport.webSocket(ws);
      if (hub.socketCount() >= limits.maxSockets()) {
        transport.close(BridgeSocket.CLOSE_NODE_FULL, "this node holds its limit of " + limits.maxSockets()
            + " sockets; try another node");
        return;
      }
      BridgeSocket socket = new BridgeSocket(transport, limits, hub);
      hub.add(socket);
      ws.binaryMessageHandler(data -> protocol.handle(socket, data));
      ws.textMessageHandler(text -> protocol.handle(socket, Buffer.buffer(text)));
      ws.closeHandler(v -> socket.closedByPeer());
      ws.exceptionHandler(e -> socket.closedByPeer());
    }).onFailure(ctx::fail);
  }

  /**
   * A service's TCP connection: 4-byte big-endian length, then that many bytes of JSON, as
   * {@code vertx-tcp-eventbus-bridge}'s clients write them. A frame somewhat over the limit is read and refused with
   * an err frame by the protocol, like on SockJS; a length far beyond it closes the connection before it is buffered.
   * (The library's own {@code FrameParser} buffers whatever length it is told, so it cannot enforce that.)
   */
  private void acceptTcp(NetSocket sock) {
    Transport transport = Transport.tcp(sock);
    if (hub.socketCount() >= limits.maxSockets()) {
      transport.close(BridgeSocket.CLOSE_NODE_FULL, "this node holds its limit of " + limits.maxSockets()
          + " sockets; try another node");
      return;
    }
    BridgeSocket socket = new BridgeSocket(transport, limits, hub);
    hub.add(socket);
    int hardLimit = 4 * limits.maxFrameBytes() + 1024;
    RecordParser parser = RecordParser.newFixed(4);
    parser.handler(new Handler<>() {
      private int length = -1;

      @Override
      public void handle(Buffer record) {
        if (socket.closed()) {
          return; // the rest of a chunk that arrived with the frame that closed it
        }
        if (length < 0) {
          int announced = record.getInt(0);
          if (announced < 0 || announced > hardLimit) {
            socket.write(Frame.error(Frames.FRAME_TOO_LARGE));
            socket.close(BridgeSocket.CLOSE_FRAME_TOO_LARGE, "a frame of " + announced + " bytes; the limit is "
                + limits.maxFrameBytes());
            return;
          }
          if (announced == 0) {
            protocol.handle(socket, Buffer.buffer());
            return;
          }
          length = announced;
          parser.fixedSizeMode(length);
        } else {
          length = -1;
          parser.fixedSizeMode(4);
          protocol.handle(socket, record);
        }
      }
    });
    sock.handler(data -> {
      if (!socket.closed()) {
        parser.handle(data);
      }
    });
    sock.closeHandler(v -> socket.closedByPeer());
    sock.exceptionHandler(e -> sock.close());
  }

  /** Browsers always send Origin; a page from a foreign origin cannot open the bridge. Non-browser clients send none. */
  private void checkOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin == null || originAllowed(origin, ctx)) {
      ctx.next();
      return;
    }
    ctx.response().setStatusCode(403).putHeader("content-type", "application/json")
        .end(ErrorCode.FORBIDDEN.exception("origin " + origin + " may not open the bridge").toJson().encode());
  }

  private boolean originAllowed(String origin, RoutingContext ctx) {
    if (!allowedOrigins.isEmpty()) {
      return allowedOrigins.contains(origin) || allowedOrigins.contains("*");
    }
    // Default: the app's own origins, i.e. this host name on the api's or the bridge's port.
    try {
      URI uri = URI.create(origin);
      String host = ctx.request().authority() == null ? null : ctx.request().authority().host();
      Object httpPort = vertx.sharedData().getLocalMap(Node.LOCAL_MAP).get("http.port");
      int apiPort = httpPort instanceof Integer p ? p : Config.integer(config(), "TRCR_HTTP_PORT");
      int port = uri.getPort() == -1 ? ("https".equals(uri.getScheme()) ? 443 : 80) : uri.getPort();
      return uri.getHost() != null && uri.getHost().equalsIgnoreCase(host)
          && (port == apiPort || port == server.actualPort());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
