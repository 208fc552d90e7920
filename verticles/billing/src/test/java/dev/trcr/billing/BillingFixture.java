package dev.trcr.billing;

import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Response;
import dev.trcr.testing.Api.Session;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

import static dev.trcr.testing.Api.expect;

/**
 * A team to bill, through the REST API: an owner, an admin, a member, an outsider, a client and a project linked to it
 * with a rate; helpers to track time and make invoices.
 */
final class BillingFixture {

  static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant FEB = Instant.parse("2026-02-01T00:00:00Z");

  final Api api;
  final Session owner;
  final Session admin;
  final Session member;
  final Session outsider;
  final String teamId;
  final String clientId;
  final String projectId;

  BillingFixture(Api api, String projectRate, String currency, int paymentTermsDays) {
    this.api = api;
    owner = api.signup("Olga Owner");
    admin = api.signup("Adam Admin");
    member = api.signup("Max Member");
    outsider = api.signup("Otto Outsider");
    teamId = api.createTeam(owner, "Acme Studio");
    api.addMember(owner, teamId, admin, "admin");
    api.addMember(owner, teamId, member, "member");
    clientId = expect(201, api.post(path("/clients"), owner.token(), new JsonObject().put("name", "Globex")
        .put("email", "ap@globex.example").put("address", "1 Globex Way, Springfield").put("currency", currency)
        .put("taxRatePercent", "19").put("paymentTermsDays", paymentTermsDays))).json().getString("id");
    projectId = project("Website", projectRate, currency);
  }

  String path(String rest) {
    return "/api/teams/" + teamId + rest;
  }

  /** A project linked to the client. */
  String project(String name, String rate, String currency) {
    JsonObject body = new JsonObject().put("name", name).put("currency", currency);
    if (rate != null) {
      body.put("hourlyRate", rate);
    }
    String id = expect(201, api.post(path("/projects"), owner.token(), body)).json().getString("id");
    expect(200, api.patch(path("/projects/" + id), owner.token(), new JsonObject().put("clientId", clientId)));
    return id;
  }

  void memberRate(String projectId, Session who, String rate) {
    expect(200, api.call(HttpMethod.PUT, path("/projects/" + projectId + "/rates/" + who.id()), owner.token(),
        new JsonObject().put("hourlyRate", rate)));
  }

  /** A stopped entry of {@code seconds} starting at {@code start}. */
  JsonObject entry(Session who, String projectId, Instant start, long seconds, String description) {
    return expect(201, api.post(path("/time-entries"), who.token(), new JsonObject().put("projectId", projectId)
        .put("startedAt", start.toString()).put("stoppedAt", start.plusSeconds(seconds).toString())
        .put("description", description))).json();
  }

  JsonObject draftBody(String groupBy) {
    return new JsonObject().put("clientId", clientId).put("from", JAN.toString()).put("to", FEB.toString())
        .put("groupBy", groupBy);
  }

  Response draft(Session who, JsonObject body) {
    return api.post(path("/invoices"), who.token(), body);
  }

  JsonObject draft() {
    return expect(201, draft(owner, draftBody("project"))).json();
  }

  JsonObject issue(String invoiceId) {
    return expect(200, api.post(path("/invoices/" + invoiceId + "/issue"), owner.token(), null)).json();
  }
}
