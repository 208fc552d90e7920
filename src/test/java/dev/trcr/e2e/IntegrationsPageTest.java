package dev.trcr.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.Chromium;
import dev.trcr.testing.TestNodes;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Integrations page (verticles/api/src/main/web/src/pages/integrations.jsx) in Debian's Chromium against a real
 * node: an owner registers a webhook to a receiver on 127.0.0.1, sees its secret once, and follows a delivery; a
 * private address shows the server's {@code url_not_allowed}; the audit log lists what happened; members do not get the
 * page. Screenshot: target/screenshots/integrations.png.
 */
class IntegrationsPageTest {

  private static final String PASSWORD = "correct horse battery";
  private static final Path SHOTS = Paths.get("target", "screenshots");

  private static Node node;
  private static Api api;
  private static Chromium chromium;
  private static Browser browser;
  private static HttpServer receiver;
  private static final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private static String base;

  @BeforeAll
  static void start() throws IOException {
    Files.createDirectories(SHOTS);
    chromium = Chromium.launch();
    browser = chromium.browser();
    node = TestNodes.start(TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        .put("TRCR_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1").put("TRCR_INTEGRATIONS_POLL_MS", 100));
    api = new Api(node.vertx(), node.httpPort());
    base = "http://127.0.0.1:" + node.httpPort() + "/";
    receiver = node.vertx().createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      received.add(body.toJsonObject());
      request.response().setStatusCode(204).end();
    }));
    receiver.listen(0, "127.0.0.1").await();
  }

  @AfterAll
  static void stop() {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      if (receiver != null) {
        receiver.close().await();
      }
      if (api != null) {
        api.close();
      }
      if (node != null) {
        node.close().await();
      }
    }
  }

  private static Page login(BrowserContext context, Session user, List<String> console) {
    return Chromium.signIn(context, base, user, PASSWORD, 1280, 900, console);
  }

  /** Clicks {@code refresh} until {@code done} holds, for at most 15 s (deliveries and audit entries come within polls). */
  private static void refreshUntil(Page page, String refresh, BooleanSupplier done, String what) {
    long deadline = System.currentTimeMillis() + 15_000;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not seen within 15 s: " + what);
      }
      page.getByTestId(refresh).click();
      page.waitForTimeout(250);
    }
  }

  @Test
  void anOwnerFollowsAWebhookDeliveryAndTheAuditLogWhileMembersDoNotSeeThePage() throws IOException {
    Session ada = api.signup("Ada Owner");
    Session bob = api.signup("Bob Member");
    String teamId = api.createTeam(ada, "Acme");
    String projectId = api.createProject(ada, teamId, "Website");
    api.addMember(ada, teamId, bob, "member");
    String hookUrl = "http://127.0.0.1:" + receiver.actualPort() + "/trcr";

    List<String> console = Collections.synchronizedList(new ArrayList<>());
    try (BrowserContext ca = browser.newContext(new Browser.NewContextOptions()
        .setPermissions(List.of("clipboard-read", "clipboard-write")));
         BrowserContext cb = browser.newContext()) {
      Page a = login(ca, ada, console);
      Page b = login(cb, bob, console);
      try {
        // members: no Integrations (nor Billing) in the navigation, and the route itself says no
        assertThat(b.getByTestId("nav-team")).isVisible();
        assertThat(b.getByTestId("nav-integrations")).hasCount(0);
        b.navigate(base + "#/integrations");
        assertThat(b.locator("main.page")).containsText("for the team's owners and admins");
        assertThat(b.getByTestId("webhooks")).hasCount(0);

        a.getByTestId("nav-integrations").click();
        assertThat(a.getByTestId("webhooks")).isVisible();

        // a private address: the server's refusal under the form
        a.getByTestId("webhook-url-input").fill("http://10.1.2.3/hook");
        a.getByTestId("webhook-submit").click();
        assertThat(a.getByTestId("webhook-error")).containsText("url_not_allowed");
        assertThat(a.getByTestId("webhook-row")).hasCount(0);

        // a webhook to the receiver, for timer.started only: the secret is shown once
        a.getByTestId("webhook-url-input").fill(hookUrl);
        a.getByTestId("webhook-all-events").uncheck();
        a.locator("[data-testid=webhook-event][data-event='timer.started']").check();
        a.getByTestId("webhook-submit").click();
        assertThat(a.getByTestId("webhook-error")).hasCount(0);
        assertThat(a.getByTestId("webhook-secret")).containsText("you will not see it again");
        String secret = a.getByTestId("webhook-secret-value").textContent();
        assertTrue(secret.startsWith("whsec_"), secret);
        a.getByTestId("webhook-secret-value-copy").click();
        assertThat(a.getByTestId("webhook-secret-value-copy")).hasText("Copied");
        assertEquals(secret, a.evaluate("() => navigator.clipboard.readText()"));
        Locator row = a.getByTestId("webhook-row");
        assertThat(row).hasCount(1);
        assertThat(row.getByTestId("webhook-url")).hasText(hookUrl);
        assertThat(row).containsText("timer.started");
        assertThat(row.getByTestId("webhook-state")).containsText("enabled");
        a.getByTestId("webhook-secret-done").click();
        assertThat(a.getByTestId("webhook-secret")).hasCount(0);
        // the listing never shows it again
        a.reload();
        assertThat(a.getByTestId("webhook-row")).hasCount(1);
        assertThat(a.locator("body")).not().containsText(secret);

        // a timer starts; the delivery reaches the receiver and shows as delivered with its 204
        Api.expect(201, api.startTimer(bob, teamId, projectId));
        a.getByTestId("webhook-deliveries").click();
        Locator delivered = a.locator("[data-testid=delivery-row][data-status=delivered]");
        refreshUntil(a, "deliveries-refresh", () -> delivered.count() == 1, "a delivered delivery");
        assertThat(delivered.getByTestId("delivery-code")).hasText("204");
        assertThat(delivered).containsText("timer.started");
        assertEquals(1, received.size(), "the receiver got one request: " + received);
        assertEquals("timer.started", received.get(0).getString("event"));

        // the audit log: the webhook's creation by Ada and Bob's timer start
        Locator audit = a.getByTestId("audit-row");
        Locator created = a.locator("[data-testid=audit-row][data-entity=webhook][data-action=created]");
        Locator started = a.locator("[data-testid=audit-row][data-entity=time_entry][data-action=started]");
        refreshUntil(a, "audit-refresh", () -> created.count() == 1 && started.count() == 1,
            "the webhook's creation and the timer start in the audit log");
        assertThat(created).containsText("Ada Owner");
        assertThat(created).containsText("rest");
        assertThat(created).containsText(hookUrl);
        assertThat(started).containsText("Bob Member");
        // the entity filter narrows the table to webhooks
        a.getByTestId("audit-entity").selectOption("webhook");
        assertThat(started).hasCount(0);
        assertThat(audit).hasCount(1);
        assertThat(created).hasCount(1);
        // the CSV carries the same filter
        Download csv = a.waitForDownload(() -> a.getByTestId("audit-csv").click());
        String lines;
        try (InputStream in = csv.createReadStream()) {
          lines = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(lines.startsWith("id,at,actorId,actorName,origin,requestId,entity,entityId,action,changes"), lines);
        assertTrue(lines.contains(",webhook,") && lines.contains(hookUrl), lines);
        assertTrue(!lines.contains("time_entry"), lines);
        a.getByTestId("audit-entity").selectOption("");
        assertThat(started).hasCount(1, new LocatorAssertions.HasCountOptions().setTimeout(5_000));

        // a service token: shown once, listed without it, revoked after a confirmation
        a.getByTestId("token-name").fill("Slack relay");
        a.getByTestId("token-submit").click();
        assertThat(a.getByTestId("token-secret")).containsText("you will not see it again");
        String token = a.getByTestId("token-secret-value").textContent();
        Api.expect(200, api.get("/api/teams/" + teamId + "/projects", token));
        Locator tokenRow = a.getByTestId("token-row");
        assertThat(tokenRow).containsText("Slack relay");
        a.onceDialog(d -> d.accept());
        tokenRow.getByTestId("token-revoke").click();
        assertThat(tokenRow.getByTestId("token-revoke")).hasCount(0);
        Api.expect(401, api.get("/api/teams/" + teamId + "/projects", token));
        a.getByTestId("token-secret-done").click();

        // a GitHub integration posting to #general: its secret once, its hook URL listed
        a.getByTestId("git-provider").selectOption("github");
        a.getByTestId("git-channel").selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("# general"));
        a.getByTestId("git-submit").click();
        assertThat(a.getByTestId("git-secret")).containsText("you will not see it again");
        Locator gitRow = a.getByTestId("git-row");
        assertThat(gitRow).hasCount(1);
        assertThat(gitRow).containsText("GitHub");
        assertThat(gitRow).containsText("# general");
        String gitId = gitRow.getAttribute("data-integration-id");
        assertThat(gitRow.getByTestId("git-url")).hasText(Pattern.compile("/hooks/git/" + gitId + "$"));
        a.getByTestId("git-secret-done").click();

        a.getByTestId("webhook-deliveries").scrollIntoViewIfNeeded();
        a.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("integrations.png")).setFullPage(true));
      } catch (AssertionError e) {
        a.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("integrations-failure.png")).setFullPage(true));
        throw new AssertionError(e.getMessage() + "\nbrowser console:\n  " + String.join("\n  ", console), e);
      }
    }
  }
}
