package dev.vpngw.pipeline;

import dev.vpngw.counters.SaCounters;
import dev.vpngw.sa.SecurityAssociation;

/**
 * An SA as its worker holds it, with its counters in the counters file. The SA keeps its own packet
 * and byte totals per packet (plain fields); the worker copies the difference into the counters
 * file a few times a second, so the packet path writes no shared memory for them.
 */
final class OwnedSa implements AutoCloseable {
  final SecurityAssociation sa;
  final SaCounters counters;
  private long publishedPackets;
  private long publishedBytes;

  OwnedSa(SecurityAssociation sa, SaCounters counters) {
    this.sa = sa;
    this.counters = counters;
  }

  /** Adds what the SA carried since the last call to its counters. */
  void publish() {
    long packets = sa.packets() - publishedPackets;
    long bytes = sa.bytes() - publishedBytes;
    if (packets != 0) {
      counters.packets((int) packets, bytes);
      publishedPackets += packets;
      publishedBytes += bytes;
    }
  }

  /** Publishes the last totals, then frees the counters and closes the SA (wiping its keys). */
  @Override
  public void close() {
    publish();
    counters.close();
    sa.close();
  }
}
