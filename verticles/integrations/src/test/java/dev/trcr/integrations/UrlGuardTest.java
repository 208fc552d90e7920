package dev.trcr.integrations;

import dev.trcr.kernel.TrcrException;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SSRF rules on their own: which addresses count as internal, and what the allow list lets through. */
class UrlGuardTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void internalAddressesAreRecognised() throws Exception {
    for (String ip : List.of("127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3", "224.0.0.1", "255.255.255.255",
        "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:10.0.0.1", "::10.0.0.1")) {
      assertTrue(UrlGuard.internal(InetAddress.getByName(ip)), ip);
    }
    for (String ip : List.of("8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700::1111")) {
      assertFalse(UrlGuard.internal(InetAddress.getByName(ip)), ip);
    }
  }

  @Test
  void localhostIsRefusedUnlessListedByNameOrAddress() {
    UrlGuard none = new UrlGuard(vertx, List.of());
    assertEquals("url_not_allowed", refusal(none, "http://localhost:8080/hook"));
    assertEquals("url_not_allowed", refusal(none, "http://127.0.0.1/hook"));
    UrlGuard byName = new UrlGuard(vertx, List.of("localhost"));
    assertEquals("localhost", byName.check("http://localhost:8080/hook").await().host());
    UrlGuard byAddress = new UrlGuard(vertx, List.of("127.0.0.1"));
    UrlGuard.Target target = byAddress.check("http://127.0.0.1:9/x?y=1").await();
    assertEquals(9, target.port());
    assertEquals("127.0.0.1", target.address().getHostAddress());
    assertEquals("url_not_allowed", refusal(byAddress, "http://10.0.0.1/"), "only what is listed");
  }

  @Test
  void publicAddressesPassAndOnlyHttpSchemesAreTaken() {
    UrlGuard none = new UrlGuard(vertx, List.of());
    UrlGuard.Target target = none.check("https://8.8.8.8/hook").await();
    assertTrue(target.tls());
    assertEquals(443, target.port());
    for (String url : List.of("ftp://8.8.8.8/", "gopher://8.8.8.8/", "http://u:p@8.8.8.8/", "https:///nohost",
        "javascript:alert(1)")) {
      assertEquals("url_not_allowed", refusal(none, url), url);
    }
  }

  private static String refusal(UrlGuard guard, String url) {
    TrcrException e = assertThrows(TrcrException.class, () -> guard.check(url).await());
    return e.code().code();
  }
}
