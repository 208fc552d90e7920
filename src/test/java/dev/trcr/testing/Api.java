package dev.trcr.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.UUID;

/** A small blocking REST client for tests (call it from the test thread, never from an event loop). */
public final class Api {

  private final WebClient client;

  public Api(Vertx vertx, int port) {
    this(vertx, port, null);
  }

  /** A client whose requests come from {@code localAddress} (another loopback address, e.g. 127.0.0.2). */
  public Api(Vertx vertx, int port, String localAddress) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setLocalAddress(localAddress));
  }

  /** A signed-up user. */
  public record Session(String token, String id, String email, String name) {
  }

  /** A response: the status, the body as text, and the headers. */
  public record Response(int status, String text, io.vertx.core.MultiMap headers) {

    public String header(String name) {
      return headers.get(name);
    }

    public JsonObject json() {
      return new JsonObject(text);
    }

    public JsonArray array() {
      return new JsonArray(text);
    }

    public String errorCode() {
      return json().getJsonObject("error").getString("code");
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  public Response call(HttpMethod method, String path, String token, Object body) {
    return call(method, path, token, body, io.vertx.core.MultiMap.caseInsensitiveMultiMap());
  }

  /** A request with extra headers (e.g. Origin). */
  public Response call(HttpMethod method, String path, String token, Object body, io.vertx.core.MultiMap headers) {
    HttpRequest<Buffer> request = client.request(method, path).putHeaders(headers);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    HttpResponse<Buffer> response = body == null ? request.send().await()
        : body instanceof Buffer raw ? request.putHeader("content-type", "application/json").sendBuffer(raw).await()
        : request.putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(body.toString())).await();
    return new Response(response.statusCode(), response.bodyAsString() == null ? "" : response.bodyAsString(),
        response.headers());
  }

  public Response get(String path, String token) {
    return call(HttpMethod.GET, path, token, null);
  }

  public Response post(String path, String token, Object body) {
    return call(HttpMethod.POST, path, token, body == null ? new JsonObject() : body);
  }

  public Response patch(String path, String token, Object body) {
    return call(HttpMethod.PATCH, path, token, body);
  }

  public Response delete(String path, String token) {
    return call(HttpMethod.DELETE, path, token, null);
  }

  /** Signs up a new user with a unique email and returns the session; fails the test on anything but 201. */
  public Session signup(String name) {
    String email = name.toLowerCase().replace(' ', '.') + "+" + UUID.randomUUID().toString().substring(0, 8)
        + "@example.com";
    Response r = post("/api/auth/signup", null,
        new JsonObject().put("email", email).put("password", "correct horse battery").put("name", name));
    expect(201, r);
    JsonObject user = r.json().getJsonObject("user");
    return new Session(r.json().getString("token"), user.getString("id"), email, name);
  }

  public String createTeam(Session owner, String name) {
    Response r = post("/api/teams", owner.token(), new JsonObject().put("name", name));
    expect(201, r);
    return r.json().getString("id");
  }

  public void addMember(Session admin, String teamId, Session member, String role) {
    expect(201, post("/api/teams/" + teamId + "/members", admin.token(),
        new JsonObject().put("email", member.email()).put("role", role)));
  }

  public String createProject(Session admin, String teamId, String name) {
    Response r = post("/api/teams/" + teamId + "/projects", admin.token(), new JsonObject().put("name", name));
    expect(201, r);
    return r.json().getString("id");
  }

  public Response startTimer(Session user, String teamId, String projectId) {
    return post("/api/teams/" + teamId + "/timer/start", user.token(), new JsonObject().put("projectId", projectId));
  }

  public static Response expect(int status, Response r) {
    if (r.status() != status) {
      throw new AssertionError("expected " + status + " but got " + r);
    }
    return r;
  }

  public void close() {
    client.close();
  }
}
