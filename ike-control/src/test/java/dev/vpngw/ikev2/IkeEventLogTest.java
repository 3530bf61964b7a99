package dev.vpngw.ikev2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The event log: each event is one line and the same {@link IkeLog.Event} for the listener; every
 * exchange is logged started and completed (initiator) or completed (responder), and a child rekey
 * says so.
 */
class IkeEventLogTest {
  @Test
  void theListenerGetsTheEventOfEachLine() {
    List<String> lines = new ArrayList<>();
    List<IkeLog.Event> events = new ArrayList<>();
    IkeLog log = new IkeLog(lines::add, events::add);
    log.event("child_sa_failed", "to b", "notify", "TS_UNACCEPTABLE", "reason", "no \"match\"");
    log.event("message_dropped", null, "reason", "x=y");
    assertEquals(2, events.size());
    assertEquals(lines.get(0), events.get(0).line());
    assertEquals(
        "event=child_sa_failed connection=\"to b\" notify=TS_UNACCEPTABLE reason=\"no \\\"match\\\"\"",
        lines.get(0).substring(lines.get(0).indexOf(' ') + 1));
    assertEquals("TS_UNACCEPTABLE", events.get(0).field("notify"));
    assertEquals(null, events.get(1).connection());
    assertEquals("reason=\"x=y\"", lines.get(1).substring(lines.get(1).lastIndexOf(' ') + 1));
    Instant ts = Instant.parse(lines.get(1).substring(3, lines.get(1).indexOf(' ')));
    assertEquals(ts, events.get(1).time());
  }

  @Test
  void exchangesAreLoggedStartedAndCompletedOnBothSides() {
    IkePair p =
        new IkePair(
            IkePair.connection("a-to-b", IkePair.A_ADDRESS, IkePair.B_ADDRESS).build(),
            IkePair.connection("b-to-a", IkePair.B_ADDRESS, IkePair.A_ADDRESS)
                .mode(dev.vpngw.ikev2.config.ConnectionMode.RESPONDER_ONLY)
                .build(),
            IkePair.settings());
    p.a.start();
    p.deliver();
    p.a.rekeyChildren("a-to-b");
    p.deliver();
    for (String type : List.of("IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA")) {
      assertEquals(1, count(p.logA, "exchange_started", "type=" + type), type + "\n" + p.logA);
      assertEquals(1, count(p.logA, "exchange_completed", "type=" + type), type + "\n" + p.logA);
      assertEquals(
          1, count(p.logB, "exchange_completed", "type=" + type + " role=responder"), type);
    }
    assertEquals(1, count(p.logA, "child_sa_rekeyed", ""), String.join("\n", p.logA));
    assertEquals(1, count(p.logB, "child_sa_rekeyed", ""), String.join("\n", p.logB));
    String rekeyed =
        p.logA.stream().filter(l -> l.contains(" event=child_sa_rekeyed ")).findFirst().get();
    assertTrue(
        rekeyed.matches(
            ".* old_spi_in=[0-9a-f]{8} old_spi_out=[0-9a-f]{8} spi_in=[0-9a-f]{8} spi_out=[0-9a-f]{8}"),
        rekeyed);
  }

  private static long count(List<String> log, String event, String also) {
    return log.stream()
        .filter(l -> l.contains(" event=" + event + " ") && l.contains(also))
        .count();
  }
}
