package dev.trcr.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The benchmark's teams, set up over the real REST API: G teams, each with an owner and U-1 members (real
 * memberships) and one project. Signups hash passwords with Argon2id on the node, so U stays small and several
 * sockets share a member's token.
 */
final class Workspace {

  record Member(int index, String userId, String token, String email) {
  }

  record Team(int index, String id, String projectId, List<Member> members, String channelId) {
  }

  final List<Team> teams;

  private Workspace(List<Team> teams) {
    this.teams = teams;
  }

  static Workspace create(int httpPort, int teams, int usersPerTeam) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://127.0.0.1:" + httpPort;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Member>> signups = new ArrayList<>();
      for (int i = 0; i < teams * usersPerTeam; i++) {
        int index = i;
        signups.add(pool.submit(() -> {
          String email = "bench" + index + "@example.com";
          JsonObject r = post(http, base + "/api/auth/signup", null, new JsonObject().put("email", email)
              .put("password", "correct horse battery").put("name", "Bench " + index), 201);
          return new Member(index, r.getJsonObject("user").getString("id"), r.getString("token"), email);
        }));
      }
      List<Member> users = new ArrayList<>();
      for (Future<Member> f : signups) {
        users.add(f.get());
      }
      List<Future<Team>> created = new ArrayList<>();
      for (int t = 0; t < teams; t++) {
        List<Member> members = List.copyOf(users.subList(t * usersPerTeam, (t + 1) * usersPerTeam));
        int index = t;
        created.add(pool.submit(() -> {
          Member owner = members.get(0);
          String teamId = post(http, base + "/api/teams", owner.token(), new JsonObject().put("name", "Team " + index),
              201).getString("id");
          for (Member m : members.subList(1, members.size())) {
            post(http, base + "/api/teams/" + teamId + "/members", owner.token(),
                new JsonObject().put("email", m.email()), 201);
          }
          String projectId = post(http, base + "/api/teams/" + teamId + "/projects", owner.token(),
              new JsonObject().put("name", "Project " + index), 201).getString("id");
          return new Team(index, teamId, projectId, members, null);
        }));
      }
      List<Team> result = new ArrayList<>();
      for (Future<Team> f : created) {
        result.add(f.get());
      }
      return new Workspace(result);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The same teams with their {@code general} channel's id, from {@code GET /api/teams/{teamId}/channels} as the
   * team's owner (which creates {@code general} on first use); for {@code --command chat}.
   */
  Workspace withGeneralChannels(int httpPort) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<Team> result = new ArrayList<>();
    for (Team t : teams) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + httpPort + "/api/teams/" + t.id() + "/channels"))
          .timeout(Duration.ofSeconds(60)).header("authorization", "Bearer " + t.members().get(0).token()).GET()
          .build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET channels → " + r.statusCode() + " " + r.body());
      }
      String channelId = null;
      for (Object o : new io.vertx.core.json.JsonArray(r.body())) {
        JsonObject c = (JsonObject) o;
        if ("general".equals(c.getString("kind")) || "general".equals(c.getString("name"))) {
          channelId = c.getString("id");
          break;
        }
      }
      if (channelId == null) {
        throw new IllegalStateException("no general channel in " + r.body());
      }
      result.add(new Team(t.index(), t.id(), t.projectId(), t.members(), channelId));
    }
    return new Workspace(result);
  }

  private static JsonObject post(HttpClient http, String url, String token, JsonObject body, int expected)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException("POST " + url + " → " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body());
  }
}
