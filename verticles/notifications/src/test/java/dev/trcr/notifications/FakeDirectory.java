package dev.trcr.notifications;

import dev.trcr.kernel.Address;
import dev.trcr.testing.Api.Session;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code workspace.directory} for nodes whose workspace does not serve it yet: registered only if nothing answers
 * the address, and then answering from the teams the test describes. With a workspace that serves it, it does nothing.
 */
final class FakeDirectory implements AutoCloseable {

  private final Map<String, JsonObject> teams = new ConcurrentHashMap<>();
  private MessageConsumer<JsonObject> consumer;

  FakeDirectory(Vertx vertx) {
    try {
      vertx.eventBus().request(Address.WORKSPACE_DIRECTORY.address(),
          new JsonObject().put("teamId", UUID.randomUUID().toString())).await();
    } catch (ReplyException e) {
      if (e.failureType() == ReplyFailure.NO_HANDLERS) {
        consumer = vertx.eventBus().consumer(Address.WORKSPACE_DIRECTORY.address(), msg -> {
          JsonObject team = teams.get(msg.body().getString("teamId"));
          if (team == null) {
            msg.fail(404, "{\"error\":{\"code\":\"team_not_found\",\"message\":\"no such team\"}}");
          } else {
            msg.reply(team);
          }
        });
        consumer.completion().await();
      }
    }
  }

  /** Describes a team: sessions with their roles, in pairs (session, role). */
  FakeDirectory team(String teamId, String name, Object... sessionsAndRoles) {
    JsonArray members = new JsonArray();
    for (int i = 0; i < sessionsAndRoles.length; i += 2) {
      Session s = (Session) sessionsAndRoles[i];
      members.add(new JsonObject().put("id", s.id()).put("name", s.name()).put("email", s.email())
          .put("role", sessionsAndRoles[i + 1]));
    }
    teams.put(teamId, new JsonObject().put("team", new JsonObject().put("id", teamId).put("name", name))
        .put("members", members));
    return this;
  }

  @Override
  public void close() {
    if (consumer != null) {
      consumer.unregister().await();
    }
  }
}
