package dev.vpngw.fib;

import static java.nio.ByteOrder.BIG_ENDIAN;

import java.util.Objects;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The forwarding table: maps an inner packet's destination to a tunnel id by longest-prefix match,
 * for IPv4 and IPv6.
 *
 * <p>Readers never lock and never see a table half changed. The control thread edits routes in a
 * {@link FibBuilder}, builds an immutable {@link Snapshot} and {@link #publish publishes} it
 * through a volatile reference; a dataplane agent takes {@link #snapshot()} once per batch and does
 * all that batch's lookups on it, so one batch is routed by one table. The old table is garbage
 * once no agent holds it. Route changes are rare (configuration, BGP, failover) next to lookups, so
 * paying a full rebuild per change buys lookups with no synchronisation at all.
 */
public final class Fib {
  /** The lookup result when no route covers the address. */
  public static final int NO_ROUTE = -1;

  private volatile Snapshot current = Snapshot.EMPTY;

  /** The table currently in force; take it once per batch. Any thread. */
  public Snapshot snapshot() {
    return current;
  }

  /** Makes {@code snapshot} the table in force for every later {@link #snapshot()}. */
  public void publish(Snapshot snapshot) {
    current = Objects.requireNonNull(snapshot, "snapshot");
  }

  /**
   * One immutable version of the table. Lookups are allocation-free and safe from any number of
   * threads.
   */
  public static final class Snapshot {
    static final Snapshot EMPTY = new Snapshot(PrefixTrie.EMPTY, PrefixTrie.EMPTY, 0);

    private final long[] ipv4;
    private final long[] ipv6;
    private final int prefixes;

    Snapshot(long[] ipv4, long[] ipv6, int prefixes) {
      this.ipv4 = ipv4;
      this.ipv6 = ipv6;
      this.prefixes = prefixes;
    }

    /** The number of distinct prefixes with a route. */
    public int prefixCount() {
      return prefixes;
    }

    /**
     * The tunnel for an IPv4 address.
     *
     * @param address the address as a big-endian int, as {@code Ipv4Header.destination()} reads it
     * @return the value of the longest matching prefix, or {@link #NO_ROUTE}
     */
    public int lookupIpv4(int address) {
      return PrefixTrie.lookup(ipv4, (long) address << 32, 0);
    }

    /**
     * The tunnel for an IPv6 address given as two big-endian 64-bit halves.
     *
     * @return the value of the longest matching prefix, or {@link #NO_ROUTE}
     */
    public int lookupIpv6(long high, long low) {
      return PrefixTrie.lookup(ipv6, high, low);
    }

    /**
     * The tunnel for the 16-byte IPv6 address at {@code offset}.
     *
     * @return the value of the longest matching prefix, or {@link #NO_ROUTE}
     */
    public int lookupIpv6(UnsafeBuffer buffer, int offset) {
      return PrefixTrie.lookup(
          ipv6, buffer.getLong(offset, BIG_ENDIAN), buffer.getLong(offset + 8, BIG_ENDIAN));
    }

    /**
     * The tunnel for the destination of the IP packet at {@code ipOffset}, IPv4 or IPv6 by its
     * version nibble.
     *
     * @param length bytes of packet available from {@code ipOffset}
     * @return the tunnel, or {@link #NO_ROUTE} also when the packet is too short for its header's
     *     destination address or is neither IPv4 nor IPv6
     */
    public int lookupDestination(UnsafeBuffer buffer, int ipOffset, int length) {
      if (ipOffset < 0 || length < 1 || length > buffer.capacity() - ipOffset) {
        return NO_ROUTE;
      }
      int version = (buffer.getByte(ipOffset) & 0xf0) >>> 4;
      if (version == 4 && length >= 20) {
        return lookupIpv4(buffer.getInt(ipOffset + 16, BIG_ENDIAN));
      }
      if (version == 6 && length >= 40) {
        return lookupIpv6(buffer, ipOffset + 24);
      }
      return NO_ROUTE;
    }
  }
}
