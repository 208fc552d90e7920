package dev.trcr.notifications;

import dev.trcr.kernel.Address;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Billing as notifications sees it, for tests (the billing verticle is built elsewhere): the two journaled event
 * streams served by {@code billing.journal.read} from lists, {@code billing.invoices.document} with a small PDF, and
 * the wake-up published like billing publishes after commit. Can rebuild its history under a new epoch. Nodes
 * that use it run {@link #WITHOUT_BILLING}.
 */
final class FakeBilling implements AutoCloseable {

  /** Every verticle but billing, whose addresses this stand-in serves. */
  static final String WITHOUT_BILLING = "workspace,timers,chat,board,notifications,api,bridge";

  static final byte[] PDF = "%PDF-1.4\n% trcr test invoice\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);

  private final Vertx vertx;
  private final Map<String, List<JsonObject>> streams = new ConcurrentHashMap<>();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  final AtomicInteger documentsServed = new AtomicInteger();
  volatile String epoch = "e1";

  FakeBilling(Vertx vertx) {
    this.vertx = vertx;
    streams.put(Address.EVENTS_INVOICE_ISSUED.address(), new CopyOnWriteArrayList<>());
    streams.put(Address.EVENTS_INVOICE_OVERDUE.address(), new CopyOnWriteArrayList<>());
    consumers.add(vertx.eventBus().<JsonObject>consumer(Address.BILLING_JOURNAL_READ.address(), msg -> {
      String stream = msg.body().getString("stream");
      long after = msg.body().getLong("after", 0L);
      int limit = msg.body().getInteger("limit", 500);
      List<JsonObject> events = streams.getOrDefault(stream, List.of());
      JsonArray page = new JsonArray();
      for (JsonObject e : events) {
        if (e.getLong("seq") > after && page.size() < limit) {
          page.add(e.copy().put("epoch", epoch));
        }
      }
      msg.reply(new JsonObject().put("stream", stream).put("epoch", events.isEmpty() ? null : epoch)
          .put("lastSeq", events.size()).put("events", page));
    }));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Address.BILLING_INVOICES_DOCUMENT.address(), msg -> {
      documentsServed.incrementAndGet();
      String number = "INV-" + msg.body().getString("invoiceId").substring(0, 4);
      msg.reply(new JsonObject().put("invoice", new JsonObject().put("id", msg.body().getString("invoiceId"))
              .put("number", number)).put("filename", number + ".pdf").put("contentType", "application/pdf")
          .put("pdf", Base64.getEncoder().encodeToString(PDF)));
    }));
    Future.all(consumers.stream().map(MessageConsumer::completion).toList()).await();
  }

  /** Appends {@code events.invoice.issued} and publishes it; answers the journaled payload. */
  JsonObject issue(String teamId, String byUserId, String clientEmail) {
    JsonObject invoice = new JsonObject().put("id", UUID.randomUUID().toString()).put("number", "INV-2026-0001")
        .put("clientId", UUID.randomUUID().toString()).put("clientName", "Globex <Corp>")
        .put("clientEmail", clientEmail).put("total", "1190.00").put("currency", "EUR")
        .put("issuedAt", "2026-01-02T09:00:00Z").put("dueAt", "2026-01-16T09:00:00Z");
    return append(Address.EVENTS_INVOICE_ISSUED, new JsonObject().put("teamId", teamId).put("byUserId", byUserId)
        .put("invoice", invoice));
  }

  /** Appends {@code events.invoice.overdue} and publishes it. */
  JsonObject overdue(String teamId, String number) {
    JsonObject invoice = new JsonObject().put("id", UUID.randomUUID().toString()).put("number", number)
        .put("clientName", "Globex").put("total", "1190.00").put("currency", "EUR")
        .put("dueAt", "2026-01-16T09:00:00Z");
    return append(Address.EVENTS_INVOICE_OVERDUE, new JsonObject().put("teamId", teamId).put("invoice", invoice));
  }

  private JsonObject append(Address stream, JsonObject payload) {
    List<JsonObject> events = streams.get(stream.address());
    JsonObject event;
    synchronized (events) {
      event = payload.put("id", UUID.randomUUID().toString()).put("seq", (long) events.size() + 1);
      events.add(event);
    }
    publish(stream, event);
    return event;
  }

  /** Publishes an event again, as a relay or a second node may. */
  void publish(Address stream, JsonObject event) {
    vertx.eventBus().publish(stream.address(), event.copy().put("epoch", epoch));
  }

  /** The history is rebuilt: a new epoch, the same events (same ids) numbered again from 1. */
  void rebuild() {
    epoch = "e" + UUID.randomUUID().toString().substring(0, 6);
  }

  @Override
  public void close() {
    Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).await();
  }
}
