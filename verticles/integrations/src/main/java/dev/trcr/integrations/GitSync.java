package dev.trcr.integrations;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Commands;
import dev.trcr.kernel.Config;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Idempotency;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.TeamAccess;
import dev.trcr.kernel.Times;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;

/**
 * Git sync: a team's GitHub/GitLab integrations and their hooks. A delivery is checked (GitHub's HMAC signature,
 * GitLab's token, both compared in constant time), then its commits are linked to the tasks they cite by the board
 * ({@code board.tasks.link}, idempotent per task and commit) and summarised in the integration's chat channel
 * ({@code chat.messages.system}, keyed by the delivery id). The delivery id is marked processed only after both
 * succeeded: a provider retrying a delivery that failed gets it processed again, one that succeeded is a duplicate.
 */
final class GitSync {

  private static final Set<String> PROVIDERS = Set.of("github", "gitlab");
  private static final int DELIVERY_ID_MAX = 200;

  private static final String COLUMNS = "id, team_id, provider, channel_id, created_at, last_delivery_at";
  private static final String INSERT = "INSERT INTO integrations.git_integrations (id, team_id, provider, channel_id, "
      + "secret, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + COLUMNS;
  private static final String LIST = "SELECT " + COLUMNS + " FROM integrations.git_integrations WHERE team_id = $1 "
      + "ORDER BY created_at, id";
  private static final String DELETE = "DELETE FROM integrations.git_integrations WHERE team_id = $1 AND id = $2 "
      + "RETURNING " + COLUMNS;
  private static final String BY_ID = "SELECT " + COLUMNS + ", secret FROM integrations.git_integrations WHERE id = $1";
  private static final String PROCESSED = "SELECT 1 FROM integrations.git_deliveries WHERE integration_id = $1 "
      + "AND delivery_id = $2";
  private static final String MARK_PROCESSED = "INSERT INTO integrations.git_deliveries (integration_id, delivery_id) "
      + "VALUES ($1, $2) ON CONFLICT DO NOTHING";
  private static final String DELIVERED = "UPDATE integrations.git_integrations SET last_delivery_at = now() "
      + "WHERE id = $1";

  private final Vertx vertx;
  private final Pool pool;
  private final Journal journal;
  private final String publicUrl;
  private final SecureRandom random = new SecureRandom();

  GitSync(Vertx vertx, Pool pool, Journal journal, JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
    this.journal = journal;
    String url = Config.string(config, "TRCR_PUBLIC_URL");
    this.publicUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  void register(Commands commands) {
    commands.idempotent(Address.INTEGRATIONS_GIT_CREATE, this::create)
        .on(Address.INTEGRATIONS_GIT_LIST, this::list)
        .idempotent(Address.INTEGRATIONS_GIT_DELETE, this::delete)
        .on(Address.INTEGRATIONS_GIT_HOOK, this::hook);
  }

  // --- integrations -------------------------------------------------------------------------------------------------

  private Future<JsonObject> create(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    String provider = in.oneOf("provider", PROVIDERS, null);
    UUID channelId = in.optionalUuid("channelId");
    UUID id = UUID.randomUUID();
    String secret = secret();
    return manager(teamId, caller)
        .compose(ignored -> channelId == null ? Future.succeededFuture()
            : Bus.request(vertx, Address.CHAT_ACCESS, new JsonObject().put("teamId", teamId.toString())
                .put("channelId", channelId.toString()).put("userId", caller.toString()), null))
        .compose(ignored -> Database.transaction(pool, conn -> conn.preparedQuery(INSERT)
            .execute(Tuple.of(id, teamId, provider, channelId, secret, caller))
            .compose(rows -> {
              JsonObject created = integration(rows.iterator().next());
              return journal.record(conn, msg, Journal.Change.created(teamId, "git_integration", id,
                  audited(created))).map(created);
            })))
        .map(created -> created.put("teamId", teamId.toString()).put("secret", secret));
  }

  private Future<JsonArray> list(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    return manager(teamId, caller).compose(ignored -> pool.preparedQuery(LIST).execute(Tuple.of(teamId)))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(r -> out.add(integration(r)));
          return out;
        });
  }

  private Future<JsonObject> delete(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID id = in.uuid("integrationId");
    return manager(teamId, caller).compose(ignored -> Database.transaction(pool, conn -> conn.preparedQuery(DELETE)
        .execute(Tuple.of(teamId, id))
        .compose(rows -> {
          Row gone = first(rows);
          if (gone == null) {
            throw ErrorCode.INTEGRATION_NOT_FOUND.exception();
          }
          return journal.record(conn, msg, Journal.Change.deleted(teamId, "git_integration", id,
              audited(integration(gone))));
        })))
        .map(ignored -> new JsonObject());
  }

  // --- deliveries ---------------------------------------------------------------------------------------------------

  private Future<JsonObject> hook(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    UUID id = in.uuid("integrationId");
    JsonObject headers = msg.body().getValue("headers") instanceof JsonObject h ? h : new JsonObject();
    String body = msg.body().getValue("body") instanceof String b ? b : "";
    return pool.preparedQuery(BY_ID).execute(Tuple.of(id)).compose(rows -> {
      Row row = first(rows);
      if (row == null) {
        throw ErrorCode.INTEGRATION_NOT_FOUND.exception();
      }
      boolean github = "github".equals(row.getString("provider"));
      if (!(github ? signedByGithub(row.getString("secret"), header(headers, "x-hub-signature-256"), body)
          : sameSecret(row.getString("secret"), header(headers, "x-gitlab-token")))) {
        throw ErrorCode.INVALID_SIGNATURE.exception();
      }
      String delivery = header(headers, github ? "x-github-delivery" : "x-gitlab-event-uuid");
      if (delivery != null && (delivery.isBlank() || delivery.length() > DELIVERY_ID_MAX)) {
        throw ErrorCode.VALIDATION_FAILED.field("headers", "the delivery id has 1 to " + DELIVERY_ID_MAX
            + " characters");
      }
      Future<Boolean> seen = delivery == null ? Future.succeededFuture(false)
          : pool.preparedQuery(PROCESSED).execute(Tuple.of(id, delivery)).map(r -> r.size() > 0);
      return seen.compose(duplicate -> duplicate
          ? Future.succeededFuture(new JsonObject().put("status", "duplicate"))
          : process(msg, row, github, header(headers, github ? "x-github-event" : "x-gitlab-event"), body, delivery));
    });
  }

  private Future<JsonObject> process(Message<JsonObject> msg, Row integration, boolean github, String event,
                                     String body, String delivery) {
    JsonObject payload;
    try {
      payload = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw ErrorCode.INVALID_JSON.exception("the delivery's body is not a JSON object");
    }
    GitPayloads.Delivery d = github ? GitPayloads.github(event, payload) : GitPayloads.gitlab(event, payload);
    if (d.kind() == GitPayloads.Kind.PING) {
      return Future.succeededFuture(new JsonObject().put("status", "pong"));
    }
    if (d.kind() == GitPayloads.Kind.IGNORED) {
      return Future.succeededFuture(new JsonObject().put("status", "ignored"));
    }
    UUID id = integration.getUUID("id");
    String teamId = integration.getUUID("team_id").toString();
    JsonArray links = GitPayloads.links(d);
    Future<Integer> linked = links.isEmpty() ? Future.succeededFuture(0)
        : Bus.<JsonObject>request(vertx, Address.BOARD_TASKS_LINK, new JsonObject().put("teamId", teamId)
            .put("commits", links), null)
            .map(reply -> reply.getJsonArray("linked").size());
    UUID channelId = integration.getUUID("channel_id");
    String summary = GitPayloads.summary(d);
    // Sent while the hook command is handled: both commands carry its origin (git) and request id.
    return linked.compose(count -> {
      if (channelId == null || summary == null) {
        return Future.succeededFuture(count);
      }
      DeliveryOptions options = new DeliveryOptions();
      if (delivery != null) {
        options.addHeader(Idempotency.HEADER, "git:" + id + ":" + delivery);
      }
      return Bus.request(vertx, Address.CHAT_MESSAGES_SYSTEM, new JsonObject().put("teamId", teamId)
              .put("channelId", channelId.toString()).put("authorName", github ? "GitHub" : "GitLab")
              .put("text", summary), null, options)
          .map(count);
    }).compose(count -> Database.transaction(pool, conn -> conn.preparedQuery(DELIVERED).execute(Tuple.of(id))
            .compose(ignored -> delivery == null ? Future.succeededFuture()
                : conn.preparedQuery(MARK_PROCESSED).execute(Tuple.of(id, delivery))))
        .map(ignored -> new JsonObject().put("status", "processed").put("linked", count)));
  }

  /** {@code sha256=} and the hex HMAC-SHA256 of the raw body under the secret, compared in constant time. */
  static boolean signedByGithub(String secret, String signature, String body) {
    if (signature == null || !signature.startsWith("sha256=")) {
      return false;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] expected = HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)))
          .getBytes(StandardCharsets.US_ASCII);
      byte[] given = signature.substring("sha256=".length()).toLowerCase(java.util.Locale.ROOT)
          .getBytes(StandardCharsets.US_ASCII);
      return MessageDigest.isEqual(expected, given);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean sameSecret(String secret, String token) {
    return token != null && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8));
  }

  // --- shared -------------------------------------------------------------------------------------------------------

  private Future<String> manager(UUID teamId, UUID caller) {
    return TeamAccess.requireManager(vertx, teamId, caller, "only the team's owners and admins manage git integrations");
  }

  private String secret() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private JsonObject integration(Row r) {
    UUID channel = r.getUUID("channel_id");
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("provider", r.getString("provider"))
        .put("channelId", channel == null ? null : channel.toString())
        .put("webhookUrl", publicUrl + "/hooks/git/" + r.getUUID("id"))
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")))
        .put("lastDeliveryAt", Times.iso(r.getOffsetDateTime("last_delivery_at")));
  }

  /** What the audit log keeps of an integration: never its secret. */
  private static JsonObject audited(JsonObject integration) {
    return new JsonObject().put("provider", integration.getString("provider"))
        .put("channelId", integration.getValue("channelId"));
  }

  private static String header(JsonObject headers, String name) {
    return headers.getValue(name) instanceof String s ? s : null;
  }

  private static Row first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? it.next() : null;
  }
}
