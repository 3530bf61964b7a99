package dev.vpngw.pipeline;

import dev.vpngw.counters.SaCounters;
import dev.vpngw.sa.SecurityAssociation;

/**
 * An SA as its worker holds it, with its counters in the counters file. The worker notes each inner
 * packet it passed on through the SA (plain fields: a packet dropped after the crypto, for its
 * selectors or a full ring, is not among them) and copies the difference into the counters file a
 * few times a second, so the packet path writes no shared memory for them. The SA's own totals are
 * its lifetime's, which count every packet it processed.
 */
final class OwnedSa implements AutoCloseable {
  final SecurityAssociation sa;
  final SaCounters counters;
  private long packets;
  private long bytes;
  private long publishedPackets;
  private long publishedBytes;

  OwnedSa(SecurityAssociation sa, SaCounters counters) {
    this.sa = sa;
    this.counters = counters;
  }

  /** Notes one inner packet of {@code innerBytes} passed on through the SA. Owner worker only. */
  void carried(int innerBytes) {
    packets++;
    bytes += innerBytes;
  }

  /** Adds what the SA carried since the last call to its counters. */
  void publish() {
    long newPackets = packets - publishedPackets;
    if (newPackets != 0) {
      counters.packets((int) newPackets, bytes - publishedBytes);
      publishedPackets = packets;
      publishedBytes = bytes;
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
