package dev.trcr.integrations;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A webhook receiver for tests: a real HTTP server on 127.0.0.1 that answers the first {@code failures} requests with
 * {@code failStatus} (or always, with {@link #failAlways}), then 204, and keeps every request it got.
 */
final class Receiver implements AutoCloseable {

  /** One request as received: the three trcr headers and the raw body. */
  record Received(String event, String delivery, String signature, String body, int answered) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();
  private volatile boolean failAlways;
  private volatile int failStatus = 500;

  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger mostOpen = new AtomicInteger();
  private volatile long answerAfterMs;

  private Receiver(Vertx vertx) {
    server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      int status = failAlways || failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? failStatus : 204;
      received.add(new Received(request.getHeader("X-Trcr-Event"), request.getHeader("X-Trcr-Delivery"),
          request.getHeader("X-Trcr-Signature"), body.toString(StandardCharsets.UTF_8), status));
      Runnable answer = () -> {
        open.decrementAndGet();
        request.response().setStatusCode(status).end();
      };
      if (answerAfterMs > 0) {
        vertx.setTimer(answerAfterMs, id -> answer.run());
      } else {
        answer.run();
      }
    }));
    server.listen(0, "127.0.0.1").await();
  }

  /** Holds every answer this long (to see whether a second request comes while one is open). */
  Receiver answerAfter(long ms) {
    answerAfterMs = ms;
    return this;
  }

  /** The most requests that were open at the same time. */
  int mostOpen() {
    return mostOpen.get();
  }

  static Receiver start(Vertx vertx) {
    return new Receiver(vertx);
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hooks/trcr?source=test";
  }

  Receiver failNext(int count, int status) {
    failStatus = status;
    failures.set(count);
    return this;
  }

  Receiver failAlways(boolean on) {
    failAlways = on;
    return this;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  List<String> events() {
    return received.stream().map(Received::event).toList();
  }

  @Override
  public void close() {
    server.close().await();
  }

  /**
   * What the README tells receivers to do with {@code X-Trcr-Signature: t=<unix>,v1=<hex>}: HMAC-SHA256 of
   * {@code t + "." + raw body} with the secret, hex, compared in constant time, and t no older than five minutes.
   */
  static boolean verify(String secret, String header, String rawBody) throws Exception {
    String t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length == 2 && kv[0].equals("t")) {
        t = kv[1];
      } else if (kv.length == 2 && kv[0].equals("v1")) {
        v1 = kv[1];
      }
    }
    if (t == null || v1 == null || Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(t)) > 300) {
      return false;
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] expected = HexFormat.of().formatHex(mac.doFinal((t + "." + rawBody).getBytes(StandardCharsets.UTF_8)))
        .getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII));
  }

  /** Polls until the condition holds, for at most 20 s. */
  static void eventually(BooleanSupplier condition, String what) {
    dev.trcr.testing.Await.awaitTrue(condition, what, 20000);
  }

}
