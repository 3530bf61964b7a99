package dev.vpngw.pipeline;

import org.agrona.concurrent.Agent;

/**
 * Divides the gateway's bandwidth limit among the tunnels every {@link
 * BandwidthLimiter#ALLOCATION_INTERVAL_NANOS}, one limiter per direction; runs on the I/O thread.
 * It reports no work, so it never keeps the thread from sleeping.
 *
 * @param outbound the limiter of encrypted (outbound) traffic
 * @param inbound the limiter of decrypted (inbound) traffic
 */
record BandwidthAllocator(BandwidthLimiter outbound, BandwidthLimiter inbound) implements Agent {
  @Override
  public int doWork() {
    long now = System.nanoTime();
    outbound.allocate(now);
    inbound.allocate(now);
    return 0;
  }

  @Override
  public String roleName() {
    return "bandwidth-allocator";
  }
}
