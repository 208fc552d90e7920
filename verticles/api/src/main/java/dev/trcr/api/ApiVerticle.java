package dev.trcr.api;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Config;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Health;
import dev.trcr.kernel.Idempotency;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.Logs;
import dev.trcr.kernel.Node;
import dev.trcr.kernel.RateLimiter;
import dev.trcr.kernel.SecurityHeaders;
import dev.trcr.kernel.TokenVersions;
import dev.trcr.kernel.Tokens;
import dev.trcr.kernel.TrcrException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.UUID;

/**
 * The HTTP edge: REST routes that authenticate the caller and forward to the domain verticles' bus commands, the
 * static web page, {@code /config.json} and {@code /health}. Holds no domain logic: one route, one command.
 */
public final class ApiVerticle extends VerticleBase {

  private static final String USER = "trcr.user";
  private static final String TOKEN = "trcr.token";

  private Tokens tokens;
  private TokenVersions versions;
  /** Per user, shared with the bridge of this node: REST calls and bridge commands draw from one bucket. */
  private RateLimiter users;
  private RateLimiter loginsPerEmail;
  private RateLimiter loginsPerAddress;
  private Pool healthPool;
  private HttpServer server;
  private long busTimeoutMs;

  @Override
  public Future<?> start() {
    healthPool = Database.pool(vertx, config().copy().put("TRCR_PG_POOL_SIZE", 1));
    busTimeoutMs = Config.integer(config(), "TRCR_BUS_TIMEOUT_MS");
    users = RateLimiter.perNode(vertx, "users", Config.integer(config(), "TRCR_RATE_LIMIT_PER_SECOND"),
        Config.integer(config(), "TRCR_RATE_LIMIT_BURST"));
    int perEmail = Config.integer(config(), "TRCR_LOGIN_LIMIT_PER_EMAIL_PER_MINUTE");
    int perAddress = Config.integer(config(), "TRCR_LOGIN_LIMIT_PER_ADDRESS_PER_MINUTE");
    loginsPerEmail = RateLimiter.perNode(vertx, "logins-per-email", perEmail / 60.0, perEmail);
    loginsPerAddress = RateLimiter.perNode(vertx, "logins-per-address", perAddress / 60.0, perAddress);
    return TokenVersions.start(vertx, config()).compose(v -> {
      versions = v;
      tokens = Tokens.create(vertx, config()).revocable(versions);
      return listen(router());
    });
  }

  private Future<HttpServer> listen(Router router) {
    return vertx.createHttpServer(new HttpServerOptions()
            .setHost(Config.string(config(), "TRCR_HTTP_HOST"))
            .setPort(Config.integer(config(), "TRCR_HTTP_PORT"))
            .setCompressionSupported(true)
            .addWebSocketSubProtocol(GraphqlApi.WS_SUBPROTOCOL))
        .requestHandler(router)
        .listen()
        .onSuccess(s -> {
          server = s;
          vertx.sharedData().getLocalMap(Node.LOCAL_MAP).put("http.port", s.actualPort());
        });
  }

  @Override
  public Future<?> stop() {
    // Stop accepting, and give requests in flight up to 10 s to be answered.
    Future<Void> closed = server == null ? Future.succeededFuture() : server.shutdown(10, TimeUnit.SECONDS);
    return closed.compose(ignored -> Future.all(healthPool.close(),
        versions == null ? Future.succeededFuture() : versions.stop()));
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      SecurityHeaders.apply(ctx.response(), SecurityHeaders.appCsp(bridgeUrl(ctx)));
      // Every request gets an id (the client's X-Request-Id when it is a sane one): answered back, and carried in the
      // bus headers of the commands it sends, so that logs and the audit log can follow it across nodes.
      String given = ctx.request().getHeader("X-Request-Id");
      String requestId = Bus.validRequestId(given) ? given : UUID.randomUUID().toString();
      ctx.put(Resolvers.REQUEST_ID, requestId);
      ctx.response().putHeader("X-Request-Id", requestId);
      if (Logs.accessEnabled()) {
        long started = System.nanoTime();
        ctx.addEndHandler(ended -> accessLine(ctx, requestId, started));
      }
      ctx.next();
    });
    List<String> origins = Config.list(config(), "TRCR_ALLOWED_ORIGINS");
    if (!origins.isEmpty()) {
      CorsHandler cors = origins.contains("*") ? CorsHandler.create().addOrigin("*") : CorsHandler.create().addOrigins(origins);
      router.route().handler(cors
          .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE))
          .allowedHeaders(Set.of("Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"))
          .exposedHeaders(Set.of("X-Request-Id")));
    }
    router.get("/health").handler(ctx -> Health.handle(vertx, healthPool, ctx));
    router.get("/config.json").handler(this::clientConfig);
    new GraphqlApi(vertx, config(), tokens, versions, users, busTimeoutMs).mount(router); // /graphql, /graphiql

    router.route("/api/*").handler(ctx -> {
      ctx.response().putHeader("cache-control", "no-store");
      ctx.next();
    });
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(Config.integer(config(), "TRCR_BODY_LIMIT_BYTES")));

    router.post("/api/auth/signup").handler(ctx -> forward(ctx, Address.WORKSPACE_SIGNUP, 201, true));
    router.post("/api/auth/login").handler(this::throttleLogin)
        .handler(ctx -> forward(ctx, Address.WORKSPACE_LOGIN, 200, true));

    // A git provider's deliveries: no bearer token; the integrations verticle checks the provider's signature.
    router.post("/hooks/git/:integrationId")
        .handler(BodyHandler.create(false).setBodyLimit(Config.integer(config(), "TRCR_BODY_LIMIT_BYTES")))
        .handler(this::gitHook);

    router.route("/api/*").handler(this::authenticate);
    router.post("/api/auth/refresh").handler(this::refresh);
    router.post("/api/auth/logout").handler(this::logout);
    router.post("/api/auth/password").handler(this::throttlePasswordChange).handler(this::changePassword);
    router.get("/api/me").handler(ctx -> forward(ctx, Address.WORKSPACE_ME, 200, false));
    router.post("/api/teams").handler(ctx -> forward(ctx, Address.WORKSPACE_TEAMS_CREATE, 201, false));
    router.post("/api/teams/:teamId/members").handler(ctx -> forward(ctx, Address.WORKSPACE_MEMBERS_ADD, 201, false));
    router.get("/api/teams/:teamId/members").handler(ctx -> forward(ctx, Address.WORKSPACE_MEMBERS_LIST, 200, false));
    router.patch("/api/teams/:teamId/members/:userId")
        .handler(ctx -> forward(ctx, Address.WORKSPACE_MEMBERS_UPDATE, 200, false));
    router.post("/api/teams/:teamId/projects").handler(ctx -> forward(ctx, Address.WORKSPACE_PROJECTS_CREATE, 201, false));
    router.get("/api/teams/:teamId/projects").handler(ctx -> forward(ctx, Address.WORKSPACE_PROJECTS_LIST, 200, false));
    router.patch("/api/teams/:teamId/projects/:projectId")
        .handler(ctx -> forward(ctx, Address.WORKSPACE_PROJECTS_UPDATE, 200, false));
    router.get("/api/teams/:teamId/projects/:projectId/rates")
        .handler(ctx -> forward(ctx, Address.WORKSPACE_RATES_LIST, 200, false));
    router.put("/api/teams/:teamId/projects/:projectId/rates/:userId")
        .handler(ctx -> forward(ctx, Address.WORKSPACE_RATES_SET, 200, false));
    router.post("/api/teams/:teamId/timer/start").handler(ctx -> forward(ctx, Address.TIMERS_START, 201, false));
    router.post("/api/teams/:teamId/timer/stop").handler(ctx -> forward(ctx, Address.TIMERS_STOP, 200, false));
    router.get("/api/teams/:teamId/timers/running").handler(ctx -> forward(ctx, Address.TIMERS_RUNNING, 200, false));
    router.get("/api/teams/:teamId/time-entries").handler(ctx -> forward(ctx, Address.TIMERS_ENTRIES_LIST, 200, false));
    router.get("/api/teams/:teamId/time-entries.csv").handler(this::timeEntriesCsv);
    router.post("/api/teams/:teamId/time-entries").handler(ctx -> forward(ctx, Address.TIMERS_ENTRIES_CREATE, 201, false));
    router.patch("/api/teams/:teamId/time-entries/:entryId")
        .handler(ctx -> forward(ctx, Address.TIMERS_ENTRIES_UPDATE, 200, false));
    router.delete("/api/teams/:teamId/time-entries/:entryId")
        .handler(ctx -> forward(ctx, Address.TIMERS_ENTRIES_DELETE, 204, false));

    // chat
    String channel = "/api/teams/:teamId/channels/:channelId";
    router.post("/api/teams/:teamId/channels").handler(ctx -> forward(ctx, Address.CHAT_CHANNELS_CREATE, 201, false));
    router.get("/api/teams/:teamId/channels").handler(ctx -> forward(ctx, Address.CHAT_CHANNELS_LIST, 200, false));
    router.post("/api/teams/:teamId/dms").handler(ctx -> forward(ctx, Address.CHAT_DMS_OPEN, 200, false));
    router.post(channel + "/messages").handler(ctx -> forward(ctx, Address.CHAT_POST, 201, false));
    router.get(channel + "/messages").handler(ctx -> forward(ctx, Address.CHAT_MESSAGES_LIST, 200, false));
    router.patch(channel + "/messages/:messageId").handler(ctx -> forward(ctx, Address.CHAT_MESSAGES_EDIT, 200, false));
    router.delete(channel + "/messages/:messageId").handler(ctx -> forward(ctx, Address.CHAT_MESSAGES_DELETE, 204, false));
    router.post(channel + "/read").handler(ctx -> forward(ctx, Address.CHAT_READ, 200, false));
    router.get("/api/teams/:teamId/presence").handler(ctx -> forward(ctx, Address.CHAT_PRESENCE_LIST, 200, false));

    // board: one board per project
    String board = "/api/teams/:teamId/projects/:projectId";
    router.get(board + "/board").handler(ctx -> forward(ctx, Address.BOARD_GET, 200, false));
    router.post(board + "/columns").handler(ctx -> forward(ctx, Address.BOARD_COLUMNS_CREATE, 201, false));
    router.patch(board + "/columns/:columnId").handler(ctx -> forward(ctx, Address.BOARD_COLUMNS_UPDATE, 200, false));
    router.delete(board + "/columns/:columnId").handler(ctx -> forward(ctx, Address.BOARD_COLUMNS_DELETE, 204, false));
    router.post(board + "/tasks").handler(ctx -> forward(ctx, Address.BOARD_TASKS_CREATE, 201, false));
    router.patch(board + "/tasks/:taskId").handler(ctx -> forward(ctx, Address.BOARD_TASKS_UPDATE, 200, false));
    router.post(board + "/tasks/:taskId/move").handler(ctx -> forward(ctx, Address.BOARD_MOVE, 200, false));
    router.delete(board + "/tasks/:taskId").handler(ctx -> forward(ctx, Address.BOARD_TASKS_DELETE, 204, false));

    // billing (routes of the billing verticle's commands)
    String billing = "/api/teams/:teamId";
    router.post(billing + "/clients").handler(ctx -> forward(ctx, Address.BILLING_CLIENTS_CREATE, 201, false));
    router.get(billing + "/clients").handler(ctx -> forward(ctx, Address.BILLING_CLIENTS_LIST, 200, false));
    router.get(billing + "/clients/:clientId").handler(ctx -> forward(ctx, Address.BILLING_CLIENTS_GET, 200, false));
    router.patch(billing + "/clients/:clientId").handler(ctx -> forward(ctx, Address.BILLING_CLIENTS_UPDATE, 200, false));
    router.get(billing + "/clients/:clientId/unbilled")
        .handler(ctx -> forward(ctx, Address.BILLING_CLIENTS_UNBILLED, 200, false));
    router.get(billing + "/billing-settings").handler(ctx -> forward(ctx, Address.BILLING_SETTINGS_GET, 200, false));
    router.put(billing + "/billing-settings").handler(ctx -> forward(ctx, Address.BILLING_SETTINGS_SET, 200, false));
    router.get(billing + "/invoices.csv").handler(this::invoicesCsv);
    router.post(billing + "/invoices").handler(ctx -> forward(ctx, Address.BILLING_INVOICES_CREATE, 201, false));
    router.post(billing + "/invoices/preview").handler(ctx -> forward(ctx, Address.BILLING_INVOICES_PREVIEW, 200, false));
    router.get(billing + "/invoices").handler(ctx -> forward(ctx, Address.BILLING_INVOICES_LIST, 200, false));
    router.get(billing + "/invoices/:invoiceId").handler(ctx -> forward(ctx, Address.BILLING_INVOICES_GET, 200, false));
    router.delete(billing + "/invoices/:invoiceId")
        .handler(ctx -> forward(ctx, Address.BILLING_INVOICES_DELETE, 204, false));
    router.post(billing + "/invoices/:invoiceId/issue")
        .handler(ctx -> forward(ctx, Address.BILLING_INVOICES_ISSUE, 200, false));
    router.post(billing + "/invoices/:invoiceId/payments")
        .handler(ctx -> forward(ctx, Address.BILLING_INVOICES_PAY, 201, false));
    router.post(billing + "/invoices/:invoiceId/void").handler(ctx -> forward(ctx, Address.BILLING_INVOICES_VOID, 200, false));
    router.get(billing + "/invoices/:invoiceId/pdf").handler(this::invoicePdf);

    // notifications (routes of the notifications verticle's commands)
    router.get("/api/notifications").handler(ctx -> forward(ctx, Address.NOTIFICATIONS_LIST, 200, false));
    router.post("/api/notifications/read-all").handler(ctx -> forward(ctx, Address.NOTIFICATIONS_READ_ALL, 200, false));
    router.post("/api/notifications/:id/read").handler(ctx -> forward(ctx, Address.NOTIFICATIONS_READ, 200, false));
    router.get("/api/me/notification-settings")
        .handler(ctx -> forward(ctx, Address.NOTIFICATIONS_SETTINGS_GET, 200, false));
    router.put("/api/me/notification-settings")
        .handler(ctx -> forward(ctx, Address.NOTIFICATIONS_SETTINGS_UPDATE, 200, false));

    // service accounts: the api mints the token the workspace's reply describes (shown once)
    router.post("/api/teams/:teamId/service-tokens").handler(this::createServiceToken);
    router.get("/api/teams/:teamId/service-tokens")
        .handler(ctx -> forward(ctx, Address.WORKSPACE_SERVICE_TOKENS_LIST, 200, false));
    router.delete("/api/teams/:teamId/service-tokens/:tokenId").handler(this::revokeServiceToken);

    // integrations (routes of the integrations verticle's commands)
    String team = "/api/teams/:teamId";
    router.post(team + "/integrations/git").handler(ctx -> forward(ctx, Address.INTEGRATIONS_GIT_CREATE, 201, false));
    router.get(team + "/integrations/git").handler(ctx -> forward(ctx, Address.INTEGRATIONS_GIT_LIST, 200, false));
    router.delete(team + "/integrations/git/:integrationId")
        .handler(ctx -> forward(ctx, Address.INTEGRATIONS_GIT_DELETE, 204, false));
    router.post(team + "/webhooks").handler(ctx -> forward(ctx, Address.INTEGRATIONS_WEBHOOKS_CREATE, 201, false));
    router.get(team + "/webhooks").handler(ctx -> forward(ctx, Address.INTEGRATIONS_WEBHOOKS_LIST, 200, false));
    router.get(team + "/webhooks/:webhookId").handler(ctx -> forward(ctx, Address.INTEGRATIONS_WEBHOOKS_GET, 200, false));
    router.patch(team + "/webhooks/:webhookId")
        .handler(ctx -> forward(ctx, Address.INTEGRATIONS_WEBHOOKS_UPDATE, 200, false));
    router.delete(team + "/webhooks/:webhookId")
        .handler(ctx -> forward(ctx, Address.INTEGRATIONS_WEBHOOKS_DELETE, 204, false));
    router.get(team + "/webhooks/:webhookId/deliveries")
        .handler(ctx -> forward(ctx, Address.INTEGRATIONS_WEBHOOKS_DELIVERIES, 200, false));
    router.get(team + "/audit").handler(ctx -> forward(ctx, Address.INTEGRATIONS_AUDIT_LIST, 200, false));
    router.get(team + "/audit.csv").handler(this::auditCsv);

    // Static files everywhere but under /api, so that an unknown API path stays a JSON 404.
    router.getWithRegex("^/(?!api/).*").handler(StaticHandler.create("webroot").setCachingEnabled(false));

    router.errorHandler(400, ctx -> failure(ctx, ErrorCode.INVALID_JSON.exception("the request is malformed")));
    router.errorHandler(404, ctx -> failure(ctx, ErrorCode.NOT_FOUND.exception("no route " + ctx.request().method()
        + " " + ctx.request().path())));
    router.errorHandler(405, ctx -> failure(ctx, ErrorCode.METHOD_NOT_ALLOWED.exception(ctx.request().method()
        + " is not allowed on " + ctx.request().path())));
    router.errorHandler(413, ctx -> failure(ctx, ErrorCode.PAYLOAD_TOO_LARGE.exception("the body is larger than "
        + Config.integer(config(), "TRCR_BODY_LIMIT_BYTES") + " bytes")));
    router.errorHandler(500, ctx -> failure(ctx, ctx.failure()));
    return router;
  }

  /** A valid, unrevoked token, then the caller's share of the node's rate limit. */
  private void authenticate(RoutingContext ctx) {
    tokens.verifyWithExpiry(ctx.request().getHeader("Authorization")).onComplete(ar -> {
      if (ar.failed()) {
        failure(ctx, ar.cause());
        return;
      }
      long wait = users.acquire(ar.result().userId());
      if (wait > 0) {
        rateLimited(ctx, wait);
        return;
      }
      ctx.put(USER, ar.result().userId());
      ctx.put(TOKEN, ar.result());
      ctx.next();
    });
  }

  /**
   * Every attempt counts, before any password is checked, so guessing costs the node nothing past the limit. Keys:
   * the email as stored (lower-cased) and the TCP peer address (behind a proxy, every client shares the proxy's).
   */
  private void throttleLogin(RoutingContext ctx) {
    long wait = loginsPerAddress.acquire(ctx.request().remoteAddress() == null ? "?"
        : ctx.request().remoteAddress().hostAddress());
    if (wait == 0) {
      String email = loginEmail(ctx);
      wait = email == null ? 0 : loginsPerEmail.acquire(email);
    }
    if (wait > 0) {
      rateLimited(ctx, wait);
    } else {
      ctx.next();
    }
  }

  /** Guessing the current password through this route is throttled like logins, per user. */
  private void throttlePasswordChange(RoutingContext ctx) {
    long wait = loginsPerEmail.acquire("user:" + ctx.get(USER));
    if (wait > 0) {
      rateLimited(ctx, wait);
    } else {
      ctx.next();
    }
  }

  private static String loginEmail(RoutingContext ctx) {
    try {
      Object email = body(ctx).getValue("email");
      return email instanceof String e ? e.strip().toLowerCase(Locale.ROOT) : null;
    } catch (TrcrException e) {
      return null; // the command refuses the body with a clear 400
    }
  }

  /** A fresh token with the same version: the caller's earlier tokens stay valid until they expire or are revoked. */
  private void refresh(RoutingContext ctx) {
    Tokens.Verified token = ctx.get(TOKEN);
    json(ctx, 200, new JsonObject().put("token", tokens.issue(token.userId(), token.version())));
  }

  private void logout(RoutingContext ctx) {
    UUID user = ctx.get(USER);
    Bus.<JsonObject>request(vertx, Address.WORKSPACE_TOKENS_REVOKE, new JsonObject(), user, busTimeoutMs)
        .onComplete(ar -> {
          if (ar.failed()) {
            failure(ctx, ar.cause());
            return;
          }
          // The event reaches every edge; applying the reply too makes "from then on" hold here without a race.
          versions.apply(user, ar.result().getInteger("version"));
          ctx.response().setStatusCode(204).end();
        });
  }

  /** Revokes every earlier token of the user, including the one used here, and answers with a fresh one. */
  private void changePassword(RoutingContext ctx) {
    JsonObject body;
    try {
      body = body(ctx);
    } catch (TrcrException e) {
      failure(ctx, e);
      return;
    }
    UUID user = ctx.get(USER);
    Bus.<JsonObject>request(vertx, Address.WORKSPACE_PASSWORD_CHANGE, body, user, busTimeoutMs).onComplete(ar -> {
      if (ar.failed()) {
        failure(ctx, ar.cause());
        return;
      }
      int version = ar.result().getInteger("tokenVersion");
      versions.apply(user, version);
      json(ctx, 200, new JsonObject().put("token", tokens.issue(user, version)));
    });
  }

  private static void rateLimited(RoutingContext ctx, long waitMillis) {
    ctx.response().putHeader("Retry-After", String.valueOf(RateLimiter.retryAfterSeconds(waitMillis)));
    failure(ctx, RateLimiter.limited(waitMillis));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /**
   * The delivery options of a command this request sends: the bus timeout, its origin and request id, and the
   * client's {@code Idempotency-Key} when a user is signed in (keys are per user).
   */
  private DeliveryOptions options(RoutingContext ctx, String origin) {
    DeliveryOptions options = Bus.fromEdge(new DeliveryOptions().setSendTimeout(busTimeoutMs), origin,
        ctx.get(Resolvers.REQUEST_ID));
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null && ctx.get(USER) != null) {
      options.addHeader(Idempotency.HEADER, key);
    }
    return options;
  }

  /** Path parameters (checked as UUIDs) and query parameters go into the command body beside the JSON body. */
  private void forward(RoutingContext ctx, Address address, int status, boolean issuesToken) {
    JsonObject body;
    try {
      body = body(ctx);
      if (ctx.request().method() == HttpMethod.GET) {
        ctx.queryParams().forEach((name, value) -> body.put(name, value));
      }
      ctx.pathParams().forEach((name, value) -> body.put(name, Input.parseUuid(name, value).toString()));
    } catch (TrcrException e) {
      failure(ctx, e);
      return;
    }
    UUID user = ctx.get(USER);
    Bus.<Object>request(vertx, address, body, user, options(ctx, Bus.ORIGIN_REST)).onComplete(ar -> {
      if (ar.failed()) {
        failure(ctx, ar.cause());
        return;
      }
      Object result = ar.result();
      if (issuesToken && result instanceof JsonObject reply) {
        UUID id = UUID.fromString(reply.getJsonObject("user").getString("id"));
        result = new JsonObject().put("token", tokens.issue(id, reply.getInteger("tokenVersion", 0)))
            .put("user", reply.getJsonObject("user"));
      }
      ctx.response().setStatusCode(status);
      if (status == 204) {
        ctx.response().end();
      } else {
        ctx.response().putHeader("content-type", "application/json").end(String.valueOf(result));
      }
    });
  }

  /**
   * The caller's visible time entries (members: their own; owners and admins: everyone's, or one member's) as CSV,
   * with the filters of the list route; hours are the exact duration in hours with two decimals, for spreadsheets.
   */
  private void timeEntriesCsv(RoutingContext ctx) {
    UUID user = ctx.get(USER);
    JsonObject query = exportQuery(ctx);
    if (query == null) {
      return;
    }
    java.util.Map<String, String> projects = new java.util.HashMap<>();
    java.util.Map<String, String> names = new java.util.HashMap<>();
    Future<JsonObject> first = Bus.<JsonArray>request(vertx, Address.WORKSPACE_PROJECTS_LIST,
            new JsonObject().put("teamId", query.getString("teamId")), user, busTimeoutMs)
        .compose(list -> {
          list.forEach(p -> projects.put(((JsonObject) p).getString("id"), ((JsonObject) p).getString("name")));
          return Bus.request(vertx, Address.TIMERS_ENTRIES_LIST, query, user, busTimeoutMs);
        });
    first.onFailure(e -> failure(ctx, e)).onSuccess(page -> new CsvExport(vertx, busTimeoutMs).stream(ctx.response(),
        "time-entries.csv",
        List.of("id", "date", "startedAt", "stoppedAt", "durationSeconds", "hours", "userId", "user", "projectId",
            "project", "taskId", "description", "invoiceId"),
        Address.TIMERS_ENTRIES_LIST, query, user, page, items -> {
          JsonArray unknown = new JsonArray(items.stream().map(i -> ((JsonObject) i).getString("userId"))
              .filter(id -> !names.containsKey(id)).distinct().toList());
          Future<JsonArray> lookup = unknown.isEmpty() ? Future.succeededFuture(new JsonArray())
              : Bus.request(vertx, Address.WORKSPACE_USERS_LOOKUP, new JsonObject().put("ids", unknown), null, busTimeoutMs);
          return lookup.map(users -> {
            users.forEach(u -> names.put(((JsonObject) u).getString("id"), ((JsonObject) u).getString("name")));
            List<List<?>> rows = new java.util.ArrayList<>();
            for (Object o : items) {
              JsonObject e = (JsonObject) o;
              Long seconds = e.getLong("durationSeconds");
              rows.add(java.util.Arrays.asList(e.getString("id"), e.getString("startedAt").substring(0, 10),
                  e.getString("startedAt"), e.getString("stoppedAt"), seconds,
                  seconds == null ? null : java.math.BigDecimal.valueOf(seconds)
                      .divide(java.math.BigDecimal.valueOf(3600), 2, java.math.RoundingMode.HALF_UP),
                  e.getString("userId"), names.get(e.getString("userId")), e.getString("projectId"),
                  projects.get(e.getString("projectId")), e.getString("taskId"), e.getString("description"),
                  e.getString("invoiceId")));
            }
            return rows;
          });
        }));
  }

  // --- billing downloads: the bus carries base64 and pages; these routes write bytes and a chunked CSV -------------

  private void invoicePdf(RoutingContext ctx) {
    JsonObject body;
    try {
      body = new JsonObject().put("teamId", Input.parseUuid("teamId", ctx.pathParam("teamId")).toString())
          .put("invoiceId", Input.parseUuid("invoiceId", ctx.pathParam("invoiceId")).toString());
    } catch (TrcrException e) {
      failure(ctx, e);
      return;
    }
    Bus.<JsonObject>request(vertx, Address.BILLING_INVOICES_PDF, body, ctx.get(USER), busTimeoutMs).onComplete(ar -> {
      if (ar.failed()) {
        failure(ctx, ar.cause());
        return;
      }
      byte[] pdf = java.util.Base64.getDecoder().decode(ar.result().getString("pdf"));
      ctx.response().putHeader("content-type", "application/pdf")
          .putHeader("content-disposition", "attachment; filename=\"" + ar.result().getString("filename") + "\"")
          .end(Buffer.buffer(pdf));
    });
  }

  /** The team's invoices (filters of the list route: status, clientId) as CSV, one page of the list at a time. */
  private void invoicesCsv(RoutingContext ctx) {
    UUID user = ctx.get(USER);
    JsonObject query = exportQuery(ctx);
    if (query == null) {
      return;
    }
    Bus.<JsonObject>request(vertx, Address.BILLING_INVOICES_LIST, query, user, busTimeoutMs)
        .onFailure(e -> failure(ctx, e))
        .onSuccess(page -> new CsvExport(vertx, busTimeoutMs).stream(ctx.response(), "invoices.csv",
            List.of("id", "number", "status", "clientId", "client", "clientEmail", "currency", "subtotal", "tax",
                "total", "paid", "due", "overdue", "createdAt", "issuedAt", "dueAt", "paidAt", "voidedAt"),
            Address.BILLING_INVOICES_LIST, query, user, page, items -> {
              List<List<?>> rows = new java.util.ArrayList<>();
              for (Object o : items) {
                JsonObject i = (JsonObject) o;
                rows.add(java.util.Arrays.asList(i.getString("id"), i.getString("number"), i.getString("status"),
                    i.getString("clientId"), i.getString("clientName"), i.getString("clientEmail"),
                    i.getString("currency"), i.getString("subtotal"), i.getString("tax"), i.getString("total"),
                    i.getString("paid"), i.getString("due"), i.getBoolean("overdue"), i.getString("createdAt"),
                    i.getString("issuedAt"), i.getString("dueAt"), i.getString("paidAt"), i.getString("voidedAt")));
              }
              return Future.succeededFuture(rows);
            }));
  }

  /** One access line per request: the route template (never the path's ids as a label), status, duration, who. */
  private void accessLine(RoutingContext ctx, String requestId, long started) {
    double ms = (System.nanoTime() - started) / 1_000_000.0;
    String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? null
        : ctx.currentRoute().getPath();
    UUID user = ctx.get(USER);
    Tokens.Verified graphqlCaller = ctx.get(Resolvers.CALLER);
    String userId = user != null ? user.toString() : graphqlCaller != null ? graphqlCaller.userId().toString() : null;
    int status = ctx.response().getStatusCode();
    String method = ctx.request().method().name();
    Logs.access(vertx, method + " " + ctx.request().path() + " " + status + " " + String.format("%.1f", ms) + " ms req="
        + requestId + " user=" + userId, new JsonObject().put("type", "request").put("verticle", "api")
        .put("method", method).put("route", route).put("path", ctx.request().path()).put("status", status)
        .put("durationMs", Math.round(ms * 10) / 10.0).put("requestId", requestId).put("userId", userId));
  }

  /** {@code POST /api/teams/{teamId}/service-tokens}: the workspace creates the account, the api mints its token. */
  private void createServiceToken(RoutingContext ctx) {
    JsonObject body;
    try {
      body = body(ctx).put("teamId", Input.parseUuid("teamId", ctx.pathParam("teamId")).toString());
    } catch (TrcrException e) {
      failure(ctx, e);
      return;
    }
    UUID user = ctx.get(USER);
    Bus.<JsonObject>request(vertx, Address.WORKSPACE_SERVICE_TOKENS_CREATE, body, user, options(ctx, Bus.ORIGIN_REST)).onComplete(ar -> {
      if (ar.failed()) {
        failure(ctx, ar.cause());
        return;
      }
      JsonObject account = ar.result().copy();
      UUID serviceUser = UUID.fromString(account.getString("userId"));
      int version = (Integer) account.remove("tokenVersion");
      json(ctx, 201, account.put("token", tokens.issue(serviceUser, version,
          java.time.Duration.ofDays(Config.integer(config(), "TRCR_SERVICE_TOKEN_TTL_DAYS")))));
    });
  }

  /** Revokes a service account; like a logout, its new token version applies on this node before the answer. */
  private void revokeServiceToken(RoutingContext ctx) {
    JsonObject body;
    try {
      body = new JsonObject().put("teamId", Input.parseUuid("teamId", ctx.pathParam("teamId")).toString())
          .put("tokenId", Input.parseUuid("tokenId", ctx.pathParam("tokenId")).toString());
    } catch (TrcrException e) {
      failure(ctx, e);
      return;
    }
    Bus.<JsonObject>request(vertx, Address.WORKSPACE_SERVICE_TOKENS_REVOKE, body, ctx.get(USER),
            options(ctx, Bus.ORIGIN_REST))
        .onComplete(ar -> {
          if (ar.failed()) {
            failure(ctx, ar.cause());
            return;
          }
          versions.apply(UUID.fromString(ar.result().getString("userId")), ar.result().getInteger("version"));
          ctx.response().setStatusCode(204).end();
        });
  }

  /** {@code POST /hooks/git/{integrationId}}: the delivery's headers (lower-case) and raw body, as the provider sent them. */
  private void gitHook(RoutingContext ctx) {
    String integrationId;
    try {
      integrationId = Input.parseUuid("integrationId", ctx.pathParam("integrationId")).toString();
    } catch (TrcrException e) {
      failure(ctx, e);
      return;
    }
    JsonObject headers = new JsonObject();
    ctx.request().headers().forEach((name, value) -> {
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("x-") || lower.equals("content-type") || lower.equals("user-agent")) {
        headers.put(lower, value);
      }
    });
    String raw = ctx.body() == null || ctx.body().buffer() == null ? "" : ctx.body().asString();
    Bus.<JsonObject>request(vertx, Address.INTEGRATIONS_GIT_HOOK, new JsonObject().put("integrationId", integrationId)
        .put("headers", headers).put("body", raw), null, options(ctx, Bus.ORIGIN_GIT))
        .onSuccess(reply -> json(ctx, 200, reply))
        .onFailure(e -> failure(ctx, e));
  }

  private void auditCsv(RoutingContext ctx) {
    UUID user = ctx.get(USER);
    JsonObject query = exportQuery(ctx);
    if (query == null) {
      return;
    }
    Bus.<JsonObject>request(vertx, Address.INTEGRATIONS_AUDIT_LIST, query, user, busTimeoutMs)
        .onFailure(e -> failure(ctx, e))
        .onSuccess(page -> new CsvExport(vertx, busTimeoutMs).stream(ctx.response(), "audit.csv",
            List.of("id", "at", "actorId", "actorName", "origin", "requestId", "entity", "entityId", "action",
                "changes"),
            Address.INTEGRATIONS_AUDIT_LIST, query, user, page, items -> {
              List<List<?>> rows = new java.util.ArrayList<>();
              for (Object o : items) {
                JsonObject a = (JsonObject) o;
                JsonObject changes = a.getJsonObject("changes");
                rows.add(java.util.Arrays.asList(a.getString("id"), a.getString("at"), a.getString("actorId"),
                    a.getString("actorName"), a.getString("origin"), a.getString("requestId"), a.getString("entity"),
                    a.getString("entityId"), a.getString("action"), changes == null ? null : changes.encode()));
              }
              return Future.succeededFuture(rows);
            }));
  }

  /** An export's list query: the route's filters, its team, and full pages; null once a bad parameter is answered. */
  private static JsonObject exportQuery(RoutingContext ctx) {
    JsonObject query = new JsonObject();
    try {
      ctx.queryParams().forEach((name, value) -> query.put(name, value));
      return query.put("teamId", Input.parseUuid("teamId", ctx.pathParam("teamId")).toString()).put("limit", 200);
    } catch (TrcrException e) {
      failure(ctx, e);
      return null;
    }
  }

  private static JsonObject body(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return new JsonObject();
    }
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(raw);
      if (parsed instanceof JsonObject object) {
        return object;
      }
      throw ErrorCode.INVALID_JSON.exception("the body must be a JSON object");
    } catch (DecodeException e) {
      throw ErrorCode.INVALID_JSON.exception("the body is not valid JSON");
    }
  }

  private void clientConfig(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
        .end(new JsonObject().put("bridgeUrl", bridgeUrl(ctx)).encode());
  }

  /** What {@code /config.json} tells pages, and what the page's Content-Security-Policy lets them connect to. */
  private String bridgeUrl(RoutingContext ctx) {
    String bridgeUrl = Config.string(config(), "TRCR_BRIDGE_PUBLIC_URL");
    if (bridgeUrl == null) {
      Object local = vertx.sharedData().getLocalMap(Node.LOCAL_MAP).get("bridge.port");
      int port = local instanceof Integer p ? p : Config.integer(config(), "TRCR_BRIDGE_PORT");
      String host = ctx.request().authority() == null ? "localhost" : ctx.request().authority().host();
      bridgeUrl = ctx.request().scheme() + "://" + host + ":" + port + "/eventbus";
    }
    return bridgeUrl;
  }

  private static void failure(RoutingContext ctx, Throwable cause) {
    if (ctx.response().ended()) {
      return;
    }
    int status;
    JsonObject body;
    if (cause instanceof TrcrException t) {
      status = t.code().status();
      body = t.toJson();
    } else {
      ReplyException reply = cause instanceof ReplyException r ? r : Bus.toReply(cause, ctx.request().path());
      reply = Bus.toReply(reply, ctx.request().path());
      status = reply.failureCode();
      body = Bus.errorBody(reply);
    }
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
