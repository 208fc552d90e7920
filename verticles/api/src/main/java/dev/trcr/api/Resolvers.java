package dev.trcr.api;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Keyset;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Idempotency;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.TokenVersions;
import dev.trcr.kernel.Tokens;
import graphql.language.OperationDefinition;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.TypeRuntimeWiring;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The resolvers of queries, mutations and nested fields. Each root field sends exactly the bus command its REST route
 * sends, on behalf of the caller, with the same body; nested lookups go through {@link Loaders}. No domain logic here:
 * validation and authorization are the domains' (and their errors come back with their codes).
 */
final class Resolvers {

  /** The GraphQL context key of the caller's verified token. */
  static final String CALLER = "trcr.caller";

  private final Vertx vertx;
  private final long timeoutMs;
  private final Tokens tokens;
  private final TokenVersions versions;
  private final Duration serviceTokenTtl;

  /**
   * {@code tokens} mints service accounts' tokens, as REST does; {@code versions} is the node's cache of token versions,
   * which a revocation updates before answering.
   */
  Resolvers(Vertx vertx, long timeoutMs, Tokens tokens, TokenVersions versions, Duration serviceTokenTtl) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.tokens = tokens;
    this.versions = versions;
    this.serviceTokenTtl = serviceTokenTtl;
  }

  void wire(RuntimeWiring.Builder wiring) {
    wiring.type(TypeRuntimeWiring.newTypeWiring("Query")
        .dataFetcher("me", env -> send(env, Address.WORKSPACE_ME, new JsonObject()).thenApply(o -> me((JsonObject) o)))
        .dataFetcher("team", this::team)
        .dataFetcher("runningTimers", env -> send(env, Address.TIMERS_RUNNING, ids(env, "teamId")))
        .dataFetcher("timeEntries", this::timeEntries)
        .dataFetcher("channels", env -> send(env, Address.CHAT_CHANNELS_LIST, ids(env, "teamId")))
        .dataFetcher("messages", this::messages)
        .dataFetcher("board", env -> send(env, Address.BOARD_GET, ids(env, "teamId", "projectId")))
        .dataFetcher("invoices", this::invoices)
        .dataFetcher("invoice", env -> send(env, Address.BILLING_INVOICES_GET, ids(env, "teamId")
            .put("invoiceId", env.getArgument("id"))))
        .dataFetcher("billingSettings", env -> send(env, Address.BILLING_SETTINGS_GET, ids(env, "teamId")))
        .dataFetcher("client", env -> send(env, Address.BILLING_CLIENTS_GET, ids(env, "teamId")
            .put("clientId", env.getArgument("id"))))
        .dataFetcher("previewInvoice", env -> send(env, Address.BILLING_INVOICES_PREVIEW,
            input(env).mergeIn(ids(env, "teamId"))))
        .dataFetcher("notifications", this::notifications)
        .dataFetcher("notificationSettings", env -> send(env, Address.NOTIFICATIONS_SETTINGS_GET, new JsonObject()))
        .dataFetcher("memberRates", env -> send(env, Address.WORKSPACE_RATES_LIST, ids(env, "teamId", "projectId")))
        .dataFetcher("presence", env -> send(env, Address.CHAT_PRESENCE_LIST, ids(env, "teamId"))));

    wiring.type(TypeRuntimeWiring.newTypeWiring("Mutation")
        .dataFetcher("createTeam", env -> send(env, Address.WORKSPACE_TEAMS_CREATE,
            new JsonObject().put("name", env.getArgument("name"))))
        .dataFetcher("addMember", env -> send(env, Address.WORKSPACE_MEMBERS_ADD, ids(env, "teamId")
            .put("email", env.getArgument("email")).put("role", env.getArgument("role"))))
        .dataFetcher("createProject", env -> send(env, Address.WORKSPACE_PROJECTS_CREATE, input(env).mergeIn(ids(env, "teamId"))))
        .dataFetcher("startTimer", env -> send(env, Address.TIMERS_START, args(env)))
        .dataFetcher("stopTimer", env -> send(env, Address.TIMERS_STOP, ids(env, "teamId")))
        .dataFetcher("createTimeEntry", env -> send(env, Address.TIMERS_ENTRIES_CREATE, input(env).mergeIn(ids(env, "teamId"))))
        .dataFetcher("updateTimeEntry", env -> send(env, Address.TIMERS_ENTRIES_UPDATE,
            input(env).mergeIn(ids(env, "teamId", "entryId"))))
        .dataFetcher("deleteTimeEntry", env -> send(env, Address.TIMERS_ENTRIES_DELETE, ids(env, "teamId", "entryId"))
            .thenApply(ignored -> env.getArgument("entryId")))
        .dataFetcher("createChannel", env -> send(env, Address.CHAT_CHANNELS_CREATE, input(env).mergeIn(ids(env, "teamId"))))
        .dataFetcher("postMessage", env -> send(env, Address.CHAT_POST, args(env)))
        .dataFetcher("editMessage", env -> send(env, Address.CHAT_MESSAGES_EDIT, args(env)))
        .dataFetcher("deleteMessage", env -> send(env, Address.CHAT_MESSAGES_DELETE,
            ids(env, "teamId", "channelId", "messageId")).thenApply(ignored -> env.getArgument("messageId")))
        .dataFetcher("markChannelRead", env -> send(env, Address.CHAT_READ, ids(env, "teamId", "channelId", "messageId")))
        .dataFetcher("createTask", env -> send(env, Address.BOARD_TASKS_CREATE,
            input(env).mergeIn(ids(env, "teamId", "projectId"))))
        .dataFetcher("updateTask", env -> send(env, Address.BOARD_TASKS_UPDATE,
            input(env).mergeIn(ids(env, "teamId", "projectId", "taskId")).put("version", env.getArgument("version"))))
        .dataFetcher("moveTask", env -> send(env, Address.BOARD_MOVE, args(env)))
        .dataFetcher("deleteTask", env -> send(env, Address.BOARD_TASKS_DELETE, ids(env, "teamId", "projectId", "taskId"))
            .thenApply(ignored -> env.getArgument("taskId")))
        .dataFetcher("createClient", env -> send(env, Address.BILLING_CLIENTS_CREATE, input(env).mergeIn(ids(env, "teamId"))))
        .dataFetcher("updateClient", env -> send(env, Address.BILLING_CLIENTS_UPDATE,
            input(env).mergeIn(ids(env, "teamId", "clientId"))))
        .dataFetcher("createInvoice", env -> send(env, Address.BILLING_INVOICES_CREATE,
            input(env).mergeIn(ids(env, "teamId"))))
        .dataFetcher("issueInvoice", env -> send(env, Address.BILLING_INVOICES_ISSUE, ids(env, "teamId", "invoiceId")))
        .dataFetcher("recordPayment", env -> send(env, Address.BILLING_INVOICES_PAY, args(env)))
        .dataFetcher("voidInvoice", env -> send(env, Address.BILLING_INVOICES_VOID, ids(env, "teamId", "invoiceId")))
        .dataFetcher("deleteInvoice", env -> send(env, Address.BILLING_INVOICES_DELETE, ids(env, "teamId", "invoiceId"))
            .thenApply(ignored -> env.getArgument("invoiceId")))
        .dataFetcher("updateBillingSettings", env -> send(env, Address.BILLING_SETTINGS_SET,
            input(env).mergeIn(ids(env, "teamId"))))
        .dataFetcher("markNotificationRead", env -> send(env, Address.NOTIFICATIONS_READ, ids(env, "id")))
        .dataFetcher("markAllNotificationsRead", env -> send(env, Address.NOTIFICATIONS_READ_ALL, new JsonObject()))
        .dataFetcher("updateNotificationSettings", env -> send(env, Address.NOTIFICATIONS_SETTINGS_UPDATE, args(env)))
        .dataFetcher("updateProject", env -> send(env, Address.WORKSPACE_PROJECTS_UPDATE,
            input(env).mergeIn(ids(env, "teamId", "projectId"))))
        .dataFetcher("setMemberRate", env -> send(env, Address.WORKSPACE_RATES_SET, args(env)))
        .dataFetcher("setMemberRole", env -> send(env, Address.WORKSPACE_MEMBERS_UPDATE, args(env)))
        .dataFetcher("openDirectMessage", env -> send(env, Address.CHAT_DMS_OPEN, ids(env, "teamId", "userId")))
        .dataFetcher("typing", env -> send(env, Address.CHAT_TYPING, ids(env, "teamId", "channelId"))
            .thenApply(ignored -> true))
        .dataFetcher("createColumn", env -> send(env, Address.BOARD_COLUMNS_CREATE, args(env)))
        .dataFetcher("updateColumn", env -> send(env, Address.BOARD_COLUMNS_UPDATE,
            input(env).mergeIn(ids(env, "teamId", "projectId", "columnId"))))
        .dataFetcher("deleteColumn", env -> send(env, Address.BOARD_COLUMNS_DELETE,
            ids(env, "teamId", "projectId", "columnId")).thenApply(ignored -> env.getArgument("columnId")))
        .dataFetcher("createWebhook", env -> send(env, Address.INTEGRATIONS_WEBHOOKS_CREATE, args(env))
            .thenApply(reply -> withSecret((JsonObject) reply, "webhook", "secret")))
        .dataFetcher("updateWebhook", env -> send(env, Address.INTEGRATIONS_WEBHOOKS_UPDATE, args(env))
            .thenApply(reply -> withSecret((JsonObject) reply, "webhook", "secret").getJsonObject("webhook")))
        .dataFetcher("deleteWebhook", env -> send(env, Address.INTEGRATIONS_WEBHOOKS_DELETE, ids(env, "teamId", "webhookId"))
            .thenApply(ignored -> env.getArgument("webhookId")))
        .dataFetcher("createGitIntegration", env -> send(env, Address.INTEGRATIONS_GIT_CREATE, args(env))
            .thenApply(reply -> withSecret((JsonObject) reply, "integration", "secret")))
        .dataFetcher("deleteGitIntegration", env -> send(env, Address.INTEGRATIONS_GIT_DELETE,
            ids(env, "teamId", "integrationId")).thenApply(ignored -> env.getArgument("integrationId")))
        .dataFetcher("createServiceToken", this::createServiceToken)
        .dataFetcher("revokeServiceToken", this::revokeServiceToken));

    wiring.type(TypeRuntimeWiring.newTypeWiring("Team")
        .dataFetcher("members", env -> send(env, Address.WORKSPACE_MEMBERS_LIST,
            new JsonObject().put("teamId", source(env).getString("id"))))
        .dataFetcher("projects", env -> send(env, Address.WORKSPACE_PROJECTS_LIST,
            new JsonObject().put("teamId", source(env).getString("id"))))
        .dataFetcher("clients", env -> send(env, Address.BILLING_CLIENTS_LIST,
            new JsonObject().put("teamId", source(env).getString("id"))))
        .dataFetcher("webhooks", env -> send(env, Address.INTEGRATIONS_WEBHOOKS_LIST,
            new JsonObject().put("teamId", source(env).getString("id"))))
        .dataFetcher("webhook", env -> send(env, Address.INTEGRATIONS_WEBHOOKS_GET,
            new JsonObject().put("teamId", source(env).getString("id")).put("webhookId", env.getArgument("id"))))
        .dataFetcher("gitIntegrations", env -> send(env, Address.INTEGRATIONS_GIT_LIST,
            new JsonObject().put("teamId", source(env).getString("id"))))
        .dataFetcher("serviceTokens", env -> send(env, Address.WORKSPACE_SERVICE_TOKENS_LIST,
            new JsonObject().put("teamId", source(env).getString("id"))))
        .dataFetcher("audit", this::audit));
    wiring.type(TypeRuntimeWiring.newTypeWiring("Webhook")
        .dataFetcher("deliveries", this::deliveries));
    wiring.type(TypeRuntimeWiring.newTypeWiring("AuditEntry")
        .dataFetcher("actor", env -> Loaders.user(env, source(env).getString("actorId"))));
    wiring.type(TypeRuntimeWiring.newTypeWiring("Client")
        .dataFetcher("unbilled", env -> send(env, Address.BILLING_CLIENTS_UNBILLED, new JsonObject()
            .put("teamId", source(env).getString("teamId")).put("clientId", source(env).getString("id")))));
    wiring.type(TypeRuntimeWiring.newTypeWiring("InvoiceLine")
        .dataFetcher("user", env -> Loaders.user(env, source(env).getString("userId"))));
    wiring.type(TypeRuntimeWiring.newTypeWiring("Project")
        .dataFetcher("board", env -> send(env, Address.BOARD_GET, new JsonObject()
            .put("teamId", source(env).getString("teamId")).put("projectId", source(env).getString("id"))))
        .dataFetcher("client", env -> source(env).getString("clientId") == null
            ? CompletableFuture.completedFuture(null)
            : send(env, Address.BILLING_CLIENTS_GET, new JsonObject().put("teamId", source(env).getString("teamId"))
                .put("clientId", source(env).getString("clientId")))));
    wiring.type(TypeRuntimeWiring.newTypeWiring("MemberRate")
        .dataFetcher("user", env -> Loaders.user(env, source(env).getString("userId"))));
    wiring.type(TypeRuntimeWiring.newTypeWiring("TimeEntry")
        .dataFetcher("user", env -> source(env).getValue("user") instanceof JsonObject user && user.getString("name") != null
            ? CompletableFuture.completedFuture(user) : Loaders.user(env, source(env).getString("userId")))
        .dataFetcher("project", env -> Loaders.project(env, source(env).getString("teamId"), source(env).getString("projectId")))
        .dataFetcher("running", env -> source(env).getValue("stoppedAt") == null));
    wiring.type(TypeRuntimeWiring.newTypeWiring("Channel")
        .dataFetcher("members", this::channelMembers));
    wiring.type(TypeRuntimeWiring.newTypeWiring("Message")
        .dataFetcher("author", env -> Loaders.user(env, source(env).getString("userId"))));
    wiring.type(TypeRuntimeWiring.newTypeWiring("Column")
        .dataFetcher("tasks", env -> source(env).getJsonArray("tasks", new JsonArray())));
    wiring.type(TypeRuntimeWiring.newTypeWiring("Task")
        .dataFetcher("assignee", env -> Loaders.user(env, source(env).getString("assigneeId"))));
    wiring.type(TypeRuntimeWiring.newTypeWiring("MessageEvent")
        .dataFetcher("user", env -> Loaders.user(env, source(env).getString("userId"))));
  }

  /** The caller of an operation: the token verified at the edge, refused once expired (sockets outlive tokens). */
  /** The request id in the GraphQL context (and in a REST routing context): carried to the bus in its headers. */
  static final String REQUEST_ID = "trcr.requestId";

  static UUID caller(DataFetchingEnvironment env) {
    Tokens.Verified token = env.getGraphQlContext().get(CALLER);
    if (token == null || token.expiresAtMillis() < System.currentTimeMillis()) {
      throw ErrorCode.UNAUTHENTICATED.exception("the token is invalid or expired");
    }
    return token.userId();
  }

  private CompletableFuture<Object> send(DataFetchingEnvironment env, Address address, JsonObject body) {
    DeliveryOptions options = Bus.fromEdge(new DeliveryOptions().setSendTimeout(timeoutMs), Bus.ORIGIN_GRAPHQL,
        env.getGraphQlContext().get(REQUEST_ID));
    String key = idempotencyKey(env);
    if (key != null) {
      options.addHeader(Idempotency.HEADER, key);
    }
    return Bus.<Object>request(vertx, address, body, caller(env), options).toCompletionStage().toCompletableFuture();
  }

  /**
   * REST's {@code Idempotency-Key} header for mutations over HTTP: each root field gets its own key,
   * {@code <key>:<field's alias or name>}, so that retrying the same document replays every field's first outcome
   * (where the command is idempotent), and two fields of one document never share a key.
   */
  private static String idempotencyKey(DataFetchingEnvironment env) {
    if (env.getOperationDefinition().getOperation() != OperationDefinition.Operation.MUTATION
        || !env.getExecutionStepInfo().getPath().getParent().isRootPath()
        || Boolean.TRUE.equals(env.getGraphQlContext().get(QueryLimits.OVER_WEBSOCKET))) {
      return null;
    }
    RoutingContext http = env.getGraphQlContext().get(RoutingContext.class);
    String key = http == null ? null : http.request().getHeader("Idempotency-Key");
    return key == null ? null : key + ":" + env.getField().getResultKey();
  }

  private CompletableFuture<Object> team(DataFetchingEnvironment env) {
    String id = Input.parseUuid("id", env.getArgument("id")).toString();
    return send(env, Address.WORKSPACE_ME, new JsonObject()).thenApply(reply -> me((JsonObject) reply)
        .getJsonArray("teams").stream().map(JsonObject.class::cast).filter(t -> id.equals(t.getString("id")))
        .findFirst().orElseThrow(() -> ErrorCode.TEAM_NOT_FOUND.exception("no such team, or you are not a member")));
  }

  /** {@code workspace.me}'s {user, teams} as the Me type: the user's fields beside the teams. */
  private static JsonObject me(JsonObject reply) {
    return reply.getJsonObject("user").copy().put("teams", reply.getJsonArray("teams", new JsonArray()));
  }

  /** A team list command's body: the team, the page ({@code first}, {@code after}) and the filter's given fields. */
  private static JsonObject teamPage(DataFetchingEnvironment env) {
    JsonObject body = ids(env, "teamId").put("limit", env.getArgument("first")).put("cursor", env.getArgument("after"));
    Map<String, Object> filter = env.getArgument("filter");
    if (filter != null) {
      filter.forEach((name, value) -> {
        if (value != null) {
          body.put(name, value);
        }
      });
    }
    return body;
  }

  private CompletableFuture<Object> timeEntries(DataFetchingEnvironment env) {
    JsonObject body = teamPage(env);
    return send(env, Address.TIMERS_ENTRIES_LIST, body).thenApply(page -> connection((JsonObject) page,
        Resolvers::entryCursor));
  }

  private CompletableFuture<Object> invoices(DataFetchingEnvironment env) {
    JsonObject body = teamPage(env);
    return send(env, Address.BILLING_INVOICES_LIST, body).thenApply(page -> connection((JsonObject) page,
        Resolvers::invoiceCursor));
  }

  /**
   * billing.invoices.list pages by the keyset (createdAt, id) of the last item, base64url without padding, like time
   * entries: the endCursor is the domain's {@code next}; other edges' cursors are rebuilt from the wire's createdAt.
   */
  static String invoiceCursor(JsonObject invoice) {
    return new Keyset(java.time.Instant.parse(invoice.getString("createdAt")),
        java.util.UUID.fromString(invoice.getString("id"))).encode();
  }

  /**
   * integrations.audit.list pages by the keyset (at, id) of the last entry, like invoices: the endCursor is the domain's
   * {@code next}; other edges' cursors are rebuilt from the wire's {@code at}.
   */
  private CompletableFuture<Object> audit(DataFetchingEnvironment env) {
    JsonObject body = new JsonObject().put("teamId", source(env).getString("id"))
        .put("limit", env.getArgument("first")).put("cursor", env.getArgument("after"));
    for (String filter : List.of("from", "to", "actorId", "entity")) {
      if (env.getArgument(filter) != null) {
        body.put(filter, env.<Object>getArgument(filter));
      }
    }
    return send(env, Address.INTEGRATIONS_AUDIT_LIST, body).thenApply(page -> connection((JsonObject) page,
        entry -> new Keyset(java.time.Instant.parse(entry.getString("at")), UUID.fromString(entry.getString("id")))
            .encode()));
  }

  /**
   * integrations.webhooks.deliveries pages by an internal sequence that only its {@code next} carries, so only the
   * last edge of a page with a successor has a cursor.
   */
  private CompletableFuture<Object> deliveries(DataFetchingEnvironment env) {
    JsonObject hook = source(env);
    JsonObject body = new JsonObject().put("teamId", hook.getString("teamId")).put("webhookId", hook.getString("id"))
        .put("limit", env.getArgument("first")).put("cursor", env.getArgument("after"));
    return send(env, Address.INTEGRATIONS_WEBHOOKS_DELIVERIES, body).thenApply(page -> connection((JsonObject) page,
        delivery -> null));
  }

  /**
   * A create reply that shows a secret once, as {@code {<name>: the entity without the secret, secret}}: the entity's
   * type has no secret field, so it is never shown where the entity is read again.
   */
  private static JsonObject withSecret(JsonObject reply, String name, String secretField) {
    JsonObject entity = reply.copy();
    Object secret = entity.remove(secretField);
    return new JsonObject().put(name, entity).put(secretField, secret);
  }

  /** As REST's POST /api/teams/{teamId}/service-tokens: workspace creates the account, the api mints its token. */
  private CompletableFuture<Object> createServiceToken(DataFetchingEnvironment env) {
    return send(env, Address.WORKSPACE_SERVICE_TOKENS_CREATE, args(env)).thenApply(reply -> {
      JsonObject account = ((JsonObject) reply).copy();
      int version = (Integer) account.remove("tokenVersion");
      String token = tokens.issue(UUID.fromString(account.getString("userId")), version, serviceTokenTtl);
      return new JsonObject().put("serviceToken", account).put("token", token);
    });
  }

  /** Like a logout, the account's new token version applies on this node before the answer: refused from then on. */
  private CompletableFuture<Object> revokeServiceToken(DataFetchingEnvironment env) {
    return send(env, Address.WORKSPACE_SERVICE_TOKENS_REVOKE, ids(env, "teamId", "tokenId")).thenApply(reply -> {
      JsonObject revoked = (JsonObject) reply;
      versions.apply(UUID.fromString(revoked.getString("userId")), revoked.getInteger("version"));
      return env.getArgument("tokenId");
    });
  }

  /** notifications.list pages after a notification's id; the reply's unread count stays beside the edges. */
  private CompletableFuture<Object> notifications(DataFetchingEnvironment env) {
    JsonObject body = new JsonObject().put("unread", env.getArgument("unread")).put("limit", env.getArgument("first"))
        .put("cursor", env.getArgument("after"));
    return send(env, Address.NOTIFICATIONS_LIST, body).thenApply(page -> connection((JsonObject) page,
        notification -> notification.getString("id")).put("unread", ((JsonObject) page).getValue("unread")));
  }

  private CompletableFuture<Object> messages(DataFetchingEnvironment env) {
    JsonObject body = ids(env, "teamId", "channelId").put("limit", env.getArgument("first"))
        .put("before", env.getArgument("before"));
    return send(env, Address.CHAT_MESSAGES_LIST, body).thenApply(page -> connection((JsonObject) page,
        message -> message.getString("id")));
  }

  /**
   * A connection from a domain page {@code {items, next}}: {@code next} is the domain's own cursor after the last item,
   * so it is the last edge's cursor and {@code pageInfo.endCursor}; the other edges get the cursor the domain would
   * give had the page ended there.
   */
  private static JsonObject connection(JsonObject page, java.util.function.Function<JsonObject, String> cursorOf) {
    JsonArray items = page.getJsonArray("items", new JsonArray());
    String next = page.getString("next");
    List<JsonObject> edges = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject node = items.getJsonObject(i);
      String cursor = i == items.size() - 1 && next != null ? next : cursorOf.apply(node);
      edges.add(new JsonObject().put("cursor", cursor).put("node", node));
    }
    return new JsonObject().put("edges", new JsonArray(edges)).put("pageInfo", new JsonObject()
        .put("hasNextPage", next != null)
        .put("endCursor", edges.isEmpty() ? null : edges.get(edges.size() - 1).getString("cursor")));
  }

  /**
   * timers.entries.list pages by the keyset (startedAt, id) of the last item, base64url without padding; an entry's
   * own key is the cursor that continues after it. Its startedAt is on the wire to the millisecond, so the exact
   * cursor of a page (its endCursor) is the domain's {@code next}, and only the other edges are rebuilt here.
   */
  static String entryCursor(JsonObject entry) {
    return new Keyset(java.time.Instant.parse(entry.getString("startedAt")),
        java.util.UUID.fromString(entry.getString("id"))).encode();
  }

  private CompletableFuture<Object> channelMembers(DataFetchingEnvironment env) {
    JsonArray memberIds = source(env).getJsonArray("memberIds");
    if (memberIds == null) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<JsonObject>> users = memberIds.stream().map(id -> Loaders.user(env, (String) id)).toList();
    return CompletableFuture.allOf(users.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> users.stream().map(CompletableFuture::join).toList());
  }

  static JsonObject source(DataFetchingEnvironment env) {
    Object source = env.getSource();
    return source instanceof JsonObject json ? json : new JsonObject(castMap(source));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object source) {
    return (Map<String, Object>) source;
  }

  /** The named id arguments as a command body (the domains check that they are UUIDs). */
  static JsonObject ids(DataFetchingEnvironment env, String... names) {
    JsonObject body = new JsonObject();
    for (String name : names) {
      body.put(name, env.<Object>getArgument(name));
    }
    return body;
  }

  /** Every argument given, as a command body; explicit nulls stay (a command may read null as "clear"). */
  private static JsonObject args(DataFetchingEnvironment env) {
    return json(env.getArguments());
  }

  /** The {@code input} object argument as a command body, keeping absent and null apart. */
  private static JsonObject input(DataFetchingEnvironment env) {
    Map<String, Object> input = env.getArgument("input");
    return input == null ? new JsonObject() : json(input);
  }

  private static JsonObject json(Map<String, Object> map) {
    return new JsonObject(new LinkedHashMap<>(map)).copy();
  }
}
