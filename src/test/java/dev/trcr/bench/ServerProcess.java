package dev.trcr.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A trcr node under test: {@code java <flags> -jar target/trcr.jar} in its own process, pinned with {@code taskset},
 * with a fresh data directory (so a fresh embedded PostgreSQL, whose processes run on the same cores). Reads the
 * node's CPU from {@code /proc} and its live heap with {@code jcmd}.
 */
final class ServerProcess implements AutoCloseable {

  /** Linux reports utime/stime in clock ticks; 100 per second on every mainstream kernel configuration. */
  private static final long TICKS_PER_SECOND = 100;

  final int httpPort;
  final int bridgePort;
  final String impl;
  final List<String> flags;
  private final Process process;
  private final Path workDir;
  private final Path dataDir;
  private final Path log;
  private int metricsPort = -1;

  private ServerProcess(Process process, Path workDir, Path dataDir, Path log, int httpPort, int bridgePort,
                        String impl, List<String> flags) {
    this.process = process;
    this.workDir = workDir;
    this.dataDir = dataDir;
    this.log = log;
    this.httpPort = httpPort;
    this.bridgePort = bridgePort;
    this.impl = impl;
    this.flags = flags;
  }

  static ServerProcess start(Path jar, String impl, List<String> flags, String cpus, Map<String, String> extraEnv)
      throws IOException, InterruptedException {
    Path workDir = Files.createTempDirectory("trcr-bench");
    Path dataDir = workDir.resolve("data");
    Path log = workDir.resolve("server.log");
    int httpPort = Ports.free();
    int bridgePort = Ports.free();
    List<String> command = new ArrayList<>();
    if (cpus != null && !cpus.isBlank()) {
      command.addAll(List.of("taskset", "-c", cpus));
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(flags);
    command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("TRCR_") || k.equals("JAVA_TOOL_OPTIONS"));
    env.put("TRCR_DATA_DIR", dataDir.toString());
    env.put("TRCR_HTTP_HOST", "127.0.0.1");
    env.put("TRCR_HTTP_PORT", Integer.toString(httpPort));
    env.put("TRCR_BRIDGE_PORT", Integer.toString(bridgePort));
    env.put("TRCR_BRIDGE_IMPL", impl);
    env.putAll(extraEnv);
    Process process = pb.start();
    // A generator stopped by a signal (SIGTERM, Ctrl-C) takes its node along (SIGTERM, so the node stops its embedded
    // PostgreSQL too): a node left behind sits on the server core and skews every later run. A no-op after close().
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "bench-server-stop"));
    ServerProcess server = new ServerProcess(process, workDir, dataDir, log, httpPort, bridgePort, impl, flags);
    server.metricsPort = Integer.parseInt(env.getOrDefault("TRCR_METRICS_PORT", "-1"));
    server.awaitHealthy(Duration.ofSeconds(180));
    return server;
  }

  long pid() {
    return process.pid();
  }

  /** The node's metrics port when the benchmark turned metrics on ({@code --server-metrics}), else -1. */
  int metricsPort() {
    return metricsPort;
  }

  private void awaitHealthy(Duration timeout) throws InterruptedException, IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the server exited with " + process.exitValue() + ":\n" + tail());
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the server did not answer /health within " + timeout + ":\n" + tail());
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Lines of the server's log that look like warnings or errors (what the hub complained about). */
  List<String> problems() {
    try {
      return Files.readAllLines(log).stream()
          .filter(l -> l.contains("SEVERE") || l.contains("WARNING") || l.contains("Exception") || l.contains("ERROR"))
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** CPU time in ms of the server JVM (user + system), and of the embedded PostgreSQL's processes. */
  /**
   * Of the JVM's CPU, how much its JIT compiler threads and its garbage collector's threads used (per thread from
   * /proc/<pid>/task; a compiler thread that exited meanwhile takes its time with it, so these are lower bounds). A
   * node that is still compiling hot code in the measured window is not warm yet: its latency is not its steady one.
   */
  record Cpu(long jvmMs, long pgMs, long jitMs, long gcMs) {
    Cpu minus(Cpu earlier) {
      return new Cpu(jvmMs - earlier.jvmMs, pgMs - earlier.pgMs, jitMs - earlier.jitMs, gcMs - earlier.gcMs);
    }
  }

  Cpu cpu() {
    long jvm = cpuMs(pid());
    long jit = 0;
    long gc = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String comm = Files.readString(t.resolve("comm")).strip();
          if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
            jit += statCpuMs(t);
          } else if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread")) {
            gc += statCpuMs(t);
          }
        } catch (IOException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      // not Linux: no split
    }
    long pg = 0;
    // pg_ctl detaches the postmaster from the JVM: find PostgreSQL by its binary, which lives in our data directory.
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          if (Files.readSymbolicLink(p.resolve("exe")).startsWith(dataDir)) {
            pg += cpuMs(Long.parseLong(name));
          }
        } catch (IOException | UnsupportedOperationException gone) {
          // exited meanwhile, or not ours to read
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return new Cpu(jvm, pg, jit, gc);
  }

  /**
   * Runs {@code CHECKPOINT} on the node's embedded PostgreSQL (its port from {@code postmaster.pid}, line 4) and returns
   * its duration in ms. A fresh server has no recycled WAL segments until its first checkpoint (5 min by default), so
   * every 16 MB of WAL it first creates and zero-fills a new segment inside some commit, stalling every commit behind
   * it (about 75 ms every 16 s at (a)); after a checkpoint, segments are recycled as on any server that has run a while.
   */
  long checkpoint() throws Exception {
    List<String> pid = Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"));
    long start = System.nanoTime();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/postgres", "postgres", "postgres");
         java.sql.Statement st = c.createStatement()) {
      st.execute("CHECKPOINT");
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  /**
   * Busy, softirq, total and steal ticks of one core, from /proc/stat ({@code cpuN user nice system idle iowait irq
   * softirq steal …}); busy includes steal.
   * Loopback TCP work lands in softirq time that no process is charged for, so it is reported apart.
   */
  static long[] coreTicks(String cpu) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        String[] f = line.split("\\s+");
        if (f[0].equals("cpu" + cpu)) {
          long busy = 0;
          long total = 0;
          for (int i = 1; i < f.length && i <= 8; i++) {
            long v = Long.parseLong(f[i]);
            total += v;
            if (i != 4 && i != 5) {
              busy += v;
            }
          }
          return new long[] {busy, Long.parseLong(f[7]), total, f.length > 8 ? Long.parseLong(f[8]) : 0};
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or a core list: no figure
    }
    return new long[] {0, 0, 0, 0};
  }

  /** utime + stime of one process, from /proc/<pid>/stat. */
  static long cpuMs(long pid) {
    try {
      return statCpuMs(Path.of("/proc", Long.toString(pid)));
    } catch (IOException e) {
      return 0;
    }
  }

  /** utime + stime from the {@code stat} file of a process or thread directory under /proc. */
  private static long statCpuMs(Path dir) throws IOException {
    String stat = Files.readString(dir.resolve("stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // after "pid (comm) ": state is f[0], utime f[11], stime f[12]
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / TICKS_PER_SECOND;
  }

  /** Bytes of live objects after a full GC, from {@code jcmd <pid> GC.class_histogram} (which collects first). */
  long liveHeapBytes() throws IOException, InterruptedException {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    run(jcmd, Long.toString(pid()), "GC.run");
    String out = run(jcmd, Long.toString(pid()), "GC.class_histogram");
    String[] lines = out.strip().split("\n");
    String[] total = lines[lines.length - 1].trim().split("\\s+");
    if (!total[0].equals("Total")) {
      throw new IllegalStateException("unexpected jcmd output: " + lines[lines.length - 1]);
    }
    return Long.parseLong(total[2]);
  }

  /** The first {@code lines} rows of the node's class histogram (live objects), for seeing what a socket costs. */
  String histogramTop(int lines) throws IOException, InterruptedException {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    String[] out = run(jcmd, Long.toString(pid()), "GC.class_histogram").strip().split("\n");
    return String.join("\n", Arrays.asList(out).subList(0, Math.min(out.length, lines + 3)));
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    // A PostgreSQL left behind by a killed node is ours only if it runs from our data directory.
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (name.chars().allMatch(Character::isDigit)) {
          try {
            if (Files.readSymbolicLink(p.resolve("exe")).startsWith(dataDir)) {
              ProcessHandle.of(Long.parseLong(name)).ifPresent(ProcessHandle::destroyForcibly);
            }
          } catch (IOException | UnsupportedOperationException gone) {
            // exited
          }
        }
      }
    }
    // The node's log outlives its data: target/bench-logs/<impl>-<pid>.log.
    Path logs = Files.createDirectories(Path.of("target", "bench-logs"));
    Files.copy(log, logs.resolve(impl + "-" + pid() + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (Stream<Path> walk = Files.walk(workDir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
