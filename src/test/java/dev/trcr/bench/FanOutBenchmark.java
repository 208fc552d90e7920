package dev.trcr.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fan-out benchmark of issue 7 (not a test: surefire never runs it). It starts a trcr node as its own process,
 * sets up teams over REST, opens N bridge sockets spread over G teams, and drives {@code timers.start}/{@code
 * timers.stop} through the bridge on a fixed schedule (open loop: a delivery's latency is counted from the command's
 * intended send time, so a stalled node is charged for the wait). Run it with
 *
 * <pre>./mvnw -q -DskipTests package exec:exec@bench -Dbench.args="--sockets 2000 --teams 20 --rate 20000"</pre>
 *
 * Modes: {@code fanout} (default), {@code memory} (live heap per idle socket, in steps), {@code reconnect} (N sockets
 * connect and register at once, then again after all dropped). {@code --impl hub|builtin|both};
 * {@code --server-flags "A|B"} runs each JVM flag set in turn. {@code --command chat} drives {@code chat.post} on each
 * team's general channel instead of timers; {@code --mode reconnect --cluster} runs against two clustered nodes.
 */
public final class FanOutBenchmark {

  /** The node's JVM flags when --server-flags is not given: the ones the README's figures chose (also in pom.xml). */
  static final String DEFAULT_SERVER_FLAGS =
      "-XX:+UseG1GC -XX:+UseCompactObjectHeaders -Xms1g -XX:MaxTenuringThreshold=1";

  private final Map<String, String> args;
  private final List<String> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private FanOutBenchmark(Map<String, String> args) {
    this.args = args;
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (!argv[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(argv));
      }
      // A flag without a value (--cluster) is true.
      boolean bare = i + 1 >= argv.length || argv[i + 1].startsWith("--");
      args.put(argv[i].substring(2), bare ? "true" : argv[++i]);
    }
    new FanOutBenchmark(args).run();
    System.exit(0);
  }

  private String arg(String name, String fallback) {
    return args.getOrDefault(name, fallback);
  }

  private int intArg(String name, int fallback) {
    return Integer.parseInt(arg(name, Integer.toString(fallback)));
  }

  private void run() throws Exception {
    String generatorCpus = arg("generator-cpus", "1");
    if (!generatorCpus.isBlank()) {
      // -a: every thread the JVM already has; threads started later inherit the mask.
      new ProcessBuilder("taskset", "-a", "-cp", generatorCpus, Long.toString(ProcessHandle.current().pid()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
    String mode = arg("mode", "fanout");
    if (mode.equals("transactions")) {
      RoundTripBenchmark.run(intArg("transactions", 2_000), intArg("rounds", 3));
      return;
    }
    String impl = arg("impl", "hub");
    List<String> impls = impl.equals("both") ? List.of("hub", "builtin") : List.of(impl);
    List<String> flagSets = Arrays.asList(arg("server-flags", DEFAULT_SERVER_FLAGS).split("\\|", -1));
    // The generator reads with Netty's epoll transport like the node (--generator-transport nio: Java NIO, as before
    // 2026-12-08): every microsecond it spends on a frame is charged to the deliveries still waiting behind it.
    boolean nativeTransport = !arg("generator-transport", "epoll").equals("nio");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
        .setBlockedThreadCheckInterval(10_000).setPreferNativeTransport(nativeTransport));
    System.out.printf("trcr fan-out benchmark: mode %s, JDK %s, generator pid %d on cpus %s (%s), server on cpus %s%n",
        mode, Runtime.version(), ProcessHandle.current().pid(), generatorCpus,
        vertx.isNativeTransportEnabled() ? "epoll" : "NIO", arg("server-cpus", "0"));
    try {
      for (String flags : flagSets) {
        for (String i : impls) {
          List<String> jvmFlags = flags.isBlank() ? List.of() : List.of(flags.trim().split("\\s+"));
          if (Boolean.parseBoolean(arg("cluster", "false"))) {
            if (!mode.equals("reconnect")) {
              throw new IllegalArgumentException("--cluster is for --mode reconnect only");
            }
            clusterReconnect(vertx, i, jvmFlags);
            continue;
          }
          try (ServerProcess server = ServerProcess.start(Path.of(arg("jar", "target/trcr.jar")), i, jvmFlags,
              arg("server-cpus", "0"), serverEnv())) {
            System.out.printf("%n== %s, server flags [%s], pid %d%n", i, String.join(" ", jvmFlags), server.pid());
            switch (mode) {
              case "fanout" -> fanout(vertx, server);
              case "memory" -> memory(vertx, server);
              case "reconnect" -> reconnect(vertx, server);
              case "invoice" -> {
                rows.add("invoice benchmark, server [" + flagsLabel(server) + "]:");
                rows.addAll(InvoiceBenchmark.run(server.httpPort, intArg("entries", 2000), intArg("issues", 200),
                    intArg("concurrency", 8)));
              }
              case "integrations" -> {
                rows.add("integrations benchmark, server [" + flagsLabel(server) + "]:");
                rows.addAll(IntegrationsBenchmark.run(server.httpPort, intArg("users", 8), intArg("pairs", 100)));
              }
              default -> throw new IllegalArgumentException("--mode fanout|memory|reconnect|invoice|integrations|transactions");
            }
            List<String> problems = server.problems();
            if (!problems.isEmpty()) {
              notes.add(i + " [" + String.join(" ", jvmFlags) + "] server log: " + problems.size()
                  + " warning/error lines, first: " + problems.get(0));
            }
          }
        }
      }
    } finally {
      vertx.close().await();
    }
    System.out.println();
    rows.forEach(System.out::println);
    notes.forEach(n -> System.out.println("- " + n));
  }

  private Map<String, String> serverEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    if (Boolean.parseBoolean(arg("server-metrics", "false"))) {
      // Costs the node about 2 ms of CPU per 1 000 deliveries (README "Metrics"): for diagnosis, not for the figures.
      env.put("TRCR_METRICS_HOST", "127.0.0.1");
      env.put("TRCR_METRICS_PORT", Integer.toString(Ports.free()));
    }
    String extra = arg("server-env", "");
    for (String kv : extra.split(",")) {
      if (kv.contains("=")) {
        env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    return env;
  }

  private static String flagsLabel(ServerProcess server) {
    return server.flags.isEmpty() ? "(none)" : String.join(" ", server.flags);
  }

  // --- fanout ---------------------------------------------------------------------------------------------------------

  private void fanout(Vertx vertx, ServerProcess server) throws Exception {
    int sockets = intArg("sockets", 2000);
    int teams = intArg("teams", 20);
    int users = intArg("users-per-team", 5);
    double rate = Double.parseDouble(arg("rate", "20000"));
    // 120 s: the node's JIT compiler still used about a third of its CPU in the window after 10 s of load and 16-18 %
    // after 30 s; after 120 s about 3 %, and the node is at its steady state (README "Where the tail is").
    double warmup = Double.parseDouble(arg("warmup", "120"));
    double duration = Double.parseDouble(arg("duration", "20"));
    if (sockets < teams * users) {
      throw new IllegalArgumentException("--sockets must be at least --teams × --users-per-team");
    }
    long setupStart = System.nanoTime();
    boolean chat = arg("command", "timers").equals("chat");
    Workspace ws = Workspace.create(server.httpPort, teams, users);
    if (chat) {
      ws = ws.withGeneralChannels(server.httpPort);
    }
    Workspace workspace = ws;
    boolean userStreams = server.impl.equals("hub");
    int metricsPort = server.metricsPort();
    try (Fleet fleet = new Fleet(vertx, ws, new int[] {server.bridgePort}, userStreams, chat)) {
      fleet.grow(sockets, 500).await();
      // Registration completes asynchronously (membership check on the bus); a probe proves it for every socket.
      awaitProbe(fleet, 0, 60);
      System.out.printf("setup %.1f s (%d users, %d sockets)%n", (System.nanoTime() - setupStart) / 1e9,
          teams * users, sockets);

      double perCommand = fleet.onLoop(() -> {
        long sum = 0;
        for (Workspace.Team t : workspace.teams) {
          for (Workspace.Member m : t.members()) {
            sum += fleet.expectedDeliveries(t, m);
          }
        }
        return (double) sum / (teams * users);
      });
      double commandRate = rate / perCommand;
      long period = Math.round(1e9 / commandRate);
      int measuredFrom = (int) Math.ceil(warmup * 1e9 / period);
      int total = (int) Math.ceil((warmup + duration) * 1e9 / period);
      long t0 = System.nanoTime() + 200_000_000L;
      Fleet.Schedule sc = fleet.run(t0, period, total, measuredFrom, total);

      // PostgreSQL's steady state too: a CHECKPOINT 5 s before the window, so that its WAL segments are recycled ones
      // as on a server that has run a while, and the window begins in the WAL-heaviest part of PostgreSQL's cycle
      // (full-page images after a checkpoint). Without it, the window of a fresh server met a ~75 ms stall of every
      // commit each 16 MB of WAL (README "A fresh server's WAL"). --checkpoint false leaves it out.
      if (Boolean.parseBoolean(arg("checkpoint", "true")) && warmup >= 10) {
        sleepUntil(sc.due(measuredFrom) - 5_000_000_000L);
        System.out.printf("CHECKPOINT before the window: %d ms%n", server.checkpoint());
      }
      sleepUntil(sc.due(measuredFrom));
      java.time.Instant windowStart = java.time.Instant.now();
      Map<String, Double> metrics0 = metricsPort > 0 ? ServerMetrics.scrape(metricsPort) : Map.of();
      ServerProcess.Cpu cpu0 = server.cpu();
      long gen0 = ServerProcess.cpuMs(ProcessHandle.current().pid());
      long frames0 = fleet.streamFrames.get();
      long[] core0 = ServerProcess.coreTicks(arg("server-cpus", "0"));
      long[] all0 = ServerProcess.coreTicks("");
      long w0 = System.nanoTime();
      // The server core's steal time (the hypervisor running someone else) second by second, beside the late line.
      long[] stealBySecond = new long[sc.lateBySecond.length];
      long stealBefore = ServerProcess.coreTicks(arg("server-cpus", "0"))[3];
      for (int second = 1; second < stealBySecond.length; second++) {
        sleepUntil(Math.min(sc.due(total), sc.due(measuredFrom) + second * 1_000_000_000L));
        long steal = ServerProcess.coreTicks(arg("server-cpus", "0"))[3];
        stealBySecond[second - 1] = steal - stealBefore;
        stealBefore = steal;
      }
      sleepUntil(sc.due(total));
      Map<String, Double> metrics1 = metricsPort > 0 ? ServerMetrics.scrape(metricsPort) : Map.of();
      ServerProcess.Cpu cpu = server.cpu().minus(cpu0);
      long gen = ServerProcess.cpuMs(ProcessHandle.current().pid()) - gen0;
      long windowFrames = fleet.streamFrames.get() - frames0;
      long[] core1 = ServerProcess.coreTicks(arg("server-cpus", "0"));
      long coreTotal = Math.max(1, core1[2] - core0[2]);
      long[] all1 = ServerProcess.coreTicks("");
      // Whatever else ran on the machine meanwhile (other builds): busy time of all cores less softirq, the node,
      // its PostgreSQL and this generator, as a share of one core. Figures from a run where it is high are suspect.
      double other = ((all1[0] - all0[0]) - (all1[1] - all0[1])) * 10.0 - cpu.jvmMs() - cpu.pgMs() - gen;
      String core = String.format(Locale.ROOT, "%.0f %% (%.0f %%)", 100.0 * (core1[0] - core0[0]) / coreTotal,
          100.0 * (core1[1] - core0[1]) / coreTotal);
      double windowSeconds = (System.nanoTime() - w0) / 1e9;
      String otherLoad = String.format(Locale.ROOT, "%.0f %%", Math.max(0, other / 10.0 / windowSeconds));

      long expected = fleet.onLoop(() -> {
        long e = 0;
        for (int k = measuredFrom; k < total; k++) {
          e += fleet.expectedDeliveries(sc.team(k), sc.member(k));
        }
        return e;
      });
      long deadline = System.nanoTime() + 10_000_000_000L;
      long received = 0;
      while (System.nanoTime() < deadline) {
        received = fleet.onLoop(() -> {
          long r = 0;
          for (int k = measuredFrom; k < total; k++) {
            r += sc.received[k];
          }
          return r;
        });
        if (received >= expected) {
          break;
        }
        Thread.sleep(200);
      }
      Thread.sleep(500);
      Histogram h = fleet.onLoop(sc.delivery::copy);
      Histogram reply = fleet.onLoop(sc.reply::copy);
      // When the late deliveries happened, to lay beside the node's GC log and PostgreSQL's log (both in wall time).
      long[] late = Arrays.stream(fleet.onLoop(sc.lateBySecond::clone)).asLongStream().toArray();
      System.out.println("deliveries later than " + Fleet.LATE_MICROS / 1000 + " ms by second of the window (it began at "
          + windowStart + "): " + bySecond(late));
      long[] stealMs = Arrays.stream(stealBySecond).map(ticks -> ticks * 10).toArray();
      System.out.println("server core steal by second of the window, ms: " + bySecond(stealMs) + " (total "
          + Arrays.stream(stealMs).sum() + " ms)");
      String extra = fleet.onLoop(() -> String.format(Locale.ROOT,
          "not sent %d, reply failures %s, err frames %s, unattributed %d, closes %s, connect failures %s",
          sc.notSent, fleet.replyFailures, fleet.errBodies, fleet.unattributed, fleet.closes,
          fleet.connectFailures));
      double achieved = windowFrames / windowSeconds;
      double deliveriesK = windowFrames / 1000.0;
      if (rows.isEmpty() || !rows.get(0).startsWith("| impl")) {
        rows.add("| impl | server flags | sockets | teams | cmds/s | target deliv/s | achieved/s | expected | received"
            + " | loss | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | reply p99 ms | server JVM CPU ms/1k"
            + " | PostgreSQL CPU ms/1k | generator CPU ms/1k | server core busy (softirq) | other load |");
        rows.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
      }
      rows.add(String.format(Locale.ROOT,
          "| %s | %s | %d | %d | %.0f | %.0f | %.0f | %d | %d | %.3f %% | %.2f | %.2f | %.2f | %.2f | %.1f | %.2f"
              + " | %.2f | %.2f | %.2f | %s | %s |",
          server.impl, flagsLabel(server), sockets, teams, commandRate, rate, achieved, expected, received,
          expected == 0 ? 0 : 100.0 * (expected - received) / expected,
          ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1000.0, ms(reply, 99),
          cpu.jvmMs() / deliveriesK, cpu.pgMs() / deliveriesK, gen / deliveriesK, core, otherLoad));
      notes.add(server.impl + (chat ? " chat" : "") + " [" + flagsLabel(server) + "] " + sockets + "/" + teams + "/" + (long) rate + ": "
          + extra);
      System.out.println(rows.get(rows.size() - 1));
      System.out.println(extra);
      String jvmSplit = String.format(Locale.ROOT, "server JVM CPU in the window: %d ms, of which JIT compiler threads"
          + " %d ms (%.0f %%) and GC threads %d ms (%.0f %%)", cpu.jvmMs(), cpu.jitMs(),
          100.0 * cpu.jitMs() / Math.max(1, cpu.jvmMs()), cpu.gcMs(), 100.0 * cpu.gcMs() / Math.max(1, cpu.jvmMs()));
      notes.add(jvmSplit);
      System.out.println(jvmSplit);
      if (metricsPort > 0) {
        String breakdown = ServerMetrics.commandBreakdown(metrics0, metrics1);
        notes.add("server-side command durations in the measured window:\n" + breakdown);
        System.out.println(breakdown);
      }
    }
  }

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** "3s:120 7s:40": the seconds with a non-zero count. */
  private static String bySecond(long[] counts) {
    StringBuilder out = new StringBuilder();
    for (int second = 0; second < counts.length; second++) {
      if (counts[second] > 0) {
        out.append(out.isEmpty() ? "" : " ").append(second).append("s:").append(counts[second]);
      }
    }
    return out.toString();
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, Math.min(left / 1_000_000, 200)));
    }
  }

  /** Sends probe {@code step} to every team until each socket got it; returns the seconds that took, or -1. */
  private static double awaitProbe(Fleet fleet, int step, int timeoutSeconds) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeoutSeconds * 1_000_000_000L;
    int missing = Integer.MAX_VALUE;
    while (System.nanoTime() < deadline) {
      missing = fleet.probe(step);
      if (missing == 0) {
        return (System.nanoTime() - start) / 1e9;
      }
      Thread.sleep(250);
    }
    System.out.printf("probe %d: %d sockets never received it%n", step, missing);
    return -1;
  }

  // --- memory ---------------------------------------------------------------------------------------------------------

  private void memory(Vertx vertx, ServerProcess server) throws Exception {
    int teams = intArg("teams", 20);
    int users = intArg("users-per-team", 5);
    int[] steps = Arrays.stream(arg("steps", "0,1000,5000,10000,15000,19800").split(","))
        .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    Workspace ws = Workspace.create(server.httpPort, teams, users);
    boolean userStreams = server.impl.equals("hub");
    List<long[]> points = new ArrayList<>();
    try (Fleet fleet = new Fleet(vertx, ws, server.bridgePort, userStreams)) {
      for (int step = 0; step < steps.length; step++) {
        int n = steps[step];
        long t = System.nanoTime();
        fleet.grow(n, 500).await();
        double probe = n == 0 ? 0 : awaitProbe(fleet, step + 1, 120);
        double seconds = (System.nanoTime() - t) / 1e9;
        Thread.sleep(2_000);
        long heap = server.liveHeapBytes();
        int open = fleet.onLoop(() -> (int) fleet.socks.stream().filter(s -> s.open).count());
        points.add(new long[] {open, heap});
        System.out.printf("%6d sockets (%d open): live heap %.1f MB, opened+registered in %.1f s (probe %.1f s)%n",
            n, open, heap / 1e6, seconds, probe);
      }
      if (intArg("histogram", 0) > 0) {
        System.out.println(server.histogramTop(intArg("histogram", 0)));
      }
      String extra = fleet.onLoop(() -> "err frames " + fleet.errBodies + ", closes " + fleet.closes
          + ", connect failures " + fleet.connectFailures);
      System.out.println(extra);
      notes.add(server.impl + " [" + flagsLabel(server) + "] memory: " + extra);
    }
    // Least-squares slope of live heap over open sockets.
    double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
    double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    for (long[] p : points) {
      sxy += (p[0] - mx) * (p[1] - my);
      sxx += (p[0] - mx) * (p[0] - mx);
    }
    double slope = sxx == 0 ? 0 : sxy / sxx;
    if (rows.isEmpty() || !rows.get(0).startsWith("| impl")) {
      rows.add("| impl | server flags | " + Arrays.stream(steps).mapToObj(s -> "live heap MB @" + s)
          .reduce((a, b) -> a + " | " + b).orElse("") + " | bytes per socket (slope) |");
      rows.add("|---|---|" + "---|".repeat(steps.length) + "---|");
    }
    StringBuilder row = new StringBuilder("| " + server.impl + " | " + flagsLabel(server) + " | ");
    for (long[] p : points) {
      row.append(String.format(Locale.ROOT, "%.1f (%d open) | ", p[1] / 1e6, p[0]));
    }
    row.append(String.format(Locale.ROOT, "%.0f |", slope));
    rows.add(row.toString());
    System.out.println(row);
  }

  // --- reconnect ------------------------------------------------------------------------------------------------------

  private void reconnect(Vertx vertx, ServerProcess server) throws Exception {
    reconnect(vertx, List.of(server));
  }

  /**
   * {@code --mode reconnect --cluster}: a standalone embedded PostgreSQL started here (pinned with the nodes), and two
   * full nodes clustered over Hazelcast on 127.0.0.1 under a cluster name of their own, sharing its URL and one JWT
   * secret. Both nodes run on {@code --server-cpus} (core 0); the sockets alternate between their bridges.
   */
  private void clusterReconnect(Vertx vertx, String impl, List<String> jvmFlags) throws Exception {
    Path pgDir = java.nio.file.Files.createTempDirectory("trcr-bench-pg");
    try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres
        .builder().setOverrideWorkingDirectory(pgDir.toFile()).setDataDirectory(pgDir.resolve("data")).start()) {
      pinProcessesUnder(pgDir, arg("server-cpus", "0"));
      int hz1 = Ports.free();
      int hz2 = Ports.free();
      Map<String, String> env = new LinkedHashMap<>(serverEnv());
      env.put("TRCR_CLUSTER", "true");
      env.put("TRCR_CLUSTER_HOST", "127.0.0.1");
      env.put("TRCR_CLUSTER_NAME", "trcr-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
      env.put("TRCR_CLUSTER_MEMBERS", "127.0.0.1:" + hz1 + ",127.0.0.1:" + hz2);
      env.put("TRCR_PG_URL", "postgresql://postgres:postgres@127.0.0.1:" + pg.getPort() + "/postgres");
      env.put("TRCR_JWT_SECRET", "bench-" + Long.toHexString(new java.security.SecureRandom().nextLong())
          + Long.toHexString(new java.security.SecureRandom().nextLong()));
      Map<String, String> env1 = new LinkedHashMap<>(env);
      env1.put("TRCR_CLUSTER_PORT", Integer.toString(hz1));
      Map<String, String> env2 = new LinkedHashMap<>(env);
      env2.put("TRCR_CLUSTER_PORT", Integer.toString(hz2));
      Path jar = Path.of(arg("jar", "target/trcr.jar"));
      try (ServerProcess a = ServerProcess.start(jar, impl, jvmFlags, arg("server-cpus", "0"), env1);
           ServerProcess b = ServerProcess.start(jar, impl, jvmFlags, arg("server-cpus", "0"), env2)) {
        System.out.printf("%n== %s cluster of 2, server flags [%s], pids %d and %d, PostgreSQL port %d%n", impl,
            String.join(" ", jvmFlags), a.pid(), b.pid(), pg.getPort());
        reconnect(vertx, List.of(a, b));
        for (ServerProcess s : List.of(a, b)) {
          List<String> problems = s.problems();
          if (!problems.isEmpty()) {
            notes.add(impl + " cluster node " + s.pid() + " server log: " + problems.size()
                + " warning/error lines, first: " + problems.get(0));
          }
        }
      }
    } finally {
      try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(pgDir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Moves every process whose binary lives under {@code dir} (the PostgreSQL started here) to {@code cpus}. */
  private static void pinProcessesUnder(Path dir, String cpus) throws Exception {
    if (cpus.isBlank()) {
      return;
    }
    try (java.util.stream.Stream<Path> procs = java.nio.file.Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          if (java.nio.file.Files.readSymbolicLink(p.resolve("exe")).startsWith(dir)) {
            new ProcessBuilder("taskset", "-a", "-cp", cpus, name).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
          }
        } catch (java.io.IOException | UnsupportedOperationException gone) {
          // exited meanwhile
        }
      }
    }
  }

  private void reconnect(Vertx vertx, List<ServerProcess> servers) throws Exception {
    ServerProcess server = servers.get(0);
    int[] bridgePorts = servers.stream().mapToInt(s -> s.bridgePort).toArray();
    int sockets = intArg("sockets", 5000);
    int teams = intArg("teams", 50);
    int users = intArg("users-per-team", 5);
    Workspace ws = Workspace.create(server.httpPort, teams, users);
    boolean userStreams = server.impl.equals("hub");
    String[] phases = {"first connect", "reconnect"};
    double[][] results = new double[2][];
    for (int phase = 0; phase < 2; phase++) {
      try (Fleet fleet = new Fleet(vertx, ws, bridgePorts, userStreams, false)) {
        long t0 = System.nanoTime();
        fleet.grow(sockets, sockets).await();
        double probe = awaitProbe(fleet, 1, 60);
        double[] r = fleet.onLoop(() -> {
          long opened = 0;
          long subscribed = 0;
          int open = 0;
          for (Fleet.Sock s : fleet.socks) {
            opened = Math.max(opened, s.openedNanos - t0);
            subscribed = Math.max(subscribed, s.firstTeamEventNanos - t0);
            open += s.open ? 1 : 0;
          }
          return new double[] {opened / 1e9, subscribed / 1e9, open};
        });
        results[phase] = r;
        String extra = fleet.onLoop(() -> "err frames " + fleet.errBodies + ", closes " + fleet.closes
            + ", connect failures " + fleet.connectFailures);
        System.out.printf("%s: %d sockets; all open after %.2f s, all subscribed (first probe event) after %.2f s%s;"
            + " %s%n", phases[phase], (int) r[2], r[0], r[1], probe < 0 ? " (INCOMPLETE)" : "", extra);
        notes.add(server.impl + " [" + flagsLabel(server) + "] " + phases[phase] + ": " + extra);
      }
      Thread.sleep(1_000);
    }
    if (rows.isEmpty() || !rows.get(0).startsWith("| impl")) {
      rows.add("| impl | server flags | sockets | teams | first connect: all open s | all subscribed s"
          + " | reconnect: all open s | all subscribed s |");
      rows.add("|---|---|---|---|---|---|---|---|");
    }
    rows.add(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.2f | %.2f | %.2f | %.2f |",
        servers.size() > 1 ? server.impl + " (" + servers.size() + "-node cluster)" : server.impl,
        flagsLabel(server), sockets, teams, results[0][0], results[0][1], results[1][0], results[1][1]));
    System.out.println(rows.get(rows.size() - 1));
  }
}
