package dev.trcr.testing;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's Chromium driven by Playwright. Test tools cannot download their own browsers on this machine, so a missing
 * {@code /usr/bin/chromium} fails the test with the command that installs it (CI's {@code .ci/run} does).
 */
public final class Chromium implements AutoCloseable {

  private static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
  private static final List<String> ARGS = List.of("--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--disable-quic");

  private final Playwright playwright;
  private final Browser browser;

  private Chromium(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  public static Chromium launch() {
    if (!Files.isExecutable(EXECUTABLE)) {
      fail(EXECUTABLE + " is missing: the browser tests drive Debian's chromium package "
          + "(apt-get install -y chromium); Playwright cannot download browsers on this machine");
    }
    Playwright playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      return new Chromium(playwright, playwright.chromium().launch(new BrowserType.LaunchOptions()
          .setExecutablePath(EXECUTABLE).setHeadless(true).setArgs(ARGS)));
    } catch (RuntimeException e) {
      playwright.close();
      throw e;
    }
  }

  public Browser browser() {
    return browser;
  }

  /**
   * A page of the web app at {@code base}, signed in as {@code user} through the login form, once its bridge
   * connection is live; the page's console lines and errors go to {@code console}.
   */
  public static Page signIn(BrowserContext context, String base, Api.Session user, String password, int width,
                            int height, List<String> console) {
    Page page = context.newPage();
    page.setViewportSize(width, height);
    page.onConsoleMessage(m -> console.add(user.name() + " " + m.type() + ": " + m.text()));
    page.onPageError(e -> console.add(user.name() + " page error: " + e));
    page.navigate(base);
    page.getByTestId("auth-email").fill(user.email());
    page.getByTestId("auth-password").fill(password);
    page.getByTestId("auth-submit").click();
    assertThat(page.getByTestId("connection")).hasAttribute("data-state", "live");
    return page;
  }

  @Override
  public void close() {
    try {
      browser.close();
    } finally {
      playwright.close();
    }
  }
}
