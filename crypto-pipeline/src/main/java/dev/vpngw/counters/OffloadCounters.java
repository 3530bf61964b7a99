package dev.vpngw.counters;

import org.agrona.concurrent.status.CountersManager;

/**
 * What one offload did for one agent: how many batches (super-packets, coalesced writes or
 * receives, segmented sends) and how many packets they carried. They show that an offload is in use
 * ({@code gateway status} prints them) and how much each system call carries; one writer each, like
 * every counter here, no key.
 */
public final class OffloadCounters implements AutoCloseable {
  /** The four offloads, each a pair of counter types. */
  public enum Kind {
    /** TUN super-packets read and cut into segments (TunRxAgent). */
    TUN_GSO(
        CounterTypes.TUN_GSO_PACKETS,
        CounterTypes.TUN_GSO_SEGMENTS,
        "TUN super-packets split",
        "segments cut from them"),
    /** TCP runs coalesced into one TUN write (TxAgent). */
    TUN_GRO(
        CounterTypes.TUN_GRO_WRITES,
        CounterTypes.TUN_GRO_SEGMENTS,
        "coalesced TUN writes",
        "segments in them"),
    /** ESP datagrams sent several at a time with UDP_SEGMENT (TxAgent). */
    WAN_GSO(
        CounterTypes.WAN_GSO_SENDS,
        CounterTypes.WAN_GSO_DATAGRAMS,
        "segmented UDP sends",
        "datagrams in them"),
    /** ESP datagrams the kernel coalesced into one receive (UDP_GRO, EspRxAgent). */
    WAN_GRO(
        CounterTypes.WAN_GRO_RECEIVES,
        CounterTypes.WAN_GRO_DATAGRAMS,
        "coalesced UDP receives",
        "datagrams in them");

    private final int batchType;
    private final int packetType;
    private final String batchLabel;
    private final String packetLabel;

    Kind(int batchType, int packetType, String batchLabel, String packetLabel) {
      this.batchType = batchType;
      this.packetType = packetType;
      this.batchLabel = batchLabel;
      this.packetLabel = packetLabel;
    }

    /** The counter type of the batches. */
    public int batchType() {
      return batchType;
    }

    /** The counter type of the packets in them. */
    public int packetType() {
      return packetType;
    }
  }

  private static final int BATCHES = 0;
  private static final int PACKETS = 1;

  private final OwnedCounters counters;

  /**
   * Allocates the pair of counters of {@code kind} in {@code manager}.
   *
   * @param labelPrefix names the owning agent, e.g. {@code "tun-rx"}
   * @throws IllegalStateException if the counters file is full (nothing stays allocated)
   */
  public OffloadCounters(CountersManager manager, String labelPrefix, Kind kind) {
    counters = new OwnedCounters(manager);
    try {
      counters.allocate(kind.batchType, labelPrefix + ": " + kind.batchLabel, k -> {});
      counters.allocate(kind.packetType, labelPrefix + ": " + kind.packetLabel, k -> {});
    } catch (RuntimeException e) {
      counters.close();
      throw e;
    }
  }

  /** Counts one batch that carried {@code packets} packets. Owner thread only. */
  public void add(int packets) {
    counters.increment(BATCHES);
    counters.add(PACKETS, packets);
  }

  /** Batches counted. */
  public long batches() {
    return counters.get(BATCHES);
  }

  /** Packets in them. */
  public long packets() {
    return counters.get(PACKETS);
  }

  /** Frees the counters (when the agent stops for good). */
  @Override
  public void close() {
    counters.close();
  }
}
