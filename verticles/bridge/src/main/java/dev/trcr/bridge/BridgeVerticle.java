package dev.trcr.bridge;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Config;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Health;
import dev.trcr.kernel.Node;
import dev.trcr.kernel.Tokens;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.sqlclient.Pool;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SockJS event-bus bridge browsers join with {@code @vertx/eventbus-bridge-client.js}. Every register, send and
 * publish must carry {@code authorization: Bearer <token>} in its headers; streams are open to the members of their
 * team; commands reach the bus with the token's user in {@link Bus#USER_HEADER} and no header a browser chose.
 */
public final class BridgeVerticle extends VerticleBase {

  /** An address no permission matches; see {@link #decide}. */
  private static final String DENIED = "trcr.bridge.denied";

  private Tokens tokens;
  private Pool healthPool;
  private HttpServer server;
  private List<String> allowedOrigins;

  @Override
  public Future<?> start() {
    tokens = Tokens.create(vertx, config());
    healthPool = Database.pool(vertx, config().copy().put("TRCR_PG_POOL_SIZE", 1));
    allowedOrigins = Config.list(config(), "TRCR_ALLOWED_ORIGINS");

    SockJSBridgeOptions options = new SockJSBridgeOptions();
    for (Address address : Address.values()) {
      switch (address.browser()) {
        case SEND -> options.addInboundPermitted(new PermittedOptions().setAddress(address.address()));
        case SUBSCRIBE_TEAM_MEMBERS -> options.addOutboundPermitted(new PermittedOptions()
            .setAddressRegex(address.template().replace(".", "\\.").replace("{teamId}", "[0-9a-fA-F-]{36}")));
        case NONE -> {
        }
      }
    }
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> Health.handle(vertx, healthPool, ctx));
    router.route("/eventbus*").handler(this::checkOrigin);
    router.route("/eventbus*").subRouter(SockJSHandler.create(vertx, new SockJSHandlerOptions())
        .bridge(options, this::authorize));
    router.errorHandler(404, ctx -> ctx.response().setStatusCode(404).putHeader("content-type", "application/json")
        .end(ErrorCode.NOT_FOUND.exception("no route " + ctx.request().path()).toJson().encode()));

    return vertx.createHttpServer(new HttpServerOptions()
            .setHost(Config.string(config(), "TRCR_HTTP_HOST"))
            .setPort(Config.integer(config(), "TRCR_BRIDGE_PORT")))
        .requestHandler(router)
        .listen()
        .onSuccess(s -> {
          server = s;
          vertx.sharedData().getLocalMap(Node.LOCAL_MAP).put("bridge.port", s.actualPort());
        });
  }

  @Override
  public Future<?> stop() {
    return Future.all(server == null ? Future.succeededFuture() : server.close(), healthPool.close());
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

  private void authorize(BridgeEvent event) {
    switch (event.type()) {
      case REGISTER -> authenticated(event).compose(user -> mayRegister(user, event.getRawMessage().getString("address")))
          .onComplete(ar -> decide(event, ar.succeeded() && ar.result()));
      case SEND -> authenticated(event).onComplete(ar -> {
        boolean allowed = ar.succeeded() && mayCommand(event.getRawMessage().getString("address"));
        if (allowed) {
          // The bus sees only the verified user: whatever headers the browser sent are dropped.
          event.setRawMessage(event.getRawMessage().put("headers",
              new JsonObject().put(Bus.USER_HEADER, ar.result().toString())));
        }
        decide(event, allowed);
      });
      case PUBLISH -> decide(event, false);
      default -> event.complete(true);
    }
  }

  /**
   * Browsers get one answer for every refusal, {@code {"type":"err","body":"access_denied"}}, whether the token, the
   * membership or the address was wrong. The built-in bridge answers a hook's refusal with "rejected" and only an
   * unpermitted address with "access_denied", so a refusal is passed on as a frame for an address no rule permits.
   */
  private static void decide(BridgeEvent event, boolean allowed) {
    if (!allowed) {
      event.setRawMessage(event.getRawMessage().put("address", DENIED));
    }
    event.complete(true);
  }

  private Future<UUID> authenticated(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    JsonObject headers = raw == null ? null : raw.getJsonObject("headers");
    return tokens.verify(headers == null ? null : headers.getString("authorization"));
  }

  private static boolean mayCommand(String address) {
    return address != null && Address.of(address).map(a -> a.browser() == Address.Browser.SEND).orElse(false);
  }

  private Future<Boolean> mayRegister(UUID user, String address) {
    Optional<Address> entry = address == null ? Optional.empty() : Address.of(address);
    if (entry.isEmpty() || entry.get().browser() != Address.Browser.SUBSCRIBE_TEAM_MEMBERS) {
      return Future.succeededFuture(false);
    }
    String teamId = entry.get().teamIdOf(address).orElseThrow();
    return Bus.request(vertx, Address.WORKSPACE_ACCESS,
            new JsonObject().put("teamId", teamId).put("userId", user.toString()), null)
        .map(access -> true)
        .otherwise(false);
  }
}
