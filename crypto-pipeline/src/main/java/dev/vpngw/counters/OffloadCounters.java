package dev.vpngw.counters;

import org.agrona.concurrent.status.CountersManager;

/**
 * What the TUN offloads did for one agent: super-packets read and the segments cut from them (the
 * TUN reader), coalesced writes and the segments they carried (the transmit agent). They show that
 * the offloads are in use ({@code gateway status} prints them) and how much each syscall carries;
 * one writer each, like every counter here ({@link CounterTypes#TUN_GSO_PACKETS} and the three
 * after it, no key).
 */
public final class OffloadCounters implements AutoCloseable {
  private static final int GSO_PACKETS = 0;
  private static final int GSO_SEGMENTS = 1;
  private static final int GRO_WRITES = 2;
  private static final int GRO_SEGMENTS = 3;

  private final OwnedCounters counters;

  /**
   * Allocates the four counters in {@code manager}.
   *
   * @param labelPrefix names the owning agent, e.g. {@code "tun-rx"}
   * @throws IllegalStateException if the counters file is full (nothing stays allocated)
   */
  public OffloadCounters(CountersManager manager, String labelPrefix) {
    counters = new OwnedCounters(manager);
    try {
      counters.allocate(
          CounterTypes.TUN_GSO_PACKETS, labelPrefix + ": TUN super-packets split", k -> {});
      counters.allocate(
          CounterTypes.TUN_GSO_SEGMENTS, labelPrefix + ": segments cut from them", k -> {});
      counters.allocate(
          CounterTypes.TUN_GRO_WRITES, labelPrefix + ": coalesced TUN writes", k -> {});
      counters.allocate(
          CounterTypes.TUN_GRO_SEGMENTS, labelPrefix + ": segments coalesced", k -> {});
    } catch (RuntimeException e) {
      counters.close();
      throw e;
    }
  }

  /** Counts one super-packet cut into {@code segments} segments. Owner thread only. */
  public void split(int segments) {
    counters.increment(GSO_PACKETS);
    counters.add(GSO_SEGMENTS, segments);
  }

  /** Counts one write that carried {@code segments} coalesced segments. Owner thread only. */
  public void coalesced(int segments) {
    counters.increment(GRO_WRITES);
    counters.add(GRO_SEGMENTS, segments);
  }

  /** Super-packets split. */
  public long packetsSplit() {
    return counters.get(GSO_PACKETS);
  }

  /** Segments cut from them. */
  public long segmentsSplit() {
    return counters.get(GSO_SEGMENTS);
  }

  /** Coalesced writes. */
  public long coalescedWrites() {
    return counters.get(GRO_WRITES);
  }

  /** Segments those writes carried. */
  public long segmentsCoalesced() {
    return counters.get(GRO_SEGMENTS);
  }

  /** Frees the counters (when the agent stops for good). */
  @Override
  public void close() {
    counters.close();
  }
}
