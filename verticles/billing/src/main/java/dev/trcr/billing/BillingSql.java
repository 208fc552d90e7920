package dev.trcr.billing;

/** Every SQL statement of the billing verticle, in one place. */
final class BillingSql {

  private BillingSql() {
  }

  static final String CLIENT_COLUMNS = "id, team_id, name, email, address, currency, tax_rate, payment_terms_days, "
      + "created_at, updated_at";

  static final String INSERT_CLIENT =
      "INSERT INTO billing.clients (id, team_id, name, email, address, currency, tax_rate, payment_terms_days) "
          + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING " + CLIENT_COLUMNS;
  static final String CLIENTS = "SELECT " + CLIENT_COLUMNS + " FROM billing.clients WHERE team_id = $1 "
      + "ORDER BY lower(name), id";
  static final String CLIENT = "SELECT " + CLIENT_COLUMNS + " FROM billing.clients WHERE team_id = $1 AND id = $2";
  static final String CLIENT_FOR_UPDATE = CLIENT + " FOR UPDATE";
  static final String UPDATE_CLIENT =
      "UPDATE billing.clients SET name = $3, email = $4, address = $5, currency = $6, tax_rate = $7, "
          + "payment_terms_days = $8, updated_at = now() WHERE team_id = $1 AND id = $2 RETURNING " + CLIENT_COLUMNS;

  static final String SETTINGS =
      "SELECT team_id, number_pattern, seller_address, seller_tax_id FROM billing.teams WHERE team_id = $1";
  static final String UPSERT_SETTINGS =
      "INSERT INTO billing.teams (team_id, number_pattern, seller_address, seller_tax_id) VALUES ($1, $2, $3, $4) "
          + "ON CONFLICT (team_id) DO UPDATE SET number_pattern = $2, seller_address = $3, seller_tax_id = $4, "
          + "updated_at = now() RETURNING team_id, number_pattern, seller_address, seller_tax_id";
  /**
   * The team's next invoice number. The row stays locked until the issuing transaction ends: issues of one team run
   * one after another, and a rollback gives the number back (see V1__clients_invoices.sql).
   */
  static final String NEXT_NUMBER =
      "INSERT INTO billing.teams (team_id, last_number) VALUES ($1, 1) ON CONFLICT (team_id) DO UPDATE "
          + "SET last_number = billing.teams.last_number + 1 RETURNING last_number, number_pattern, now() AS now";

  static final String INVOICE_COLUMNS = "id, team_id, client_id, status, number, seq, period_from, period_to, "
      + "group_by, rounding_minutes, rounding_mode, notes, client_name, client_email, client_address, currency, "
      + "tax_rate, payment_terms_days, subtotal, tax, total, paid, created_by, created_at, issued_at, due_at, "
      + "overdue_at, paid_at, voided_at";

  static final String INSERT_DRAFT =
      "INSERT INTO billing.invoices (id, team_id, client_id, status, period_from, period_to, group_by, "
          + "rounding_minutes, rounding_mode, notes, client_name, client_email, client_address, currency, tax_rate, "
          + "payment_terms_days, created_by) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
          + "$14, $15, $16)";
  static final String DELETE_INVOICE = "DELETE FROM billing.invoices WHERE id = $1 AND status = 'draft'";
  static final String INSERT_LINE =
      "INSERT INTO billing.invoice_lines (invoice_id, position, description, project_id, task_id, user_id, seconds, "
          + "rate, amount) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
  static final String INSERT_ENTRY = "INSERT INTO billing.invoice_entries (entry_id, invoice_id) VALUES ($1, $2)";
  static final String SET_TOTALS =
      "UPDATE billing.invoices SET subtotal = $2, tax = $3, total = $4 WHERE id = $1 RETURNING " + INVOICE_COLUMNS;

  static final String INVOICE = "SELECT " + INVOICE_COLUMNS + " FROM billing.invoices WHERE team_id = $1 AND id = $2";
  static final String INVOICE_FOR_UPDATE = INVOICE + " FOR UPDATE";
  static final String LINES = "SELECT position, description, project_id, task_id, user_id, seconds, rate, amount "
      + "FROM billing.invoice_lines WHERE invoice_id = $1 ORDER BY position";
  static final String PAYMENTS = "SELECT id, amount, paid_at, note, created_by, created_at FROM billing.payments "
      + "WHERE invoice_id = $1 ORDER BY paid_at, created_at, id";
  static final String ENTRY_IDS = "SELECT entry_id FROM billing.invoice_entries WHERE invoice_id = $1";

  /** Newest first; {@code overdue} as a status filter means issued and past due. Keyset on (created_at, id). */
  static final String LIST =
      "SELECT " + INVOICE_COLUMNS + " FROM billing.invoices WHERE team_id = $1 "
          + "AND ($2::text IS NULL OR status = $2 OR ($2 = 'overdue' AND status = 'issued' AND due_at < now())) "
          + "AND ($3::uuid IS NULL OR client_id = $3) "
          + "AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid)) "
          + "ORDER BY created_at DESC, id DESC LIMIT $6";

  static final String ISSUE =
      "UPDATE billing.invoices SET status = 'issued', number = $2, seq = $3, issued_at = now(), "
          + "due_at = now() + make_interval(days => payment_terms_days) WHERE id = $1 RETURNING " + INVOICE_COLUMNS;
  static final String INSERT_PAYMENT =
      "INSERT INTO billing.payments (id, invoice_id, amount, paid_at, note, created_by) VALUES ($1, $2, $3, $4, $5, $6)";
  static final String ADD_PAYMENT =
      "UPDATE billing.invoices SET paid = paid + $2, "
          + "status = CASE WHEN paid + $2 >= total THEN 'paid' ELSE status END, "
          + "paid_at = CASE WHEN paid + $2 >= total THEN $3 ELSE paid_at END WHERE id = $1 RETURNING " + INVOICE_COLUMNS;
  static final String VOID =
      "UPDATE billing.invoices SET status = 'void', voided_at = now() WHERE id = $1 RETURNING " + INVOICE_COLUMNS;
  static final String DEACTIVATE_ENTRIES = "UPDATE billing.invoice_entries SET active = false WHERE invoice_id = $1";

  /** The overdue job: marks each issued, unpaid invoice past its due date once, ever. */
  static final String MARK_OVERDUE =
      "UPDATE billing.invoices SET overdue_at = now() WHERE status = 'issued' AND due_at < now() "
          + "AND overdue_at IS NULL RETURNING " + INVOICE_COLUMNS;

  static final String OWE_RELEASE =
      "INSERT INTO billing.owed_releases (invoice_id, team_id) VALUES ($1, $2) ON CONFLICT (invoice_id) DO NOTHING";
  static final String OWED_RELEASES =
      "SELECT invoice_id, team_id, created_at < now() - interval '2 minutes' AS settled FROM billing.owed_releases "
          + "ORDER BY created_at LIMIT 200";
  static final String RELEASE_PAID = "DELETE FROM billing.owed_releases WHERE invoice_id = $1";
}
