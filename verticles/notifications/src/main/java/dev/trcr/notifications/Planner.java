package dev.trcr.notifications;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Input;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Decides who is told what about an event: recipients, names and emails come from {@code workspace.directory}; the
 * words from {@link Texts}. Nothing here writes; the same event always gives the same notes (same dedupe keys).
 */
final class Planner {

  /** What one event becomes. */
  record Plan(List<Note> notes, List<Mail> mails) {
    static final Plan NONE = new Plan(List.of(), List.of());
  }

  private static final Set<String> MANAGERS = Set.of("owner", "admin");
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");

  private final Vertx vertx;
  private final String publicUrl;

  Planner(Vertx vertx, String publicUrl) {
    this.vertx = vertx;
    this.publicUrl = publicUrl == null ? "" : publicUrl.replaceAll("/+$", "");
  }

  Future<Plan> plan(Address source, JsonObject event) {
    return switch (source) {
      case CHAT_MENTION -> mention(event);
      case EVENTS_TASK_ASSIGNED -> taskAssigned(event);
      case EVENTS_INVOICE_ISSUED -> invoiceIssued(event);
      case EVENTS_INVOICE_OVERDUE -> invoiceOverdue(event);
      case EVENTS_WEBHOOK_DISABLED -> webhookDisabled(event);
      default -> throw new IllegalArgumentException("not a source: " + source);
    };
  }

  // --- kinds --------------------------------------------------------------------------------------------------------

  private Future<Plan> mention(JsonObject event) {
    Input in = Input.of(event);
    String eventId = eventId(event);
    UUID teamId = in.uuid("teamId");
    UUID channelId = in.uuid("channelId");
    UUID messageId = in.uuid("messageId");
    UUID userId = in.uuid("userId");
    UUID authorId = in.uuid("authorId");
    if (userId.equals(authorId)) {
      return Future.succeededFuture(Plan.NONE);
    }
    String channel = channelName(event);
    return directory(teamId).map(dir -> {
      JsonObject user = member(dir, userId);
      if (user == null) {
        return Plan.NONE; // no longer in the team
      }
      String author = name(dir, authorId, "Someone");
      String where = channel == null ? "" : channel.isEmpty() ? " in a direct message" : " in #" + channel;
      String title = author + " mentioned you" + where;
      String body = Texts.excerpt(event.getString("text"));
      String link = link("/#/teams/" + teamId + "/channels/" + channelId + "?message=" + messageId);
      JsonObject data = new JsonObject().put("channelId", channelId.toString()).put("messageId", messageId.toString())
          .put("authorId", authorId.toString());
      return new Plan(List.of(new Note(userId, eventId, "mention", teamId, title, body, link, data,
          user.getString("email"))), List.of());
    });
  }

  private Future<Plan> taskAssigned(JsonObject event) {
    Input in = Input.of(event);
    String eventId = eventId(event);
    UUID teamId = in.uuid("teamId");
    UUID projectId = in.uuid("projectId");
    UUID taskId = in.uuid("taskId");
    UUID assigneeId = in.uuid("assigneeId");
    UUID byUserId = in.optionalUuid("byUserId");
    if (assigneeId.equals(byUserId)) {
      return Future.succeededFuture(Plan.NONE); // assigning yourself tells you nothing
    }
    return directory(teamId).map(dir -> {
      JsonObject user = member(dir, assigneeId);
      if (user == null) {
        return Plan.NONE;
      }
      String key = event.getString("key");
      String taskTitle = event.getString("title");
      String what = key != null && taskTitle != null ? key + " " + taskTitle
          : taskTitle != null ? taskTitle : key != null ? key : "a task";
      String title = name(dir, byUserId, "Someone") + " assigned you " + what;
      String link = link("/#/teams/" + teamId + "/projects/" + projectId + "/board?task=" + taskId);
      JsonObject data = new JsonObject().put("projectId", projectId.toString()).put("taskId", taskId.toString());
      return new Plan(List.of(new Note(assigneeId, eventId, "task_assigned", teamId, title, null, link, data,
          user.getString("email"))), List.of());
    });
  }

  private Future<Plan> invoiceIssued(JsonObject event) {
    Input in = Input.of(event);
    String eventId = eventId(event);
    UUID teamId = in.uuid("teamId");
    UUID byUserId = in.optionalUuid("byUserId");
    JsonObject invoice = invoice(event);
    UUID invoiceId = Input.of(invoice).uuid("id");
    return directory(teamId).map(dir -> {
      String team = dir.getJsonObject("team", new JsonObject()).getString("name", "your team");
      String number = invoice.getString("number", "");
      String client = invoice.getString("clientName", "the client");
      String amount = amount(invoice);
      String title = "Invoice " + number + " to " + client + " was issued" + (amount.isEmpty() ? "" : " (" + amount + ")");
      String body = invoice.getString("dueAt") == null ? null : "Due " + day(invoice.getString("dueAt")) + ".";
      String link = link("/#/teams/" + teamId + "/invoices/" + invoiceId);
      JsonObject data = new JsonObject().put("invoiceId", invoiceId.toString()).put("number", number);
      List<Note> notes = new ArrayList<>();
      for (JsonObject m : managers(dir)) {
        UUID id = UUID.fromString(m.getString("id"));
        if (!id.equals(byUserId)) {
          notes.add(new Note(id, eventId, "invoice_issued", teamId, title, body, link, data, m.getString("email")));
        }
      }
      List<Mail> mails = new ArrayList<>();
      String to = invoice.getString("clientEmail");
      if (to != null && EMAIL.matcher(to.strip()).matches()) {
        String subject = "Invoice " + number + " from " + team;
        String text = "Hello " + client + ",\n\nplease find attached invoice " + number + " from " + team
            + (amount.isEmpty() ? "" : " over " + amount)
            + (invoice.getString("dueAt") == null ? "" : ", due " + day(invoice.getString("dueAt"))) + ".\n\n"
            + "Kind regards,\n" + team + "\n";
        String html = "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p>Hello " + Texts.escape(client)
            + ",</p><p>please find attached invoice <strong>" + Texts.escape(number) + "</strong> from "
            + Texts.escape(team) + (amount.isEmpty() ? "" : " over " + Texts.escape(amount))
            + (invoice.getString("dueAt") == null ? "" : ", due " + Texts.escape(day(invoice.getString("dueAt"))))
            + ".</p><p>Kind regards,<br>" + Texts.escape(team) + "</p></body></html>";
        mails.add(new Mail(eventId, "invoice_issued", to.strip(), subject, text, html, teamId, invoiceId));
      }
      return new Plan(notes, mails);
    });
  }

  private Future<Plan> invoiceOverdue(JsonObject event) {
    Input in = Input.of(event);
    String eventId = eventId(event);
    UUID teamId = in.uuid("teamId");
    JsonObject invoice = invoice(event);
    UUID invoiceId = Input.of(invoice).uuid("id");
    return directory(teamId).map(dir -> {
      String number = invoice.getString("number", "");
      String client = invoice.getString("clientName", "the client");
      String amount = amount(invoice);
      String title = "Invoice " + number + " to " + client + " is overdue";
      String body = (amount.isEmpty() ? "It" : amount)
          + (invoice.getString("dueAt") == null ? " is unpaid." : " was due " + day(invoice.getString("dueAt")) + ".");
      String link = link("/#/teams/" + teamId + "/invoices/" + invoiceId);
      JsonObject data = new JsonObject().put("invoiceId", invoiceId.toString()).put("number", number);
      List<Note> notes = new ArrayList<>();
      for (JsonObject m : managers(dir)) {
        notes.add(new Note(UUID.fromString(m.getString("id")), eventId, "invoice_overdue", teamId, title, body, link,
            data, m.getString("email")));
      }
      return new Plan(notes, List.of());
    });
  }

  /** A webhook that kept failing was turned off: the team's owners are told, with the last error. */
  private Future<Plan> webhookDisabled(JsonObject event) {
    Input in = Input.of(event);
    String eventId = eventId(event);
    UUID teamId = in.uuid("teamId");
    UUID webhookId = in.uuid("webhookId");
    String url = event.getString("url", "");
    return directory(teamId).map(dir -> {
      String title = "A webhook was disabled after " + event.getInteger("failures", 0) + " failed deliveries";
      String lastError = event.getString("lastError");
      String body = url + (lastError == null ? "" : " (last error: " + lastError + ")")
          + ". Fix the receiver, then enable it again; pending deliveries resume.";
      String link = link("/#/teams/" + teamId + "/webhooks/" + webhookId);
      JsonObject data = new JsonObject().put("webhookId", webhookId.toString()).put("url", url);
      List<Note> notes = new ArrayList<>();
      for (Object o : dir.getJsonArray("members", new JsonArray())) {
        JsonObject m = (JsonObject) o;
        if ("owner".equals(m.getString("role"))) {
          notes.add(new Note(UUID.fromString(m.getString("id")), eventId, "webhook_disabled", teamId, title, body,
              link, data, m.getString("email")));
        }
      }
      return new Plan(notes, List.of());
    });
  }

  /** A timer running for longer than the limit: its user is told once per time entry. */
  Future<Plan> forgottenTimer(JsonObject entry, Instant now) {
    Input in = Input.of(entry);
    UUID entryId = in.uuid("id");
    UUID teamId = in.uuid("teamId");
    UUID userId = in.uuid("userId");
    Instant startedAt = in.instant("startedAt");
    return directory(teamId).map(dir -> {
      JsonObject user = member(dir, userId);
      if (user == null) {
        return Plan.NONE;
      }
      long seconds = Math.max(0, Duration.between(startedAt, now).getSeconds());
      String title = "Your timer has been running for " + Texts.duration(seconds);
      String description = entry.getString("description");
      String body = "Started " + startedAt.toString().replace('T', ' ').replaceAll("\\.\\d+", "")
          .replace("Z", " UTC") + (description == null || description.isBlank() ? "" : ": " + description)
          + ". Stop it if you forgot it.";
      String link = link("/#/teams/" + teamId + "/timer");
      JsonObject data = new JsonObject().put("entryId", entryId.toString())
          .put("projectId", entry.getString("projectId")).put("startedAt", entry.getString("startedAt"));
      return new Plan(List.of(new Note(userId, "timer_forgotten:" + entryId, "timer_forgotten", teamId, title, body,
          link, data, user.getString("email"))), List.of());
    });
  }

  // --- lookups ------------------------------------------------------------------------------------------------------

  private Future<JsonObject> directory(UUID teamId) {
    return Bus.request(vertx, Address.WORKSPACE_DIRECTORY, new JsonObject().put("teamId", teamId.toString()), null);
  }

  /** The channel's name from the event ("" for a DM), or null if the event does not carry it. */
  private static String channelName(JsonObject event) {
    return "dm".equals(event.getString("channelKind")) ? "" : event.getString("channelName");
  }

  private static JsonObject member(JsonObject dir, UUID userId) {
    if (userId == null) {
      return null;
    }
    for (Object m : dir.getJsonArray("members", new JsonArray())) {
      JsonObject member = (JsonObject) m;
      if (userId.toString().equals(member.getString("id"))) {
        return member;
      }
    }
    return null;
  }

  private static String name(JsonObject dir, UUID userId, String fallback) {
    JsonObject member = member(dir, userId);
    return member == null || member.getString("name") == null ? fallback : member.getString("name");
  }

  private static List<JsonObject> managers(JsonObject dir) {
    List<JsonObject> out = new ArrayList<>();
    for (Object m : dir.getJsonArray("members", new JsonArray())) {
      JsonObject member = (JsonObject) m;
      if (MANAGERS.contains(member.getString("role"))) {
        out.add(member);
      }
    }
    return out;
  }

  private static String eventId(JsonObject event) {
    String id = event.getString("id");
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("the event has no id");
    }
    return id;
  }

  private static JsonObject invoice(JsonObject event) {
    JsonObject invoice = event.getJsonObject("invoice");
    if (invoice == null) {
      throw new IllegalArgumentException("the event has no invoice");
    }
    return invoice;
  }

  private static String amount(JsonObject invoice) {
    String total = invoice.getString("total");
    return total == null ? "" : total + (invoice.getString("currency") == null ? "" : " " + invoice.getString("currency"));
  }

  private static String day(String instant) {
    return instant.length() >= 10 ? instant.substring(0, 10) : instant;
  }

  private String link(String path) {
    return publicUrl + path;
  }
}
