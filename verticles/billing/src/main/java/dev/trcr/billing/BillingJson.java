package dev.trcr.billing;

import dev.trcr.kernel.Times;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/** How billing's rows look on the wire: clients, settings, invoices and lines, money as decimal strings. */
final class BillingJson {

  private BillingJson() {
  }

  static JsonObject client(Row r) {
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("teamId", r.getUUID("team_id").toString())
        .put("name", r.getString("name"))
        .put("email", r.getString("email"))
        .put("address", r.getString("address"))
        .put("currency", r.getString("currency"))
        .put("taxRatePercent", Money.rateText(r.getBigDecimal("tax_rate"), 2))
        .put("paymentTermsDays", r.getInteger("payment_terms_days"))
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")))
        .put("updatedAt", Times.iso(r.getOffsetDateTime("updated_at")));
  }

  static JsonObject settings(UUID teamId, Row r) {
    return new JsonObject().put("teamId", teamId.toString())
        .put("invoiceNumberPattern", r == null ? NumberPattern.DEFAULT : r.getString("number_pattern"))
        .put("sellerAddress", r == null ? null : r.getString("seller_address"))
        .put("sellerTaxId", r == null ? null : r.getString("seller_tax_id"));
  }

  static JsonObject line(int position, String description, UUID projectId, UUID taskId, UUID userId,
                         long seconds, BigDecimal rate, BigDecimal amount, int digits) {
    return new JsonObject().put("position", position).put("description", description)
        .put("projectId", projectId.toString()).put("taskId", taskId == null ? null : taskId.toString())
        .put("userId", userId == null ? null : userId.toString()).put("seconds", seconds)
        .put("hours", BigDecimal.valueOf(seconds).divide(Money.SECONDS_PER_HOUR, 2, RoundingMode.HALF_UP)
            .toPlainString())
        .put("rate", Money.rateText(rate, digits)).put("amount", Money.text(amount, digits));
  }

  /** An invoice without lines: list items, events. {@code overdue}: issued, unpaid and past its due date now. */
  static JsonObject invoice(Row r) {
    String currency = r.getString("currency");
    int digits = Money.digits(currency);
    BigDecimal total = r.getBigDecimal("total");
    BigDecimal paid = r.getBigDecimal("paid");
    String status = r.getString("status");
    OffsetDateTime due = r.getOffsetDateTime("due_at");
    boolean overdue = "issued".equals(status) && due != null && due.toInstant().isBefore(Instant.now());
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("teamId", r.getUUID("team_id").toString())
        .put("clientId", r.getUUID("client_id").toString())
        .put("clientName", r.getString("client_name"))
        .put("clientEmail", r.getString("client_email"))
        .put("clientAddress", r.getString("client_address"))
        .put("status", status)
        .put("number", r.getString("number"))
        .put("from", Times.iso(r.getOffsetDateTime("period_from")))
        .put("to", Times.iso(r.getOffsetDateTime("period_to")))
        .put("groupBy", r.getString("group_by"))
        .put("rounding", new JsonObject().put("minutes", r.getInteger("rounding_minutes"))
            .put("mode", r.getString("rounding_mode")))
        .put("notes", r.getString("notes"))
        .put("currency", currency)
        .put("taxRatePercent", Money.rateText(r.getBigDecimal("tax_rate"), 2))
        .put("paymentTermsDays", r.getInteger("payment_terms_days"))
        .put("subtotal", Money.text(r.getBigDecimal("subtotal"), digits))
        .put("tax", Money.text(r.getBigDecimal("tax"), digits))
        .put("total", Money.text(total, digits))
        .put("paid", Money.text(paid, digits))
        .put("due", Money.text("void".equals(status) ? BigDecimal.ZERO : total.subtract(paid), digits))
        .put("overdue", overdue)
        .put("overdueAt", Times.iso(r.getOffsetDateTime("overdue_at")))
        .put("createdBy", r.getUUID("created_by").toString())
        .put("createdAt", Times.iso(r.getOffsetDateTime("created_at")))
        .put("issuedAt", Times.iso(r.getOffsetDateTime("issued_at")))
        .put("dueAt", Times.iso(due))
        .put("paidAt", Times.iso(r.getOffsetDateTime("paid_at")))
        .put("voidedAt", Times.iso(r.getOffsetDateTime("voided_at")));
  }
}
