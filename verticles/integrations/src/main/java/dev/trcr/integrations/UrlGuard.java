package dev.trcr.integrations;

import dev.trcr.kernel.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps webhooks off the inside of the network (SSRF): a URL must be http(s) without userinfo, and every address its
 * host resolves to must be public — not loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
 * (169.254/16, fe80::/10, where cloud metadata lives), CGNAT (100.64/10), any-local, multicast or broadcast — unless
 * the host name or that address is listed in {@code TRCR_WEBHOOK_ALLOWED_HOSTS}. Checked at registration and again
 * before each send (DNS may have changed), and the send connects to the address that was checked.
 */
final class UrlGuard {

  /** A URL that passed: where to connect. */
  record Target(URI uri, String host, int port, boolean tls, InetAddress address) {
  }

  private final Vertx vertx;
  private final Set<String> allowed;

  UrlGuard(Vertx vertx, List<String> allowedHosts) {
    this.vertx = vertx;
    this.allowed = allowedHosts.stream().map(UrlGuard::bare).collect(Collectors.toUnmodifiableSet());
  }

  /** The URL's syntax only (no DNS): 422 url_not_allowed for anything but an absolute http(s) URL with a host. */
  static URI parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw refused("url is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw refused("url must be http or https");
    }
    if (uri.getRawUserInfo() != null) {
      throw refused("url must not carry a user name or password");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw refused("url must have a host");
    }
    return uri;
  }

  /** Resolves the URL's host off the event loop; fails with 422 url_not_allowed if any address is refused. */
  Future<Target> check(String url) {
    URI uri;
    try {
      uri = parse(url);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    String host = bare(uri.getHost());
    boolean tls = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
    return vertx.executeBlocking(() -> {
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        throw refused("the host of url does not resolve");
      }
      boolean hostAllowed = allowed.contains(host);
      for (InetAddress a : addresses) {
        if (!hostAllowed && !allowed.contains(bare(a.getHostAddress())) && internal(a)) {
          throw refused("url points to a private, loopback or link-local address (" + a.getHostAddress()
              + "); list the host in TRCR_WEBHOOK_ALLOWED_HOSTS to allow it");
        }
      }
      return new Target(uri, host, port, tls, addresses[0]);
    }, false);
  }

  /** An address that is not on the public internet. */
  static boolean internal(InetAddress a) {
    if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address v6) {
      if (v6.isIPv4CompatibleAddress()) { // ::a.b.c.d
        try {
          return internal(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
        } catch (UnknownHostException e) {
          return true;
        }
      }
      return (b[0] & 0xfe) == 0xfc; // unique-local fc00::/7
    }
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    return first == 0                                   // "this network" 0/8
        || first == 100 && (second & 0xc0) == 64        // CGNAT 100.64/10
        || first == 192 && second == 0 && (b[2] & 0xff) == 0 // IETF protocol assignments 192.0.0/24
        || first >= 240;                                // reserved and broadcast
  }

  private static String bare(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  private static RuntimeException refused(String message) {
    return ErrorCode.URL_NOT_ALLOWED.field("url", message);
  }
}
