package dev.vpngw.pipeline;

import dev.vpngw.counters.CounterTypes;
import dev.vpngw.counters.OwnedCounters;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.CountersManager;

/**
 * Divides the gateway's bandwidth limit among the tunnels every {@link
 * BandwidthLimiter#ALLOCATION_INTERVAL_NANOS}, one limiter per direction; runs on the I/O thread.
 * After each division it publishes each direction's limit and the rate its tunnels used in the
 * counters file ({@link CounterTypes#BANDWIDTH_LIMIT}, {@link CounterTypes#BANDWIDTH_USED}), for
 * the exporters. It reports no work, so it never keeps the thread from sleeping.
 */
final class BandwidthAllocator implements Agent, AutoCloseable {
  private static final int LIMIT_IN = 0;
  private static final int LIMIT_OUT = 1;
  private static final int USED_IN = 2;
  private static final int USED_OUT = 3;

  private final BandwidthLimiter outbound;
  private final BandwidthLimiter inbound;
  private final OwnedCounters counters;

  /**
   * @param outbound the limiter of encrypted (outbound) traffic
   * @param inbound the limiter of decrypted (inbound) traffic
   * @param manager where the limit and used-rate gauges go
   * @throws IllegalStateException if the counters file is full (nothing stays allocated)
   */
  BandwidthAllocator(BandwidthLimiter outbound, BandwidthLimiter inbound, CountersManager manager) {
    this.outbound = outbound;
    this.inbound = inbound;
    this.counters = new OwnedCounters(manager);
    try {
      gauge(CounterTypes.BANDWIDTH_LIMIT, CounterTypes.INBOUND, "bandwidth limit in (byte/s)");
      gauge(CounterTypes.BANDWIDTH_LIMIT, CounterTypes.OUTBOUND, "bandwidth limit out (byte/s)");
      gauge(CounterTypes.BANDWIDTH_USED, CounterTypes.INBOUND, "bandwidth used in (byte/s)");
      gauge(CounterTypes.BANDWIDTH_USED, CounterTypes.OUTBOUND, "bandwidth used out (byte/s)");
    } catch (RuntimeException e) {
      counters.close();
      throw e;
    }
    counters.set(LIMIT_IN, inbound.limitBytesPerSecond());
    counters.set(LIMIT_OUT, outbound.limitBytesPerSecond());
  }

  private void gauge(int type, int direction, String label) {
    counters.allocate(
        type, label, k -> k.putInt(CounterTypes.BANDWIDTH_DIRECTION_OFFSET, direction));
  }

  @Override
  public int doWork() {
    long now = System.nanoTime();
    if (outbound.allocate(now)) {
      counters.set(LIMIT_OUT, outbound.limitBytesPerSecond());
      counters.set(USED_OUT, outbound.usedBytesPerSecond());
    }
    if (inbound.allocate(now)) {
      counters.set(LIMIT_IN, inbound.limitBytesPerSecond());
      counters.set(USED_IN, inbound.usedBytesPerSecond());
    }
    return 0;
  }

  @Override
  public String roleName() {
    return "bandwidth-allocator";
  }

  @Override
  public void close() {
    counters.close();
  }
}
