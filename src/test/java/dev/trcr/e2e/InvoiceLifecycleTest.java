package dev.trcr.e2e;

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
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openpdf.text.pdf.PdfReader;
import org.openpdf.text.pdf.parser.PdfTextExtractor;

import java.io.InputStream;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole path a customer sees, on one node with every verticle and a real SMTP server: time tracked by two members
 * at their own rates becomes a draft, is issued with the team's first number, mailed to the client with its PDF, falls
 * overdue and tells the team's owner in the app and by mail.
 */
class InvoiceLifecycleTest {

  private static GreenMail smtp;
  private static Node node;
  private static Vertx clientVertx;
  private static Api api;

  @BeforeAll
  static void start() {
    int port = TestNodes.freePort();
    smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    node = TestNodes.start(TestNodes.config()
        .put("TRCR_RATE_LIMIT_PER_SECOND", 0)
        .put("TRCR_SMTP_HOST", "127.0.0.1").put("TRCR_SMTP_PORT", port).put("TRCR_SMTP_TLS", "none")
        .put("TRCR_MAIL_FROM", "billing@trcr.test")
        .put("TRCR_OVERDUE_CHECK_SECONDS", 1).put("TRCR_NOTIFICATIONS_POLL_MS", 200)
        .put("TRCR_MAIL_RETRY_BASE_MS", 200));
    clientVertx = Vertx.vertx();
    api = new Api(clientVertx, node.httpPort());
  }

  @AfterAll
  static void stop() {
    api.close();
    clientVertx.close().await();
    node.close().await();
    smtp.stop();
  }

  @Test
  void trackedTimeIsInvoicedMailedWithItsPdfAndChasedWhenOverdue() throws Exception {
    Session owner = api.signup("Olga Owner");
    Session dev = api.signup("Dora Dev");
    String team = api.createTeam(owner, "Acme Studio");
    api.addMember(owner, team, dev, "member");
    String t = "/api/teams/" + team;
    String project = api.createProject(owner, team, "Website");
    String client = expect(201, api.post(t + "/clients", owner.token(), new JsonObject().put("name", "Globex")
        .put("email", "ap@globex.test").put("currency", "EUR").put("taxRatePercent", "19")
        .put("paymentTermsDays", 0))).json().getString("id");
    expect(200, api.patch(t + "/projects/" + project, owner.token(),
        new JsonObject().put("clientId", client).put("hourlyRate", "100.00")));
    expect(200, api.call(io.vertx.core.http.HttpMethod.PUT, t + "/projects/" + project + "/rates/" + dev.id(),
        owner.token(), new JsonObject().put("hourlyRate", "80.00")));
    // Olga 1.5 h at 100, Dora 2 h 20 min at 80 (her own rate).
    entry(owner, t, project, "2026-10-05T09:00:00Z", "2026-10-05T10:30:00Z");
    entry(dev, t, project, "2026-10-06T13:00:00Z", "2026-10-06T15:20:00Z");

    JsonObject draft = expect(201, api.post(t + "/invoices", owner.token(), new JsonObject().put("clientId", client)
        .put("from", "2026-10-01T00:00:00Z").put("to", "2026-11-01T00:00:00Z").put("groupBy", "entry"))).json();
    // 1.5 × 100 = 150.00; 2.333… × 80 = 186.666… → 186.67; subtotal 336.67; tax 19 % = 63.9673 → 63.97.
    assertEquals("336.67", draft.getString("subtotal"));
    assertEquals("63.97", draft.getString("tax"));
    assertEquals("400.64", draft.getString("total"));

    JsonObject issued = expect(200, api.post(t + "/invoices/" + draft.getString("id") + "/issue", owner.token(),
        new JsonObject())).json();
    String number = issued.getString("number");
    assertTrue(number.matches("INV-\\d{4}-0001"), number);

    MimeMessage toClient = awaitMail("ap@globex.test", 15_000);
    assertNotNull(toClient, "the client gets the invoice by mail");
    assertTrue(toClient.getSubject().contains(number), toClient.getSubject());
    String pdfText = pdfText(toClient);
    assertTrue(pdfText.contains(number), pdfText);
    assertTrue(pdfText.contains("400.64"), pdfText);

    // paymentTermsDays 0: due at issue, so the next overdue pass marks it, once.
    JsonArray notes = awaitNotification(owner, "invoice_overdue", 15_000);
    assertEquals(1, notes.stream().filter(n -> "invoice_overdue".equals(((JsonObject) n).getString("kind"))).count());
    MimeMessage toOwner = awaitMail(owner.email(), 15_000);
    assertNotNull(toOwner, "the owner is told by mail too (email is on by default)");
    JsonObject marked = expect(200, api.get(t + "/invoices/" + draft.getString("id"), owner.token())).json();
    assertTrue(marked.getBoolean("overdue"), marked.encode());

    // Paying it in full closes it.
    JsonObject paid = expect(201, api.post(t + "/invoices/" + draft.getString("id") + "/payments", owner.token(),
        new JsonObject().put("amount", "400.64"))).json();
    JsonObject after = expect(200, api.get(t + "/invoices/" + draft.getString("id"), owner.token())).json();
    assertEquals("paid", after.getString("status"), paid.encode());
    Thread.sleep(2_500);
    assertEquals(1, awaitNotification(owner, "invoice_overdue", 0).stream()
        .filter(n -> "invoice_overdue".equals(((JsonObject) n).getString("kind"))).count(), "chased once");
  }

  private static void entry(Session who, String t, String project, String start, String stop) {
    expect(201, api.post(t + "/time-entries", who.token(), new JsonObject().put("projectId", project)
        .put("startedAt", start).put("stoppedAt", stop).put("description", "design review")));
  }

  private static MimeMessage awaitMail(String to, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    do {
      for (MimeMessage m : smtp.getReceivedMessages()) {
        if (m.getAllRecipients()[0].toString().contains(to)) {
          return m;
        }
      }
      Thread.sleep(100);
    } while (System.currentTimeMillis() < deadline);
    return null;
  }

  private static JsonArray awaitNotification(Session who, String kind, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    JsonArray items;
    do {
      items = expect(200, api.get("/api/notifications", who.token())).json().getJsonArray("items");
      if (items.stream().anyMatch(n -> kind.equals(((JsonObject) n).getString("kind")))) {
        return items;
      }
      Thread.sleep(100);
    } while (System.currentTimeMillis() < deadline);
    return items;
  }

  private static String pdfText(MimeMessage message) throws Exception {
    Multipart parts = (Multipart) message.getContent();
    for (int i = 0; i < parts.getCount(); i++) {
      BodyPart part = parts.getBodyPart(i);
      if (part.getContentType().toLowerCase().contains("application/pdf")) {
        try (InputStream in = part.getInputStream()) {
          PdfReader reader = new PdfReader(in.readAllBytes());
          StringBuilder text = new StringBuilder();
          PdfTextExtractor extractor = new PdfTextExtractor(reader);
          for (int p = 1; p <= reader.getNumberOfPages(); p++) {
            text.append(extractor.getTextFromPage(p)).append('\n');
          }
          return text.toString();
        }
      }
    }
    throw new AssertionError("no PDF attached");
  }
}
