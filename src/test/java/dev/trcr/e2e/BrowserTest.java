package dev.trcr.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
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

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The web page in a real Chromium: a teammate's timer shows up live through the bridge, and Start in the page starts
 * a timer over the bridge. Playwright cannot download its own browsers here, so it drives Debian's chromium package.
 */
class BrowserTest {

  /** Api.signup's password. */
  private static final String PASSWORD = "correct horse battery";
  /** How long the page may take to show what the server did ("live" means well under this). */
  private static final double LIVE_MS = 5_000;
  /** Set -Dtrcr.test.screenshot=/tmp/trcr-page.png to keep a picture of the page at the end of the scenario. */
  private static final String SCREENSHOT = System.getProperty("trcr.test.screenshot");

  private static Node node;
  private static Api api;
  private static Chromium chromium;
  private static Browser browser;

  @BeforeAll
  static void start() {
    chromium = Chromium.launch();
    browser = chromium.browser();
    node = TestNodes.start(TestNodes.config());
    api = new Api(node.vertx(), node.httpPort());
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

  @Test
  void aTeammatesTimerAppearsLiveInTheBrowser() {
    Session ada = api.signup("Ada Owner");
    Session bob = api.signup("Bob Member");
    String teamId = api.createTeam(ada, "Acme");
    String projectId = api.createProject(ada, teamId, "Website");
    api.addMember(ada, teamId, bob, "member");

    try (BrowserContext context = browser.newContext()) {
      Page page = context.newPage();
      List<String> console = Collections.synchronizedList(new ArrayList<>());
      page.onConsoleMessage(m -> console.add(m.type() + ": " + m.text()));
      page.onPageError(e -> console.add("page error: " + e));
      try {
        page.navigate("http://127.0.0.1:" + node.httpPort() + "/");
        page.getByTestId("auth-email").fill(ada.email());
        page.getByTestId("auth-password").fill(PASSWORD);
        page.getByTestId("auth-submit").click();

        assertThat(page.getByTestId("team-select")).hasValue(teamId);
        assertThat(page.getByTestId("connection")).hasAttribute("data-state", "live");
        // Subscribed, and the running list reloaded after subscribing: from here on only the stream changes it.
        assertThat(page.getByTestId("running")).hasAttribute("data-state", "ready");
        assertThat(page.getByTestId("running-entry")).hasCount(0);

        Api.expect(201, api.startTimer(bob, teamId, projectId));

        Locator bobsTimer = page.locator("#running li[data-user-id='" + bob.id() + "']");
        assertThat(bobsTimer.getByTestId("running-name")).hasText("Bob Member", new LocatorAssertions.HasTextOptions()
            .setTimeout(LIVE_MS));
        assertThat(bobsTimer).containsText("Website");
        assertThat(bobsTimer.getByTestId("running-duration")).hasText(Pattern.compile("00:00:\\d\\d"));

        page.getByTestId("description").fill("Landing page");
        page.getByTestId("start").click();
        Locator adasTimer = page.locator("#running li[data-user-id='" + ada.id() + "']");
        assertThat(adasTimer).containsText("Landing page", new LocatorAssertions.ContainsTextOptions()
            .setTimeout(LIVE_MS));
        assertThat(page.getByTestId("stop")).isEnabled();

        JsonObject adas = Api.expect(200, api.get("/api/teams/" + teamId + "/timers/running", ada.token())).array()
            .stream().map(JsonObject.class::cast)
            .filter(e -> ada.id().equals(e.getString("userId")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the REST running list has no timer of Ada"));
        assertEquals(projectId, adas.getString("projectId"));
        assertEquals("Landing page", adas.getString("description"));

        if (SCREENSHOT != null) {
          page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get(SCREENSHOT)).setFullPage(true));
        }
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\nbrowser console:\n  " + String.join("\n  ", console), e);
      }
    }
  }
}
