package dev.trcr.bench;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The benchmarks' blocking REST client against the server process: JSON in and out, the status checked. */
final class BenchRest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  BenchRest(int httpPort) {
    this.base = "http://127.0.0.1:" + httpPort;
  }

  JsonObject call(String method, String path, String token, JsonObject body, int expected) throws Exception {
    return new JsonObject(send(method, path, token, body, expected));
  }

  String send(String method, String path, String token, JsonObject body, int expected) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException(method + " " + path + " → " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** A document (a PDF): 200 and a body that starts with {@code %}. */
  byte[] bytes(String path, String token) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
        .header("authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200 || r.body().length < 5 || r.body()[0] != '%') {
      throw new IllegalStateException("GET " + path + " → " + r.statusCode());
    }
    return r.body();
  }
}
