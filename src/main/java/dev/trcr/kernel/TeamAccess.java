package dev.trcr.kernel;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.UUID;

/** What a verticle asks the workspace ({@code workspace.access}) before it lets a caller act on a team. */
public final class TeamAccess {

  /** The roles that manage a team's settings, money and integrations. */
  public static final Set<String> MANAGERS = Set.of("owner", "admin");

  private TeamAccess() {
  }

  /**
   * The caller's role if they are an owner or an admin of the team; members get 403 {@code forbidden} with {@code
   * only} as the message, non-members 404 {@code team_not_found} (from the workspace).
   */
  public static Future<String> requireManager(Vertx vertx, UUID teamId, UUID caller, String only) {
    JsonObject body = new JsonObject().put("teamId", teamId.toString()).put("userId", caller.toString());
    return Bus.<JsonObject>request(vertx, Address.WORKSPACE_ACCESS, body, null).map(access -> {
      String role = access.getString("role");
      if (!MANAGERS.contains(role)) {
        throw ErrorCode.FORBIDDEN.exception(only);
      }
      return role;
    });
  }
}
