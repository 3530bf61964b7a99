package dev.vpngw.appliance.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.ha.journal.HaRecord;
import dev.vpngw.ha.journal.ReplicationLog;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SequenceFence;
import dev.vpngw.selector.TrafficSelector;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The active's replication of sequence numbers and selectors, against a real journal. */
class HaReplicatorTest {
  @TempDir Path dir;

  private static SaConfig outbound(long first) throws Exception {
    return SaConfig.builder()
        .spi(0x1234_5678)
        .suite(new EspSuite(Encryption.AES_GCM_16_128, Integrity.NONE))
        .encryptionKey(new byte[20])
        .integrityKey(new byte[0])
        .tunnel(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("192.0.2.2"))
        .initialSequenceNumber(first)
        .build();
  }

  @Test
  void aFencedSaMayFirstSendUpToAJournaledMarkAndTheMarkerStaysAhead() throws Exception {
    try (ReplicationLog log =
            ReplicationLog.open(
                dir.resolve("journal"), RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE);
        HaReplicator r = new HaReplicator(log, 64, 1_000_000L)) {
      SaConfig plain = outbound(1);
      assertSame(plain, r.fence(plain), "a standby fences nothing");
      r.active(true);
      SaConfig fenced = r.fence(outbound(101));
      SequenceFence fence = fenced.sequenceFence();
      assertNotNull(fence);
      // No standby attached: the first mark is safe at once, so the first packet is not held.
      assertEquals(100 + 64, fence.limit());
      assertEquals(java.util.OptionalLong.of(164L), log.read(s -> s.sequenceMark(0x1234_5678)));
      // The worker got past half the window: the marker journals the next mark and raises it.
      fence.published(140);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (fence.limit() <= 164 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertEquals(139 + 64, fence.limit());
      assertEquals(java.util.OptionalLong.of(203L), log.read(s -> s.sequenceMark(0x1234_5678)));
      assertEquals(1, r.fencedSas());
      r.active(false);
      assertEquals(0, r.fencedSas(), "a node that steps down forgets its fences");
    }
  }

  @Test
  void selectorsAreJournaledAsPrefixesOnly() throws Exception {
    List<HaRecord.Selector> s =
        HaReplicator.selectors(
            List.of(
                TrafficSelector.of(IpPrefix.parse("10.1.0.0/24")),
                TrafficSelector.of(IpPrefix.parse("0.0.0.0/0"), 6, 443, 443),
                TrafficSelector.of(IpPrefix.parse("2001:db8::/32"))));
    assertEquals(24, s.get(0).prefixLength());
    assertEquals("10.1.0.0", s.get(0).address().getHostAddress());
    assertEquals(0, s.get(1).prefixLength());
    assertEquals(6, s.get(1).protocol());
    assertEquals(443, s.get(1).portLow());
    assertEquals(32, s.get(2).prefixLength());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HaReplicator.selectors(
                    List.of(
                        TrafficSelector.range(
                            InetAddress.getByName("10.0.0.1").getAddress(),
                            InetAddress.getByName("10.0.0.6").getAddress(),
                            0,
                            0,
                            65535))));
    assertTrue(e.getMessage().contains("not one prefix"), e.getMessage());
  }
}
