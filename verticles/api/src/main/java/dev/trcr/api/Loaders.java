package dev.trcr.api;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderOptions;
import org.dataloader.DataLoaderRegistry;
import graphql.schema.DataFetchingEnvironment;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The batched lookups of one GraphQL operation, so that nested fields cost one bus request per query level, not one
 * per item: every {@code user}/{@code author}/{@code assignee} of a level goes into one {@code workspace.users.lookup}
 * {@code {ids}}, and every {@code TimeEntry.project} of a team into one {@code workspace.projects.list}. A fresh
 * registry per HTTP request (its cache lives as long as the request); over the WebSocket the loaders do not batch,
 * since each subscription event is one item, and do not cache, since a subscription lives for hours.
 */
final class Loaders {

  static final String USERS = "users";
  static final String PROJECTS = "projects";

  private final Vertx vertx;
  private final long timeoutMs;

  Loaders(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** The loaders of one operation on behalf of {@code caller}; {@code batching} false for WebSocket operations. */
  DataLoaderRegistry registry(UUID caller, boolean batching) {
    DataLoaderOptions options = DataLoaderOptions.newOptions().setBatchingEnabled(batching).setCachingEnabled(batching)
        .build();
    DataLoader<String, JsonObject> users = DataLoaderFactory.newMappedDataLoader(this::users, options);
    DataLoader<String, Map<String, JsonObject>> projects = DataLoaderFactory.newMappedDataLoader(
        (Set<String> teams) -> projects(teams, caller), options);
    DataLoaderRegistry registry = new DataLoaderRegistry();
    registry.register(USERS, users);
    registry.register(PROJECTS, projects);
    return registry;
  }

  /** A user ({@code {id, name}}) by id through the operation's loader; an unknown id answers {@code {id, name:null}}. */
  static CompletableFuture<JsonObject> user(DataFetchingEnvironment env, String id) {
    if (id == null) {
      return CompletableFuture.completedFuture(null);
    }
    DataLoader<String, JsonObject> loader = env.getDataLoader(USERS);
    return loader.load(id).thenApply(u -> u != null ? u : new JsonObject().put("id", id).putNull("name"));
  }

  /** A project of a team by id, from one project list per team and operation. */
  static CompletableFuture<JsonObject> project(DataFetchingEnvironment env, String teamId, String projectId) {
    if (teamId == null || projectId == null) {
      return CompletableFuture.completedFuture(null);
    }
    DataLoader<String, Map<String, JsonObject>> loader = env.getDataLoader(PROJECTS);
    return loader.load(teamId).thenApply(byId -> byId == null ? null : byId.get(projectId));
  }

  private CompletionStage<Map<String, JsonObject>> users(Set<String> ids) {
    Future<JsonArray> found = Bus.request(vertx, Address.WORKSPACE_USERS_LOOKUP,
        new JsonObject().put("ids", new JsonArray(List.copyOf(ids))), null, timeoutMs);
    return found.map(list -> {
      Map<String, JsonObject> byId = new HashMap<>();
      list.forEach(u -> byId.put(((JsonObject) u).getString("id"), (JsonObject) u));
      return byId;
    }).toCompletionStage();
  }

  /** The caller's view of each team's projects: a team they may not see resolves to no projects. */
  private CompletionStage<Map<String, Map<String, JsonObject>>> projects(Set<String> teams, UUID caller) {
    Map<String, Map<String, JsonObject>> byTeam = new HashMap<>();
    List<Future<Void>> lists = teams.stream().map(team -> Bus.<JsonArray>request(vertx, Address.WORKSPACE_PROJECTS_LIST,
            new JsonObject().put("teamId", team), caller, timeoutMs)
        .map(list -> {
          Map<String, JsonObject> byId = new HashMap<>();
          list.forEach(p -> byId.put(((JsonObject) p).getString("id"), (JsonObject) p));
          synchronized (byTeam) {
            byTeam.put(team, byId);
          }
          return (Void) null;
        })).toList();
    return Future.all(lists).map(ignored -> byTeam).toCompletionStage();
  }
}
