package dev.trcr.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The generator's bridge sockets, all on one event loop, speaking the frames of {@code @vertx/eventbus-bridge-client.js}
 * over the raw WebSocket {@code /eventbus/websocket}. Socket i belongs to team {@code i % G} and to that team's member
 * {@code (i / G) % U}; it registers {@code team.{teamId}.timers} and (when the bridge offers per-user streams)
 * {@code user.{userId}.timers}, and pings every 5 s. Every field below is touched only on that event loop, except the
 * atomics.
 */
final class Fleet implements AutoCloseable {

  /** Latencies are recorded in microseconds, up to a minute. */
  static final long MAX_MICROS = 60_000_000L;
  /** A delivery later than this counts in {@link Schedule#lateBySecond}: about twice the (a) target's p99 (4.8 ms). */
  static final long LATE_MICROS = 10_000L;
  private static final int PING_SLOTS = 50;

  final class Sock {
    final int index;
    final Workspace.Team team;
    final Workspace.Member member;
    WebSocket ws;
    boolean open;
    long openedNanos;
    long firstTeamEventNanos;
    int probeStep = -1;

    Sock(int index) {
      this.index = index;
      this.team = workspace.teams.get(index % teams);
      this.member = team.members().get((index / teams) % usersPerTeam);
    }
  }

  private final Vertx vertx;
  private final Context ctx;
  private final WebSocketClient client;
  private final Workspace workspace;
  private final int teams;
  private final int usersPerTeam;
  final boolean userStreams;
  /** {@code --command chat}: sockets register only their team's general channel stream; the load is chat.post. */
  final boolean chat;
  private final int[] bridgePorts;
  private long probeSeq;
  final List<Sock> socks = new ArrayList<>();
  final int[] teamSockets;
  final int[] memberSockets;
  private final Sock[] senders;
  private final long pinger;
  private long pingTick;

  // accounting, see onFrame
  final AtomicLong streamFrames = new AtomicLong();
  long replies;
  long unattributed;
  long errFrames;
  final Map<String, Integer> replyFailures = new TreeMap<>();
  final Map<String, Integer> errBodies = new TreeMap<>();
  final Map<String, Integer> closes = new TreeMap<>();
  final Map<String, Integer> connectFailures = new TreeMap<>();
  private Schedule schedule;

  Fleet(Vertx vertx, Workspace workspace, int bridgePort, boolean userStreams) {
    this(vertx, workspace, new int[] {bridgePort}, userStreams, false);
  }

  /**
   * Socket i connects to bridge {@code bridgePorts[(i / G) % bridgePorts.length]}, so that every team has sockets on
   * every node.
   */
  Fleet(Vertx vertx, Workspace workspace, int[] bridgePorts, boolean userStreams, boolean chat) {
    this.vertx = vertx;
    this.ctx = vertx.getOrCreateContext();
    this.workspace = workspace;
    this.teams = workspace.teams.size();
    this.usersPerTeam = workspace.teams.get(0).members().size();
    this.userStreams = userStreams && !chat;
    this.chat = chat;
    this.bridgePorts = bridgePorts;
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setDefaultHost("127.0.0.1")
        .setMaxConnections(1_000_000).setConnectTimeout(60_000));
    this.teamSockets = new int[teams];
    this.memberSockets = new int[teams * usersPerTeam];
    this.senders = new Sock[teams * usersPerTeam];
    this.pinger = vertx.setPeriodic(5_000 / PING_SLOTS, id -> ctx.runOnContext(v -> ping()));
  }

  private void ping() {
    int slot = (int) (pingTick++ % PING_SLOTS);
    for (int i = slot; i < socks.size(); i += PING_SLOTS) {
      Sock s = socks.get(i);
      if (s.open) {
        s.ws.writeTextMessage("{\"type\":\"ping\"}");
      }
    }
  }

  /** Opens sockets until there are {@code target}, at most {@code inFlight} handshakes at a time. */
  Future<Void> grow(int target, int inFlight) {
    Promise<Void> done = Promise.promise();
    ctx.runOnContext(v -> {
      int first = socks.size();
      for (int i = first; i < target; i++) {
        Sock s = new Sock(i);
        socks.add(s);
        teamSockets[s.team.index()]++;
        memberSockets[s.member.index()]++;
        if (senders[s.member.index()] == null) {
          senders[s.member.index()] = s;
        }
      }
      if (first >= target) {
        done.complete();
        return;
      }
      int[] next = {first};
      int[] running = {0};
      int[] finished = {0};
      Runnable[] pump = new Runnable[1];
      pump[0] = () -> {
        while (running[0] < inFlight && next[0] < target) {
          Sock s = socks.get(next[0]++);
          running[0]++;
          open(s).onComplete(ar -> {
            running[0]--;
            if (ar.failed()) {
              connectFailures.merge(String.valueOf(ar.cause().getMessage()), 1, Integer::sum);
            }
            if (++finished[0] == target - first) {
              done.complete();
            } else {
              pump[0].run();
            }
          });
        }
      };
      pump[0].run();
    });
    return done.future();
  }

  private Future<WebSocket> open(Sock s) {
    int port = bridgePorts[(s.index / teams) % bridgePorts.length];
    return client.connect(new WebSocketConnectOptions().setPort(port).setURI("/eventbus/websocket")).onSuccess(ws -> {
      s.ws = ws;
      s.open = true;
      s.openedNanos = System.nanoTime();
      ws.handler(data -> onFrame(s, data));
      ws.closeHandler(v -> {
        s.open = false;
        closes.merge(ws.closeStatusCode() + " " + ws.closeReason(), 1, Integer::sum);
      });
      ws.writeTextMessage(register(chat ? "team." + s.team.id() + ".chat." + s.team.channelId()
          : "team." + s.team.id() + ".timers", s.member));
      if (userStreams) {
        ws.writeTextMessage(register("user." + s.member.userId() + ".timers", s.member));
      }
    });
  }

  private static String register(String address, Workspace.Member m) {
    return "{\"type\":\"register\",\"address\":\"" + address + "\",\"headers\":{\"authorization\":\"Bearer "
        + m.token() + "\"}}";
  }

  private static String command(String address, Workspace.Team team, Workspace.Member m, String description,
                                String replyAddress) {
    String body = address.equals("timers.start")
        ? "{\"teamId\":\"" + team.id() + "\",\"projectId\":\"" + team.projectId() + "\",\"description\":\""
        + description + "\"}"
        : "{\"teamId\":\"" + team.id() + "\"}";
    return "{\"type\":\"send\",\"address\":\"" + address + "\",\"headers\":{\"authorization\":\"Bearer " + m.token()
        + "\"},\"body\":" + body + ",\"replyAddress\":\"" + replyAddress + "\"}";
  }

  private static String chatPost(Workspace.Team team, Workspace.Member m, String text, String clientMessageId,
                                 String replyAddress) {
    return "{\"type\":\"send\",\"address\":\"chat.post\",\"headers\":{\"authorization\":\"Bearer " + m.token()
        + "\"},\"body\":{\"teamId\":\"" + team.id() + "\",\"channelId\":\"" + team.channelId() + "\",\"text\":\""
        + text + "\",\"clientMessageId\":\"" + clientMessageId + "\"},\"replyAddress\":\"" + replyAddress + "\"}";
  }

  /** Deliveries a command of this team's member causes: the team stream, plus the owner's own sockets. */
  int expectedDeliveries(Workspace.Team team, Workspace.Member m) {
    return teamSockets[team.index()] + (userStreams ? memberSockets[m.index()] : 0);
  }

  // --- open-loop load ----------------------------------------------------------------------------------------------

  /**
   * The fixed schedule: command k is due at {@code t0 + k * period}; it is team {@code k % G}'s command number
   * {@code k / G}, given by member {@code (k / G) % U}, a start in even rounds and a stop in odd ones, so each stop
   * ends the start its member gave one round before. A start's description is its k; the stopped entry carries the
   * same description, and {@code stopOf} maps it to the stop's k.
   */
  final class Schedule {
    final long t0;
    final long periodNanos;
    final int total;
    final int measuredFrom;
    final int measuredTo;
    final int[] received;
    final int[] stopOf;
    final int[] lastStart;
    final long[] sentNanos;
    final Histogram delivery = new Histogram(MAX_MICROS, 3);
    final Histogram reply = new Histogram(MAX_MICROS, 3);
    /** Measured deliveries later than {@link #LATE_MICROS}, by second of their command's due time in the window. */
    final int[] lateBySecond;
    int next;
    int notSent;
    long timer;

    Schedule(long t0, long periodNanos, int total, int measuredFrom, int measuredTo) {
      this.t0 = t0;
      this.periodNanos = periodNanos;
      this.total = total;
      this.measuredFrom = measuredFrom;
      this.measuredTo = measuredTo;
      this.received = new int[total];
      this.stopOf = new int[total];
      java.util.Arrays.fill(stopOf, -1);
      this.lastStart = new int[memberSockets.length];
      java.util.Arrays.fill(lastStart, -1);
      this.sentNanos = new long[total];
      this.lateBySecond = new int[(int) ((long) (measuredTo - measuredFrom) * periodNanos / 1_000_000_000L) + 2];
    }

    long due(int k) {
      return t0 + k * periodNanos;
    }

    Workspace.Team team(int k) {
      return workspace.teams.get(k % teams);
    }

    Workspace.Member member(int k) {
      return team(k).members().get((k / teams) % usersPerTeam);
    }

    boolean isStart(int k) {
      return ((k / teams) / usersPerTeam) % 2 == 0;
    }

    boolean measured(int k) {
      return k >= measuredFrom && k < measuredTo;
    }
  }

  /** Starts sending the schedule from the event loop; every millisecond it sends whatever has come due. */
  Schedule run(long t0, long periodNanos, int total, int measuredFrom, int measuredTo) {
    Schedule sc = new Schedule(t0, periodNanos, total, measuredFrom, measuredTo);
    ctx.runOnContext(v -> {
      schedule = sc;
      sc.timer = vertx.setPeriodic(1, id -> {
        long now = System.nanoTime();
        while (sc.next < sc.total && sc.due(sc.next) <= now) {
          send(sc, sc.next++);
        }
        if (sc.next >= sc.total) {
          vertx.cancelTimer(id);
        }
      });
    });
    return sc;
  }

  private void send(Schedule sc, int k) {
    Workspace.Team team = sc.team(k);
    Workspace.Member m = sc.member(k);
    Sock sender = senders[m.index()];
    if (sender == null || !sender.open) {
      sc.notSent++;
      return;
    }
    if (chat) {
      sc.sentNanos[k] = System.nanoTime();
      sender.ws.writeTextMessage(chatPost(team, m, Integer.toString(k), "k" + k, "r" + k));
      return;
    }
    boolean start = sc.isStart(k);
    if (start) {
      sc.lastStart[m.index()] = k;
    } else if (sc.lastStart[m.index()] >= 0) {
      sc.stopOf[sc.lastStart[m.index()]] = k;
    }
    sc.sentNanos[k] = System.nanoTime();
    sender.ws.writeTextMessage(command(start ? "timers.start" : "timers.stop", team, m, Integer.toString(k),
        "r" + k));
  }

  /** Runs {@code task} on the fleet's event loop and waits for its result. */
  <T> T onLoop(java.util.function.Supplier<T> task) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> p.complete(task.get()));
    return p.future().await();
  }

  // --- probes (memory and reconnect modes) --------------------------------------------------------------------------

  /** A start of member 0 of each team that still has sockets without the probe; returns how many of those remain. */
  int probe(int step) {
    return onLoop(() -> {
      int missing = 0;
      boolean[] teamDone = new boolean[teams];
      java.util.Arrays.fill(teamDone, true);
      for (Sock s : socks) {
        if (s.probeStep < step) {
          missing++;
          teamDone[s.team.index()] = false;
        }
      }
      for (Workspace.Team t : workspace.teams) {
        Sock sender = senders[t.members().get(0).index()];
        if (!teamDone[t.index()] && sender != null && sender.open) {
          sender.ws.writeTextMessage(chat
              ? chatPost(t, t.members().get(0), "p" + step, "p" + step + "-" + probeSeq++, "rp" + step)
              : command("timers.start", t, t.members().get(0), "p" + step, "rp" + step));
        }
      }
      return missing;
    });
  }

  // --- frames -------------------------------------------------------------------------------------------------------

  /**
   * Reads just what the accounting needs from a frame without building a JSON tree: the generator shares one core
   * with nothing else, and its cost is reported next to the server's.
   */
  private void onFrame(Sock s, Buffer data) {
    long now = System.nanoTime();
    String f = data.toString(StandardCharsets.UTF_8);
    String address = stringAfter(f, "\"address\":\"", 0);
    if (address == null) {
      errFrames++;
      errBodies.merge(f.length() > 120 ? f.substring(0, 120) : f, 1, Integer::sum);
      return;
    }
    if (address.startsWith("team.") || address.startsWith("user.")) {
      streamFrames.incrementAndGet();
      // A chat message's text, or a timer's description: k, or p<step> for a probe.
      String description = stringAfter(f, chat ? "\"text\":\"" : "\"description\":\"", 0);
      if (description == null) {
        unattributed++;
        return;
      }
      if (description.startsWith("p")) {
        if (address.startsWith("team.")) {
          if (s.firstTeamEventNanos == 0) {
            s.firstTeamEventNanos = now;
          }
          s.probeStep = Math.max(s.probeStep, Integer.parseInt(description.substring(1)));
        }
        return;
      }
      Schedule sc = schedule;
      int k = sc == null ? -1 : Integer.parseInt(description);
      if (k >= 0 && f.contains("\"type\":\"timer.stopped\"")) {
        k = sc.stopOf[k];
      }
      if (k < 0) {
        unattributed++;
        return;
      }
      sc.received[k]++;
      if (sc.measured(k)) {
        long micros = Math.max(0, (now - sc.due(k)) / 1000);
        sc.delivery.recordValue(Math.min(MAX_MICROS, micros));
        if (micros > LATE_MICROS) {
          sc.lateBySecond[(int) ((sc.due(k) - sc.due(sc.measuredFrom)) / 1_000_000_000L)]++;
        }
      }
      return;
    }
    if (address.startsWith("r")) {
      replies++;
      boolean failed = f.contains("\"failureCode\"");
      if (failed) {
        String code = stringAfter(f, "\\\"code\\\":\\\"", 0);
        replyFailures.merge(code != null ? code : String.valueOf(stringAfter(f, "\"failureType\":\"", 0)), 1,
            Integer::sum);
      }
      Schedule sc = schedule;
      if (sc != null && !address.startsWith("rp")) {
        int k = Integer.parseInt(address.substring(1));
        if (sc.measured(k)) {
          sc.reply.recordValue(Math.min(MAX_MICROS, Math.max(0, (now - sc.due(k)) / 1000)));
        }
      }
    }
  }

  private static String stringAfter(String f, String marker, int from) {
    int i = f.indexOf(marker, from);
    if (i < 0) {
      return null;
    }
    int start = i + marker.length();
    int end = f.indexOf(marker.startsWith("\\") ? "\\\"" : "\"", start);
    return end < 0 ? null : f.substring(start, end);
  }

  @Override
  public void close() {
    vertx.cancelTimer(pinger);
    client.close().await();
  }
}
