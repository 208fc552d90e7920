package dev.trcr.billing;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;

import static dev.trcr.billing.BillingFixture.JAN;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input on every billing route and bus command gets a clear 4xx with a machine code; the node keeps serving. */
class BillingBadInputTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));

  private static BillingFixture f;
  private static String invoiceId;

  @BeforeAll
  static void draftAnInvoice() {
    f = new BillingFixture(NODE.api(), "100.00", "EUR", 14);
    f.entry(f.owner, f.projectId, JAN.plusSeconds(3600), 3600, "Work");
    invoiceId = f.draft().getString("id");
  }

  @AfterEach
  void theNodeKeepsServing() {
    assertEquals(200, NODE.api().get("/health", null).status());
    expect(200, NODE.api().get(p("/invoices/" + invoiceId), f.owner.token()));
  }

  private static String p(String rest) {
    return f.path(rest);
  }

  private static String token() {
    return f.owner.token();
  }

  private static void assertError(int status, String code, Response r) {
    assertEquals(status, r.status(), r.toString());
    JsonObject error = r.json().getJsonObject("error");
    assertEquals(code, error.getString("code"), r.toString());
    assertFalse(error.getString("message").isBlank());
    assertFalse(r.text().contains("Exception"), "no stack traces: " + r.text());
  }

  private static String random() {
    return UUID.randomUUID().toString();
  }

  @Test
  void malformedIdsInBillingPathsAreInvalidId() {
    assertError(400, "invalid_id", NODE.api().get("/api/teams/nope/clients", token()));
    assertError(400, "invalid_id", NODE.api().get(p("/clients/123"), token()));
    assertError(400, "invalid_id", NODE.api().patch(p("/clients/x"), token(), new JsonObject().put("name", "X")));
    assertError(400, "invalid_id", NODE.api().get(p("/clients/x/unbilled"), token()));
    assertError(400, "invalid_id", NODE.api().get(p("/invoices/zzz"), token()));
    assertError(400, "invalid_id", NODE.api().delete(p("/invoices/zzz"), token()));
    assertError(400, "invalid_id", NODE.api().post(p("/invoices/zzz/issue"), token(), null));
    assertError(400, "invalid_id",
        NODE.api().post(p("/invoices/zzz/payments"), token(), new JsonObject().put("amount", "1")));
    assertError(400, "invalid_id", NODE.api().post(p("/invoices/zzz/void"), token(), null));
    assertError(400, "invalid_id", NODE.api().get(p("/invoices/zzz/pdf"), token()));
    assertError(400, "invalid_id", NODE.api().get("/api/teams/zzz/invoices.csv", token()));
    assertError(404, "invoice_not_found", NODE.api().get(p("/invoices/" + random()), token()));
    assertError(404, "invoice_not_found", NODE.api().get(p("/invoices/" + random() + "/pdf"), token()));
    assertError(404, "invoice_not_found", NODE.api().post(p("/invoices/" + random() + "/issue"), token(), null));
    assertError(404, "client_not_found", NODE.api().get(p("/clients/" + random() + "/unbilled"), token()));
    assertError(404, "team_not_found", NODE.api().get("/api/teams/" + random() + "/invoices", token()));
    assertError(404, "team_not_found", NODE.api().get("/api/teams/" + random() + "/invoices.csv", token()));
  }

  @Test
  void badClientBodiesAreRefusedFieldByField() {
    List<JsonObject> bodies = List.of(
        new JsonObject(),
        new JsonObject().put("email", "a@b.example"),
        new JsonObject().put("name", "").put("email", "a@b.example"),
        new JsonObject().put("name", 5).put("email", "a@b.example"),
        new JsonObject().put("name", "x".repeat(201)).put("email", "a@b.example"),
        new JsonObject().put("name", "a\u0000b").put("email", "a@b.example"),
        new JsonObject().put("name", "N"),
        new JsonObject().put("name", "N").put("email", "not-an-email"),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("currency", "EURO"),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("currency", "XYZ"),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("currency", "XXX"),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("currency", 978),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("taxRatePercent", "-1"),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("taxRatePercent", "100.01"),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("taxRatePercent", "ten"),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("taxRatePercent", true),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("taxRatePercent", "1e400"),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("paymentTermsDays", -1),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("paymentTermsDays", 1.5),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("paymentTermsDays", "soon"),
        new JsonObject().put("name", "N").put("email", "a@b.example").put("address", 1));
    for (JsonObject body : bodies) {
      Response r = NODE.api().post(p("/clients"), token(), body);
      assertEquals(400, r.status(), body.encode() + " → " + r);
      assertEquals("validation_failed", r.errorCode(), r.toString());
    }
    String client = p("/clients/" + f.clientId);
    assertError(400, "validation_failed", NODE.api().patch(client, token(), new JsonObject().putNull("name")));
    assertError(400, "validation_failed", NODE.api().patch(client, token(), new JsonObject().putNull("currency")));
    assertError(400, "validation_failed",
        NODE.api().patch(client, token(), new JsonObject().putNull("taxRatePercent")));
    assertError(400, "validation_failed",
        NODE.api().patch(client, token(), new JsonObject().putNull("paymentTermsDays")));
    assertError(400, "validation_failed", NODE.api().patch(client, token(), new JsonObject().put("email", "")));
    assertError(404, "client_not_found", NODE.api().patch(p("/clients/" + random()), token(),
        new JsonObject().put("name", "X")));
    assertError(400, "invalid_json", NODE.api().call(HttpMethod.POST, p("/clients"), token(), Buffer.buffer("{name")));
    assertError(400, "invalid_json", NODE.api().call(HttpMethod.POST, p("/clients"), token(), Buffer.buffer("[1]")));
  }

  @Test
  void badDraftBodiesAreRefused() {
    JsonObject good = f.draftBody("project");
    List<JsonObject> bodies = List.of(
        new JsonObject(),
        without(good, "clientId"),
        without(good, "from"),
        without(good, "to"),
        good.copy().put("from", "yesterday"),
        good.copy().put("to", good.getString("from")),
        good.copy().put("groupBy", "client"),
        good.copy().put("groupBy", 1),
        good.copy().put("rounding", "15"),
        good.copy().put("rounding", new JsonObject().put("minutes", 7)),
        good.copy().put("rounding", new JsonObject().put("minutes", -15)),
        good.copy().put("rounding", new JsonObject().put("minutes", 15).put("mode", "down")),
        good.copy().put("notes", "x".repeat(5_001)),
        good.copy().put("clientId", "acme"));
    for (JsonObject body : bodies) {
      for (String route : List.of("/invoices", "/invoices/preview")) {
        Response r = NODE.api().post(p(route), token(), body);
        assertEquals(400, r.status(), route + " " + body.encode() + " → " + r);
        assertTrue(List.of("validation_failed", "invalid_id").contains(r.errorCode()), r.toString());
      }
    }
    assertError(404, "client_not_found",
        NODE.api().post(p("/invoices"), token(), good.copy().put("clientId", random())));
    assertError(404, "client_not_found", NODE.api().post(p("/invoices/preview"), token(),
        good.copy().put("clientId", random())));
  }

  @Test
  void badListsPaymentsAndSettingsAreRefused() {
    assertError(400, "validation_failed", NODE.api().get(p("/invoices?status=late"), token()));
    assertError(400, "validation_failed", NODE.api().get(p("/invoices?limit=0"), token()));
    assertError(400, "validation_failed", NODE.api().get(p("/invoices?limit=many"), token()));
    assertError(400, "validation_failed", NODE.api().get(p("/invoices?cursor=bogus"), token()));
    assertError(400, "invalid_id", NODE.api().get(p("/invoices?clientId=x"), token()));
    assertError(400, "validation_failed", NODE.api().get(p("/invoices.csv?status=late"), token()));

    String pay = p("/invoices/" + invoiceId + "/payments");
    assertError(409, "invoice_state", NODE.api().post(pay, token(), new JsonObject().put("amount", "1")));
    for (JsonObject body : List.of(new JsonObject(), new JsonObject().put("amount", "0"),
        new JsonObject().put("amount", "-5"), new JsonObject().put("amount", "lots"),
        new JsonObject().put("amount", "1").put("paidAt", "Monday"), new JsonObject().put("amount", "1")
            .put("note", 3))) {
      assertError(400, "validation_failed", NODE.api().post(pay, token(), body));
    }

    for (JsonObject body : List.of(new JsonObject().put("invoiceNumberPattern", ""),
        new JsonObject().put("invoiceNumberPattern", "{seq}{oops}"), new JsonObject().put("invoiceNumberPattern", 4),
        new JsonObject().putNull("invoiceNumberPattern"), new JsonObject().put("invoiceNumberPattern", "{seq:99}"),
        new JsonObject().put("sellerAddress", 4))) {
      assertError(400, "validation_failed", NODE.api().call(HttpMethod.PUT, p("/billing-settings"), token(), body));
    }
    assertError(405, "method_not_allowed", NODE.api().call(HttpMethod.PATCH, p("/billing-settings"), token(),
        new JsonObject()));
  }

  @Test
  void everyBillingBusCommandRefusesBadBodiesWithA4xx() {
    List<Address> commands = java.util.Arrays.stream(Address.values())
        .filter(a -> a.owner().equals("billing") && a.kind() == Address.Kind.COMMAND).toList();
    assertTrue(commands.size() >= 19, commands.toString());
    List<Object> bad = List.of("text", new JsonArray().add(1), new JsonObject(),
        new JsonObject().put("teamId", 5).put("clientId", true).put("invoiceId", "x").put("stream", 1));
    List<Object> mixed = List.of(
        new JsonObject().put("teamId", f.teamId).put("clientId", f.clientId).put("invoiceId", random())
            .put("amount", "x").put("from", "x").put("stream", "s").put("after", "x").put("limit", "x"),
        new JsonObject().put("teamId", f.teamId).put("invoiceId", random()).put("clientId", random()));
    for (Address command : commands) {
      for (Object body : bad) {
        int code = failureCode(command, body);
        assertTrue(code >= 400 && code < 500, command + " " + body + " → " + code);
      }
      for (Object body : mixed) {
        int code = failureCode(command, body);
        assertTrue(code < 500, command + " " + body + " → " + code);
      }
    }
    assertEquals(401, failureCodeWithoutCaller(Address.BILLING_INVOICES_ISSUE,
        new JsonObject().put("teamId", f.teamId).put("invoiceId", invoiceId)));
    assertEquals(401, failureCodeWithoutCaller(Address.BILLING_CLIENTS_LIST, new JsonObject().put("teamId", f.teamId)));
  }

  private static JsonObject without(JsonObject body, String field) {
    JsonObject copy = body.copy();
    copy.remove(field);
    return copy;
  }

  private int failureCode(Address command, Object body) {
    try {
      NODE.node().vertx().eventBus().request(command.address(), body,
          new DeliveryOptions().addHeader(Bus.USER_HEADER, f.owner.id()).setSendTimeout(5_000)).await();
      return 200;
    } catch (ReplyException e) {
      return e.failureCode();
    }
  }

  private int failureCodeWithoutCaller(Address command, Object body) {
    try {
      NODE.node().vertx().eventBus().request(command.address(), body,
          new DeliveryOptions().setSendTimeout(5_000)).await();
      return 200;
    } catch (ReplyException e) {
      return e.failureCode();
    }
  }
}
