package dev.vpngw.appliance.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.CountersSnapshot;
import dev.vpngw.counters.SaCounters;
import dev.vpngw.esp.DropReason;
import dev.vpngw.sa.SecurityAssociation.Direction;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

/**
 * Per-connection totals never fall when a rekey replaces a connection's SAs (their counters are
 * freed), and a connection is up only with an SA each way.
 */
class ConnectionTotalsTest {
  private final CountersManager manager = CountersFile.inMemory(256);
  private final ConnectionTotals totals = new ConnectionTotals();

  private ConnectionTotals.Sample sample() {
    return totals.update(CountersSnapshot.read(manager));
  }

  @Test
  void totalsSurviveARekeyThatFreesTheOldSasCounters() {
    SaCounters in1 =
        SaCounters.allocate(manager, "to-b", 3, Direction.INBOUND, 0xc001, "192.0.2.2");
    SaCounters out1 =
        SaCounters.allocate(manager, "to-b", 3, Direction.OUTBOUND, 0xd001, "192.0.2.2");
    in1.packets(10, 1000);
    out1.packets(4, 400);
    in1.drop(DropReason.REPLAYED);
    ConnectionTotals.Sample s = sample();
    assertTrue(s.up("to-b"));
    assertEquals(10, s.connection("to-b").packetsIn());
    assertEquals(400, s.connection("to-b").bytesOut());
    assertEquals(1, s.connection("to-b").totalDrops());

    in1.packets(5, 500);
    in1.close();
    out1.close();
    SaCounters in2 =
        SaCounters.allocate(manager, "to-b", 3, Direction.INBOUND, 0xc002, "192.0.2.2");
    SaCounters out2 =
        SaCounters.allocate(manager, "to-b", 3, Direction.OUTBOUND, 0xd002, "192.0.2.2");
    in2.packets(1, 100);
    s = sample();
    // The 5 packets the old SA counted after the last sample are lost: callers sample often.
    assertEquals(11, s.connection("to-b").packetsIn());
    assertEquals(1100, s.connection("to-b").bytesIn());
    assertEquals(4, s.connection("to-b").packetsOut());
    assertEquals(1, s.connection("to-b").totalDrops());
    assertEquals(2, s.sas().size());
    assertTrue(s.up("to-b"));

    in2.close();
    s = sample();
    assertFalse(s.up("to-b"), "no inbound SA: down");
    assertEquals(11, s.connection("to-b").packetsIn());
    out2.close();
  }

  @Test
  void theSameSpiWithSmallerValuesIsANewSa() {
    SaCounters a = SaCounters.allocate(manager, "to-b", 1, Direction.INBOUND, 0xc001, "192.0.2.2");
    a.packets(10, 1000);
    sample();
    a.close();
    SaCounters b = SaCounters.allocate(manager, "to-b", 1, Direction.INBOUND, 0xc001, "192.0.2.2");
    b.packets(2, 200);
    assertEquals(12, sample().connection("to-b").packetsIn());
    b.close();
  }

  @Test
  void connectionNamesComeFromTheLabelsEvenWithSpaces() {
    SaCounters a =
        SaCounters.allocate(manager, "site one", 1, Direction.OUTBOUND, 0xc001, "2001:db8::2");
    ConnectionTotals.SaSample s = sample().sas().get(0);
    assertEquals("site one", s.connection());
    assertEquals("2001:db8::2", s.peer());
    a.close();
  }
}
