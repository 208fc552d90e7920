package dev.trcr.billing;

import dev.trcr.kernel.Address;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openpdf.text.pdf.PdfReader;
import org.openpdf.text.pdf.parser.PdfTextExtractor;

import java.util.Base64;
import java.util.List;

import static dev.trcr.billing.BillingFixture.JAN;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invoices as PDF (text extracted back out of the file) and the team's invoices as CSV. */
class BillingDocumentsTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));

  private static WebClient raw;

  @BeforeAll
  static void openRawClient() {
    raw = WebClient.create(NODE.clientVertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(NODE.node().httpPort()));
  }

  @AfterAll
  static void closeRawClient() {
    raw.close();
  }

  private static HttpResponse<Buffer> download(String path, String token) {
    return raw.request(HttpMethod.GET, path).putHeader("Authorization", "Bearer " + token).send().await();
  }

  private static String text(byte[] pdf) throws Exception {
    PdfReader reader = new PdfReader(pdf);
    try {
      PdfTextExtractor extractor = new PdfTextExtractor(reader);
      StringBuilder out = new StringBuilder();
      for (int page = 1; page <= reader.getNumberOfPages(); page++) {
        out.append(extractor.getTextFromPage(page)).append('\n');
      }
      return out.toString();
    } finally {
      reader.close();
    }
  }

  @Test
  void theInvoicePdfShowsSellerClientNumberLinesAndTotals() throws Exception {
    BillingFixture f = new BillingFixture(NODE.api(), "100.00", "EUR", 14);
    expect(200, NODE.api().call(HttpMethod.PUT, f.path("/billing-settings"), f.owner.token(), new JsonObject()
        .put("sellerAddress", "2 Studio Lane, Berlin").put("sellerTaxId", "DE999")));
    String app = f.project("Mobile app", "80", "EUR");
    f.entry(f.owner, f.projectId, JAN.plusSeconds(3600), 5400, "Hero");
    f.entry(f.member, app, JAN.plusSeconds(7200), 1000, "Login");
    JsonObject draft = expect(201, f.draft(f.owner, f.draftBody("entry").put("notes", "Payable by wire"))).json();
    String id = draft.getString("id");

    HttpResponse<Buffer> draftPdf = download(f.path("/invoices/" + id + "/pdf"), f.owner.token());
    assertEquals(200, draftPdf.statusCode(), draftPdf.bodyAsString());
    assertEquals("application/pdf", draftPdf.getHeader("content-type"));
    assertTrue(draftPdf.getHeader("content-disposition").contains("draft-" + id + ".pdf"));
    String draftText = text(draftPdf.body().getBytes());
    assertTrue(draftText.contains("DRAFT"), draftText);

    JsonObject issued = f.issue(id);
    HttpResponse<Buffer> pdf = download(f.path("/invoices/" + id + "/pdf"), f.admin.token());
    assertEquals(200, pdf.statusCode());
    assertTrue(pdf.getHeader("content-disposition").contains("attachment; filename=\"" + issued.getString("number")
        + ".pdf\""), pdf.getHeader("content-disposition"));
    String text = text(pdf.body().getBytes());
    assertFalse(text.contains("DRAFT"), text);
    for (String expected : List.of(issued.getString("number"), "Acme Studio", "2 Studio Lane, Berlin", "DE999",
        "Globex", "1 Globex Way, Springfield", "ap@globex.example", "Payable by wire", "EUR",
        issued.getString("issuedAt").substring(0, 10), issued.getString("dueAt").substring(0, 10),
        "172.22", "32.72", "204.94", "19.00 %")) {
      assertTrue(text.contains(expected), expected + " missing from:\n" + text);
    }
    JsonArray lines = issued.getJsonArray("lines");
    assertEquals(2, lines.size());
    for (Object o : lines) {
      JsonObject line = (JsonObject) o;
      for (String field : List.of("description", "hours", "rate", "amount")) {
        assertTrue(text.contains(line.getString(field)), field + " " + line.getString(field) + " missing:\n" + text);
      }
    }
    assertEquals(403, download(f.path("/invoices/" + id + "/pdf"), f.member.token()).statusCode());

    // the internal command the notifications verticle mails
    JsonObject doc = NODE.node().vertx().eventBus().<JsonObject>request(Address.BILLING_INVOICES_DOCUMENT.address(),
        new JsonObject().put("teamId", f.teamId).put("invoiceId", id)).await().body();
    assertEquals(issued.getString("number") + ".pdf", doc.getString("filename"));
    assertEquals(issued.getString("number"), doc.getJsonObject("invoice").getString("number"));
    assertTrue(text(Base64.getDecoder().decode(doc.getString("pdf"))).contains("204.94"));
  }

  @Test
  void invoicesExportAsCsvPageByPage() {
    BillingFixture f = new BillingFixture(NODE.api(), "100.00", "EUR", 14);
    int count = 205; // more than one page of the list command (200)
    for (int i = 0; i < count; i++) {
      f.entry(f.owner, f.projectId, JAN.plusSeconds(3600L * (i + 1)), 60, "e" + i);
    }
    // one entry per draft: the period of each draft holds one entry
    for (int i = 0; i < count; i++) {
      java.time.Instant from = JAN.plusSeconds(3600L * (i + 1));
      expect(201, f.draft(f.owner, f.draftBody("project").put("from", from.toString())
          .put("to", from.plusSeconds(60).toString())));
    }
    HttpResponse<Buffer> csv = download(f.path("/invoices.csv"), f.owner.token());
    assertEquals(200, csv.statusCode(), csv.bodyAsString());
    assertEquals("text/csv; charset=utf-8", csv.getHeader("content-type"));
    String body = csv.bodyAsString();
    String[] rows = body.split("\r\n", -1);
    assertEquals(count + 2, rows.length, "header, one row per invoice, and the final CRLF");
    assertTrue(rows[0].startsWith("id,number,status,clientId,client,"), rows[0]);
    assertTrue(rows[1].contains(",draft,") && rows[1].contains(",Globex,ap@globex.example,EUR,1.67,0.32,1.99,"),
        rows[1]);
    assertEquals("", rows[rows.length - 1]);
    assertEquals(403, download(f.path("/invoices.csv"), f.member.token()).statusCode());
  }
}
