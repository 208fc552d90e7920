package dev.trcr.billing;

import dev.trcr.testing.BridgeClient;
import dev.trcr.testing.OneNode;
import dev.trcr.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.trcr.billing.BillingFixture.JAN;
import static dev.trcr.testing.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The team's billing stream through the bridge: owners and admins follow invoices live, members may not. */
class BillingLiveTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode(() -> TestNodes.config().put("TRCR_RATE_LIMIT_PER_SECOND", 0));

  private static int hour = 0;

  /** A draft of one fresh entry (so its invoice.created event shows the subscription works). */
  private static String draft(BillingFixture f) {
    Instant start = JAN.plusSeconds(3600L * ++hour);
    f.entry(f.owner, f.projectId, start, 600, "e" + hour);
    return expect(201, f.draft(f.owner, f.draftBody("project").put("from", start.toString())
        .put("to", start.plusSeconds(60).toString()))).json().getString("id");
  }

  @Test
  void adminsFollowInvoicesLiveAndMembersAreRefused() {
    BillingFixture f = new BillingFixture(NODE.api(), "100.00", "EUR", 14);
    String stream = "team." + f.teamId + ".billing";
    try (BridgeClient admin = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort());
         BridgeClient member = BridgeClient.connect(NODE.clientVertx(), NODE.node().bridgePort())) {
      admin.register(stream, f.admin.token());
      // A register is not acknowledged: make drafts until the admin sees one.
      List<String> drafts = new ArrayList<>();
      JsonObject created = null;
      for (int i = 0; i < 30 && created == null; i++) {
        drafts.add(draft(f));
        created = admin.nextMatching(fr -> "rec".equals(fr.getString("type")), 300);
      }
      assertNotNull(created, "the admin's subscription never took effect");
      assertEquals("invoice.created", created.getJsonObject("body").getString("type"));

      String id = drafts.get(drafts.size() - 1);
      JsonObject issued = f.issue(id);
      JsonObject event = admin.nextMatching(fr -> "rec".equals(fr.getString("type"))
          && "invoice.issued".equals(fr.getJsonObject("body").getString("type")), 5_000);
      assertNotNull(event, "invoice.issued reached the admin");
      JsonObject body = event.getJsonObject("body");
      assertEquals(f.teamId, body.getString("teamId"));
      assertEquals(id, body.getJsonObject("invoice").getString("id"));
      assertEquals(issued.getString("number"), body.getJsonObject("invoice").getString("number"));
      assertEquals("issued", body.getJsonObject("invoice").getString("status"));
      assertEquals("19.84", body.getJsonObject("invoice").getString("total"));
      assertNotNull(body.getLong("seq"));

      member.register(stream, f.member.token());
      JsonObject refused = member.nextMatching(fr -> "err".equals(fr.getString("type")), 3_000);
      assertNotNull(refused, "a member's register is refused");
      assertEquals("access_denied", refused.getString("body"));
      expect(201, NODE.api().post(f.path("/invoices/" + id + "/payments"), f.owner.token(),
          new JsonObject().put("amount", "19.84")));
      JsonObject paid = admin.nextMatching(fr -> "rec".equals(fr.getString("type"))
          && "invoice.paid".equals(fr.getJsonObject("body").getString("type")), 5_000);
      assertNotNull(paid, "invoice.paid reached the admin");
      assertNull(member.nextMatching(fr -> "rec".equals(fr.getString("type")), 500), "nothing reaches the member");
    }
  }
}
