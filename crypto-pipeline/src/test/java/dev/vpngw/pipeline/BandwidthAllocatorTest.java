package dev.vpngw.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.counters.CounterTypes;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.CountersSnapshot;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

/**
 * The allocator publishes each direction's limit and used rate as gauges in the counters file,
 * keyed by direction, where exporters find them, and frees them on close.
 */
class BandwidthAllocatorTest {
  @Test
  void publishesTheLimitAndTheUsedRatePerDirectionAndFreesThem() throws Exception {
    CountersManager manager = CountersFile.inMemory(16);
    BandwidthLimiter out = new BandwidthLimiter();
    BandwidthLimiter in = new BandwidthLimiter();
    BandwidthAllocator allocator = new BandwidthAllocator(out, in, manager);
    CountersSnapshot empty = CountersSnapshot.read(manager);
    assertEquals(0, empty.total(CounterTypes.BANDWIDTH_LIMIT, CounterTypes.INBOUND));
    assertEquals(4, empty.counters().size());

    in.limit(650_000_000L);
    out.limit(100_000_000L);
    BandwidthLimiter.Share share = in.register(System.nanoTime());
    assertTrue(share.admit(1000, System.nanoTime()));
    // The allocator runs on the real clock: divisions come every 50 ms.
    long deadline = System.nanoTime() + 5_000_000_000L;
    CountersSnapshot s;
    do {
      allocator.doWork();
      Thread.onSpinWait();
      s = CountersSnapshot.read(manager);
    } while (s.total(CounterTypes.BANDWIDTH_USED, CounterTypes.INBOUND) == 0
        && System.nanoTime() < deadline);
    assertEquals(650_000_000L / 8, s.total(CounterTypes.BANDWIDTH_LIMIT, CounterTypes.INBOUND));
    assertEquals(100_000_000L / 8, s.total(CounterTypes.BANDWIDTH_LIMIT, CounterTypes.OUTBOUND));
    long used = s.total(CounterTypes.BANDWIDTH_USED, CounterTypes.INBOUND);
    // 1000 bytes over one interval of at least 50 ms.
    assertTrue(used > 0 && used <= 1000 * 20, "used " + used);
    assertEquals(0, s.total(CounterTypes.BANDWIDTH_USED, CounterTypes.OUTBOUND));

    allocator.close();
    assertEquals(0, CountersSnapshot.read(manager).counters().size());
  }
}
