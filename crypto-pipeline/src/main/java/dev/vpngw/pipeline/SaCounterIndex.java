package dev.vpngw.pipeline;

import dev.vpngw.counters.SaCounters;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The counters of the installed SAs by direction and SPI, so that the control side can read an SA's
 * bytes (IKE's volume lifetimes) without asking its worker. Kept by {@link Dataplane} under its
 * monitor; an entry goes the moment the SA is replaced or deleted, before the worker frees the
 * counter, so a freed (and perhaps reused) counter is never read.
 */
final class SaCounterIndex {
  private final Long2ObjectHashMap<SaCounters> bySpi = new Long2ObjectHashMap<>();
  private final Int2ObjectHashMap<SaCounters> outboundByTunnel = new Int2ObjectHashMap<>();

  void inbound(SaCounters counters) {
    bySpi.put(key(counters.spi(), false), counters);
  }

  /** The tunnel's new outbound SA, replacing its previous one. */
  void outbound(int tunnelId, SaCounters counters) {
    SaCounters previous = outboundByTunnel.put(tunnelId, counters);
    if (previous != null) {
      bySpi.remove(key(previous.spi(), true));
    }
    bySpi.put(key(counters.spi(), true), counters);
  }

  void removeInbound(int spi) {
    bySpi.remove(key(spi, false));
  }

  void removeOutbound(int tunnelId) {
    SaCounters outbound = outboundByTunnel.remove(tunnelId);
    if (outbound != null) {
      bySpi.remove(key(outbound.spi(), true));
    }
  }

  /** Bytes of the inbound SA with this SPI, else of the outbound one, else -1. */
  long bytes(int spi) {
    SaCounters c = bySpi.get(key(spi, false));
    if (c == null) {
      c = bySpi.get(key(spi, true));
    }
    return c == null ? -1 : c.bytes();
  }

  private static long key(int spi, boolean outbound) {
    return (outbound ? 1L << 32 : 0L) | Integer.toUnsignedLong(spi);
  }
}
