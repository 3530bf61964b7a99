package dev.vpngw.appliance.snmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.vpngw.appliance.monitor.ConnectionTotals;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.CountersSnapshot;
import dev.vpngw.counters.SaCounters;
import dev.vpngw.esp.DropReason;
import dev.vpngw.sa.SecurityAssociation.Direction;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.Variable;

/**
 * IF-MIB rows per connection from the counters, and VPNGW-MIB's objects where the MIB file puts
 * them.
 */
class MibViewTest {
  private final CountersManager manager = CountersFile.inMemory(256);

  @Test
  void oneInterfacePerConnectionWithItsCounters() {
    try (SaCounters in =
            SaCounters.allocate(manager, "to-b", 1, Direction.INBOUND, 7, "192.0.2.2");
        SaCounters out =
            SaCounters.allocate(manager, "to-b", 1, Direction.OUTBOUND, 8, "192.0.2.2")) {
      in.packets(3, (1L << 32) + 5);
      in.drop(DropReason.REPLAYED);
      out.packets(2, 200);
      ConnectionTotals.Sample sample =
          new ConnectionTotals().update(CountersSnapshot.read(manager));
      NavigableMap<OID, Variable> m =
          MibView.build(
              "gw-a",
              4200,
              List.of(
                  new MibView.Interface(1, "to-b", "192.0.2.2", 1400),
                  new MibView.Interface(3, "to-c", "192.0.2.3", 1400)),
              sample,
              Map.of("to-b", 100L),
              new MibView.Ike(1, 1, 3));
      assertEquals(new Integer32(2), m.get(new OID("1.3.6.1.2.1.2.1.0")));
      assertEquals(new OctetString("to-b"), m.get(new OID("1.3.6.1.2.1.2.2.1.2.1")));
      assertEquals(new Integer32(1), m.get(new OID("1.3.6.1.2.1.2.2.1.8.1")), "to-b up");
      assertEquals(
          new Integer32(2), m.get(new OID("1.3.6.1.2.1.2.2.1.8.3")), "to-c down, at its own index");
      assertEquals(new Counter32(5), m.get(new OID("1.3.6.1.2.1.2.2.1.10.1")), "ifInOctets wraps");
      assertEquals(new Counter32(1), m.get(new OID("1.3.6.1.2.1.2.2.1.14.1")), "ifInErrors");
      assertEquals(new Counter32(0), m.get(new OID("1.3.6.1.2.1.2.2.1.20.1")), "ifOutErrors");
      assertEquals(new Counter64((1L << 32) + 5), m.get(new OID("1.3.6.1.2.1.31.1.1.1.6.1")));
      assertEquals(new Counter64(3), m.get(new OID("1.3.6.1.2.1.31.1.1.1.7.1")));
      assertEquals(new Counter64(200), m.get(new OID("1.3.6.1.2.1.31.1.1.1.10.1")));
      assertEquals(new Counter64(2), m.get(new OID("1.3.6.1.2.1.31.1.1.1.11.1")));
      assertEquals(new OctetString("192.0.2.3"), m.get(new OID("1.3.6.1.2.1.31.1.1.1.18.3")));
      assertEquals(new Counter64(3), m.get(new OID("1.3.6.1.4.1.32473.1.1.3.0")));
      assertEquals(new Integer32(1), m.get(new OID("1.3.6.1.4.1.32473.1.1.4.0")));
      // A walk meets the table column by column, as GETNEXT must.
      OID first = m.higherKey(new OID("1.3.6.1.2.1.2.2"));
      assertEquals(new OID("1.3.6.1.2.1.2.2.1.1.1"), first);
      assertEquals(new OID("1.3.6.1.2.1.2.2.1.1.3"), m.higherKey(first));
      assertNull(m.get(new OID("1.3.6.1.2.1.2.2.1.1.2")), "no interface at a free index");
    }
  }

  @Test
  void theMibFileDefinesTheObjectsWhereTheAgentServesThem() throws Exception {
    String mib =
        java.nio.file.Files.readString(java.nio.file.Path.of("..", "monitoring", "VPNGW-MIB.txt"));
    assertFalse(mib.isEmpty());
    Map<String, OID> objects =
        Map.of(
            "vpngwIkeSaCount", MibView.VPNGW_IKE_SAS,
            "vpngwChildSaCount", MibView.VPNGW_CHILD_SAS,
            "vpngwIkeFailures", MibView.VPNGW_IKE_FAILURES,
            "vpngwHaRole", MibView.VPNGW_HA_ROLE,
            "vpngwHaEpoch", MibView.VPNGW_HA_EPOCH,
            "vpngwConnectionsUp", MibView.VPNGW_CONNECTIONS_UP);
    assertEquals(true, mib.contains("::= { enterprises 32473 1 }"), "root " + MibView.VPNGW);
    for (Map.Entry<String, OID> e : objects.entrySet()) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile(
                  e.getKey() + " OBJECT-TYPE.*?::= \\{ vpngwObjects (\\d+) \\}",
                  java.util.regex.Pattern.DOTALL)
              .matcher(mib);
      assertEquals(true, m.find(), e.getKey());
      assertEquals(
          new OID(MibView.VPNGW).append(1).append(Integer.parseInt(m.group(1))).append(0),
          e.getValue(),
          e.getKey());
    }
  }
}
