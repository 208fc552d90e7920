package dev.trcr.bridge;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.Chromium;
import dev.trcr.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official {@code @vertx/eventbus-bridge-client.js} 1.0.0 (with sockjs-client 1.6.1, both served by the app) in
 * Chromium against the hub, on each SockJS transport: register, unregister, send with reply, failure replies, denied
 * publish and register, and reconnect.
 */
class OfficialClientTest {

  /** Runs in the page; resolves to a report of what the client saw. */
  private static final String SCENARIO = """
      async ({url, transport, ada, bob, teamId, otherTeamId, projectId}) => {
        const options = transport === 'default' ? {} : {transports: [transport]};
        const sleep = ms => new Promise(r => setTimeout(r, ms));
        const until = async (check, ms = 8000) => {
          const end = Date.now() + ms;
          while (Date.now() < end) { const v = check(); if (v) return v; await sleep(20); }
          throw new Error('timed out');
        };
        const open = (token, reconnect) => new Promise((resolve, reject) => {
          const eb = new EventBus(url, options);
          eb.defaultHeaders = {authorization: 'Bearer ' + token};
          eb.errors = []; eb.opens = 0;
          eb.onerror = e => eb.errors.push(e);
          if (reconnect) eb.enableReconnect(true);
          eb.onopen = () => { eb.opens++; resolve(eb); };
          setTimeout(() => reject(new Error('bridge did not open')), 8000);
        });
        const send = (eb, address, body) =>
          new Promise(resolve => eb.send(address, body, {}, (err, reply) => resolve({err, reply})));
        const report = {};
        const stream = 'team.' + teamId + '.timers';

        const adaBus = await open(ada, false);
        const bobBus = await open(bob, false);
        const seen = [];
        const handler = (err, msg) => seen.push(msg.body);
        adaBus.registerHandler(stream, handler);
        // A register is not acknowledged: Bob's starts are the probe until Ada sees one.
        for (let i = 0; i < 100 && seen.length === 0; i++) {
          await send(bobBus, 'timers.start', {teamId, projectId, description: 'probe ' + i});
          await sleep(50);
        }
        await sleep(200);
        seen.length = 0;

        const reply = await send(bobBus, 'timers.start', {teamId, projectId, description: 'via the official client'});
        report.replyUser = reply.reply && reply.reply.body.userId;
        report.replyDescription = reply.reply && reply.reply.body.description;
        const event = await until(() => seen.find(e => e.type === 'timer.started'
            && e.entry.id === reply.reply.body.id));
        report.eventSeen = !!event;

        await send(bobBus, 'timers.stop', {teamId});
        const failed = await send(bobBus, 'timers.stop', {teamId});
        report.failure = failed.err ? {code: failed.err.failureCode, type: failed.err.failureType,
            error: JSON.parse(failed.err.message).error.code} : null;

        bobBus.publish(stream, {type: 'timer.started'});
        await until(() => bobBus.errors.length > 0);
        report.publishError = bobBus.errors.shift().body;

        bobBus.registerHandler('team.' + otherTeamId + '.timers', () => {});
        await until(() => bobBus.errors.length > 0);
        report.registerError = bobBus.errors.shift().body;

        adaBus.unregisterHandler(stream, handler);
        await sleep(300);
        seen.length = 0;
        await send(bobBus, 'timers.start', {teamId, projectId});
        await sleep(700);
        report.afterUnregister = seen.length;

        const again = await open(ada, true);
        const reseen = [];
        again.onopen = () => { again.opens++; again.registerHandler(stream, (e, m) => reseen.push(m.body)); };
        again.registerHandler(stream, (e, m) => reseen.push(m.body));
        again.sockJSConn.close();
        await until(() => again.opens >= 2, 15000);
        for (let i = 0; i < 100 && reseen.length === 0; i++) {
          await send(bobBus, 'timers.start', {teamId, projectId});
          await sleep(50);
        }
        report.reconnected = again.opens;
        report.afterReconnect = reseen.length;

        adaBus.close(); bobBus.close(); again.close();
        return report;
      }
      """;

  private static Node node;
  private static Api api;
  private static Chromium chromium;

  private Session ada;
  private Session bob;
  private String teamId;
  private String otherTeamId;
  private String projectId;

  @BeforeAll
  static void start() {
    chromium = Chromium.launch();
    node = TestNodes.start(TestNodes.config());
    api = new Api(node.vertx(), node.httpPort());
  }

  @AfterAll
  static void stop() {
    try {
      chromium.close();
    } finally {
      api.close();
      node.close().await();
    }
  }

  @BeforeEach
  void team() {
    ada = api.signup("Ada");
    bob = api.signup("Bob");
    teamId = api.createTeam(ada, "Acme");
    otherTeamId = api.createTeam(ada, "Private");
    api.addMember(ada, teamId, bob, "member");
    projectId = api.createProject(ada, teamId, "Website");
  }

  @ParameterizedTest
  @ValueSource(strings = {"default", "websocket", "xhr-streaming", "xhr-polling"})
  void theOfficialClientDoesEveryOperationOnEachTransport(String transport) {
    try (BrowserContext context = chromium.browser().newContext()) {
      Page page = context.newPage();
      String origin = "http://127.0.0.1:" + node.httpPort();
      page.navigate(origin + "/config.json");
      page.addScriptTag(new Page.AddScriptTagOptions().setUrl(origin + "/vendor/sockjs.min.js"));
      page.addScriptTag(new Page.AddScriptTagOptions().setUrl(origin + "/vendor/vertx-eventbus.js"));
      Object raw = page.evaluate(SCENARIO, Map.of(
          "url", "http://127.0.0.1:" + node.bridgePort() + "/eventbus",
          "transport", transport,
          "ada", ada.token(), "bob", bob.token(),
          "teamId", teamId, "otherTeamId", otherTeamId, "projectId", projectId));
      @SuppressWarnings("unchecked")
      JsonObject report = new JsonObject((Map<String, Object>) raw);

      assertEquals(bob.id(), report.getString("replyUser"), report.encode());
      assertEquals("via the official client", report.getString("replyDescription"));
      assertEquals(true, report.getBoolean("eventSeen"));
      JsonObject failure = report.getJsonObject("failure");
      assertEquals(409, failure.getInteger("code"), report.encode());
      assertEquals("RECIPIENT_FAILURE", failure.getString("type"));
      assertEquals("no_running_timer", failure.getString("error"));
      assertEquals("access_denied", report.getString("publishError"));
      assertEquals("access_denied", report.getString("registerError"));
      assertEquals(0, report.getInteger("afterUnregister"), "events after unregister");
      assertTrue(report.getInteger("reconnected") >= 2, report.encode());
      assertTrue(report.getInteger("afterReconnect") > 0, "no events after reconnect: " + report.encode());
    }
  }
}
