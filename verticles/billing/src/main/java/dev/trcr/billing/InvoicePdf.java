package dev.trcr.billing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.openpdf.text.Document;
import org.openpdf.text.Element;
import org.openpdf.text.Font;
import org.openpdf.text.PageSize;
import org.openpdf.text.Paragraph;
import org.openpdf.text.Phrase;
import org.openpdf.text.pdf.ColumnText;
import org.openpdf.text.pdf.PdfContentByte;
import org.openpdf.text.pdf.PdfPCell;
import org.openpdf.text.pdf.PdfPTable;
import org.openpdf.text.pdf.PdfPageEventHelper;
import org.openpdf.text.pdf.PdfWriter;

import java.awt.Color;
import java.io.ByteArrayOutputStream;

/**
 * An invoice as PDF (OpenPDF, the standard Helvetica font): seller, client, number and dates, one table row per line
 * (description, hours, rate, amount), subtotal, tax with its rate, total and notes. Drafts carry a large "DRAFT"
 * mark on every page. Blocking: call it from {@code executeBlocking}.
 */
final class InvoicePdf {

  private static final Font TITLE = new Font(Font.HELVETICA, 18, Font.BOLD);
  private static final Font BOLD = new Font(Font.HELVETICA, 10, Font.BOLD);
  private static final Font TEXT = new Font(Font.HELVETICA, 10, Font.NORMAL);
  private static final Font SMALL = new Font(Font.HELVETICA, 8, Font.NORMAL, Color.DARK_GRAY);
  private static final Font MARK = new Font(Font.HELVETICA, 96, Font.BOLD, new Color(220, 40, 40));

  private InvoicePdf() {
  }

  /** {@code invoice} as {@code billing.invoices.get} answers it; {@code seller}: name, sellerAddress, sellerTaxId. */
  static byte[] render(JsonObject invoice, JsonObject seller) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Document doc = new Document(PageSize.A4, 48, 48, 56, 56);
    PdfWriter writer = PdfWriter.getInstance(doc, out);
    boolean draft = "draft".equals(invoice.getString("status"));
    boolean voided = "void".equals(invoice.getString("status"));
    if (draft || voided) {
      String mark = draft ? "DRAFT" : "VOID";
      writer.setPageEvent(new PdfPageEventHelper() {
        @Override
        public void onEndPage(PdfWriter w, Document d) {
          PdfContentByte under = w.getDirectContentUnder();
          ColumnText.showTextAligned(under, Element.ALIGN_CENTER, new Phrase(mark, MARK),
              PageSize.A4.getWidth() / 2, PageSize.A4.getHeight() / 2, 45);
        }
      });
    }
    doc.open();
    String currency = invoice.getString("currency");
    String number = invoice.getString("number");
    doc.add(new Paragraph(draft ? "DRAFT invoice" : "Invoice " + number, TITLE));
    doc.add(new Paragraph(" ", SMALL));

    PdfPTable parties = new PdfPTable(2);
    parties.setWidthPercentage(100);
    parties.addCell(block("From", seller.getString("name"), seller.getString("sellerAddress"),
        seller.getString("sellerTaxId") == null ? null : "Tax ID: " + seller.getString("sellerTaxId")));
    parties.addCell(block("Bill to", invoice.getString("clientName"), invoice.getString("clientAddress"),
        invoice.getString("clientEmail")));
    doc.add(parties);
    doc.add(new Paragraph(" ", SMALL));

    PdfPTable facts = new PdfPTable(new float[]{1, 2});
    facts.setWidthPercentage(50);
    facts.setHorizontalAlignment(Element.ALIGN_LEFT);
    fact(facts, "Invoice number", number == null ? "(assigned on issue)" : number);
    fact(facts, "Issue date", day(invoice.getString("issuedAt")));
    fact(facts, "Due date", day(invoice.getString("dueAt")));
    fact(facts, "Period", day(invoice.getString("from")) + " to " + day(invoice.getString("to")));
    fact(facts, "Currency", currency);
    doc.add(facts);
    doc.add(new Paragraph(" ", SMALL));

    PdfPTable lines = new PdfPTable(new float[]{6, 1.3f, 1.6f, 1.8f});
    lines.setWidthPercentage(100);
    lines.setHeaderRows(1);
    header(lines, "Description", Element.ALIGN_LEFT);
    header(lines, "Hours", Element.ALIGN_RIGHT);
    header(lines, "Rate", Element.ALIGN_RIGHT);
    header(lines, "Amount", Element.ALIGN_RIGHT);
    JsonArray items = invoice.getJsonArray("lines", new JsonArray());
    for (Object o : items) {
      JsonObject line = (JsonObject) o;
      lines.addCell(cell(line.getString("description"), TEXT, Element.ALIGN_LEFT));
      lines.addCell(cell(line.getString("hours"), TEXT, Element.ALIGN_RIGHT));
      lines.addCell(cell(line.getString("rate"), TEXT, Element.ALIGN_RIGHT));
      lines.addCell(cell(line.getString("amount"), TEXT, Element.ALIGN_RIGHT));
    }
    total(lines, "Subtotal", invoice.getString("subtotal") + " " + currency, TEXT);
    total(lines, "Tax (" + invoice.getString("taxRatePercent") + " %)", invoice.getString("tax") + " " + currency,
        TEXT);
    total(lines, "Total", invoice.getString("total") + " " + currency, BOLD);
    doc.add(lines);

    if (invoice.getString("notes") != null) {
      doc.add(new Paragraph(" ", SMALL));
      doc.add(new Paragraph("Notes", BOLD));
      doc.add(new Paragraph(invoice.getString("notes"), TEXT));
    }
    doc.close();
    return out.toByteArray();
  }

  private static PdfPCell block(String title, String... rows) {
    PdfPCell cell = new PdfPCell();
    cell.setBorder(0);
    cell.addElement(new Paragraph(title, SMALL));
    for (String row : rows) {
      if (row != null) {
        cell.addElement(new Paragraph(row, TEXT));
      }
    }
    return cell;
  }

  private static void fact(PdfPTable table, String name, String value) {
    table.addCell(cell(name, SMALL, Element.ALIGN_LEFT));
    table.addCell(cell(value, TEXT, Element.ALIGN_LEFT));
  }

  private static void header(PdfPTable table, String text, int align) {
    PdfPCell cell = cell(text, BOLD, align);
    cell.setBorderWidthBottom(1);
    cell.setBorder(PdfPCell.BOTTOM);
    table.addCell(cell);
  }

  private static void total(PdfPTable table, String name, String value, Font font) {
    PdfPCell label = cell(name, font, Element.ALIGN_RIGHT);
    label.setColspan(3);
    table.addCell(label);
    table.addCell(cell(value, font, Element.ALIGN_RIGHT));
  }

  private static PdfPCell cell(String text, Font font, int align) {
    PdfPCell cell = new PdfPCell(new Phrase(text == null ? "" : text, font));
    cell.setBorder(0);
    cell.setHorizontalAlignment(align);
    cell.setPaddingBottom(4);
    return cell;
  }

  private static String day(String instant) {
    return instant == null ? "-" : instant.substring(0, 10);
  }
}
