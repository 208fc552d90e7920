package dev.trcr.api;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Config;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.RateLimiter;
import dev.trcr.kernel.TokenVersions;
import dev.trcr.kernel.Tokens;
import dev.trcr.kernel.TrcrException;
import graphql.GraphQL;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.graphql.ExecutionInputBuilderWithContext;
import io.vertx.ext.web.handler.graphql.GraphQLHandler;
import io.vertx.ext.web.handler.graphql.GraphiQLHandler;
import io.vertx.ext.web.handler.graphql.GraphiQLHandlerOptions;
import io.vertx.ext.web.handler.graphql.instrumentation.JsonObjectAdapter;
import io.vertx.ext.web.handler.graphql.ws.ConnectionInitEvent;
import io.vertx.ext.web.handler.graphql.ws.GraphQLWSHandler;
import io.vertx.ext.web.handler.graphql.ws.Message;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GraphQL beside REST, on the api's HTTP server: {@code POST /graphql} (and {@code GET} for queries) with
 * GraphQLHandler, subscriptions over {@code graphql-transport-ws} with GraphQLWSHandler on the same path, and GraphiQL
 * at {@code /graphiql} unless {@code TRCR_GRAPHIQL} is false. The same tokens, per-user rate limit and bus commands as
 * REST; the schema is {@code graphql/trcr.graphqls}.
 *
 * <p>Over HTTP, a request that is not a GraphQL request (no valid token, malformed JSON, no query, wrong content type,
 * over the rate limit) is refused with its HTTP status (401, 400, 415, 429) and {@code {"errors":[...]}}; anything
 * that is a GraphQL request (a document that does not parse or validate, bad variables, a limit, a domain error) is
 * answered 200 with {@code errors}, each with {@code extensions.code}, as GraphQL over HTTP does for
 * {@code application/json}.
 */
public final class GraphqlApi {

  /** The WebSocket sub-protocol of subscriptions; the HTTP server must offer it. */
  public static final String WS_SUBPROTOCOL = "graphql-transport-ws";

  private static final String PATH = "/graphql";
  private static final String SCHEMA = "graphql/trcr.graphqls";

  private final Vertx vertx;
  private final JsonObject config;
  private final Tokens tokens;
  private final TokenVersions versions;
  private final RateLimiter users;
  private final Loaders loaders;
  private final Subscriptions subscriptions;
  private final GraphQL graphQL;
  /** The open sockets of each user with the token version they authenticated with: logout closes them (4401). */
  private final Map<UUID, Map<ServerWebSocket, Integer>> sockets = new ConcurrentHashMap<>();

  public GraphqlApi(Vertx vertx, JsonObject config, Tokens tokens, TokenVersions versions, RateLimiter users,
                    long busTimeoutMs) {
    this.vertx = vertx;
    this.config = config;
    this.tokens = tokens;
    this.versions = versions;
    this.users = users;
    this.loaders = new Loaders(vertx, busTimeoutMs);
    this.subscriptions = new Subscriptions(vertx, busTimeoutMs, users,
        Config.integer(config, "TRCR_GRAPHQL_MAX_SUBSCRIPTIONS"));
    this.graphQL = build(busTimeoutMs);
  }

  private GraphQL build(long busTimeoutMs) {
    RuntimeWiring.Builder wiring = RuntimeWiring.newRuntimeWiring();
    Scalars.wire(wiring);
    new Resolvers(vertx, busTimeoutMs, tokens, versions,
        Duration.ofDays(Config.integer(config, "TRCR_SERVICE_TOKEN_TTL_DAYS"))).wire(wiring);
    subscriptions.wire(wiring);
    GraphQLSchema schema = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl()), wiring.build());
    List<Instrumentation> instrumentations = new ArrayList<>();
    instrumentations.add(new JsonObjectAdapter());
    instrumentations.addAll(QueryLimits.instrumentations(Config.integer(config, "TRCR_GRAPHQL_MAX_DEPTH"),
        Config.integer(config, "TRCR_GRAPHQL_MAX_COMPLEXITY"), users));
    instrumentations.add(new GraphqlErrors.Codes());
    return GraphQL.newGraphQL(schema)
        .instrumentation(new ChainedInstrumentation(instrumentations))
        .defaultDataFetcherExceptionHandler(GraphqlErrors.exceptionHandler())
        .build();
  }

  /** The schema's SDL, as served. */
  static String sdl() {
    try (InputStream in = GraphqlApi.class.getClassLoader().getResourceAsStream(SCHEMA)) {
      if (in == null) {
        throw new IllegalStateException(SCHEMA + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + SCHEMA, e);
    }
  }

  /** Installs {@code /graphql} (WebSocket first, then HTTP) and, if enabled, {@code /graphiql}. */
  public void mount(Router router) {
    router.route(PATH).handler(GraphQLWSHandler.builder(graphQL)
        .onConnectionInit(this::connectionInit)
        .beforeExecute(this::beforeWebSocketOperation)
        .onSocketEnd(this::forget)
        .build());
    router.route(PATH).handler(ctx -> {
      ctx.response().putHeader("cache-control", "no-store");
      ctx.next();
    });
    router.route(PATH).handler(BodyHandler.create(false).setBodyLimit(Config.integer(config, "TRCR_BODY_LIMIT_BYTES")));
    router.route(PATH).handler(this::authenticate);
    router.route(PATH).handler(GraphQLHandler.builder(graphQL).beforeExecute(this::beforeHttpOperation).build());
    router.route(PATH).failureHandler(this::failure);
    vertx.eventBus().<JsonObject>consumer(Address.WORKSPACE_TOKENS_REVOKED.address(), m -> revoked(m.body()));

    if (Config.flag(config, "TRCR_GRAPHIQL")) {
      router.route("/graphiql*").handler(ctx -> {
        // GraphiQL's page starts with an inline script holding its settings: allowed on this developer page only.
        String host = ctx.request().authority() == null ? "" : ctx.request().authority().toString();
        ctx.response().putHeader("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws://"
            + host + " wss://" + host + "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
        ctx.next();
      });
      router.route("/graphiql*").subRouter(GraphiQLHandler.create(vertx, new GraphiQLHandlerOptions()
          .setEnabled(true).setGraphQLUri(PATH).setGraphQLWSEnabled(true)).router());
    }
  }

  /** A valid, unrevoked token, then the caller's share of the node's rate limit (the bucket REST uses). */
  private void authenticate(RoutingContext ctx) {
    tokens.verifyWithExpiry(ctx.request().getHeader("Authorization")).onComplete(ar -> {
      if (ar.failed()) {
        refuse(ctx, ar.cause());
        return;
      }
      long wait = users.acquire(ar.result().userId());
      if (wait > 0) {
        ctx.response().putHeader("Retry-After", String.valueOf(RateLimiter.retryAfterSeconds(wait)));
        refuse(ctx, RateLimiter.limited(wait));
        return;
      }
      ctx.put(Resolvers.CALLER, ar.result());
      ctx.next();
    });
  }

  private void beforeHttpOperation(ExecutionInputBuilderWithContext<RoutingContext> input) {
    Tokens.Verified caller = input.context().get(Resolvers.CALLER);
    input.builder().graphQLContext(Map.of(Resolvers.CALLER, caller, Resolvers.REQUEST_ID,
            input.context().<String>get(Resolvers.REQUEST_ID)))
        .dataLoaderRegistry(loaders.registry(caller.userId(), true));
  }

  /** {@code connection_init} must carry {@code {"authorization":"Bearer <token>"}}; otherwise the socket closes 4401. */
  private void connectionInit(ConnectionInitEvent event) {
    Object payload = event.message().message().getValue("payload");
    Object authorization = payload instanceof JsonObject p
        ? p.getValue("authorization", p.getValue("Authorization")) : null;
    tokens.verifyWithExpiry(authorization instanceof String s ? s : null).onComplete(ar -> {
      if (ar.failed()) {
        event.fail(ar.cause());
        return;
      }
      Tokens.Verified caller = ar.result();
      sockets.computeIfAbsent(caller.userId(), u -> new ConcurrentHashMap<>())
          .put(event.message().socket(), caller.version());
      event.complete(caller);
    });
  }

  private void beforeWebSocketOperation(ExecutionInputBuilderWithContext<Message> input) {
    Message message = input.context();
    Tokens.Verified caller = (Tokens.Verified) message.connectionParams();
    input.builder().graphQLContext(Map.of(Resolvers.CALLER, caller, QueryLimits.OVER_WEBSOCKET, true,
            Subscriptions.SOCKET, message.socket(), Subscriptions.OPERATION_ID, message.message().getString("id"),
            Resolvers.REQUEST_ID, java.util.UUID.randomUUID().toString()))
        .dataLoaderRegistry(loaders.registry(caller.userId(), false));
  }

  private void forget(ServerWebSocket socket) {
    subscriptions.forget(socket);
    sockets.values().forEach(open -> open.remove(socket));
    sockets.values().removeIf(Map::isEmpty);
  }

  /** Logout or a password change anywhere: this node's sockets authenticated with an older token close (4401). */
  private void revoked(JsonObject event) {
    try {
      Map<ServerWebSocket, Integer> open = sockets.get(UUID.fromString(event.getString("userId")));
      int version = event.getInteger("version");
      if (open != null) {
        open.forEach((socket, tokenVersion) -> {
          if (tokenVersion < version) {
            socket.close((short) 4401, "Unauthorized");
          }
        });
      }
    } catch (RuntimeException ignored) {
      // not an event of the catalogue's shape: nothing to close
    }
  }

  /** Failures of the HTTP handlers before execution (BodyHandler, GraphQLHandler): GraphQL-shaped errors. */
  private void failure(RoutingContext ctx) {
    Throwable cause = ctx.failure();
    boolean notJson = cause instanceof DecodeException || cause != null && cause.getCause() instanceof DecodeException;
    TrcrException error = switch (ctx.statusCode()) {
      case 400 -> notJson
          ? ErrorCode.INVALID_JSON.exception("not a GraphQL request: the body, or variables or extensions in the "
              + "query string, are not valid JSON")
          : ErrorCode.INVALID_QUERY.exception(cause == null || cause.getMessage() == null ? "not a GraphQL request"
              : "not a GraphQL request: " + cause.getMessage());
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED.exception("GraphQL takes GET (queries) and POST");
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE.exception("the body is larger than "
          + Config.integer(config, "TRCR_BODY_LIMIT_BYTES") + " bytes");
      case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE.exception("send Content-Type: application/json (or application/graphql)");
      default -> null;
    };
    refuse(ctx, error != null ? error : cause);
  }

  private static void refuse(RoutingContext ctx, Throwable cause) {
    if (ctx.response().ended()) {
      return;
    }
    JsonObject error = GraphqlErrors.restError(cause, ctx.request().path());
    int status = statusOf(error.getString("code"));
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(GraphqlErrors.errorsBody(error).encode());
  }

  private static final Set<String> CODES = java.util.Arrays.stream(ErrorCode.values()).map(ErrorCode::code)
      .collect(java.util.stream.Collectors.toSet());

  private static int statusOf(String code) {
    return CODES.contains(code) ? ErrorCode.valueOf(code.toUpperCase(java.util.Locale.ROOT)).status() : 500;
  }
}
