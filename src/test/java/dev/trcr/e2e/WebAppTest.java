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
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The web app (verticles/api/src/main/web) end to end in Debian's Chromium: two users live side by side (timers,
 * chat with unread badges, board drag and drop with a stale-version conflict), the billing flow down to the PDF, and
 * recovery of a chat message posted while the page's bridge connection was cut. Screenshots of the dashboard, chat,
 * board and invoice pages go to target/screenshots/.
 */
class WebAppTest {

  private static final String PASSWORD = "correct horse battery";
  private static final double LIVE_MS = 5_000;
  private static final Path SHOTS = Paths.get("target", "screenshots");

  private static Node node;
  private static Api api;
  private static Chromium chromium;
  private static Browser browser;
  private static String base;

  @BeforeAll
  static void start() throws IOException {
    Files.createDirectories(SHOTS);
    chromium = Chromium.launch();
    browser = chromium.browser();
    node = TestNodes.start(TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));
    api = new Api(node.vertx(), node.httpPort());
    base = "http://127.0.0.1:" + node.httpPort() + "/";
  }

  @AfterAll
  static void stop() {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      if (api != null) {
        api.close();
      }
      if (node != null) {
        node.close().await();
      }
    }
  }

  /** A signed-in page: logs in through the form and waits for the live connection. */
  private static Page login(BrowserContext context, Session user, List<String> console) {
    return Chromium.signIn(context, base, user, PASSWORD, 1280, 860, console);
  }

  private static void shot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")));
  }

  private static LocatorAssertions.HasTextOptions live() {
    return new LocatorAssertions.HasTextOptions().setTimeout(LIVE_MS);
  }

  private static String createTask(Session user, String teamId, String projectId, String title) {
    Api.Response r = api.post("/api/teams/" + teamId + "/projects/" + projectId + "/tasks", user.token(),
        new JsonObject().put("title", title));
    Api.expect(201, r);
    return r.json().getString("id");
  }

  private static String projectIdOf(Page page) {
    return page.evaluate("() => document.querySelector('[data-testid=project-row]')?.dataset.projectId ?? ''").toString();
  }

  private static AssertionError withConsole(AssertionError e, List<String> console) {
    return new AssertionError(e.getMessage() + "\nbrowser console:\n  " + String.join("\n  ", console), e);
  }

  @Test
  void twoUsersSeeTimersChatAndBoardLive() {
    Session ada = api.signup("Ada Lovelace");
    Session bob = api.signup("Bob Builder");
    String teamId = api.createTeam(ada, "Acme");
    String projectId = api.createProject(ada, teamId, "Website");
    api.addMember(ada, teamId, bob, "member");
    Api.expect(201, api.post("/api/teams/" + teamId + "/channels", ada.token(), new JsonObject().put("name", "random")));
    String hero = createTask(ada, teamId, projectId, "Hero section");
    String footer = createTask(ada, teamId, projectId, "Footer links");
    createTask(ada, teamId, projectId, "Pricing table");
    // A teammate's running timer, so the dashboard shows more than one line.
    Session cleo = api.signup("Cleo Designer");
    api.addMember(ada, teamId, cleo, "member");
    Api.expect(201, api.post("/api/teams/" + teamId + "/timer/start", cleo.token(),
        new JsonObject().put("projectId", projectId).put("description", "Logo sketches")));

    List<String> console = Collections.synchronizedList(new ArrayList<>());
    try (BrowserContext ca = browser.newContext(); BrowserContext cb = browser.newContext()) {
      Page a = login(ca, ada, console);
      Page b = login(cb, bob, console);
      try {
        // --- timers: A starts, B sees it in the team list within 1 s
        assertThat(b.getByTestId("running")).hasAttribute("data-state", "ready");
        assertThat(a.getByTestId("start")).isEnabled();
        a.getByTestId("description").fill("Landing page");
        a.getByTestId("start").click();
        Locator adaOnB = b.locator("#running li[data-user-id='" + ada.id() + "']");
        assertThat(adaOnB).containsText("Landing page", new LocatorAssertions.ContainsTextOptions().setTimeout(1_000));
        assertThat(adaOnB.getByTestId("running-name")).hasText("Ada Lovelace");
        assertThat(a.getByTestId("stop")).isEnabled();
        assertThat(a.getByTestId("my-timer-clock")).hasText(Pattern.compile("00:00:0\\d"));
        a.waitForTimeout(1_200);
        assertEquals(true, a.title().startsWith("00:00:0"), "the tab title ticks: " + a.title());
        shot(a, "dashboard");
        a.setViewportSize(390, 844);
        shot(a, "dashboard-phone");
        a.setViewportSize(1280, 860);

        // --- chat: A posts in #random, B (in #general) sees the unread badge, opens it and sees the message
        b.navigate(base + "#/chat");
        assertThat(b.getByTestId("channel-title")).hasText("# general");
        a.navigate(base + "#/chat");
        a.locator("[data-testid=channel][data-channel-name=random]").click();
        assertThat(a.getByTestId("channel-title")).hasText("# random");
        a.getByTestId("chat-input").fill("Morning! @Bob");
        assertThat(a.getByTestId("mention-suggest")).containsText("@BobBuilder");
        a.getByTestId("chat-input").press("Enter"); // picks the suggestion
        a.getByTestId("chat-input").pressSequentially("the hero is ready for review");
        a.getByTestId("chat-input").press("Enter");
        Locator badge = b.locator("[data-testid=channel][data-channel-name=random] [data-testid=unread]");
        assertThat(badge).hasText("1", live());
        b.locator("[data-testid=channel][data-channel-name=random]").click();
        Locator message = b.getByTestId("message-text").filter(new Locator.FilterOptions().setHasText("hero is ready"));
        assertThat(message).hasCount(1);
        assertThat(message.getByTestId("mention")).hasText("@BobBuilder");
        assertThat(badge).hasCount(0);
        // the mention reached Bob's bell live; opening it and following the notification marks it read
        assertThat(b.getByTestId("bell-count")).hasText("1", new LocatorAssertions.HasTextOptions().setTimeout(10_000));
        b.getByTestId("bell").click();
        b.getByTestId("notification").first().getByRole(com.microsoft.playwright.options.AriaRole.BUTTON).click();
        assertThat(b.getByTestId("bell-count")).hasCount(0, new LocatorAssertions.HasCountOptions().setTimeout(LIVE_MS));
        assertThat(b.getByTestId("channel-title")).hasText("# random");
        // presence dots and the typing indicator
        assertThat(a.locator("[data-testid=dm][data-user-id='" + bob.id() + "'] [data-testid=presence]"))
            .hasAttribute("data-status", "online");
        b.getByTestId("chat-input").fill("On it, @AdaLovelace");
        assertThat(a.getByTestId("typing")).containsText("Bob Builder is typing", new LocatorAssertions.ContainsTextOptions()
            .setTimeout(LIVE_MS));
        b.getByTestId("chat-input").press("Escape");
        b.getByTestId("chat-send").click();
        assertThat(a.getByTestId("message-text").filter(new Locator.FilterOptions().setHasText("On it"))).hasCount(1,
            new LocatorAssertions.HasCountOptions().setTimeout(LIVE_MS));
        // A edits its message and deletes another: B sees both live
        Locator adasFirst = a.getByTestId("message-item").filter(new Locator.FilterOptions().setHasText("hero is ready"));
        adasFirst.hover();
        adasFirst.getByTestId("edit").click();
        a.getByTestId("edit-input").fill("Morning! @BobBuilder the hero is ready for review now");
        a.getByTestId("edit-input").press("Enter");
        assertThat(b.getByTestId("message-text").filter(new Locator.FilterOptions().setHasText("ready for review now")))
            .containsText("(edited)", new LocatorAssertions.ContainsTextOptions().setTimeout(LIVE_MS));
        a.getByTestId("chat-input").fill("typo, ignore");
        a.getByTestId("chat-input").press("Enter");
        assertThat(b.getByTestId("message-text").filter(new Locator.FilterOptions().setHasText("typo, ignore"))).hasCount(1,
            new LocatorAssertions.HasCountOptions().setTimeout(LIVE_MS));
        a.onceDialog(d -> d.accept());
        Locator typo = a.getByTestId("message-item").filter(new Locator.FilterOptions().setHasText("typo, ignore"));
        typo.hover();
        typo.getByTestId("delete").click();
        assertThat(b.getByTestId("message-text").filter(new Locator.FilterOptions().setHasText("typo, ignore"))).hasCount(0,
            new LocatorAssertions.HasCountOptions().setTimeout(LIVE_MS));
        assertThat(b.locator(".msg .deleted")).hasCount(1);
        shot(a, "chat");
        a.setViewportSize(390, 844);
        shot(a, "chat-phone");
        a.setViewportSize(1280, 860);

        // --- board: B drags a card to another column, A sees it move
        a.navigate(base + "#/board");
        b.navigate(base + "#/board");
        Locator aInProgress = a.locator("[data-testid=column][data-column-name='In progress']");
        Locator bHero = b.locator("[data-testid=task][data-task-id='" + hero + "']");
        assertThat(bHero).isVisible();
        assertThat(a.locator("[data-testid=task][data-task-id='" + hero + "']")).isVisible();
        bHero.dragTo(b.locator("[data-testid=column][data-column-name='In progress']"));
        assertThat(aInProgress.locator("[data-task-id='" + hero + "']")).isVisible(
            new LocatorAssertions.IsVisibleOptions().setTimeout(LIVE_MS));
        assertThat(aInProgress.locator("[data-task-id='" + hero + "']")).hasAttribute("data-version", "2");

        // --- a stale drag: B's events are held back (as on a slow link) while A moves the footer card; B's drag
        // of the card it still shows at the old version is refused, the card reloaded and a conflict message shown.
        b.evaluate("() => { window.__trcr.bus.muted = true; }");
        a.locator("[data-testid=task][data-task-id='" + footer + "']")
            .dragTo(a.locator("[data-testid=column][data-column-name='Review']"));
        assertThat(a.locator("[data-testid=column][data-column-name='Review'] [data-task-id='" + footer + "']"))
            .isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(LIVE_MS));
        Locator bFooter = b.locator("[data-testid=task][data-task-id='" + footer + "']");
        assertThat(bFooter).hasAttribute("data-version", "1");
        bFooter.dragTo(b.locator("[data-testid=column][data-column-name='Done']"));
        assertThat(b.getByTestId("board-conflict")).containsText("changed by someone else");
        Locator bReview = b.locator("[data-testid=column][data-column-name='Review']");
        assertThat(bReview.locator("[data-task-id='" + footer + "']")).hasAttribute("data-version", "2");
        b.evaluate("() => { window.__trcr.bus.muted = false; }");
        JsonObject board = Api.expect(200, api.get("/api/teams/" + teamId + "/projects/" + projectId + "/board",
            ada.token())).json();
        String reviewId = board.getJsonArray("columns").stream().map(JsonObject.class::cast)
            .filter(c -> "Review".equals(c.getString("name"))).findFirst().orElseThrow().getString("id");
        boolean footerInReview = board.getJsonArray("columns").stream().map(JsonObject.class::cast)
            .filter(c -> c.getString("id").equals(reviewId))
            .flatMap(c -> c.getJsonArray("tasks").stream().map(JsonObject.class::cast))
            .anyMatch(t -> footer.equals(t.getString("id")));
        assertEquals(true, footerInReview, "the stale drag must not overwrite A's move");
        // the task detail starts a timer on the task; A's team list shows it
        bHero.click();
        assertThat(b.getByTestId("task-detail")).containsText("WEB-1");
        b.getByTestId("task-start-timer").click();
        Locator bobOnA = a.locator("#running li[data-user-id='" + bob.id() + "']");
        a.navigate(base + "#/");
        assertThat(bobOnA).containsText("Hero section", new LocatorAssertions.ContainsTextOptions().setTimeout(LIVE_MS));
        b.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Close")).click();
        shot(b, "board");
        assertEquals(List.of(), console.stream().filter(l -> l.contains("page error")).toList());
      } catch (AssertionError e) {
        shot(a, "failure-a");
        shot(b, "failure-b");
        throw withConsole(e, console);
      }
    }
  }

  @Test
  void billingFlowFromClientToPdf() throws IOException {
    Session ada = api.signup("Ada Owner");
    String teamId = api.createTeam(ada, "Initech");
    Session bob = api.signup("Bob Member");
    api.addMember(ada, teamId, bob, "member");
    List<String> console = Collections.synchronizedList(new ArrayList<>());
    try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setAcceptDownloads(true))) {
      Page page = login(context, ada, console);
      try {
        // client
        page.navigate(base + "#/billing");
        page.getByTestId("client-name").fill("Globex");
        page.getByTestId("client-email").fill("billing@globex.example");
        page.getByTestId("client-tax").fill("19");
        page.getByTestId("client-submit").click();
        assertThat(page.getByTestId("client-row")).containsText("Globex");

        // project with a rate, linked to the client
        page.navigate(base + "#/team");
        page.getByTestId("project-name").fill("Website");
        page.getByTestId("project-rate").fill("100");
        page.getByTestId("project-submit").click();
        assertThat(page.getByTestId("projects")).containsText("100.00 EUR/h");
        page.navigate(base + "#/billing");
        page.getByTestId("project-client").selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("Globex"));
        assertThat(page.getByTestId("message")).containsText("Website updated");

        // manual entries, one refused by the server with its message
        page.navigate(base + "#/timesheet");
        page.getByTestId("entry-start").fill("11:00");
        page.getByTestId("entry-stop").fill("10:00");
        page.getByTestId("entry-save").click();
        assertThat(page.getByTestId("entry-error")).containsText("validation_failed");
        page.getByTestId("entry-start").fill("09:00");
        page.getByTestId("entry-stop").fill("10:30");
        page.getByTestId("entry-description").fill("Wireframes");
        page.getByTestId("entry-save").click();
        assertThat(page.getByTestId("entry")).hasCount(1);
        page.getByTestId("entry-start").fill("11:00");
        page.getByTestId("entry-stop").fill("12:00");
        page.getByTestId("entry-description").fill("Review call");
        page.getByTestId("entry-save").click();
        assertThat(page.getByTestId("entry")).hasCount(2);
        assertThat(page.getByTestId("week-total")).hasText("2 h 30 min");
        shot(page, "timesheet");
        Download csv = page.waitForDownload(() -> page.getByTestId("csv-export").click());
        String rows;
        try (InputStream in = csv.createReadStream()) {
          rows = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(true, rows.startsWith("id,date,startedAt"), rows);
        assertEquals(true, rows.contains("Wireframes") && rows.contains("Review call"), rows);
        page.navigate(base + "#/reports");
        assertThat(page.getByTestId("report-projects").getByTestId("report-row")).containsText("Website");
        assertThat(page.getByTestId("report-projects").getByTestId("report-hours")).hasText("2.50 h");
        assertThat(page.getByTestId("report-members").getByTestId("report-row")).containsText("Ada Owner");
        shot(page, "reports");

        // preview: 2.5 h × 100 = 250.00, 19 % tax 47.50, total 297.50
        page.navigate(base + "#/billing");
        assertThat(page.getByTestId("client-unbilled")).hasText("250.00 EUR", live());
        assertThat(page.getByTestId("preview-total")).hasText("297.50 EUR", live());
        assertThat(page.getByTestId("invoice-line")).hasCount(1);

        // Ada's own rate on Website: a refused one shows the server's message; 120 makes 2.5 h × 120 = 300.00,
        // 19 % tax 57.00, total 357.00
        Locator adaRate = page.locator("[data-testid=member-rate-row][data-user-id='" + ada.id() + "']");
        assertThat(page.getByTestId("member-rate-row")).hasCount(2);
        adaRate.getByTestId("member-rate-input").fill("12.345");
        adaRate.getByTestId("member-rate-save").click();
        assertThat(adaRate.getByTestId("member-rate-error")).containsText("more than 2 decimal places");
        adaRate.getByTestId("member-rate-input").fill("120");
        adaRate.getByTestId("member-rate-save").click();
        assertThat(page.getByTestId("message")).containsText("Ada Owner bills Website at 120.00 EUR/h");
        assertThat(adaRate.getByTestId("member-rate-error")).hasCount(0);
        assertThat(page.getByTestId("preview-total")).hasText("357.00 EUR", live());
        assertThat(page.getByTestId("client-unbilled")).hasText("300.00 EUR", live());
        shot(page, "billing-member-rate");
        page.getByTestId("invoice-create").click();
        assertThat(page.getByTestId("invoice-detail")).isVisible();
        assertThat(page.getByTestId("invoice-status")).hasText("draft");
        page.getByTestId("invoice-issue").click();
        assertThat(page.getByTestId("invoice-status")).hasText("issued");
        assertThat(page.getByTestId("invoice-number")).hasText(Pattern.compile("INV-\\d{4}-0001"));
        assertThat(page.getByTestId("invoice-total")).hasText("357.00 EUR");
        shot(page, "invoice");

        Download download = page.waitForDownload(() -> page.getByTestId("invoice-pdf").click());
        byte[] head;
        try (InputStream in = download.createReadStream()) {
          head = in.readNBytes(5);
        }
        assertEquals("%PDF-", new String(head, StandardCharsets.US_ASCII));
        assertEquals(true, download.suggestedFilename().endsWith(".pdf"), download.suggestedFilename());

        page.getByTestId("payment-amount").fill("357.00");
        page.getByTestId("payment-record").click();
        assertThat(page.getByTestId("invoice-status")).hasText("paid");
        page.navigate(base + "#/billing");
        assertThat(page.getByTestId("invoice-row")).containsText("paid");
        assertThat(page.getByTestId("client-unbilled")).hasText("0.00 EUR", live());
        shot(page, "billing");

        // the client's unbilled amount ticks while a timer runs on its project (re-read every 5 s)
        Api.expect(201, api.post("/api/teams/" + teamId + "/timer/start", bob.token(),
            new JsonObject().put("projectId", projectIdOf(page)).put("description", "Bug bash")));
        assertThat(page.getByTestId("client-unbilled")).not().hasText("0.00 EUR", new LocatorAssertions.HasTextOptions().setTimeout(15_000));
        String ticking = page.getByTestId("client-unbilled").textContent();
        assertThat(page.getByTestId("client-unbilled")).not().hasText(ticking, new LocatorAssertions.HasTextOptions().setTimeout(15_000));
        Api.expect(200, api.post("/api/teams/" + teamId + "/timer/stop", bob.token(), new JsonObject()));

        // roles: the owner makes Bob an admin; taking away the last owner is refused with the server's message
        page.navigate(base + "#/team");
        Locator bobRow = page.locator("[data-testid=member-row][data-user-id='" + bob.id() + "']");
        Locator adaRow = page.locator("[data-testid=member-row][data-user-id='" + ada.id() + "']");
        assertThat(bobRow.getByTestId("member-role-select")).hasValue("member");
        bobRow.getByTestId("member-role-select").selectOption("admin");
        assertThat(page.getByTestId("message")).containsText("Bob Member is now admin");
        assertThat(bobRow.getByTestId("member-role-select")).hasValue("admin");
        adaRow.getByTestId("member-role-select").selectOption("member");
        assertThat(adaRow.getByTestId("member-role-error")).containsText("last_owner");
        assertThat(adaRow.getByTestId("member-role-select")).hasValue("owner");
        assertThat(page.getByTestId("team-role")).hasText("Your role: owner");
        shot(page, "team-roles");

        page.navigate(base + "#/account");
        assertThat(page.getByTestId("password-form")).isVisible();
        assertEquals(List.of(), console.stream().filter(l -> l.contains("page error")).toList());
      } catch (AssertionError e) {
        shot(page, "failure-billing");
        throw withConsole(e, console);
      }
    }
  }

  @Test
  void aMessagePostedWhileTheBridgeIsCutAppearsAfterReconnect() {
    Session ada = api.signup("Ada Reader");
    Session bob = api.signup("Bob Writer");
    String teamId = api.createTeam(ada, "Hooli");
    api.addMember(ada, teamId, bob, "member");
    String general = Api.expect(200, api.get("/api/teams/" + teamId + "/channels", ada.token())).array()
        .getJsonObject(0).getString("id");
    List<String> console = Collections.synchronizedList(new ArrayList<>());
    try (BrowserContext context = browser.newContext()) {
      Page page = login(context, ada, console);
      try {
        for (int i = 1; i <= 55; i++) {
          Api.expect(201, api.post("/api/teams/" + teamId + "/channels/" + general + "/messages", bob.token(),
              new JsonObject().put("text", "history " + i)));
        }
        page.navigate(base + "#/chat");
        assertThat(page.getByTestId("channel-title")).hasText("# general");
        // infinite scroll: the newest 50 first, the rest when scrolled to the top
        assertThat(page.getByTestId("message-item")).hasCount(50);
        assertThat(page.getByTestId("message-text").last()).hasText("history 55");
        page.getByTestId("messages").evaluate("el => { el.scrollTop = 0; }");
        assertThat(page.getByTestId("message-item")).hasCount(55);
        assertThat(page.getByTestId("message-text").first()).hasText("history 1");
        Api.expect(201, api.post("/api/teams/" + teamId + "/channels/" + general + "/messages", bob.token(),
            new JsonObject().put("text", "before the cut")));
        assertThat(page.getByTestId("message-text").filter(new Locator.FilterOptions().setHasText("before the cut")))
            .hasCount(1, new LocatorAssertions.HasCountOptions().setTimeout(LIVE_MS));

        // Cut: the network goes away and the socket drops, as on a train.
        context.setOffline(true);
        page.evaluate("() => window.__trcr.bus.drop()");
        assertThat(page.getByTestId("connection")).not().hasAttribute("data-state", "live");
        Api.expect(201, api.post("/api/teams/" + teamId + "/channels/" + general + "/messages", bob.token(),
            new JsonObject().put("text", "posted while you were away")));
        page.waitForTimeout(1_500);
        context.setOffline(false);

        assertThat(page.getByTestId("connection")).hasAttribute("data-state", "live",
            new LocatorAssertions.HasAttributeOptions().setTimeout(15_000));
        assertThat(page.getByTestId("message-text")
            .filter(new Locator.FilterOptions().setHasText("posted while you were away")))
            .hasCount(1, new LocatorAssertions.HasCountOptions().setTimeout(LIVE_MS));
        // and the stream is live again after the reconnect
        Api.expect(201, api.post("/api/teams/" + teamId + "/channels/" + general + "/messages", bob.token(),
            new JsonObject().put("text", "and live again")));
        assertThat(page.getByTestId("message-text").filter(new Locator.FilterOptions().setHasText("and live again")))
            .hasCount(1, new LocatorAssertions.HasCountOptions().setTimeout(LIVE_MS));

        // a reload keeps the session and the page; logging out ends it (the token is refused from then on)
        page.reload();
        assertThat(page.getByTestId("connection")).hasAttribute("data-state", "live");
        assertThat(page.getByTestId("message-text").filter(new Locator.FilterOptions().setHasText("and live again")))
            .hasCount(1);
        page.getByTestId("logout").click();
        assertThat(page.getByTestId("auth-form")).isVisible();
        int status = 0;
        for (int i = 0; i < 50 && status != 401; i++) { // the page sends the logout without waiting for it
          status = api.get("/api/me", ada.token()).status();
          if (status != 401) {
            page.waitForTimeout(100);
          }
        }
        assertEquals(401, status, "the token still works after logging out");
      } catch (AssertionError e) {
        shot(page, "failure-reconnect");
        throw withConsole(e, console);
      }
    }
  }
}
