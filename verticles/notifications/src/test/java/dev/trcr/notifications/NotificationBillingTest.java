package dev.trcr.notifications;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.trcr.kernel.Node;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.BodyPart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.trcr.notifications.NotificationsRestTest.eventually;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the real billing verticle: issuing an invoice mails the client its PDF and tells the team's admins, and an
 * invoice due at issue (payment terms 0, the overdue check every second) tells its owners and admins once.
 */
class NotificationBillingTest {

  private static Vertx clientVertx;
  private static GreenMail smtp;
  private static Node node;
  private static Api api;

  @BeforeAll
  static void start() {
    clientVertx = Vertx.vertx();
    int port = TestNodes.freePort();
    smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
    smtp.start();
    node = TestNodes.start(TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        .put("TRCR_NOTIFICATIONS_POLL_MS", 300).put("TRCR_OVERDUE_CHECK_SECONDS", 1)
        .put("TRCR_SMTP_HOST", "127.0.0.1").put("TRCR_SMTP_PORT", port).put("TRCR_SMTP_TLS", "none")
        .put("TRCR_MAIL_RETRY_BASE_MS", 200).put("TRCR_MAIL_RETRY_MAX_MS", 1_000));
    api = new Api(clientVertx, node.httpPort());
  }

  @AfterAll
  static void stop() {
    api.close();
    node.close().await();
    smtp.stop();
    clientVertx.close().await();
  }

  private static List<MimeMessage> to(String address) {
    try {
      List<MimeMessage> out = new ArrayList<>();
      for (MimeMessage m : smtp.getReceivedMessages()) {
        if (Arrays.stream(m.getAllRecipients()).anyMatch(r -> r.toString().contains(address))) {
          out.add(m);
        }
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] attachment(Part part) throws Exception {
    if (part.getContent() instanceof MimeMultipart multi) {
      for (int i = 0; i < multi.getCount(); i++) {
        BodyPart child = multi.getBodyPart(i);
        byte[] found = attachment(child);
        if (found != null) {
          return found;
        }
      }
      return null;
    }
    if (part.getFileName() == null) {
      return null;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    part.getDataHandler().writeTo(bytes);
    return bytes.toByteArray();
  }

  private static JsonArray items(Session who, String kind) {
    JsonArray all = expect(200, api.get("/api/notifications?limit=100", who.token())).json().getJsonArray("items");
    return new JsonArray(all.stream().filter(n -> kind.equals(((JsonObject) n).getString("kind"))).toList());
  }

  @Test
  void anIssuedInvoiceReachesTheClientWithItsPdfAndOverdueReachesOwnersAndAdmins() throws Exception {
    Session owner = api.signup("Olga");
    Session admin = api.signup("Adam");
    Session member = api.signup("Max");
    String teamId = api.createTeam(owner, "Acme Studio");
    api.addMember(owner, teamId, admin, "admin");
    api.addMember(owner, teamId, member, "member");
    String t = "/api/teams/" + teamId;
    String clientEmail = "ap+" + System.nanoTime() + "@globex.example";
    String clientId = expect(201, api.post(t + "/clients", owner.token(), new JsonObject().put("name", "Globex")
        .put("email", clientEmail).put("currency", "EUR").put("taxRatePercent", "19").put("paymentTermsDays", 0)))
        .json().getString("id");
    String projectId = expect(201, api.post(t + "/projects", owner.token(), new JsonObject().put("name", "Website")
        .put("currency", "EUR").put("hourlyRate", "100.00"))).json().getString("id");
    expect(200, api.patch(t + "/projects/" + projectId, owner.token(), new JsonObject().put("clientId", clientId)));
    expect(201, api.post(t + "/time-entries", member.token(), new JsonObject().put("projectId", projectId)
        .put("startedAt", "2026-01-05T09:00:00Z").put("stoppedAt", "2026-01-05T11:00:00Z").put("description", "Hero")));
    String invoiceId = expect(201, api.post(t + "/invoices", owner.token(), new JsonObject().put("clientId", clientId)
        .put("from", "2026-01-01T00:00:00Z").put("to", "2026-02-01T00:00:00Z").put("groupBy", "project")))
        .json().getString("id");
    JsonObject issued = expect(200, api.post(t + "/invoices/" + invoiceId + "/issue", owner.token(), null)).json();
    String number = issued.getString("number");

    eventually(() -> to(clientEmail).size() == 1, "the client's mail");
    MimeMessage mail = to(clientEmail).get(0);
    assertEquals("Invoice " + number + " from Acme Studio", mail.getSubject());
    byte[] pdf = attachment(mail);
    assertTrue(pdf != null && new String(pdf, 0, 5, StandardCharsets.US_ASCII).equals("%PDF-"), "the PDF attached");

    eventually(() -> items(admin, "invoice_issued").size() == 1, "the admin told of the issue");
    assertTrue(items(admin, "invoice_issued").getJsonObject(0).getString("title").contains(number));
    assertEquals(0, items(owner, "invoice_issued").size(), "not the issuer");
    assertEquals(0, items(member, "invoice_issued").size(), "not a member");

    eventually(() -> items(owner, "invoice_overdue").size() == 1 && items(admin, "invoice_overdue").size() == 1,
        "owners and admins told it is overdue");
    Thread.sleep(2_500); // more overdue checks and polls
    assertEquals(1, items(owner, "invoice_overdue").size());
    assertEquals(1, items(admin, "invoice_overdue").size());
    assertEquals(0, items(member, "invoice_overdue").size());
    assertEquals(1, to(clientEmail).size(), "the client got one mail");
    eventually(() -> to(owner.email()).size() == 1, "the owner's overdue email (settings default on)");
  }
}
