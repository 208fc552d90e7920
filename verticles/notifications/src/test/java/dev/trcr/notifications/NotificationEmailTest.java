package dev.trcr.notifications;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import jakarta.mail.BodyPart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.trcr.notifications.NotificationsRestTest.eventually;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Email through a real SMTP server (GreenMail on 127.0.0.1, a free port, plain SMTP): the client's invoice with its
 * PDF, the users' settings, and the outbox across an SMTP outage and a node restart.
 */
class NotificationEmailTest {

  private static final String CLIENT = "ap@globex.example";

  private static Vertx clientVertx;
  private static GreenMail smtp;
  private static Node node;
  private static Api api;
  private static FakeBilling billing;

  @BeforeAll
  static void start() {
    clientVertx = Vertx.vertx();
    int port = TestNodes.freePort();
    smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
    smtp.start();
    node = TestNodes.start(withSmtp(TestNodes.config(), port));
    api = new Api(clientVertx, node.httpPort());
    billing = new FakeBilling(node.vertx());
  }

  @AfterAll
  static void stop() {
    billing.close();
    api.close();
    node.close().await();
    smtp.stop();
    clientVertx.close().await();
  }

  static JsonObject withSmtp(JsonObject config, int port) {
    return config.put("TRCR_VERTICLES", FakeBilling.WITHOUT_BILLING).put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        .put("TRCR_NOTIFICATIONS_POLL_MS", 300)
        .put("TRCR_SMTP_HOST", "127.0.0.1").put("TRCR_SMTP_PORT", port).put("TRCR_SMTP_TLS", "none")
        .put("TRCR_MAIL_FROM", "trcr <no-reply@trcr.test>")
        .put("TRCR_MAIL_RETRY_BASE_MS", 200).put("TRCR_MAIL_RETRY_MAX_MS", 1_000);
  }

  private static List<MimeMessage> to(GreenMail server, String address) throws Exception {
    List<MimeMessage> out = new ArrayList<>();
    for (MimeMessage m : server.getReceivedMessages()) {
      if (Arrays.stream(m.getAllRecipients()).anyMatch(r -> r.toString().contains(address))) {
        out.add(m);
      }
    }
    return out;
  }

  private static void waitFor(GreenMail server, String address, int count) {
    eventually(() -> {
      try {
        return to(server, address).size() >= count;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, count + " mail(s) to " + address);
  }

  /** Text, HTML and attachments of a multipart mail, by walking its parts. */
  private record Parts(List<String> text, List<String> html, List<byte[]> pdfs, List<String> filenames) {
  }

  private static Parts parts(MimeMessage message) throws Exception {
    Parts parts = new Parts(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    walk(message, parts);
    return parts;
  }

  private static void walk(Part part, Parts out) throws Exception {
    if (part.getContent() instanceof MimeMultipart multi) {
      for (int i = 0; i < multi.getCount(); i++) {
        BodyPart child = multi.getBodyPart(i);
        walk(child, out);
      }
    } else if (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()) || part.getFileName() != null) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      part.getDataHandler().writeTo(bytes);
      out.pdfs().add(bytes.toByteArray());
      out.filenames().add(part.getFileName());
    } else if (part.isMimeType("text/plain")) {
      out.text().add(part.getContent().toString());
    } else if (part.isMimeType("text/html")) {
      out.html().add(part.getContent().toString());
    }
  }

  private Session alone(String name) {
    Session owner = api.signup(name);
    String teamId = api.createTeam(owner, name + "'s team");
    return owner;
  }

  private static String teamOf(Api api, Session owner) {
    return expect(200, api.get("/api/me", owner.token())).json().getJsonArray("teams").getJsonObject(0)
        .getString("id");
  }

  @Test
  void anIssuedInvoiceIsMailedToTheClientWithItsPdf() throws Exception {
    Session ada = alone("Ada");
    String teamId = teamOf(api, ada);
    String client = "ap+" + System.nanoTime() + "@globex.example";
    billing.issue(teamId, ada.id(), client);
    waitFor(smtp, client, 1);

    MimeMessage mail = to(smtp, client).get(0);
    assertEquals("Invoice INV-2026-0001 from Ada's team", mail.getSubject());
    assertTrue(mail.getFrom()[0].toString().contains("no-reply@trcr.test"));
    Parts parts = parts(mail);
    assertEquals(1, parts.pdfs().size(), "one attachment");
    assertArrayEquals(FakeBilling.PDF, parts.pdfs().get(0));
    assertTrue(parts.filenames().get(0).endsWith(".pdf"));
    assertEquals(1, parts.text().size(), "a plain-text body");
    assertTrue(parts.text().get(0).contains("Globex <Corp>"), parts.text().get(0));
    assertEquals(1, parts.html().size(), "an HTML body");
    assertTrue(parts.html().get(0).contains("Globex &lt;Corp&gt;"), "the client's name is escaped in HTML");

    Thread.sleep(500);
    assertEquals(1, to(smtp, client).size(), "exactly one mail");
    assertEquals(0, expect(200, api.get("/api/notifications", ada.token())).json().getJsonArray("items").size(),
        "the issuer is not told about their own invoice");
  }

  @Test
  void usersGetEmailForTheKindsTheyLeaveOnAndSeeItsStatus() {
    Session ada = alone("Ada");
    String teamId = teamOf(api, ada);
    assertTrue(expect(200, api.get("/api/me/notification-settings", ada.token())).json().getBoolean("emailEnabled"));
    expect(200, api.call(HttpMethod.PUT, "/api/me/notification-settings", ada.token(),
        new JsonObject().put("email", new JsonObject().put("invoice_overdue", false))));
    billing.overdue(teamId, "INV-OFF");
    eventually(() -> expect(200, api.get("/api/notifications", ada.token())).json().getJsonArray("items").size() == 1,
        "the in-app notification");
    assertNull(expect(200, api.get("/api/notifications", ada.token())).json().getJsonArray("items").getJsonObject(0)
        .getValue("email"), "no email for a kind turned off");

    expect(200, api.call(HttpMethod.PUT, "/api/me/notification-settings", ada.token(),
        new JsonObject().put("email", new JsonObject().put("invoice_overdue", true))));
    billing.overdue(teamId, "INV-ON");
    waitFor(smtp, ada.email(), 1);
    eventually(() -> {
      JsonObject newest = expect(200, api.get("/api/notifications", ada.token())).json().getJsonArray("items")
          .getJsonObject(0);
      return newest.getJsonObject("email") != null && "sent".equals(newest.getJsonObject("email").getString("status"));
    }, "the notification shows its email sent");
    try {
      assertEquals(1, to(smtp, ada.email()).size());
      assertTrue(to(smtp, ada.email()).get(0).getSubject().contains("INV-ON"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theOutboxSurvivesAnSmtpOutageAndANodeRestartAndSendsExactlyOnce() throws Exception {
    int port = TestNodes.freePort();
    JsonObject config = withSmtp(TestNodes.config(), port);
    Node first = TestNodes.start(config);
    Api firstApi = new Api(clientVertx, first.httpPort());
    FakeBilling firstBilling = new FakeBilling(first.vertx());
    Session ada = firstApi.signup("Ada");
    String teamId = firstApi.createTeam(ada, "Acme");
    firstBilling.issue(teamId, ada.id(), CLIENT);
    eventually(() -> firstBilling.documentsServed.get() >= 2, "two failed attempts while SMTP is down");
    firstBilling.close();
    firstApi.close();
    first.close().await();

    Node second = TestNodes.start(config);
    FakeBilling secondBilling = new FakeBilling(second.vertx());
    GreenMail late = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
    try {
      Thread.sleep(500);
      late.start();
      waitFor(late, CLIENT, 1);
      Thread.sleep(1_500);
      assertEquals(1, to(late, CLIENT).size(), "exactly one mail after the outage and the restart");
      Parts parts = parts(to(late, CLIENT).get(0));
      assertArrayEquals(FakeBilling.PDF, parts.pdfs().get(0));
      assertTrue(secondBilling.documentsServed.get() >= 1, "the restarted node sent it");
    } finally {
      late.stop();
      secondBilling.close();
      second.close().await();
    }
  }

  @Test
  void anEmailThatCannotBeSentEndsFailedAndTheUserSeesWhy() {
    int port = TestNodes.freePort(); // nothing listens there
    Node failing = TestNodes.start(withSmtp(TestNodes.config(), port).put("TRCR_MAIL_MAX_ATTEMPTS", 2));
    Api failingApi = new Api(clientVertx, failing.httpPort());
    FakeBilling failingBilling = new FakeBilling(failing.vertx());
    try {
      Session ada = failingApi.signup("Ada");
      String teamId = failingApi.createTeam(ada, "Acme");
      failingBilling.overdue(teamId, "INV-9");
      eventually(() -> {
        var items = expect(200, failingApi.get("/api/notifications", ada.token())).json().getJsonArray("items");
        return items.size() == 1 && items.getJsonObject(0).getJsonObject("email") != null
            && "failed".equals(items.getJsonObject(0).getJsonObject("email").getString("status"));
      }, "the email marked failed after its last attempt");
      JsonObject email = expect(200, failingApi.get("/api/notifications", ada.token())).json().getJsonArray("items")
          .getJsonObject(0).getJsonObject("email");
      assertNotNull(email.getString("error"), "with the reason");
    } finally {
      failingBilling.close();
      failingApi.close();
      failing.close().await();
    }
  }
}
