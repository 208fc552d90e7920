package dev.trcr.kernel;

import io.vertx.core.http.HttpServerResponse;

/**
 * The security headers every HTTP response of the api and the bridge carries. Set before any route runs, so error
 * responses (404, 405, 413, 500) carry them too. Vert.x sends no {@code Server} header, so no version leaks.
 */
public final class SecurityHeaders {

  /** For responses that are never meant to be rendered or framed: JSON, health, SockJS. */
  public static final String NOTHING_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

  private SecurityHeaders() {
  }

  /** nosniff, no framing (also by the CSP's frame-ancestors), no referrer, and {@code csp} when not null. */
  public static void apply(HttpServerResponse response, String csp) {
    response.putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer");
    if (csp != null) {
      response.putHeader("Content-Security-Policy", csp);
    }
  }

  /**
   * The app page's policy: its own scripts, styles and images only, no inline code, and connections to itself and to
   * the bridge (the {@code bridgeUrl} that {@code /config.json} gives it), over HTTP(S) for SockJS's XHR transports
   * and WS(S) for WebSockets.
   */
  public static String appCsp(String bridgeUrl) {
    String bridge = origin(bridgeUrl);
    String sockets = bridge.startsWith("https:") ? "wss:" + bridge.substring("https:".length())
        : bridge.startsWith("http:") ? "ws:" + bridge.substring("http:".length()) : "";
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self' " + (bridge + " " + sockets).trim() + "; frame-src " + (bridge.isEmpty() ? "'none'" : bridge)
        + "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  }

  /** {@code scheme://host[:port]} of a URL, or "" if it has none. */
  static String origin(String url) {
    try {
      java.net.URI uri = java.net.URI.create(url);
      if (uri.getScheme() == null || uri.getHost() == null) {
        return "";
      }
      return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
