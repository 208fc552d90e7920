package dev.trcr.billing;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Config;
import dev.trcr.kernel.Database;
import dev.trcr.kernel.DomainStore;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.Journal;
import dev.trcr.kernel.Keyset;
import dev.trcr.kernel.Metrics;
import dev.trcr.kernel.TeamAccess;
import dev.trcr.kernel.Times;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Clients, invoices, payments and each team's invoice numbers. Time entries are the timers' (claimed onto a draft
 * with {@code timers.entries.claim}, released when the draft is deleted or the invoice voided); projects, rates and
 * members are the workspace's ({@code workspace.projects.billing}, {@code workspace.directory}); roles come from
 * {@code workspace.access}. Every change journals its {@code team.{teamId}.billing} event (and the global
 * {@code events.invoice.*} streams) in its transaction and publishes after commit. All money is exact
 * ({@link Money}); PDFs are rendered on a worker ({@link InvoicePdf}).
 */
public final class BillingVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(BillingVerticle.class.getName());
  private static final Set<String> STATUSES = Set.of("draft", "issued", "paid", "void", "overdue");
  private static final String OVERDUE_LOCK = "trcr.billing.overdue";
  private static final int NAME_MAX = 200;
  private static final int ADDRESS_MAX = 1_000;
  private static final int NOTES_MAX = 5_000;
  private static final int TERMS_MAX = 3_650;

  private DomainStore store;
  private Pool pool;
  private Journal journal;
  private long overdueTimer = -1;
  private long releaseTimer = -1;
  private boolean overdueRunning;

  @Override
  public Future<?> start() {
    return DomainStore.open(vertx, config(), "billing").compose(opened -> {
      store = opened;
      pool = store.pool();
      journal = store.journal();
      long every = Math.max(1, Config.integer(config(), "TRCR_OVERDUE_CHECK_SECONDS")) * 1000L;
      overdueTimer = vertx.setPeriodic(every, id -> markOverdue());
      releaseTimer = vertx.setPeriodic(Math.max(100, Config.integer(config(), "TRCR_BILLING_RELEASE_SWEEP_MS")),
          id -> sweepOwedReleases());
      return store.commands()
          .on(Address.BILLING_JOURNAL_READ, journal::read)
          .on(Address.BILLING_JOURNAL_FEED, journal::feed)
          .on(Address.BILLING_CLIENTS_CHECK, this::checkClient)
          .idempotent(Address.BILLING_CLIENTS_CREATE, this::createClient)
          .on(Address.BILLING_CLIENTS_LIST, this::listClients)
          .on(Address.BILLING_CLIENTS_GET, this::getClient)
          .idempotent(Address.BILLING_CLIENTS_UPDATE, this::updateClient)
          .on(Address.BILLING_CLIENTS_UNBILLED, this::unbilled)
          .on(Address.BILLING_SETTINGS_GET, this::settings)
          .idempotent(Address.BILLING_SETTINGS_SET, this::setSettings)
          .idempotent(Address.BILLING_INVOICES_CREATE, this::createInvoice)
          .on(Address.BILLING_INVOICES_PREVIEW, this::preview)
          .on(Address.BILLING_INVOICES_LIST, this::listInvoices)
          .on(Address.BILLING_INVOICES_GET, this::getInvoice)
          .idempotent(Address.BILLING_INVOICES_DELETE, this::deleteInvoice)
          .idempotent(Address.BILLING_INVOICES_ISSUE, this::issue)
          .idempotent(Address.BILLING_INVOICES_PAY, this::pay)
          .idempotent(Address.BILLING_INVOICES_VOID, this::voidInvoice)
          .on(Address.BILLING_INVOICES_PDF, this::pdf)
          .on(Address.BILLING_INVOICES_DOCUMENT, this::document)
          .ready();
    });
  }

  @Override
  public Future<?> stop() {
    if (overdueTimer != -1) {
      vertx.cancelTimer(overdueTimer);
    }
    if (releaseTimer != -1) {
      vertx.cancelTimer(releaseTimer);
    }
    return store == null ? Future.succeededFuture() : store.close();
  }

  // --- clients ------------------------------------------------------------------------------------------------------

  /** Internal: workspace asks before it links a project to a client. */
  private Future<JsonObject> checkClient(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID clientId = in.uuid("clientId");
    return client(pool, teamId, clientId, false).map(r -> new JsonObject().put("id", clientId.toString())
        .put("name", r.getString("name")).put("currency", r.getString("currency")));
  }

  private Future<JsonObject> createClient(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    String name = in.string("name", 1, NAME_MAX);
    String email = in.email("email");
    String address = in.optionalString("address", ADDRESS_MAX);
    String currency = currency(in, "EUR");
    BigDecimal tax = taxRate(in, BigDecimal.ZERO);
    int terms = in.integer("paymentTermsDays", 0, TERMS_MAX, 14);
    UUID id = UUID.randomUUID();
    return manager(teamId, caller).compose(role -> Database.transaction(pool, conn -> conn
            .preparedQuery(BillingSql.INSERT_CLIENT)
            .execute(Tuple.from(new Object[]{id, teamId, name, email, address, currency, tax, terms}))
            .compose(rows -> {
              JsonObject client = BillingJson.client(rows.iterator().next());
              return journal.record(conn, msg, Journal.Change.created(teamId, "client", id, client)).map(client);
            })))
        .recover(BillingVerticle::nameTaken);
  }

  private Future<JsonArray> listClients(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    return manager(teamId, caller).compose(role -> pool.preparedQuery(BillingSql.CLIENTS).execute(Tuple.of(teamId)))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(r -> out.add(BillingJson.client(r)));
          return out;
        });
  }

  private Future<JsonObject> getClient(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID clientId = in.uuid("clientId");
    return manager(teamId, caller).compose(role -> client(pool, teamId, clientId, false)).map(BillingJson::client);
  }

  private Future<JsonObject> updateClient(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID clientId = in.uuid("clientId");
    String name = in.present("name") ? in.string("name", 1, NAME_MAX) : null;
    String email = in.present("email") ? in.email("email") : null;
    boolean addressGiven = in.present("address");
    String address = in.optionalString("address", ADDRESS_MAX);
    String currency = in.present("currency") ? currency(in, null) : null;
    BigDecimal tax = in.present("taxRatePercent") ? taxRate(in, null) : null;
    Integer terms = in.present("paymentTermsDays") ? in.integer("paymentTermsDays", 0, TERMS_MAX, -1) : null;
    if (terms != null && terms < 0) {
      throw ErrorCode.VALIDATION_FAILED.field("paymentTermsDays", "paymentTermsDays must be a whole number");
    }
    return manager(teamId, caller).compose(role -> Database.transaction(pool, conn ->
            client(conn, teamId, clientId, true).compose(r -> conn.preparedQuery(BillingSql.UPDATE_CLIENT)
                .execute(Tuple.from(new Object[]{teamId, clientId,
                    name != null ? name : r.getString("name"),
                    email != null ? email : r.getString("email"),
                    addressGiven ? address : r.getString("address"),
                    currency != null ? currency : r.getString("currency"),
                    tax != null ? tax : r.getBigDecimal("tax_rate"),
                    terms != null ? terms : r.getInteger("payment_terms_days")}))
                .compose(rows -> {
                  JsonObject client = BillingJson.client(rows.iterator().next());
                  return journal.record(conn, msg, Journal.Change.updated(teamId, "client", clientId,
                      BillingJson.client(r), client)).map(client);
                }))))
        .recover(BillingVerticle::nameTaken);
  }

  private static <T> Future<T> nameTaken(Throwable e) {
    return Future.failedFuture(Database.isUniqueViolation(e, "clients_team_name_key")
        ? ErrorCode.CLIENT_NAME_TAKEN.field("name", "the team has a client of that name") : e);
  }

  private Future<Row> client(io.vertx.sqlclient.SqlClient sql, UUID teamId, UUID clientId, boolean lock) {
    return sql.preparedQuery(lock ? BillingSql.CLIENT_FOR_UPDATE : BillingSql.CLIENT).execute(Tuple.of(teamId, clientId))
        .map(rows -> {
          Row r = first(rows);
          if (r == null) {
            throw ErrorCode.CLIENT_NOT_FOUND.field("clientId", "no such client in this team");
          }
          return r;
        });
  }

  /** The client's unbilled time, running timers up to now, priced like an invoice but without rounding. */
  private Future<JsonObject> unbilled(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID clientId = in.uuid("clientId");
    return manager(teamId, caller).compose(role -> client(pool, teamId, clientId, false)).compose(client -> {
      String currency = client.getString("currency");
      int digits = Money.digits(currency);
      return projects(teamId, clientId).compose(projects -> {
        if (projects.isEmpty()) {
          return Future.succeededFuture(new JsonObject().put("seconds", 0L).put("amount", Money.text(BigDecimal.ZERO,
              digits)).put("currency", currency).put("unpricedSeconds", 0L));
        }
        JsonObject ask = new JsonObject().put("teamId", teamId.toString()).put("projectIds", ids(projects.keySet()));
        return Bus.<JsonObject>request(vertx, Address.TIMERS_ENTRIES_UNBILLED, ask, null).map(reply -> {
          Instant now = Instant.parse(reply.getString("now"));
          long seconds = 0;
          long unpriced = 0;
          // Σ seconds × rate, divided by 3600 and rounded once at the end.
          BigDecimal rateSeconds = BigDecimal.ZERO;
          List<JsonObject> all = new ArrayList<>();
          reply.getJsonArray("entries", new JsonArray()).forEach(e -> all.add((JsonObject) e));
          reply.getJsonArray("running", new JsonArray()).forEach(e -> all.add((JsonObject) e));
          for (JsonObject e : all) {
            Money.Project project = projects.get(UUID.fromString(e.getString("projectId")));
            if (project == null) {
              continue;
            }
            Long duration = e.getLong("durationSeconds");
            long s = e.getString("stoppedAt") != null && duration != null ? duration
                : Math.max(0, now.getEpochSecond() - Instant.parse(e.getString("startedAt")).getEpochSecond());
            seconds += s;
            BigDecimal rate = project.rateOf(UUID.fromString(e.getString("userId")));
            if (rate == null || !currency.equals(project.currency())) {
              unpriced += s;
            } else {
              rateSeconds = rateSeconds.add(BigDecimal.valueOf(s).multiply(rate));
            }
          }
          BigDecimal amount = rateSeconds.divide(Money.SECONDS_PER_HOUR, digits, java.math.RoundingMode.HALF_UP);
          return new JsonObject().put("seconds", seconds).put("amount", Money.text(amount, digits))
              .put("currency", currency).put("unpricedSeconds", unpriced);
        });
      });
    });
  }

  // --- settings -----------------------------------------------------------------------------------------------------

  private Future<JsonObject> settings(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    UUID teamId = Input.of(msg.body()).uuid("teamId");
    return manager(teamId, caller).compose(role -> pool.preparedQuery(BillingSql.SETTINGS).execute(Tuple.of(teamId)))
        .map(rows -> BillingJson.settings(teamId, first(rows)));
  }

  /** Fields absent from the body keep their value; null clears sellerAddress and sellerTaxId. */
  private Future<JsonObject> setSettings(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    NumberPattern pattern = in.present("invoiceNumberPattern")
        ? NumberPattern.of(rawString(msg.body(), "invoiceNumberPattern")) : null;
    boolean addressGiven = in.present("sellerAddress");
    String address = in.optionalString("sellerAddress", ADDRESS_MAX);
    boolean taxIdGiven = in.present("sellerTaxId");
    String taxId = in.optionalString("sellerTaxId", 100);
    return manager(teamId, caller).compose(role -> Database.transaction(pool, conn ->
            conn.preparedQuery(BillingSql.SETTINGS + " FOR UPDATE").execute(Tuple.of(teamId)).compose(rows -> {
              JsonObject now = BillingJson.settings(teamId, first(rows));
              return conn.preparedQuery(BillingSql.UPSERT_SETTINGS).execute(Tuple.of(teamId,
                  pattern != null ? pattern.text() : now.getString("invoiceNumberPattern"),
                  addressGiven ? address : now.getString("sellerAddress"),
                  taxIdGiven ? taxId : now.getString("sellerTaxId")))
                  .compose(updated -> {
                    JsonObject settings = BillingJson.settings(teamId, first(updated));
                    return journal.record(conn, msg, Journal.Change.updated(teamId, "billing_settings", teamId,
                        now, settings)).map(settings);
                  });
            })));
  }

  // --- drafts -------------------------------------------------------------------------------------------------------

  /** What a draft (or its preview) is made of. */
  private record Draft(UUID teamId, UUID clientId, Instant from, Instant to, Money.Rounding rounding,
                       Money.GroupBy groupBy, String notes) {

    static Draft of(Input in, JsonObject body) {
      UUID teamId = in.uuid("teamId");
      UUID clientId = in.uuid("clientId");
      Instant from = in.instant("from");
      Instant to = in.instant("to");
      if (!to.isAfter(from)) {
        throw ErrorCode.VALIDATION_FAILED.field("to", "to must be after from");
      }
      Money.GroupBy groupBy = Money.GroupBy.valueOf(in.oneOf("groupBy", Set.of("project", "task", "entry"), "project")
          .toUpperCase(Locale.ROOT));
      String notes = in.optionalString("notes", NOTES_MAX);
      return new Draft(teamId, clientId, from, to, parseRounding(body.getValue("rounding")), groupBy, notes);
    }

    JsonObject window() {
      return new JsonObject().put("teamId", teamId.toString()).put("from", from.toString()).put("to", to.toString());
    }
  }

  private static Money.Rounding parseRounding(Object raw) {
    if (raw == null) {
      return Money.Rounding.NONE;
    }
    if (!(raw instanceof JsonObject r)) {
      throw ErrorCode.VALIDATION_FAILED.field("rounding", "rounding must be an object {minutes, mode}");
    }
    Input in = Input.of(r);
    int minutes = in.integer("minutes", 0, 60, 0);
    if (!Money.ROUNDING_MINUTES.contains(minutes)) {
      throw ErrorCode.VALIDATION_FAILED.field("rounding", "rounding.minutes must be one of 0, 1, 5, 6, 10, 15, 30");
    }
    String mode;
    try {
      mode = in.oneOf("mode", Set.of("up", "nearest"), "up");
    } catch (RuntimeException e) {
      throw ErrorCode.VALIDATION_FAILED.field("rounding", "rounding.mode must be up or nearest");
    }
    return new Money.Rounding(minutes, mode.equals("up"));
  }

  /**
   * Inserts the draft, claims the entries from timers, prices them and stores the lines. Anything failing after the
   * claim releases it and deletes the draft, so no entry stays locked by an invoice that does not exist.
   */
  private Future<JsonObject> createInvoice(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    Draft draft = Draft.of(in, msg.body());
    UUID id = UUID.randomUUID();
    List<Journal.Event> events = new ArrayList<>();
    boolean[] claimed = {false};
    return manager(draft.teamId(), caller)
        .compose(role -> client(pool, draft.teamId(), draft.clientId(), false))
        .compose(client -> projects(draft.teamId(), draft.clientId()).compose(projects -> {
          if (projects.isEmpty()) {
            throw ErrorCode.NOTHING_TO_INVOICE.exception("no project is linked to this client");
          }
          return pool.preparedQuery(BillingSql.INSERT_DRAFT).execute(Tuple.from(new Object[]{id, draft.teamId(),
                  draft.clientId(), utc(draft.from()), utc(draft.to()), draft.groupBy().name().toLowerCase(Locale.ROOT),
                  draft.rounding().minutes(), draft.rounding().up() ? "up" : "nearest", draft.notes(),
                  client.getString("name"), client.getString("email"), client.getString("address"),
                  client.getString("currency"), client.getBigDecimal("tax_rate"),
                  client.getInteger("payment_terms_days"), caller}))
              .compose(inserted -> {
                claimed[0] = true;
                JsonObject claim = draft.window().put("invoiceId", id.toString())
                    .put("projectIds", ids(projects.keySet()));
                return Bus.<JsonObject>request(vertx, Address.TIMERS_ENTRIES_CLAIM, claim, null);
              })
              .compose(reply -> {
                List<Money.Entry> entries = entries(reply.getJsonArray("entries"));
                if (entries.isEmpty()) {
                  throw ErrorCode.NOTHING_TO_INVOICE.exception("the client's projects have no stopped, uninvoiced "
                      + "time entries starting in the period");
                }
                return names(draft.teamId(), caller, entries, draft.groupBy()).map(names -> Money.invoice(entries,
                    projects, names, draft.groupBy(), draft.rounding(), client.getString("currency"),
                    client.getBigDecimal("tax_rate")));
              })
              .compose(totals -> Database.transaction(pool, conn -> store(conn, id, totals, client.getString("currency"))
                  .compose(row -> {
                    JsonObject invoice = BillingJson.invoice(row);
                    return record(conn, draft.teamId(), events, "invoice.created", invoice)
                        .compose(ignored -> journal.record(conn, msg,
                            Journal.Change.created(draft.teamId(), "invoice", id, invoice)))
                        .map(row);
                  })));
        }))
        .compose(row -> {
          journal.published(events);
          return full(row);
        })
        .recover(e -> {
          if (!claimed[0]) {
            return Future.failedFuture(e);
          }
          return undo(draft.teamId(), id).transform(ignored -> Future.failedFuture(e));
        });
  }

  /** Lines, entries and totals of a new draft, in one transaction. */
  private Future<Row> store(SqlConnection conn, UUID id, Money.Totals totals, String currency) {
    int digits = Money.digits(currency);
    List<Tuple> lines = new ArrayList<>();
    List<Tuple> entries = new ArrayList<>();
    int position = 0;
    for (Money.Line line : totals.lines()) {
      lines.add(Tuple.from(new Object[]{id, position++, line.description(), line.projectId(), line.taskId(),
          line.userId(), line.seconds(), line.rate(), line.amount()}));
      line.entryIds().forEach(entry -> entries.add(Tuple.of(entry, id)));
    }
    return conn.preparedQuery(BillingSql.INSERT_LINE).executeBatch(lines)
        .compose(ignored -> conn.preparedQuery(BillingSql.INSERT_ENTRY).executeBatch(entries))
        .recover(e -> Future.failedFuture(Database.isUniqueViolation(e, "invoice_entries_live_key")
            ? ErrorCode.ENTRY_LOCKED.exception("a time entry is already on another invoice") : e))
        .compose(ignored -> conn.preparedQuery(BillingSql.SET_TOTALS).execute(Tuple.of(id,
            totals.subtotal().setScale(digits), totals.tax().setScale(digits), totals.total().setScale(digits))))
        .map(rows -> rows.iterator().next());
  }

  /**
   * After a failed draft: drop the draft row and owe timers the release of whatever the claim took, in one
   * transaction; the release is then paid at once and repeated by the sweeper, which also covers a claim that
   * committed in timers after its request had timed out here.
   */
  private Future<Void> undo(UUID teamId, UUID invoiceId) {
    return Database.transaction(pool, conn -> conn.preparedQuery(BillingSql.DELETE_INVOICE).execute(Tuple.of(invoiceId))
            .compose(ignored -> oweRelease(conn, teamId, invoiceId)))
        .compose(ignored -> releaseOwed(teamId, invoiceId))
        .onFailure(e -> LOG.log(System.Logger.Level.WARNING, "could not undo draft " + invoiceId
            + "; delete it to release its entries", e));
  }

  private static Future<Void> oweRelease(SqlConnection conn, UUID teamId, UUID invoiceId) {
    return conn.preparedQuery(BillingSql.OWE_RELEASE).execute(Tuple.of(invoiceId, teamId)).mapEmpty();
  }

  /**
   * Asks timers to release now, so that the entries are editable when the caller gets the answer; a failure is only
   * logged (the void or delete has committed), and the sweeper asks again.
   */
  private Future<Void> releaseOwed(UUID teamId, UUID invoiceId) {
    return release(teamId, invoiceId).recover(e -> {
      LOG.log(System.Logger.Level.INFO, "releasing the entries of invoice " + invoiceId + " failed ("
          + e.getMessage() + "); the sweeper retries");
      return Future.succeededFuture();
    });
  }

  /**
   * Repeats every owed release (idempotent in timers) and forgets it once it is two minutes old and has succeeded:
   * by then no claim request of that invoice can still be in flight.
   */
  private void sweepOwedReleases() {
    pool.preparedQuery(BillingSql.OWED_RELEASES).execute().onSuccess(rows -> rows.forEach(r -> {
      UUID invoiceId = r.getUUID("invoice_id");
      boolean settled = r.getBoolean("settled");
      release(r.getUUID("team_id"), invoiceId)
          .compose(ignored -> settled ? pool.preparedQuery(BillingSql.RELEASE_PAID).execute(Tuple.of(invoiceId))
              .mapEmpty() : Future.succeededFuture())
          .onFailure(e -> LOG.log(System.Logger.Level.DEBUG, "owed release of " + invoiceId + " still failing", e));
    })).onFailure(e -> LOG.log(System.Logger.Level.WARNING, "the owed-release sweep failed", e));
  }

  private Future<JsonObject> preview(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    Draft draft = Draft.of(in, msg.body());
    return manager(draft.teamId(), caller)
        .compose(role -> client(pool, draft.teamId(), draft.clientId(), false))
        .compose(client -> projects(draft.teamId(), draft.clientId()).compose(projects -> {
          String currency = client.getString("currency");
          Future<List<Money.Entry>> entries = projects.isEmpty() ? Future.succeededFuture(List.of())
              : Bus.<JsonObject>request(vertx, Address.TIMERS_ENTRIES_UNBILLED,
                  draft.window().put("projectIds", ids(projects.keySet())), null)
              .map(reply -> entries(reply.getJsonArray("entries")));
          return entries.compose(list -> names(draft.teamId(), caller, list, draft.groupBy()).map(names -> {
            Money.Totals totals = Money.invoice(list, projects, names, draft.groupBy(), draft.rounding(), currency,
                client.getBigDecimal("tax_rate"));
            int digits = Money.digits(currency);
            JsonArray lines = new JsonArray();
            int position = 0;
            for (Money.Line line : totals.lines()) {
              lines.add(BillingJson.line(position++, line.description(), line.projectId(), line.taskId(),
                  line.userId(), line.seconds(), line.rate(), line.amount(), digits));
            }
            return new JsonObject().put("clientId", draft.clientId().toString()).put("currency", currency)
                .put("taxRatePercent", Money.rateText(client.getBigDecimal("tax_rate"), 2))
                .put("lines", lines).put("subtotal", Money.text(totals.subtotal(), digits))
                .put("tax", Money.text(totals.tax(), digits)).put("total", Money.text(totals.total(), digits))
                .put("entries", list.size());
          }));
        }));
  }

  // --- reading invoices ---------------------------------------------------------------------------------------------

  private Future<JsonObject> listInvoices(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    String status = in.has("status") ? in.oneOf("status", STATUSES, null) : null;
    UUID clientId = in.optionalUuid("clientId");
    int limit = in.integer("limit", 1, 200, 50);
    Keyset after = Keyset.decode(in.optionalString("cursor", 200));
    return manager(teamId, caller).compose(role -> pool.preparedQuery(BillingSql.LIST).execute(Tuple.from(
            new Object[]{teamId, status, clientId, after == null ? null : utc(after.at()),
                after == null ? null : after.id(), limit + 1})))
        .map(rows -> Keyset.page(rows, limit, "created_at", BillingJson::invoice));
  }

  private Future<JsonObject> getInvoice(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID invoiceId = in.uuid("invoiceId");
    return manager(teamId, caller).compose(role -> invoiceRow(pool, teamId, invoiceId, false)).compose(this::full);
  }

  private Future<Row> invoiceRow(io.vertx.sqlclient.SqlClient sql, UUID teamId, UUID invoiceId, boolean lock) {
    return sql.preparedQuery(lock ? BillingSql.INVOICE_FOR_UPDATE : BillingSql.INVOICE)
        .execute(Tuple.of(teamId, invoiceId)).map(rows -> {
          Row r = first(rows);
          if (r == null) {
            throw ErrorCode.INVOICE_NOT_FOUND.field("invoiceId", "no such invoice in this team");
          }
          return r;
        });
  }

  /** The invoice with its lines and payments. */
  private Future<JsonObject> full(Row row) {
    UUID id = row.getUUID("id");
    int digits = Money.digits(row.getString("currency"));
    Future<RowSet<Row>> lines = pool.preparedQuery(BillingSql.LINES).execute(Tuple.of(id));
    Future<RowSet<Row>> payments = pool.preparedQuery(BillingSql.PAYMENTS).execute(Tuple.of(id));
    return Future.all(lines, payments).map(ignored -> {
      JsonArray l = new JsonArray();
      for (Row r : lines.result()) {
        l.add(BillingJson.line(r.getInteger("position"), r.getString("description"), r.getUUID("project_id"),
            r.getUUID("task_id"), r.getUUID("user_id"), r.getLong("seconds"), r.getBigDecimal("rate"),
            r.getBigDecimal("amount"), digits));
      }
      JsonArray p = new JsonArray();
      for (Row r : payments.result()) {
        p.add(new JsonObject().put("id", r.getUUID("id").toString())
            .put("amount", Money.text(r.getBigDecimal("amount"), digits))
            .put("paidAt", Times.iso(r.getOffsetDateTime("paid_at"))).put("note", r.getString("note"))
            .put("createdBy", r.getUUID("created_by").toString())
            .put("createdAt", Times.iso(r.getOffsetDateTime("created_at"))));
      }
      return BillingJson.invoice(row).put("lines", l).put("payments", p);
    });
  }

  // --- changing invoices --------------------------------------------------------------------------------------------

  /**
   * Deletes a draft, owing timers the release of its entries in the same transaction (paid right after commit, and
   * by the sweeper if that fails).
   */
  private Future<JsonObject> deleteInvoice(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID invoiceId = in.uuid("invoiceId");
    List<Journal.Event> events = new ArrayList<>();
    return manager(teamId, caller).compose(role -> Database.transaction(pool, conn ->
            invoiceRow(conn, teamId, invoiceId, true).compose(row -> {
              if (!"draft".equals(row.getString("status"))) {
                throw ErrorCode.INVOICE_STATE.exception("only a draft can be deleted; void an issued invoice");
              }
              JsonObject invoice = BillingJson.invoice(row).put("status", "deleted");
              return conn.preparedQuery(BillingSql.DELETE_INVOICE).execute(Tuple.of(invoiceId))
                  .compose(ignored -> oweRelease(conn, teamId, invoiceId))
                  .compose(ignored -> record(conn, teamId, events, "invoice.deleted", invoice))
                  .compose(ignored -> journal.record(conn, msg, Journal.Change.deleted(teamId, "invoice", invoiceId,
                      BillingJson.invoice(row))));
            })))
        .compose(ignored -> {
          journal.published(events);
          return releaseOwed(teamId, invoiceId).map(new JsonObject());
        });
  }

  private Future<JsonObject> issue(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID invoiceId = in.uuid("invoiceId");
    return change(teamId, caller, invoiceId, (conn, draft, events) -> {
      if (!"draft".equals(draft.getString("status"))) {
        throw ErrorCode.INVOICE_STATE.exception("only a draft can be issued; this invoice is "
            + draft.getString("status"));
      }
      return conn.preparedQuery(BillingSql.NEXT_NUMBER).execute(Tuple.of(teamId)).compose(rows -> {
        Row counter = rows.iterator().next();
        long seq = counter.getLong("last_number");
        int year = counter.getOffsetDateTime("now").withOffsetSameInstant(ZoneOffset.UTC).getYear();
        String number = new NumberPattern(counter.getString("number_pattern")).format(year, seq);
        return conn.preparedQuery(BillingSql.ISSUE).execute(Tuple.of(invoiceId, number, seq));
      }).compose(rows -> {
        Row row = rows.iterator().next();
        JsonObject invoice = BillingJson.invoice(row);
        JsonObject issued = new JsonObject().put("id", UUID.randomUUID().toString())
            .put("teamId", teamId.toString()).put("byUserId", caller.toString())
            .put("invoice", new JsonObject().put("id", invoice.getString("id"))
                .put("number", invoice.getString("number")).put("clientId", invoice.getString("clientId"))
                .put("clientName", invoice.getString("clientName"))
                .put("clientEmail", invoice.getString("clientEmail")).put("total", invoice.getString("total"))
                .put("currency", invoice.getString("currency")).put("issuedAt", invoice.getString("issuedAt"))
                .put("dueAt", invoice.getString("dueAt")));
        return record(conn, teamId, events, "invoice.issued", invoice)
            .compose(ignored -> journal.record(conn, msg, Journal.Change.of(teamId, "invoice", invoiceId, "issued",
                BillingJson.invoice(draft), invoice)))
            .compose(ignored -> journal.append(conn, Address.EVENTS_INVOICE_ISSUED, List.of(), issued))
            .map(event -> {
              events.add(event);
              return row;
            });
      });
    }, null);
  }

  private Future<JsonObject> pay(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID invoiceId = in.uuid("invoiceId");
    BigDecimal amount = in.optionalDecimal("amount");
    if (amount == null) {
      throw ErrorCode.VALIDATION_FAILED.field("amount", "amount is required, a decimal string like \"100.00\"");
    }
    if (amount.signum() <= 0) {
      throw ErrorCode.VALIDATION_FAILED.field("amount", "amount must be more than 0");
    }
    Instant paidAt = in.optionalInstant("paidAt");
    String note = in.optionalString("note", 1_000);
    return change(teamId, caller, invoiceId, (conn, row, events) -> {
      String status = row.getString("status");
      if (!"issued".equals(status)) {
        throw ErrorCode.INVOICE_STATE.exception("payments go on issued invoices; this one is " + status);
      }
      int digits = Money.digits(row.getString("currency"));
      if (amount.stripTrailingZeros().scale() > digits) {
        throw ErrorCode.VALIDATION_FAILED.field("amount", "amount has more decimals than "
            + row.getString("currency") + " has (" + digits + ")");
      }
      BigDecimal due = row.getBigDecimal("total").subtract(row.getBigDecimal("paid"));
      if (amount.compareTo(due) > 0) {
        throw ErrorCode.OVERPAYMENT.field("amount", "the amount due is " + Money.text(due, digits) + " "
            + row.getString("currency"));
      }
      OffsetDateTime when = utc(paidAt != null ? paidAt : Instant.now());
      BigDecimal exact = amount.setScale(digits);
      return conn.preparedQuery(BillingSql.INSERT_PAYMENT).execute(Tuple.from(new Object[]{
              UUID.randomUUID(), invoiceId, exact, when, note, caller}))
          .compose(ignored -> conn.preparedQuery(BillingSql.ADD_PAYMENT).execute(Tuple.of(invoiceId, exact,
              when)))
          .compose(rows -> {
            Row after = rows.iterator().next();
            JsonObject paid = BillingJson.invoice(after).put("payment", Money.text(exact, digits));
            return journal.record(conn, msg, Journal.Change.of(teamId, "invoice", invoiceId, "paid",
                BillingJson.invoice(row), paid)).map(after);
          })
          .compose(after -> {
            if (!"paid".equals(after.getString("status"))) {
              return Future.succeededFuture(after);
            }
            return record(conn, teamId, events, "invoice.paid", BillingJson.invoice(after)).map(after);
          });
    }, null);
  }

  /** Voids an issued invoice and releases its entries; repeating it releases again and answers the invoice. */
  private Future<JsonObject> voidInvoice(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID invoiceId = in.uuid("invoiceId");
    return change(teamId, caller, invoiceId, (conn, row, events) -> {
      String status = row.getString("status");
      if ("void".equals(status)) {
        return Future.succeededFuture(row);
      }
      if (!"issued".equals(status)) {
        throw ErrorCode.INVOICE_STATE.exception("draft".equals(status)
            ? "a draft is deleted, not voided" : "a paid invoice cannot be voided");
      }
      return conn.preparedQuery(BillingSql.VOID).execute(Tuple.of(invoiceId)).compose(rows -> {
        Row after = rows.iterator().next();
        return conn.preparedQuery(BillingSql.DEACTIVATE_ENTRIES).execute(Tuple.of(invoiceId))
            .compose(ignored -> oweRelease(conn, teamId, invoiceId))
            .compose(ignored -> record(conn, teamId, events, "invoice.voided", BillingJson.invoice(after)))
            .compose(ignored -> journal.record(conn, msg, Journal.Change.of(teamId, "invoice", invoiceId, "voided",
                BillingJson.invoice(row), BillingJson.invoice(after))))
            .map(after);
      });
      // Voiding again asks timers again: harmless, and a way to hurry a release that failed.
    }, () -> releaseOwed(teamId, invoiceId));
  }

  /** What a change does to its invoice's locked row, in the transaction; events it journals go into {@code events}. */
  private interface Change {
    Future<Row> apply(SqlConnection conn, Row invoice, List<Journal.Event> events);
  }

  /**
   * One change of one invoice by an owner or admin: its row locked in a transaction, the events journaled there
   * published after commit, then {@code afterCommit} (if any), and the invoice answered whole.
   */
  private Future<JsonObject> change(UUID teamId, UUID caller, UUID invoiceId, Change change,
                                    java.util.function.Supplier<Future<Void>> afterCommit) {
    List<Journal.Event> events = new ArrayList<>();
    return manager(teamId, caller)
        .compose(role -> Database.transaction(pool, conn -> invoiceRow(conn, teamId, invoiceId, true)
            .compose(row -> change.apply(conn, row, events))))
        .compose(row -> {
          journal.published(events);
          return (afterCommit == null ? Future.<Void>succeededFuture() : afterCommit.get()).compose(v -> full(row));
        });
  }

  // --- documents ----------------------------------------------------------------------------------------------------

  private Future<JsonObject> pdf(Message<JsonObject> msg) {
    UUID caller = Bus.caller(msg);
    Input in = Input.of(msg.body());
    UUID teamId = in.uuid("teamId");
    UUID invoiceId = in.uuid("invoiceId");
    return manager(teamId, caller).compose(role -> render(teamId, invoiceId))
        .map(doc -> {
          doc.remove("invoice");
          return doc;
        });
  }

  /** Internal: the invoice and its PDF, for the mail to the client. */
  private Future<JsonObject> document(Message<JsonObject> msg) {
    Input in = Input.of(msg.body());
    return render(in.uuid("teamId"), in.uuid("invoiceId"));
  }

  private Future<JsonObject> render(UUID teamId, UUID invoiceId) {
    Future<JsonObject> invoice = invoiceRow(pool, teamId, invoiceId, false).compose(this::full);
    Future<JsonObject> directory = Bus.request(vertx, Address.WORKSPACE_DIRECTORY,
        new JsonObject().put("teamId", teamId.toString()), null);
    Future<RowSet<Row>> settings = pool.preparedQuery(BillingSql.SETTINGS).execute(Tuple.of(teamId));
    return Future.all(invoice, directory, settings).compose(ignored -> {
      JsonObject inv = invoice.result();
      JsonObject seller = BillingJson.settings(teamId, first(settings.result()))
          .put("name", directory.result().getJsonObject("team").getString("name"));
      return vertx.executeBlocking(() -> InvoicePdf.render(inv, seller), false).map(bytes -> {
        String name = (inv.getString("number") != null ? inv.getString("number") : "draft-" + inv.getString("id"))
            + ".pdf";
        return new JsonObject().put("invoice", inv).put("filename", name).put("contentType", "application/pdf")
            .put("pdf", Base64.getEncoder().encodeToString(bytes));
      });
    });
  }

  // --- overdue ------------------------------------------------------------------------------------------------------

  /**
   * One node at a time (the cluster lock) marks the invoices that passed their due date, each once ever (the
   * {@code overdue_at IS NULL} guard holds even if two passes overlapped), and journals their events in the same
   * transaction.
   */
  private void markOverdue() {
    if (overdueRunning) {
      return;
    }
    overdueRunning = true;
    vertx.sharedData().getLockWithTimeout(OVERDUE_LOCK, 10).onComplete(locked -> {
      if (locked.failed()) {
        overdueRunning = false;
        return;
      }
      List<Journal.Event> events = new ArrayList<>();
      Database.transaction(pool, conn -> conn.preparedQuery(BillingSql.MARK_OVERDUE).execute().compose(rows -> {
            Future<Void> chain = Future.succeededFuture();
            for (Row row : rows) {
              JsonObject invoice = BillingJson.invoice(row);
              UUID teamId = row.getUUID("team_id");
              JsonObject overdue = new JsonObject().put("id", UUID.randomUUID().toString())
                  .put("teamId", teamId.toString())
                  .put("invoice", new JsonObject().put("id", invoice.getString("id"))
                      .put("number", invoice.getString("number")).put("clientId", invoice.getString("clientId"))
                      .put("clientName", invoice.getString("clientName")).put("total", invoice.getString("total"))
                      .put("due", invoice.getString("due")).put("currency", invoice.getString("currency"))
                      .put("dueAt", invoice.getString("dueAt")));
              chain = chain.compose(ignored -> record(conn, teamId, events, "invoice.overdue", invoice))
                  .compose(ignored -> journal.recordSystem(conn, Journal.Change.of(teamId, "invoice",
                      invoice.getString("id"), "overdue", new JsonObject().put("overdue", false),
                      new JsonObject().put("overdue", true))))
                  .compose(ignored -> journal.append(conn, Address.EVENTS_INVOICE_OVERDUE, List.of(), overdue))
                  .map(event -> {
                    events.add(event);
                    return (Void) null;
                  });
            }
            return chain;
          }))
          .onComplete(ar -> {
            locked.result().release();
            overdueRunning = false;
            Metrics.jobRun(vertx, "overdue", ar.succeeded() ? "ok" : "failed");
            if (ar.succeeded()) {
              journal.published(events);
            } else {
              LOG.log(System.Logger.Level.WARNING, "overdue check failed; the next one retries", ar.cause());
            }
          });
    });
  }

  // --- shared -------------------------------------------------------------------------------------------------------

  /** Owners and admins only: members get 403 forbidden, non-members 404 team_not_found (from workspace). */
  private Future<String> manager(UUID teamId, UUID caller) {
    return TeamAccess.requireManager(vertx, teamId, caller, "only the team's owners and admins handle clients and invoices");
  }

  /** The projects linked to a client with their rates, from workspace. */
  private Future<Map<UUID, Money.Project>> projects(UUID teamId, UUID clientId) {
    JsonObject body = new JsonObject().put("teamId", teamId.toString()).put("clientId", clientId.toString());
    return Bus.<JsonArray>request(vertx, Address.WORKSPACE_PROJECTS_BILLING, body, null).map(list -> {
      Map<UUID, Money.Project> projects = new HashMap<>();
      for (Object o : list) {
        JsonObject p = (JsonObject) o;
        Map<UUID, BigDecimal> rates = new HashMap<>();
        JsonObject given = p.getJsonObject("rates", new JsonObject());
        given.forEach(e -> {
          if (e.getValue() != null) {
            rates.put(UUID.fromString(e.getKey()), new BigDecimal(e.getValue().toString()));
          }
        });
        Object rate = p.getValue("hourlyRate");
        UUID id = UUID.fromString(p.getString("id"));
        projects.put(id, new Money.Project(id, p.getString("name"), p.getString("key"),
            rate == null ? null : new BigDecimal(rate.toString()), p.getString("currency"), rates));
      }
      return projects;
    });
  }

  private static List<Money.Entry> entries(JsonArray list) {
    List<Money.Entry> entries = new ArrayList<>();
    if (list == null) {
      return entries;
    }
    for (Object o : list) {
      JsonObject e = (JsonObject) o;
      String task = e.getString("taskId");
      Long seconds = e.getLong("durationSeconds");
      Instant started = Instant.parse(e.getString("startedAt"));
      if (seconds == null && e.getString("stoppedAt") != null) {
        seconds = Instant.parse(e.getString("stoppedAt")).getEpochSecond() - started.getEpochSecond();
      }
      entries.add(new Money.Entry(UUID.fromString(e.getString("id")), UUID.fromString(e.getString("userId")),
          UUID.fromString(e.getString("projectId")), task == null ? null : UUID.fromString(task),
          e.getString("description"), started, seconds == null ? 0 : seconds));
    }
    return entries;
  }

  /**
   * Member names (workspace.directory) and, for lines per task, task keys and titles (the project boards, read as
   * the caller). Without them the lines still come out, with plainer descriptions.
   */
  private Future<Money.Names> names(UUID teamId, UUID caller, List<Money.Entry> entries, Money.GroupBy groupBy) {
    Map<UUID, String> members = new HashMap<>();
    Map<UUID, String> tasks = new HashMap<>();
    if (entries.isEmpty()) {
      return Future.succeededFuture(new Money.Names(members, tasks));
    }
    Future<Void> people = Bus.<JsonObject>request(vertx, Address.WORKSPACE_DIRECTORY,
            new JsonObject().put("teamId", teamId.toString()), null)
        .map(dir -> {
          dir.getJsonArray("members", new JsonArray()).forEach(m -> {
            JsonObject member = (JsonObject) m;
            members.put(UUID.fromString(member.getString("id")), member.getString("name"));
          });
          return (Void) null;
        })
        .recover(e -> {
          LOG.log(System.Logger.Level.WARNING, "member names unavailable: " + e.getMessage());
          return Future.succeededFuture();
        });
    List<Future<?>> all = new ArrayList<>(List.of(people));
    if (groupBy == Money.GroupBy.TASK) {
      Set<UUID> projectsWithTasks = new LinkedHashSet<>();
      entries.stream().filter(e -> e.taskId() != null).forEach(e -> projectsWithTasks.add(e.projectId()));
      for (UUID projectId : projectsWithTasks) {
        all.add(Bus.<JsonObject>request(vertx, Address.BOARD_GET, new JsonObject().put("teamId", teamId.toString())
                .put("projectId", projectId.toString()), caller)
            .map(board -> {
              board.getJsonArray("columns", new JsonArray()).forEach(c -> ((JsonObject) c)
                  .getJsonArray("tasks", new JsonArray()).forEach(t -> {
                    JsonObject task = (JsonObject) t;
                    tasks.put(UUID.fromString(task.getString("id")), task.getString("key") + " "
                        + task.getString("title"));
                  }));
              return (Void) null;
            })
            .recover(e -> {
              LOG.log(System.Logger.Level.WARNING, "task names unavailable: " + e.getMessage());
              return Future.succeededFuture();
            }));
      }
    }
    return Future.all(all).map(ignored -> new Money.Names(members, tasks));
  }

  private Future<Void> release(UUID teamId, UUID invoiceId) {
    return Bus.request(vertx, Address.TIMERS_ENTRIES_RELEASE, new JsonObject().put("teamId", teamId.toString())
        .put("invoiceId", invoiceId.toString()), null).mapEmpty();
  }

  /** Journals an event on the team's billing stream in the caller's transaction; published after commit. */
  private Future<Void> record(SqlConnection conn, UUID teamId, List<Journal.Event> events, String type,
                              JsonObject invoice) {
    JsonObject payload = new JsonObject().put("type", type).put("teamId", teamId.toString()).put("invoice", invoice);
    return journal.append(conn, Address.TEAM_BILLING, teamId, payload).onSuccess(events::add).mapEmpty();
  }

  private static String currency(Input in, String fallback) {
    String raw = in.optionalString("currency", 3);
    if (raw == null) {
      if (fallback == null) {
        throw ErrorCode.VALIDATION_FAILED.field("currency", "currency must be an ISO 4217 code like EUR");
      }
      return fallback;
    }
    String code = raw.toUpperCase(Locale.ROOT);
    if (!code.matches("[A-Z]{3}")) {
      throw ErrorCode.VALIDATION_FAILED.field("currency", "currency must be an ISO 4217 code like EUR");
    }
    Money.digits(code);
    return code;
  }

  private static BigDecimal taxRate(Input in, BigDecimal fallback) {
    BigDecimal rate = in.optionalDecimal("taxRatePercent");
    if (rate == null) {
      if (fallback == null) {
        throw ErrorCode.VALIDATION_FAILED.field("taxRatePercent", "taxRatePercent must be a decimal from 0 to 100");
      }
      return fallback;
    }
    if (rate.signum() < 0 || rate.compareTo(BigDecimal.valueOf(100)) > 0 || rate.stripTrailingZeros().scale() > 4) {
      throw ErrorCode.VALIDATION_FAILED.field("taxRatePercent",
          "taxRatePercent must be a decimal from 0 to 100 with at most 4 decimals");
    }
    return rate;
  }

  /** A string field taken as given (patterns keep their spaces), or a validation failure. */
  private static String rawString(JsonObject body, String field) {
    Object raw = body.getValue(field);
    if (!(raw instanceof String s)) {
      throw ErrorCode.VALIDATION_FAILED.field(field, field + " must be a string");
    }
    return s;
  }

  private static JsonArray ids(Set<UUID> ids) {
    return new JsonArray(ids.stream().map(UUID::toString).toList());
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static Row first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? it.next() : null;
  }

}
