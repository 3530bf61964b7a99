package dev.vpngw.esp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DropReasonTest {
  @Test
  void idsAreUniqueNonZeroAndMapBack() {
    Set<Integer> ids = new HashSet<>();
    for (DropReason reason : DropReason.values()) {
      assertTrue(reason.id() > 0 && reason.id() <= DropReason.MAX_ID, reason.toString());
      assertTrue(ids.add(reason.id()), "duplicate id " + reason.id());
      assertSame(reason, DropReason.fromId(reason.id()));
      assertFalse(reason.description().isBlank());
    }
    assertThrows(IllegalArgumentException.class, () -> DropReason.fromId(EspResult.OK));
    assertThrows(IllegalArgumentException.class, () -> DropReason.fromId(DropReason.MAX_ID + 1));
  }

  /** Exporters and dashboards key on these numbers: changing one is a breaking change. */
  @Test
  void idsAreStable() {
    assertEquals(2, DropReason.TRUNCATED.id());
    assertEquals(3, DropReason.MALFORMED_HEADER.id());
    assertEquals(10, DropReason.UNKNOWN_SPI.id());
    assertEquals(12, DropReason.REPLAYED.id());
    assertEquals(13, DropReason.TOO_OLD.id());
    assertEquals(14, DropReason.BAD_ICV.id());
    assertEquals(19, DropReason.SEQUENCE_EXHAUSTED.id());
    assertEquals(22, DropReason.INNER_TOO_BIG.id());
  }

  @Test
  void countersAreIndexedById() {
    EspCounters counters = new EspCounters();
    counters.drop(DropReason.BAD_ICV);
    counters.drop(DropReason.BAD_ICV);
    counters.drop(DropReason.REPLAYED);
    counters.delivered(100);
    counters.protectedOut(60);
    assertEquals(2, counters.dropCount(DropReason.BAD_ICV));
    assertEquals(1, counters.dropCount(DropReason.REPLAYED));
    assertEquals(0, counters.dropCount(DropReason.TOO_OLD));
    assertEquals(3, counters.totalDrops());
    assertEquals(1, counters.packetsIn());
    assertEquals(100, counters.bytesIn());
    assertEquals(1, counters.packetsOut());
    assertEquals(60, counters.bytesOut());
  }
}
