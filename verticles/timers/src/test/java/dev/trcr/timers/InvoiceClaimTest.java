package dev.trcr.timers;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.testing.Api;
import dev.trcr.testing.Api.Session;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Timers' side of invoicing: claims put entries on one invoice only, and a claimed entry cannot change. */
class InvoiceClaimTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));

  private Session owner;
  private Session member;
  private String teamId;
  private String projectId;

  @BeforeEach
  void team() {
    owner = NODE.api().signup("Olga Owner");
    member = NODE.api().signup("Max Member");
    teamId = NODE.api().createTeam(owner, "Acme");
    NODE.api().addMember(owner, teamId, member, "member");
    projectId = NODE.api().createProject(owner, teamId, "Website");
  }

  private String entry(Session who, String start, String stop) {
    return expect(201, NODE.api().post("/api/teams/" + teamId + "/time-entries", who.token(), new JsonObject()
        .put("projectId", projectId).put("startedAt", start).put("stoppedAt", stop).put("description", "work")))
        .json().getString("id");
  }

  private JsonObject claim(String invoiceId, String from, String to) {
    return Bus.<JsonObject>request(NODE.node().vertx(), Address.TIMERS_ENTRIES_CLAIM,
        new JsonObject().put("teamId", teamId)
        .put("invoiceId", invoiceId).put("projectIds", new JsonArray().add(projectId)).put("from", from)
        .put("to", to), null).await();
  }

  @Test
  void aClaimTakesTheStoppedUninvoicedEntriesThatStartInThePeriod() {
    String inside = entry(member, "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z");
    entry(member, "2026-02-28T09:00:00Z", "2026-02-28T10:00:00Z"); // before the period
    entry(member, "2026-04-01T00:00:00Z", "2026-04-01T01:00:00Z"); // at `to`: outside [from, to)
    expect(201, NODE.api().post("/api/teams/" + teamId + "/timer/start", owner.token(),
        new JsonObject().put("projectId", projectId))); // running: never claimed
    String invoice = UUID.randomUUID().toString();
    JsonArray claimed = claim(invoice, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z").getJsonArray("entries");
    assertEquals(1, claimed.size());
    assertEquals(inside, claimed.getJsonObject(0).getString("id"));
    assertEquals(invoice, claimed.getJsonObject(0).getString("invoiceId"));
    assertEquals(0, claim(UUID.randomUUID().toString(), "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
        .getJsonArray("entries").size(), "a second claim finds nothing left");
  }

  @Test
  void concurrentClaimsPutEachEntryOnOneInvoiceOnly() {
    Set<String> created = new HashSet<>();
    for (int day = 1; day <= 20; day++) {
      String d = String.format("2026-05-%02d", day);
      created.add(entry(member, d + "T09:00:00Z", d + "T10:00:00Z"));
    }
    List<Future<JsonObject>> claims = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      claims.add(Bus.request(NODE.node().vertx(), Address.TIMERS_ENTRIES_CLAIM, new JsonObject().put("teamId", teamId)
          .put("invoiceId", UUID.randomUUID().toString()).put("projectIds", new JsonArray().add(projectId))
          .put("from", "2026-05-01T00:00:00Z").put("to", "2026-06-01T00:00:00Z"), null));
    }
    Future.all(claims).await();
    List<String> claimed = new ArrayList<>();
    claims.forEach(c -> c.result().getJsonArray("entries").forEach(e -> claimed.add(((JsonObject) e).getString("id"))));
    assertEquals(20, claimed.size(), "no entry twice");
    assertEquals(created, new HashSet<>(claimed), "every entry once");
  }

  @Test
  void aClaimedEntryRefusesEditsAndDeletesUntilReleased() {
    String id = entry(member, "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z");
    String invoice = UUID.randomUUID().toString();
    claim(invoice, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");
    String path = "/api/teams/" + teamId + "/time-entries/" + id;
    assertEquals("entry_locked", expect(409, NODE.api().patch(path, member.token(),
        new JsonObject().put("description", "changed"))).errorCode());
    assertEquals("entry_locked", expect(409, NODE.api().delete(path, owner.token())).errorCode());

    JsonObject released = Bus.<JsonObject>request(NODE.node().vertx(), Address.TIMERS_ENTRIES_RELEASE,
        new JsonObject().put("teamId", teamId).put("invoiceId", invoice), null).await();
    assertEquals(1, released.getInteger("released"));
    assertEquals(0, Bus.<JsonObject>request(NODE.node().vertx(), Address.TIMERS_ENTRIES_RELEASE,
        new JsonObject().put("teamId", teamId).put("invoiceId", invoice), null).await().getInteger("released"),
        "releasing again is harmless");
    JsonObject edited = expect(200,
        NODE.api().patch(path, member.token(), new JsonObject().put("description", "changed")))
        .json();
    assertNull(edited.getString("invoiceId"));
    expect(204, NODE.api().delete(path, member.token()));
  }

  @Test
  void unbilledCountsStoppedUninvoicedEntriesAndRunningTimers() {
    entry(member, "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z");
    String claimedOne = entry(member, "2026-01-02T09:00:00Z", "2026-01-02T10:00:00Z");
    claim(UUID.randomUUID().toString(), "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z");
    expect(201, NODE.api().post("/api/teams/" + teamId + "/timer/start", owner.token(),
        new JsonObject().put("projectId", projectId)));
    JsonObject unbilled = Bus.<JsonObject>request(NODE.node().vertx(), Address.TIMERS_ENTRIES_UNBILLED,
        new JsonObject().put("teamId", teamId).put("projectIds", new JsonArray().add(projectId)), null).await();
    assertEquals(1, unbilled.getJsonArray("entries").size());
    assertTrue(unbilled.getJsonArray("entries").stream().noneMatch(e -> ((JsonObject) e).getString("id").equals(claimedOne)));
    assertEquals(1, unbilled.getJsonArray("running").size());
    assertTrue(unbilled.getString("now").endsWith("Z"));
  }

  @Test
  void theForgottenTimerCheckFindsTimersRunningLongerThanTheLimit() throws InterruptedException {
    expect(201, NODE.api().post("/api/teams/" + teamId + "/timer/start", member.token(),
        new JsonObject().put("projectId", projectId)));
    Thread.sleep(1100);
    JsonArray longer = Bus.<JsonArray>request(NODE.node().vertx(), Address.TIMERS_RUNNING_LONGER,
        new JsonObject().put("seconds", 1), null).await();
    assertTrue(longer.stream().anyMatch(e -> ((JsonObject) e).getString("userId").equals(member.id())));
    JsonArray none = Bus.<JsonArray>request(NODE.node().vertx(), Address.TIMERS_RUNNING_LONGER,
        new JsonObject().put("seconds", 3600), null).await();
    assertTrue(none.stream().noneMatch(e -> ((JsonObject) e).getString("userId").equals(member.id())));
  }

  @Test
  void claimsRefuseBadInputWithAClearCode() {
    ReplyException e = assertThrows(ReplyException.class, () -> Bus.request(NODE.node().vertx(),
        Address.TIMERS_ENTRIES_CLAIM, new JsonObject().put("teamId", teamId).put("invoiceId", "nope"), null).await());
    assertEquals(400, e.failureCode());
    e = assertThrows(ReplyException.class, () -> Bus.request(NODE.node().vertx(), Address.TIMERS_ENTRIES_CLAIM,
        new JsonObject().put("teamId", teamId).put("invoiceId", UUID.randomUUID().toString())
            .put("projectIds", "x").put("from", "2026-01-01T00:00:00Z").put("to", "2026-02-01T00:00:00Z"), null)
        .await());
    assertEquals(400, e.failureCode());
  }

  @Test
  void timeEntriesExportAsCsvWithCrlfAndQuoting() {
    expect(201, NODE.api().post("/api/teams/" + teamId + "/time-entries", member.token(), new JsonObject()
        .put("projectId", projectId).put("startedAt", "2026-03-02T09:00:00Z").put("stoppedAt", "2026-03-02T10:30:00Z")
        .put("description", "Call, \"urgent\"")));
    for (int i = 1; i <= 250; i++) { // more than one page of 200
      String start = java.time.Instant.parse("2026-02-01T00:00:00Z").plusSeconds(i * 3600L).toString();
      String stop = java.time.Instant.parse(start).plusSeconds(60).toString();
      entry(member, start, stop);
    }
    Api.Response csv = expect(200, NODE.api().call(HttpMethod.GET, "/api/teams/" + teamId
        + "/time-entries.csv?from=2026-01-01T00:00:00Z", owner.token(), null));
    assertTrue(csv.header("content-type").startsWith("text/csv"));
    String[] lines = csv.text().split("\r\n", -1);
    assertTrue(lines[0].startsWith("id,date,startedAt,stoppedAt,durationSeconds,hours,userId,user,projectId,project"));
    assertEquals(1 + 251 + 1, lines.length, "header, every entry, and the final CRLF");
    assertTrue(csv.text().contains(",5400,1.50," + member.id() + ",Max Member," + projectId + ",Website,,"
        + "\"Call, \"\"urgent\"\"\","), csv.text().substring(0, Math.min(600, csv.text().length())));
    assertEquals("team_not_found", expect(404, NODE.api().get("/api/teams/" + UUID.randomUUID() + "/time-entries.csv",
        owner.token())).errorCode());
    assertEquals("validation_failed",
        expect(400, NODE.api().get("/api/teams/" + teamId + "/time-entries.csv?from=yesterday",
        owner.token())).errorCode());
  }
}
