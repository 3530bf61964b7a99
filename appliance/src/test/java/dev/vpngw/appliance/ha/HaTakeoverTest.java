package dev.vpngw.appliance.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ha.journal.HaRecord;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which replicated child SAs a new active may take over. */
class HaTakeoverTest {
  private static HaRecord.ChildSa child(int inSpi, int outSpi) throws Exception {
    return new HaRecord.ChildSa(
        "site-a",
        new HaRecord.IkeSaId(1, 2),
        inSpi,
        outSpi,
        0,
        128,
        0,
        new byte[20],
        new byte[20],
        false,
        false,
        List.of(new HaRecord.Selector(InetAddress.getByName("10.1.0.0"), 16, 0, 0, 65535)),
        List.of(new HaRecord.Selector(InetAddress.getByName("10.2.0.0"), 16, 0, 0, 65535)),
        3600,
        3900,
        0,
        0,
        1_700_000_000_000L);
  }

  @Test
  void aChildSaWithoutASequenceMarkIsRefusedNotRestartedAtOne() throws Exception {
    HaRecord.ChildSa marked = child(0xc0000001, 0xd0000001);
    HaRecord.ChildSa unmarked = child(0xc0000002, 0xd0000002);
    List<String> refused = new ArrayList<>();
    List<HaRecord.ChildSa> kept =
        HaTakeover.marked(List.of(marked, unmarked), Map.of(0xd0000001, 5000L), refused);
    assertEquals(List.of(marked), kept);
    assertEquals(1, refused.size());
    assertTrue(refused.get(0).contains("d0000002"), refused.get(0));
    assertTrue(refused.get(0).contains("no sequence mark"), refused.get(0));
  }
}
