package dev.trcr.bridge;

import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Services on the bus: the TCP bridge (vertx-tcp-eventbus-bridge's framing) under the SockJS bridge's rules, with
 * service tokens, and the Python example client run by the machine's python3.
 */
class TcpBridgeTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config()
      .put("TRCR_TCP_BRIDGE_PORT", 0)
      .put("TRCR_BRIDGE_MAX_FRAME_BYTES", 2048)
      .put("TRCR_BRIDGE_MAX_SUBSCRIPTIONS", 3));

  private final List<Tcp> sockets = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private Session ada;
  private String teamId;
  private String projectId;
  private String otherTeamId;
  private JsonObject service;

  @BeforeEach
  void team() {
    ada = NODE.api().signup("Ada");
    teamId = NODE.api().createTeam(ada, "Acme");
    projectId = NODE.api().createProject(ada, teamId, "Website");
    Session eve = NODE.api().signup("Eve");
    otherTeamId = NODE.api().createTeam(eve, "Elsewhere");
    service = expect(201, NODE.api().post("/api/teams/" + teamId + "/service-tokens", ada.token(),
        new JsonObject().put("name", "Slack relay"))).json();
  }

  @AfterEach
  void close() {
    sockets.forEach(Tcp::close);
    processes.forEach(p -> p.destroyForcibly());
  }

  private String token() {
    return service.getString("token");
  }

  private String timers(String team) {
    return "team." + team + ".timers";
  }

  private Tcp connect() {
    Tcp tcp = new Tcp(NODE.node().tcpBridgePort());
    sockets.add(tcp);
    return tcp;
  }

  private void revoke() {
    expect(204, NODE.api().delete("/api/teams/" + teamId + "/service-tokens/" + service.getString("id"),
        ada.token()));
  }

  // --- the raw framing ------------------------------------------------------------------------------------------------

  @Test
  void theFramingOfTheTcpLibraryCarriesRegisterSendPublishAndPing() {
    Tcp tcp = connect();
    tcp.write(new JsonObject().put("type", "ping"));
    assertEquals("pong", tcp.next(5_000).getString("type"));

    tcp.write(tcp.frame("register", timers(teamId), token()).put("headers",
        new JsonObject().put("authorization", "Bearer " + token()).put("since", "-1")));
    JsonObject subscribed = tcp.next(5_000);
    assertEquals("message", subscribed.getString("type"), subscribed.encode());
    assertEquals(timers(teamId), subscribed.getString("address"));
    assertEquals("reset", subscribed.getJsonObject("body").getString("type"), "subscribed: nothing to replay");

    tcp.write(tcp.frame("send", "timers.start", token()).put("replyAddress", "r-1")
        .put("body", new JsonObject().put("teamId", teamId).put("projectId", projectId)));
    JsonObject reply = tcp.nextMatching(f -> "r-1".equals(f.getString("address")), 5_000);
    assertEquals("message", reply.getString("type"));
    assertEquals(true, reply.getBoolean("send"));
    assertEquals(service.getString("userId"), reply.getJsonObject("body").getString("userId"));
    JsonObject event = tcp.nextMatching(f -> timers(teamId).equals(f.getString("address")), 5_000);
    assertEquals("message", event.getString("type"));
    assertEquals(false, event.getBoolean("send"));
    assertEquals("timer.started", event.getJsonObject("body").getString("type"));
    assertEquals("Slack relay", event.getJsonObject("body").getJsonObject("entry").getJsonObject("user")
        .getString("name"), "a service account shows with its name");

    tcp.write(tcp.frame("send", "timers.start", token()).put("replyAddress", "r-2")
        .put("body", new JsonObject().put("teamId", otherTeamId).put("projectId", projectId)));
    JsonObject failed = tcp.next(5_000);
    assertEquals("err", failed.getString("type"));
    assertEquals("r-2", failed.getString("address"));
    assertEquals("timers.start", failed.getString("sourceAddress"));
    assertEquals(404, failed.getInteger("failureCode"));
    assertTrue(failed.getString("message").contains("team_not_found"), failed.encode());

    tcp.write(tcp.frame("publish", "timers.start", token()).put("body", new JsonObject()));
    assertEquals(new JsonObject().put("type", "err").put("message", "access_denied"), tcp.next(5_000));
    tcp.write(tcp.frame("send", "workspace.access", token()).put("body", new JsonObject()));
    assertEquals("access_denied", tcp.next(5_000).getString("message"), "not a command open to clients");
    tcp.write(tcp.frame("register", timers(otherTeamId), token()));
    assertEquals("access_denied", tcp.next(5_000).getString("message"), "another team's stream");
    tcp.write(new JsonObject().put("type", "shout").put("address", "x"));
    assertEquals("unknown_type", tcp.next(5_000).getString("message"));

    tcp.write(tcp.frame("unregister", timers(teamId), token()));
    tcp.write(new JsonObject().put("type", "ping"));
    assertEquals("pong", tcp.next(5_000).getString("type"));
  }

  @Test
  void theLimitsOfTheSockJsBridgeRefuseCleanlyOverTcp() {
    Tcp tcp = connect();
    tcp.write(tcp.frame("send", "timers.start", token()).put("body", new JsonObject().put("pad", "x".repeat(3000))));
    assertEquals("frame_too_large", tcp.next(5_000).getString("message"));
    tcp.write(new JsonObject().put("type", "ping"));
    assertEquals("pong", tcp.next(5_000).getString("type"), "a refused frame leaves the socket usable");

    tcp.write(tcp.frame("register", "team." + "x".repeat(300) + ".timers", token()));
    assertEquals("max_address_length_reached", tcp.next(5_000).getString("message"));

    String second = NODE.api().createProject(ada, teamId, "Second");
    for (String stream : List.of(timers(teamId), "team." + teamId + ".presence", "team." + teamId + ".board." + projectId,
        "team." + teamId + ".board." + second)) {
      tcp.write(tcp.frame("register", stream, token()));
    }
    assertEquals("max_handlers_reached", tcp.next(5_000).getString("message"), "3 subscriptions per socket");

    Tcp huge = connect();
    huge.writeRaw(64 * 1024 * 1024, new byte[16]);
    assertEquals("frame_too_large", huge.next(5_000).getString("message"));
    JsonObject closed = huge.next(5_000);
    assertEquals("socket_closed", closed.getString("message"));
    assertEquals(1009, closed.getInteger("code"));
    huge.assertClosed(5_000);
  }

  @Test
  void revokingAServiceTokenClosesItsOpenSocketAndRefusesItAfterwards() {
    Tcp tcp = connect();
    tcp.write(tcp.frame("register", timers(teamId), token()).put("headers",
        new JsonObject().put("authorization", "Bearer " + token()).put("since", "-1")));
    assertEquals("reset", tcp.next(5_000).getJsonObject("body").getString("type"));

    revoke();

    JsonObject closed = tcp.nextMatching(f -> "socket_closed".equals(f.getString("message")), 5_000);
    assertEquals(4401, closed.getInteger("code"));
    tcp.assertClosed(5_000);

    Tcp again = connect();
    again.write(again.frame("register", timers(teamId), token()));
    assertEquals("access_denied", again.next(5_000).getString("message"));
    again.write(again.frame("send", "timers.start", token()).put("replyAddress", "r")
        .put("body", new JsonObject().put("teamId", teamId).put("projectId", projectId)));
    assertEquals("access_denied", again.next(5_000).getString("message"));
  }

  // --- the Python example ----------------------------------------------------------------------------------------------

  @Test
  void thePythonExampleFollowsItsTeamAndStartsATimer() throws Exception {
    Example run = python(teamId, token());
    String reply = run.line(l -> l.startsWith("reply timers.start "), 20_000);
    JsonObject entry = new JsonObject(reply.substring("reply timers.start ".length()));
    assertEquals(service.getString("userId"), entry.getString("userId"));
    assertEquals("started by a service", entry.getString("description"));
    String event = run.line(l -> l.startsWith("event " + timers(teamId) + " "), 20_000);
    JsonObject body = new JsonObject(event.substring(("event " + timers(teamId) + " ").length()));
    assertEquals("timer.started", body.getString("type"));
    assertEquals(entry.getString("id"), body.getJsonObject("entry").getString("id"));
    assertTrue(run.seen.stream().anyMatch(l -> l.equals("subscribed " + timers(teamId))), run.seen.toString());
  }

  @Test
  void thePythonExampleIsRefusedAnotherTeamsStream() throws Exception {
    Example run = python(otherTeamId, token());
    run.line(l -> l.equals("error access_denied"), 20_000);
    String failed = run.line(l -> l.startsWith("failed timers.start "), 20_000);
    assertTrue(failed.startsWith("failed timers.start 404 "), failed);
    assertTrue(failed.contains("team_not_found"), failed);
  }

  @Test
  void thePythonExampleIsRefusedWithARevokedToken() throws Exception {
    revoke();
    Example run = python(teamId, token());
    run.lines(l -> l.equals("error access_denied"), 2, 20_000); // its register, then its send
    assertTrue(run.seen.stream().noneMatch(l -> l.startsWith("reply") || l.startsWith("event")), run.seen.toString());
  }

  private Example python(String team, String token) throws IOException {
    if (System.getenv("CI") != null) {
      assertTrue(pythonAvailable(), "python3 is required in CI (.ci/run installs it)");
    }
    Assumptions.assumeTrue(pythonAvailable(), "python3 is not installed");
    Path script = Path.of(System.getProperty("user.dir"), "conf", "examples", "trcr_bus.py");
    assertTrue(Files.exists(script), script.toString());
    ProcessBuilder builder = new ProcessBuilder("python3", script.toString(), "--host", "127.0.0.1",
        "--port", String.valueOf(NODE.node().tcpBridgePort()), "--team", team, "--project", projectId,
        "--seconds", "30").redirectErrorStream(true);
    builder.environment().put("TRCR_TOKEN", token);
    Process process = builder.start();
    processes.add(process);
    return new Example(process);
  }

  private static boolean pythonAvailable() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** The lines the example prints, read as they come. */
  private static final class Example {
    final List<String> seen = new ArrayList<>();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Example(Process process) {
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            lines.add(line);
          }
        } catch (IOException ignored) {
          // the process was destroyed
        }
      }, "python-example-output");
      reader.setDaemon(true);
      reader.start();
    }

    /** The first line printed so far or within the time given that matches. */
    String line(Predicate<String> matching, long timeoutMs) throws InterruptedException {
      return lines(matching, 1, timeoutMs).get(0);
    }

    /** The first {@code count} lines that match, waiting for them up to the time given. */
    List<String> lines(Predicate<String> matching, int count, long timeoutMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (seen.stream().filter(matching).count() < count && System.currentTimeMillis() < deadline) {
        String line = lines.poll(deadline - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
        if (line != null) {
          seen.add(line);
        }
      }
      List<String> matched = seen.stream().filter(matching).limit(count).toList();
      if (matched.size() < count) {
        throw new AssertionError("the example never printed the expected line; it printed " + seen);
      }
      return matched;
    }
  }

  /** A blocking client of the TCP bridge: 4-byte big-endian length, then the JSON frame. */
  private static final class Tcp {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    /** Frames read while looking for another (an event may overtake the reply of the command that caused it). */
    private final List<JsonObject> passedOver = new ArrayList<>();

    Tcp(int port) {
      try {
        socket = new Socket("127.0.0.1", port);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
      } catch (IOException e) {
        throw new AssertionError("cannot connect to the TCP bridge on " + port, e);
      }
    }

    JsonObject frame(String type, String address, String token) {
      return new JsonObject().put("type", type).put("address", address)
          .put("headers", new JsonObject().put("authorization", "Bearer " + token));
    }

    void write(JsonObject frame) {
      byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
      writeRaw(json.length, json);
    }

    void writeRaw(int announcedLength, byte[] bytes) {
      try {
        out.writeInt(announcedLength);
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    /** The next frame (one passed over by {@link #nextMatching} first) within the time given; fails if none came. */
    JsonObject next(long timeoutMs) {
      if (!passedOver.isEmpty()) {
        return passedOver.remove(0);
      }
      return read(timeoutMs);
    }

    private JsonObject read(long timeoutMs) {
      try {
        socket.setSoTimeout((int) timeoutMs);
        int length = in.readInt();
        byte[] json = new byte[length];
        in.readFully(json);
        // Decoded by the library's own parser: what trcr writes is what vertx-tcp-eventbus-bridge's clients read.
        List<JsonObject> parsed = new ArrayList<>();
        new FrameParser(ar -> parsed.add(ar.result())).handle(Buffer.buffer().appendInt(length).appendBytes(json));
        assertEquals(1, parsed.size(), "one whole frame");
        return parsed.get(0);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no frame within " + timeoutMs + " ms");
      } catch (IOException e) {
        throw new AssertionError("the socket closed", e);
      }
    }

    /** The first frame that matches, in order of arrival; the others stay for {@link #next}. */
    JsonObject nextMatching(Predicate<JsonObject> matching, long timeoutMs) {
      for (int i = 0; i < passedOver.size(); i++) {
        if (matching.test(passedOver.get(i))) {
          return passedOver.remove(i);
        }
      }
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (true) {
        JsonObject frame = read(Math.max(1, deadline - System.currentTimeMillis()));
        if (matching.test(frame)) {
          return frame;
        }
        passedOver.add(frame);
      }
    }

    void assertClosed(long timeoutMs) {
      try {
        socket.setSoTimeout((int) timeoutMs);
        // Closed either way: a FIN reads as end of stream; a reset (the bridge closed with bytes of ours still
        // unread, as after a refused over-long frame) as "Connection reset". A timeout means still open.
        IOException closed = assertThrows(IOException.class, in::readInt, "the bridge closed the connection");
        assertTrue(closed instanceof EOFException
                || closed instanceof java.net.SocketException && String.valueOf(closed.getMessage()).contains("reset"),
            "the bridge closed the connection, but reading said: " + closed);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }
}
