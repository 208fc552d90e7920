package dev.trcr.workspace;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Commands;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Idempotency;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.Times;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Set;
import java.util.UUID;

/** Users, teams, memberships with roles, and projects. Answers who may do what for every other verticle. */
public final class WorkspaceVerticle extends VerticleBase {

  private static final Set<String> GRANTABLE_ROLES = Set.of("member", "admin");
  private static final Set<String> MANAGERS = Set.of("owner", "admin");
  private static final int USERS_TEAMS_MAX = 10_000;
  private static final String SERVICE = "service";

  private final Passwords passwords = new Passwords();
  private Pool pool;
  private Idempotency idempotency;
  private Journal journal;
  private Commands commands;
  private long purger = -1;
  private String decoyHash;

  @Override
  public Future<?> start() {
    return Database.migrate(vertx, config(), "workspace")
        .compose(ignored -> Database.migrateKernelTables(vertx, config(), "workspace"))
        .compose(ignored -> vertx.executeBlocking(passwords::decoy))
        .compose(decoy -> {
          decoyHash = decoy;
          pool = Database.pool(vertx, config(), "workspace");
          idempotency = new Idempotency(vertx, pool, "workspace", config());
          journal = new Journal(vertx, pool, "workspace", config()); // changes only: the workspace has no streams
          purger = vertx.setPeriodic(3_600_000, id -> idempotency.purge());
          commands = new Commands(vertx, idempotency)
              .on(Address.WORKSPACE_SIGNUP, this::signup)
              .on(Address.WORKSPACE_LOGIN, this::login)
              .on(Address.WORKSPACE_ME, this::me)
              .idempotent(Address.WORKSPACE_TEAMS_CREATE, this::createTeam)
              .idempotent(Address.WORKSPACE_MEMBERS_ADD, this::addMember)
              .on(Address.WORKSPACE_MEMBERS_LIST, this::listMembers)
              .idempotent(Address.WORKSPACE_MEMBERS_UPDATE, this::updateMember)
              .idempotent(Address.WORKSPACE_PROJECTS_CREATE, this::createProject)
              .on(Address.WORKSPACE_PROJECTS_LIST, this::listProjects)
              .on(Address.WORKSPACE_PROJECTS_UPDATE, this::updateProject)
              .on(Address.WORKSPACE_RATES_SET, this::setRate)
              .on(Address.WORKSPACE_RATES_LIST, this::listRates)
              .on(Address.WORKSPACE_DIRECTORY, this::directory)
              .on(Address.WORKSPACE_PROJECTS_BILLING, this::clientProjects)
              .on(Address.WORKSPACE_ACCESS, this::access)
              .on(Address.WORKSPACE_USERS_LOOKUP, this::lookupUsers)
              .on(Address.WORKSPACE_USERS_TEAMS, this::teamsOfUsers)
              .on(Address.WORKSPACE_TOKENS_REVOKE, this::revokeTokens)
              .on(Address.WORKSPACE_PASSWORD_CHANGE, this::changePassword)
              .on(Address.WORKSPACE_TOKENS_VERSION, this::tokenVersion)
              .idempotent(Address.WORKSPACE_SERVICE_TOKENS_CREATE, this::createServiceToken)
              .on(Address.WORKSPACE_SERVICE_TOKENS_LIST, this::listServiceTokens)
              .on(Address.WORKSPACE_SERVICE_TOKENS_REVOKE, this::revokeServiceToken)
              .on(Address.WORKSPACE_JOURNAL_FEED, journal::feed);
          return commands.ready();
        });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(purger);
    Future<Void> drained = commands == null ? Future.succeededFuture() : commands.drain(10_000);
    return drained.compose(ignored -> pool == null ? Future.succeededFuture() : pool.close());
  }

  // --- users --------------------------------------------------------------------------------------------------------

  private Future<JsonObject> signup(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    String email = in.email("email");
    String password = in.password("password", 8, 1024);
    String name = in.string("name", 1, 100);
    UUID id = UUID.randomUUID();
    return vertx.executeBlocking(() -> passwords.hash(password), false)
        .compose(hash -> pool.preparedQuery(WorkspaceSql.INSERT_USER).execute(Tuple.of(id, email, name, hash)))
        .recover(e -> Future.failedFuture(Database.isUniqueViolation(e, "users_email_key")
            ? ErrorCode.EMAIL_TAKEN.field("email", "an account with this email exists") : e))
        .map(rows -> new JsonObject().put("user", user(id, email, name)).put("tokenVersion", 0));
  }

  private Future<JsonObject> login(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    String email = in.email("email");
    String password = in.password("password", 1, 1024);
    return pool.preparedQuery(WorkspaceSql.USER_BY_EMAIL).execute(Tuple.of(email)).compose(rows -> {
      Row row = first(rows);
      String hash = row == null ? decoyHash : row.getString("password_hash");
      boolean service = row != null && SERVICE.equals(row.getString("kind"));
      String checked = service || hash == null ? decoyHash : hash;
      return vertx.executeBlocking(() -> passwords.verify(password, checked), false).map(ok -> {
        if (service) {
          throw ErrorCode.FORBIDDEN.exception("a service account cannot log in; it uses the token it was given");
        }
        if (!ok || row == null) {
          throw ErrorCode.INVALID_CREDENTIALS.exception();
        }
        return new JsonObject().put("user", user(row.getUUID("id"), row.getString("email"), row.getString("name")))
            .put("tokenVersion", row.getInteger("token_version"));
      });
    });
  }

  // --- tokens: a version per user; tokens with an older one are revoked ----------------------------------------------

  private Future<JsonObject> revokeTokens(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    return pool.preparedQuery(WorkspaceSql.REVOKE_TOKENS).execute(Tuple.of(caller))
        .map(rows -> revoked(caller, versionOf(first(rows))));
  }

  private Future<JsonObject> changePassword(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    String current = in.password("currentPassword", 1, 1024);
    String next = in.password("newPassword", 8, 1024);
    return pool.preparedQuery(WorkspaceSql.USER_WITH_HASH_BY_ID).execute(Tuple.of(caller)).compose(rows -> {
      Row u = first(rows);
      if (u == null) {
        throw ErrorCode.UNAUTHENTICATED.exception("the token's user no longer exists");
      }
      if (SERVICE.equals(u.getString("kind"))) {
        throw ErrorCode.FORBIDDEN.exception("a service account has no password");
      }
      String oldHash = u.getString("password_hash");
      return vertx.executeBlocking(() -> passwords.verify(current, oldHash) ? passwords.hash(next) : null, false)
          .compose(newHash -> {
            if (newHash == null) {
              throw ErrorCode.WRONG_PASSWORD.field("currentPassword", "currentPassword is not the account's password");
            }
            return pool.preparedQuery(WorkspaceSql.CHANGE_PASSWORD).execute(Tuple.of(caller, oldHash, newHash));
          })
          .map(updated -> {
            Row r = first(updated);
            if (r == null) {
              throw ErrorCode.WRONG_PASSWORD.field("currentPassword", "the password was changed meanwhile");
            }
            int version = r.getInteger("token_version");
            revoked(caller, version);
            return new JsonObject().put("user", user(caller, u.getString("email"), u.getString("name")))
                .put("tokenVersion", version);
          });
    });
  }

  private Future<JsonObject> tokenVersion(Message<JsonObject> msg) {
    UUID userId = Input.of(msg.body()).uuid("userId");
    return pool.preparedQuery(WorkspaceSql.TOKEN_VERSION).execute(Tuple.of(userId))
        .map(rows -> new JsonObject().put("version", versionOf(first(rows))));
  }

  /** Tells every edge on every node at once; an edge that misses it asks again within its cache time. */
  private JsonObject revoked(UUID userId, int version) {
    JsonObject event = new JsonObject().put("userId", userId.toString()).put("version", version);
    vertx.eventBus().publish(Address.WORKSPACE_TOKENS_REVOKED.address(), event);
    return event;
  }

  private static int versionOf(Row row) {
    if (row == null) {
      throw ErrorCode.UNAUTHENTICATED.exception("the token's user no longer exists");
    }
    return row.getInteger("token_version");
  }

  private Future<JsonObject> me(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Future<RowSet<Row>> user = pool.preparedQuery(WorkspaceSql.USER_BY_ID).execute(Tuple.of(caller));
    Future<RowSet<Row>> teams = pool.preparedQuery(WorkspaceSql.TEAMS_OF_USER).execute(Tuple.of(caller));
    return Future.all(user, teams).map(ignored -> {
      Row u = first(user.result());
      if (u == null) {
        throw ErrorCode.UNAUTHENTICATED.exception("the token's user no longer exists");
      }
      JsonArray list = new JsonArray();
      teams.result().forEach(t -> list.add(new JsonObject()
          .put("id", t.getUUID("id").toString()).put("name", t.getString("name")).put("role", t.getString("role"))));
      return new JsonObject().put("user", user(u.getUUID("id"), u.getString("email"), u.getString("name")))
          .put("teams", list);
    });
  }

  private Future<JsonArray> lookupUsers(Message<JsonObject> msg) {
    JsonArray ids = msg.body().getJsonArray("ids", new JsonArray());
    UUID[] uuids = ids.stream().map(id -> Input.parseUuid("ids", String.valueOf(id))).toArray(UUID[]::new);
    return pool.preparedQuery(WorkspaceSql.USERS_BY_IDS).execute(Tuple.of(uuids)).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(new JsonObject().put("id", r.getUUID("id").toString()).put("name", r.getString("name"))));
      return out;
    });
  }

  /** Internal: the teams of each user asked for; a user without teams maps to an empty list. */
  private Future<JsonObject> teamsOfUsers(Message<JsonObject> msg) {
    if (!(msg.body().getValue("userIds") instanceof JsonArray ids)) {
      throw ErrorCode.VALIDATION_FAILED.field("userIds", "userIds must be an array of user ids");
    }
    if (ids.size() > USERS_TEAMS_MAX) {
      throw ErrorCode.VALIDATION_FAILED.field("userIds", "userIds may list at most " + USERS_TEAMS_MAX + " users");
    }
    JsonObject teams = new JsonObject();
    UUID[] uuids = new UUID[ids.size()];
    for (int i = 0; i < uuids.length; i++) {
      if (!(ids.getValue(i) instanceof String s)) {
        throw ErrorCode.VALIDATION_FAILED.field("userIds", "userIds must be an array of user id strings");
      }
      uuids[i] = Input.parseUuid("userIds", s);
      teams.put(uuids[i].toString(), new JsonArray());
    }
    return pool.preparedQuery(WorkspaceSql.TEAMS_OF_USERS).execute(Tuple.of((Object) uuids)).map(rows -> {
      rows.forEach(r -> teams.getJsonArray(r.getUUID("user_id").toString()).add(r.getUUID("team_id").toString()));
      return new JsonObject().put("teams", teams);
    });
  }

  // --- teams and members --------------------------------------------------------------------------------------------

  private Future<JsonObject> createTeam(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    String name = Input.of(msg.body()).string("name", 1, 100);
    UUID id = UUID.randomUUID();
    return requirePerson(caller, "a service account cannot create teams").compose(ok -> Database.transaction(pool, conn ->
        conn.preparedQuery(WorkspaceSql.INSERT_TEAM).execute(Tuple.of(id, name))
            .compose(ignored -> conn.preparedQuery(WorkspaceSql.INSERT_MEMBERSHIP).execute(Tuple.of(id, caller, "owner")))
            .compose(ignored -> journal.record(conn, msg, Journal.Change.created(id, "team", id,
                new JsonObject().put("name", name))))
            .compose(ignored -> journal.record(conn, msg, Journal.Change.created(id, "member", caller,
                new JsonObject().put("role", "owner"))))))
        .map(ignored -> new JsonObject().put("id", id.toString()).put("name", name).put("role", "owner"));
  }

  private Future<JsonObject> addMember(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    String email = in.email("email");
    String role = in.oneOf("role", GRANTABLE_ROLES, "member");
    return requireRole(teamId, caller, MANAGERS)
        .compose(ignored -> pool.preparedQuery(WorkspaceSql.USER_BY_EMAIL).execute(Tuple.of(email)))
        .compose(rows -> {
          Row u = first(rows);
          if (u == null || SERVICE.equals(u.getString("kind"))) {
            // A service account belongs to the one team it was created for.
            throw ErrorCode.USER_NOT_FOUND.field("email", "no trcr account has this email; ask them to sign up first");
          }
          return Database.transaction(pool, conn -> conn.preparedQuery(WorkspaceSql.INSERT_MEMBERSHIP)
                  .execute(Tuple.of(teamId, u.getUUID("id"), role))
                  .compose(ignored -> journal.record(conn, msg, Journal.Change.created(teamId, "member",
                      u.getUUID("id"), new JsonObject().put("role", role)))))
              .recover(e -> Future.failedFuture(Database.isUniqueViolation(e, null)
                  ? ErrorCode.ALREADY_MEMBER.field("email", "this user is already a member of the team") : e))
              .map(ignored -> new JsonObject()
                  .put("user", user(u.getUUID("id"), u.getString("email"), u.getString("name")))
                  .put("role", role));
        });
  }

  /**
   * Owners and admins set roles; only an owner makes or unmakes an owner, and the last owner stays one. The team's
   * owner rows are locked first, so two owners demoting each other at once cannot both succeed.
   */
  private Future<JsonObject> updateMember(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID userId = in.uuid("userId");
    String role = in.oneOf("role", Set.of("member", "admin", "owner"), null);
    return requireRole(teamId, caller, MANAGERS).compose(callerRole -> Database.transaction(pool, conn -> conn
        .preparedQuery(WorkspaceSql.LOCK_OWNERS).execute(Tuple.of(teamId))
        .compose(owners -> {
          Set<UUID> ownerIds = new java.util.HashSet<>();
          owners.forEach(r -> ownerIds.add(r.getUUID("user_id")));
          boolean touchesOwner = "owner".equals(role) || ownerIds.contains(userId);
          if (touchesOwner && !"owner".equals(callerRole)) {
            throw ErrorCode.FORBIDDEN.exception("only an owner may make someone an owner or change an owner's role");
          }
          if (ownerIds.contains(userId) && !"owner".equals(role) && ownerIds.size() == 1) {
            throw ErrorCode.LAST_OWNER.field("role", "this is the team's only owner; make someone else owner first");
          }
          Future<Void> allowed = !"owner".equals(role) ? Future.succeededFuture()
              : conn.preparedQuery(WorkspaceSql.KIND_OF_USER).execute(Tuple.of(userId)).map(kind -> {
                if (first(kind) != null && SERVICE.equals(first(kind).getString("kind"))) {
                  throw ErrorCode.FORBIDDEN.exception("a service account cannot be an owner");
                }
                return null;
              });
          return allowed.compose(ok -> conn.preparedQuery(WorkspaceSql.ROLE_OF).execute(Tuple.of(teamId, userId)));
        })
        .compose(previous -> conn.preparedQuery(WorkspaceSql.SET_ROLE).execute(Tuple.of(teamId, userId, role))
            .compose(rows -> {
              Row r = first(rows);
              if (r == null) {
                throw ErrorCode.USER_NOT_FOUND.field("userId", "the user is not a member of this team");
              }
              JsonObject member = new JsonObject()
                  .put("user", user(r.getUUID("id"), r.getString("email"), r.getString("name")))
                  .put("role", r.getString("role"));
              return journal.record(conn, msg, Journal.Change.updated(teamId, "member", userId,
                  new JsonObject().put("role", first(previous).getString("role")),
                  new JsonObject().put("role", r.getString("role")))).map(member);
            }))));
  }

  private Future<JsonArray> listMembers(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    return requireRole(teamId, caller, null)
        .compose(ignored -> pool.preparedQuery(WorkspaceSql.MEMBERS).execute(Tuple.of(teamId)))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(r -> out.add(new JsonObject()
              .put("user", user(r.getUUID("id"), r.getString("email"), r.getString("name")))
              .put("role", r.getString("role"))));
          return out;
        });
  }

  /** Internal: the role of {@code userId} in a team, plus a project of that team when {@code projectId} is given. */
  private Future<JsonObject> access(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID userId = in.uuid("userId");
    UUID projectId = in.optionalUuid("projectId");
    // Both queries at once (every command of a timer asks this first): the membership decides before the project, so
    // a non-member learns nothing about the team's projects.
    Future<RowSet<Row>> role = pool.preparedQuery(WorkspaceSql.ROLE_OF).execute(Tuple.of(teamId, userId));
    Future<JsonObject> project = projectId == null ? Future.succeededFuture() : project(teamId, projectId);
    return Future.join(role, project).transform(ignored -> {
      if (role.failed()) {
        return Future.failedFuture(role.cause());
      }
      Row m = first(role.result());
      if (m == null) {
        throw ErrorCode.TEAM_NOT_FOUND.exception();
      }
      if (project.failed()) {
        return Future.failedFuture(project.cause());
      }
      JsonObject out = new JsonObject().put("role", m.getString("role"))
          .put("user", new JsonObject().put("id", userId.toString()).put("name", m.getString("name")));
      return Future.succeededFuture(projectId == null ? out : out.put("project", project.result()));
    });
  }

  // --- projects -----------------------------------------------------------------------------------------------------

  private Future<JsonObject> createProject(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    String name = in.string("name", 1, 100);
    String currency = currency(in.optionalString("currency", 3));
    BigDecimal rate = hourlyRate(in.optionalDecimal("hourlyRate"), currency);
    String key = projectKey(in.optionalString("key", 10));
    return requireRole(teamId, caller, MANAGERS)
        .compose(ignored -> insertProject(msg, teamId, name, rate, currency, key, 1))
        .map(WorkspaceVerticle::project);
  }

  /** A given key must be free (409); a derived one takes the first free of WEB, WEB2, WEB3… (retried if raced). */
  private Future<Row> insertProject(Message<?> msg, UUID teamId, String name, BigDecimal rate, String currency,
                                    String givenKey, int attempt) {
    String base = givenKey != null ? givenKey : derivedKey(name);
    Future<String> key = givenKey != null ? Future.succeededFuture(givenKey)
        : pool.preparedQuery(WorkspaceSql.KEYS_LIKE).execute(Tuple.of(teamId, base)).map(rows -> {
          Set<String> taken = new java.util.HashSet<>();
          rows.forEach(r -> taken.add(r.getString("key")));
          String candidate = base;
          for (int n = 2; taken.contains(candidate); n++) {
            candidate = base + n;
          }
          return candidate;
        });
    return key.compose(k -> Database.transaction(pool, conn -> conn.preparedQuery(WorkspaceSql.INSERT_PROJECT)
            .execute(Tuple.of(UUID.randomUUID(), teamId, name, rate, currency, k))
            .compose(rows -> {
              Row row = rows.iterator().next();
              return journal.record(conn, msg, Journal.Change.created(teamId, "project", row.getUUID("id"),
                  project(row))).map(row);
            })))
        .recover(e -> {
          if (Database.isUniqueViolation(e, "projects_team_name_key")) {
            return Future.failedFuture(ErrorCode.PROJECT_NAME_TAKEN.field("name",
                "the team already has a project named " + name));
          }
          if (Database.isUniqueViolation(e, "projects_team_key_key")) {
            return givenKey == null && attempt < 5 ? insertProject(msg, teamId, name, rate, currency, null, attempt + 1)
                : Future.failedFuture(ErrorCode.PROJECT_KEY_TAKEN.field("key",
                    "the team already has a project with the key " + givenKey));
          }
          return Future.failedFuture(e);
        });
  }

  /** Task keys are {key}-{n}: 2–10 of A–Z and 0–9 (given in lower case, it is upper-cased). */
  private static String projectKey(String given) {
    if (given == null) {
      return null;
    }
    String key = given.toUpperCase(java.util.Locale.ROOT);
    if (!key.matches("[A-Z0-9]{2,10}")) {
      throw ErrorCode.VALIDATION_FAILED.field("key", "key must be 2 to 10 letters A-Z or digits");
    }
    return key;
  }

  /** The first three letters or digits of the name (accents dropped), or PRJ when it has fewer than two. */
  static String derivedKey(String name) {
    String ascii = java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD)
        .toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "");
    return ascii.length() < 2 ? "PRJ" : ascii.substring(0, Math.min(3, ascii.length()));
  }

  private Future<JsonArray> listProjects(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    return requireRole(teamId, caller, null)
        .compose(ignored -> pool.preparedQuery(WorkspaceSql.PROJECTS).execute(Tuple.of(teamId)))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(r -> out.add(project(r)));
          return out;
        });
  }

  private Future<JsonObject> project(UUID teamId, UUID projectId) {
    return pool.preparedQuery(WorkspaceSql.PROJECT).execute(Tuple.of(teamId, projectId)).map(rows -> {
      Row p = first(rows);
      if (p == null) {
        throw ErrorCode.PROJECT_NOT_FOUND.field("projectId", "no such project in this team");
      }
      return project(p);
    });
  }

  /**
   * Name, hourly rate and client of a project. Its currency stays: rates and tracked time already billed in it would
   * change meaning. A client is checked with billing, and must bill in the project's currency.
   */
  private Future<JsonObject> updateProject(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    String name = in.has("name") ? in.string("name", 1, 100) : null;
    boolean setRate = in.present("hourlyRate");
    boolean setClient = in.present("clientId");
    UUID clientId = in.optionalUuid("clientId");
    BigDecimal given = in.optionalDecimal("hourlyRate");
    if (name == null && !setRate && !setClient) {
      throw ErrorCode.VALIDATION_FAILED.exception("give at least one of name, hourlyRate, clientId");
    }
    return requireRole(teamId, caller, MANAGERS)
        .compose(ignored -> project(teamId, projectId))
        .compose(p -> {
          String currency = p.getString("currency");
          BigDecimal rate = hourlyRate(given, currency);
          Future<Void> client = clientId == null ? Future.succeededFuture()
              : Bus.<JsonObject>request(vertx, Address.BILLING_CLIENTS_CHECK,
                  new JsonObject().put("teamId", teamId.toString()).put("clientId", clientId.toString()), null)
                  .map(c -> {
                    if (!currency.equals(c.getString("currency"))) {
                      throw ErrorCode.CURRENCY_MISMATCH.field("clientId", "the client is billed in "
                          + c.getString("currency") + " and the project in " + currency);
                    }
                    return null;
                  });
          return client.compose(ignored -> Database.transaction(pool, conn -> conn
              .preparedQuery(WorkspaceSql.PROJECT + " FOR UPDATE").execute(Tuple.of(teamId, projectId))
              .compose(before -> conn.preparedQuery(WorkspaceSql.UPDATE_PROJECT)
                  .execute(Tuple.from(java.util.Arrays.asList(teamId, projectId, name, setRate, rate, setClient,
                      clientId)))
                  .compose(rows -> {
                    JsonObject after = project(first(rows));
                    return journal.record(conn, msg, Journal.Change.updated(teamId, "project", projectId,
                        project(first(before)), after)).map(after);
                  }))));
        })
        .recover(e -> Future.failedFuture(Database.isUniqueViolation(e, "projects_team_name_key")
            ? ErrorCode.PROJECT_NAME_TAKEN.field("name", "the team already has a project named " + name) : e));
  }

  /** A member's own rate on a project; {@code hourlyRate: null} removes it (the project's rate applies again). */
  private Future<JsonObject> setRate(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    UUID userId = in.uuid("userId");
    if (!in.present("hourlyRate")) {
      throw ErrorCode.VALIDATION_FAILED.field("hourlyRate", "hourlyRate is required (null removes the member's rate)");
    }
    BigDecimal given = in.optionalDecimal("hourlyRate");
    return requireRole(teamId, caller, MANAGERS)
        .compose(ignored -> project(teamId, projectId))
        .compose(p -> pool.preparedQuery(WorkspaceSql.ROLE_OF).execute(Tuple.of(teamId, userId)).compose(rows -> {
          if (first(rows) == null) {
            throw ErrorCode.USER_NOT_FOUND.field("userId", "the user is not a member of this team");
          }
          BigDecimal rate = hourlyRate(given, p.getString("currency"));
          JsonObject after = new JsonObject().put("projectId", projectId.toString()).put("userId", userId.toString())
              .put("hourlyRate", rate == null ? null : rate.toPlainString());
          return Database.transaction(pool, conn -> conn.preparedQuery(WorkspaceSql.RATES_OF_PROJECTS)
              .execute(Tuple.of((Object) new UUID[] {projectId}))
              .compose(rates -> {
                JsonObject before = after.copy().putNull("hourlyRate");
                rates.forEach(r -> {
                  if (r.getUUID("user_id").equals(userId)) {
                    before.put("hourlyRate", r.getBigDecimal("hourly_rate")
                        .setScale(digits(p.getString("currency")), RoundingMode.HALF_UP).toPlainString());
                  }
                });
                return (rate == null
                    ? conn.preparedQuery(WorkspaceSql.DELETE_RATE).execute(Tuple.of(projectId, userId))
                    : conn.preparedQuery(WorkspaceSql.SET_RATE).execute(Tuple.of(projectId, userId, rate)))
                    .compose(ignored -> journal.record(conn, msg, Journal.Change.updated(teamId, "project_rate",
                        projectId + ":" + userId, before, after)));
              })
              .map(after));
        }));
  }

  private Future<JsonArray> listRates(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    return requireRole(teamId, caller, MANAGERS)
        .compose(ignored -> project(teamId, projectId))
        .compose(p -> pool.preparedQuery(WorkspaceSql.RATES_OF_PROJECTS).execute(Tuple.of((Object) new UUID[] {projectId}))
            .map(rows -> {
              JsonArray out = new JsonArray();
              int digits = digits(p.getString("currency"));
              rows.forEach(r -> out.add(new JsonObject().put("projectId", projectId.toString())
                  .put("userId", r.getUUID("user_id").toString())
                  .put("hourlyRate", r.getBigDecimal("hourly_rate").setScale(digits, RoundingMode.HALF_UP).toPlainString())));
              return out;
            }));
  }

  /** Internal: a team and its members with emails and roles. */
  private Future<JsonObject> directory(Message<JsonObject> msg) {
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    Future<RowSet<Row>> team = pool.preparedQuery(WorkspaceSql.TEAM).execute(Tuple.of(teamId));
    Future<RowSet<Row>> members = pool.preparedQuery(WorkspaceSql.MEMBERS).execute(Tuple.of(teamId));
    Future<RowSet<Row>> projects = pool.preparedQuery(WorkspaceSql.PROJECTS).execute(Tuple.of(teamId));
    return Future.all(team, members, projects).map(ignored -> {
      Row t = first(team.result());
      if (t == null) {
        throw ErrorCode.TEAM_NOT_FOUND.exception();
      }
      JsonArray list = new JsonArray();
      members.result().forEach(r -> list.add(new JsonObject().put("id", r.getUUID("id").toString())
          .put("name", r.getString("name")).put("email", r.getString("email")).put("role", r.getString("role"))));
      JsonArray keys = new JsonArray();
      projects.result().forEach(r -> keys.add(new JsonObject().put("id", r.getUUID("id").toString())
          .put("name", r.getString("name")).put("key", r.getString("key"))));
      return new JsonObject()
          .put("team", new JsonObject().put("id", t.getUUID("id").toString()).put("name", t.getString("name")))
          .put("members", list)
          .put("projects", keys);
    });
  }

  /** Internal: the projects billed to a client, each with its per-member rates ({@code rates: {userId: "120.00"}}). */
  private Future<JsonArray> clientProjects(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID clientId = in.uuid("clientId");
    return pool.preparedQuery(WorkspaceSql.CLIENT_PROJECTS).execute(Tuple.of(teamId, clientId)).compose(rows -> {
      JsonArray out = new JsonArray();
      java.util.Map<UUID, JsonObject> byId = new java.util.HashMap<>();
      rows.forEach(r -> {
        JsonObject p = project(r).put("rates", new JsonObject());
        out.add(p);
        byId.put(r.getUUID("id"), p);
      });
      if (byId.isEmpty()) {
        return Future.succeededFuture(out);
      }
      return pool.preparedQuery(WorkspaceSql.RATES_OF_PROJECTS)
          .execute(Tuple.of((Object) byId.keySet().toArray(UUID[]::new)))
          .map(rates -> {
            rates.forEach(r -> {
              JsonObject p = byId.get(r.getUUID("project_id"));
              p.getJsonObject("rates").put(r.getUUID("user_id").toString(), r.getBigDecimal("hourly_rate")
                  .setScale(digits(p.getString("currency")), RoundingMode.HALF_UP).toPlainString());
            });
            return out;
          });
    });
  }

  private static int digits(String currency) {
    return Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
  }

  private static String currency(String given) {
    String code = given == null ? "EUR" : given;
    if (!code.matches("[A-Z]{3}")) {
      throw ErrorCode.VALIDATION_FAILED.field("currency", "currency must be an ISO 4217 code like EUR");
    }
    try {
      Currency.getInstance(code);
      return code;
    } catch (IllegalArgumentException e) {
      throw ErrorCode.VALIDATION_FAILED.field("currency", "currency " + code + " is not an ISO 4217 code");
    }
  }

  private static BigDecimal hourlyRate(BigDecimal rate, String currency) {
    if (rate == null) {
      return null;
    }
    int digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    if (rate.signum() < 0 || rate.compareTo(new BigDecimal("1000000000")) >= 0) {
      throw ErrorCode.VALIDATION_FAILED.field("hourlyRate", "hourlyRate must be between 0 and 999999999");
    }
    if (rate.stripTrailingZeros().scale() > digits) {
      throw ErrorCode.VALIDATION_FAILED.field("hourlyRate",
          "hourlyRate has more than " + digits + " decimal places for " + currency);
    }
    return rate.setScale(digits, RoundingMode.UNNECESSARY);
  }

  // --- service accounts ---------------------------------------------------------------------------------------------

  /**
   * A user of kind service, member of this one team with the role given; the api mints its token from the reply.
   * Its email is synthetic (unique, under the reserved {@code .invalid} domain) and it has no password.
   */
  private Future<JsonObject> createServiceToken(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    String name = in.string("name", 1, 100);
    String role = in.oneOf("role", GRANTABLE_ROLES, "member");
    UUID id = UUID.randomUUID();
    UUID userId = UUID.randomUUID();
    return requireRole(teamId, caller, MANAGERS)
        .compose(ignored -> requirePerson(caller, "a service account cannot create service tokens"))
        .compose(ignored -> Database.transaction(pool, conn -> conn.preparedQuery(WorkspaceSql.INSERT_SERVICE_USER)
            .execute(Tuple.of(userId, "service-" + userId + "@service.trcr.invalid", name))
            .compose(user -> conn.preparedQuery(WorkspaceSql.INSERT_MEMBERSHIP).execute(Tuple.of(teamId, userId, role))
                .compose(m -> conn.preparedQuery(WorkspaceSql.INSERT_SERVICE_TOKEN)
                    .execute(Tuple.of(id, teamId, userId, name, role, caller)))
                .compose(rows -> {
                  JsonObject token = serviceToken(first(rows)).put("tokenVersion", versionOf(first(user)));
                  return journal.record(conn, msg, Journal.Change.created(teamId, "service_token", id,
                      new JsonObject().put("name", name).put("role", role).put("userId", userId.toString())))
                      .map(token);
                }))));
  }

  private Future<JsonArray> listServiceTokens(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    return requireRole(teamId, caller, MANAGERS)
        .compose(ignored -> pool.preparedQuery(WorkspaceSql.SERVICE_TOKENS).execute(Tuple.of(teamId)))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(r -> out.add(serviceToken(r)));
          return out;
        });
  }

  /**
   * The account leaves the team, is marked revoked, and its token version rises: every edge refuses its token from
   * then on and the bridges close its sockets (workspace.tokens-revoked). Revoking twice is harmless.
   */
  private Future<JsonObject> revokeServiceToken(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID tokenId = in.uuid("tokenId");
    return requireRole(teamId, caller, MANAGERS).compose(ignored -> Database.transaction(pool, conn -> conn
            .preparedQuery(WorkspaceSql.LOCK_SERVICE_TOKEN).execute(Tuple.of(teamId, tokenId))
            .compose(rows -> {
              Row token = first(rows);
              if (token == null) {
                throw ErrorCode.NOT_FOUND.exception("no such service token in this team");
              }
              UUID userId = token.getUUID("user_id");
              boolean wasRevoked = token.getValue("revoked_at") != null;
              return conn.preparedQuery(WorkspaceSql.DELETE_MEMBERSHIP).execute(Tuple.of(teamId, userId))
                  .compose(d -> conn.preparedQuery(WorkspaceSql.REVOKE_SERVICE_TOKEN).execute(Tuple.of(tokenId)))
                  .compose(d -> conn.preparedQuery(WorkspaceSql.REVOKE_TOKENS).execute(Tuple.of(userId)))
                  .compose(version -> (wasRevoked ? Future.<Void>succeededFuture()
                      : journal.record(conn, msg, Journal.Change.deleted(teamId, "service_token", tokenId,
                          new JsonObject().put("name", token.getString("name")).put("role", token.getString("role")))))
                      .map(v -> new JsonObject().put("userId", userId.toString())
                          .put("version", versionOf(first(version)))));
            })))
        .map(revoked -> {
          // After commit: edges that ask the workspace again must already see the raised version.
          revoked(UUID.fromString(revoked.getString("userId")), revoked.getInteger("version"));
          return revoked; // the api applies the version at once, as for a logout
        });
  }

  private static JsonObject serviceToken(Row r) {
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("teamId", r.getUUID("team_id").toString())
        .put("name", r.getString("name"))
        .put("role", r.getString("role"))
        .put("userId", r.getUUID("user_id").toString())
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")))
        .put("createdBy", r.getUUID("created_by") == null ? null : r.getUUID("created_by").toString())
        .put("revokedAt", r.getOffsetDateTime("revoked_at") == null ? null : Times.iso(r.getOffsetDateTime("revoked_at")));
  }

  /** Service accounts act for their team; what only a person may do (teams, tokens, passwords) is refused them. */
  private Future<Void> requirePerson(UUID userId, String refusal) {
    return pool.preparedQuery(WorkspaceSql.KIND_OF_USER).execute(Tuple.of(userId)).map(rows -> {
      Row r = first(rows);
      if (r != null && SERVICE.equals(r.getString("kind"))) {
        throw ErrorCode.FORBIDDEN.exception(refusal);
      }
      return null;
    });
  }

  // --- shared -------------------------------------------------------------------------------------------------------

  /** Non-members get team_not_found (no existence leak); members without one of {@code roles} get forbidden. */
  private Future<String> requireRole(UUID teamId, UUID userId, Set<String> roles) {
    return pool.preparedQuery(WorkspaceSql.ROLE_OF).execute(Tuple.of(teamId, userId)).map(rows -> {
      Row m = first(rows);
      if (m == null) {
        throw ErrorCode.TEAM_NOT_FOUND.exception();
      }
      String role = m.getString("role");
      if (roles != null && !roles.contains(role)) {
        throw ErrorCode.FORBIDDEN.exception("only the team's owners and admins may do this");
      }
      return role;
    });
  }

  private static JsonObject project(Row r) {
    BigDecimal rate = r.getBigDecimal("hourly_rate");
    String currency = r.getString("currency");
    int digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("teamId", r.getUUID("team_id").toString())
        .put("name", r.getString("name"))
        .put("key", r.getString("key"))
        .put("hourlyRate", rate == null ? null : rate.setScale(digits, RoundingMode.HALF_UP).toPlainString())
        .put("currency", currency)
        .put("clientId", r.getUUID("client_id") == null ? null : r.getUUID("client_id").toString())
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")));
  }

  private static JsonObject user(UUID id, String email, String name) {
    return new JsonObject().put("id", id.toString()).put("email", email).put("name", name);
  }

  private static Row first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? it.next() : null;
  }
}
