package dev.trcr.testing;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A trcr node in a JVM of its own (the test's classpath and JDK), started through {@code Main} with its configuration
 * as environment variables, so that a test can {@code kill -9} it or send it SIGTERM.
 */
public final class ChildNode implements AutoCloseable {

  private final Process process;
  private final JsonObject config;
  private final StringBuffer output = new StringBuffer();

  private ChildNode(Process process, JsonObject config) {
    this.process = process;
    this.config = config;
  }

  /** The configuration it was started with. */
  public JsonObject config() {
    return config;
  }

  public static ChildNode start(JsonObject config) {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-Dhazelcast.logging.type=jdk",
        "-cp", System.getProperty("java.class.path"), "dev.trcr.kernel.Main").redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("TRCR_"));
    config.forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
    try {
      ChildNode child = new ChildNode(builder.start(), config);
      CompletableFuture<Void> running = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            child.output.append(line).append('\n');
            if (line.startsWith("trcr is running")) {
              running.complete(null);
            }
          }
        } catch (IOException ignored) {
          // the process is gone
        }
        running.completeExceptionally(new IllegalStateException("the child node exited:\n" + child.output));
      }, "child-node-output");
      reader.setDaemon(true);
      reader.start();
      running.get(90, TimeUnit.SECONDS);
      return child;
    } catch (Exception e) {
      throw new IllegalStateException("the child node did not start", e);
    }
  }

  public long pid() {
    return process.pid();
  }

  /** {@code kill -9}: no shutdown of any kind. */
  public void kill() {
    process.destroyForcibly();
  }

  /** SIGTERM, then the exit code (or -1 if it did not exit in time). */
  public int terminate(long seconds) throws InterruptedException {
    process.destroy();
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  public String output() {
    return output.toString();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
