package dev.vpngw.appliance.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpngw.appliance.monitor.IkeEventStats.Kind;
import dev.vpngw.ikev2.IkeLog;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which log events count as what, with the labels the metrics carry. */
class IkeEventStatsTest {
  private final IkeEventStats stats = new IkeEventStats();

  private void event(String name, String... fields) {
    stats.accept(new IkeLog.Event(Instant.now(), name, "to-b", List.of(fields)));
  }

  @Test
  void countsEachKindWithItsLabels() {
    event("exchange_completed", "exchange", "dpd", "type", "INFORMATIONAL", "role", "initiator");
    event("exchange_completed", "exchange", "dpd", "type", "INFORMATIONAL", "role", "initiator");
    event(
        "exchange_failed",
        "exchange",
        "IKE_AUTH",
        "type",
        "IKE_AUTH",
        "role",
        "responder",
        "notify",
        "AUTHENTICATION_FAILED");
    event("exchange_failed", "exchange", "ike-auth", "type", "IKE_AUTH", "stage", "build");
    event("peer_unreachable", "exchange", "dpd", "type", "INFORMATIONAL", "retransmits", "3");
    event("child_sa_failed", "notify", "TS_UNACCEPTABLE");
    event("ike_sa_down", "reason", "no response to dpd");
    event("ike_sa_down", "reason", "deleted by peer");
    event("child_sa_rekeyed");
    event("ike_sa_rekeyed");
    event("dpd_sent");
    event("nat_detected");
    event("child_sa_installed");
    assertEquals(2, stats.get(Kind.EXCHANGE, "to-b", "INFORMATIONAL", "initiator"));
    assertEquals(1, stats.get(Kind.EXCHANGE_FAILURE, "to-b", "IKE_AUTH", "AUTHENTICATION_FAILED"));
    assertEquals(1, stats.get(Kind.EXCHANGE_FAILURE, "to-b", "IKE_AUTH", "none"));
    assertEquals(1, stats.get(Kind.EXCHANGE_FAILURE, "to-b", "INFORMATIONAL", "no_response"));
    assertEquals(1, stats.get(Kind.EXCHANGE_FAILURE, "to-b", "CHILD_SA", "TS_UNACCEPTABLE"));
    assertEquals(2, stats.get(Kind.IKE_DOWN, "to-b"));
    assertEquals(1, stats.get(Kind.DEAD_PEER, "to-b"));
    assertEquals(1, stats.get(Kind.CHILD_REKEY, "to-b"));
    assertEquals(1, stats.get(Kind.IKE_REKEY, "to-b"));
    assertEquals(1, stats.get(Kind.DPD_CHECK, "to-b"));
    assertEquals(1, stats.get(Kind.NAT_DETECTED, "to-b"));
    assertEquals(11, stats.snapshot().size());
  }
}
