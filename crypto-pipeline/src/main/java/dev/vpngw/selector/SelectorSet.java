package dev.vpngw.selector;

import static java.nio.ByteOrder.BIG_ENDIAN;

import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The traffic selectors of one child SA: the local ones (our side, the LAN behind the gateway) and
 * the remote ones (the peer's side), as negotiated in TSi/TSr (RFC 7296 2.9) or configured. A
 * packet belongs to the SA when its source matches one selector of the side it comes from and its
 * destination one selector of the side it goes to; any local selector may pair with any remote one.
 *
 * <p>The inbound check is the one RFC 4301 5.2 demands after decryption: a packet a peer tunnels to
 * us must lie within what the SA was negotiated for, or a peer could inject traffic for networks it
 * was never granted. The check parses the inner header in place, never allocates, and answers false
 * rather than throwing for any packet it cannot parse. Immutable and safe to share between threads.
 *
 * <p>The next layer protocol is the one after IPv6 extension headers (hop-by-hop, routing,
 * fragment, destination options; at most eight are walked, RFC 4301 4.4.1.1). Ports are read for
 * TCP, UDP, SCTP, DCCP and UDP-Lite, whose headers start with the source and destination port; ICMP
 * and ICMPv6 match on type and code as {@link TrafficSelector} describes; other protocols and
 * non-initial fragments carry no port.
 */
public final class SelectorSet {
  private static final int ICMP = 1;
  private static final int TCP = 6;
  private static final int UDP = 17;
  private static final int DCCP = 33;
  private static final int ICMPV6 = 58;
  private static final int SCTP = 132;
  private static final int UDP_LITE = 136;
  private static final int HOP_BY_HOP = 0;
  private static final int ROUTING = 43;
  private static final int FRAGMENT = 44;
  private static final int DESTINATION_OPTIONS = 60;
  private static final int MAX_EXTENSION_HEADERS = 8;
  private static final int NO_PORT = -1;

  private static final SelectorSet ANY =
      of(
          List.of(TrafficSelector.parse("0.0.0.0/0"), TrafficSelector.parse("::/0")),
          List.of(TrafficSelector.parse("0.0.0.0/0"), TrafficSelector.parse("::/0")));

  private final TrafficSelector[] local;
  private final TrafficSelector[] remote;

  private SelectorSet(TrafficSelector[] local, TrafficSelector[] remote) {
    this.local = local;
    this.remote = remote;
  }

  /**
   * Every IPv4 and IPv6 address, protocol and port on both sides: the selectors of a route-based
   * tunnel, where the FIB decides what enters it.
   */
  public static SelectorSet any() {
    return ANY;
  }

  /**
   * The given selectors.
   *
   * @throws IllegalArgumentException if either side is empty
   */
  public static SelectorSet of(List<TrafficSelector> local, List<TrafficSelector> remote) {
    if (local.isEmpty() || remote.isEmpty()) {
      throw new IllegalArgumentException("a child SA needs at least one selector on each side");
    }
    return new SelectorSet(
        local.toArray(TrafficSelector[]::new), remote.toArray(TrafficSelector[]::new));
  }

  /**
   * Selectors for all protocols and ports from CIDR prefixes (see {@link
   * dev.vpngw.fib.IpPrefix#parse}), such as a connection's local and remote address spaces.
   *
   * @throws IllegalArgumentException naming the value for a bad prefix, or if a side is empty
   */
  public static SelectorSet ofPrefixes(List<String> localCidrs, List<String> remoteCidrs) {
    return of(
        localCidrs.stream().map(TrafficSelector::parse).toList(),
        remoteCidrs.stream().map(TrafficSelector::parse).toList());
  }

  /** Our side's selectors. */
  public List<TrafficSelector> local() {
    return List.of(local);
  }

  /** The peer's side's selectors. */
  public List<TrafficSelector> remote() {
    return List.of(remote);
  }

  /**
   * Whether a decrypted inner packet may have come through this SA: source within a remote
   * selector, destination within a local one.
   *
   * @param buffer the packet
   * @param innerOffset where its IP header starts
   * @param innerLength its length
   * @return false also for a packet too short or malformed to tell
   */
  public boolean matchesInbound(UnsafeBuffer buffer, int innerOffset, int innerLength) {
    return matches(buffer, innerOffset, innerLength, remote, local);
  }

  /**
   * Whether a packet from the LAN may be sent through this SA: source within a local selector,
   * destination within a remote one.
   *
   * @return false also for a packet too short or malformed to tell
   */
  public boolean matchesOutbound(UnsafeBuffer buffer, int innerOffset, int innerLength) {
    return matches(buffer, innerOffset, innerLength, local, remote);
  }

  private static boolean matches(
      UnsafeBuffer buffer,
      int offset,
      int length,
      TrafficSelector[] sourceSide,
      TrafficSelector[] destinationSide) {
    if (offset < 0 || length < 20 || length > buffer.capacity() - offset) {
      return false;
    }
    int versionByte = buffer.getByte(offset) & 0xff;
    boolean ipv6;
    long sourceHigh;
    long sourceLow;
    long destinationHigh;
    long destinationLow;
    int protocol;
    int transport;
    int end;
    boolean portsKnown;
    if (versionByte >>> 4 == 4) {
      int headerLength = (versionByte & 0x0f) * 4;
      int totalLength = buffer.getShort(offset + 2, BIG_ENDIAN) & 0xffff;
      if (headerLength < 20 || totalLength < headerLength || totalLength > length) {
        return false;
      }
      ipv6 = false;
      sourceHigh = (long) buffer.getInt(offset + 12, BIG_ENDIAN) << 32;
      sourceLow = 0;
      destinationHigh = (long) buffer.getInt(offset + 16, BIG_ENDIAN) << 32;
      destinationLow = 0;
      protocol = buffer.getByte(offset + 9) & 0xff;
      portsKnown = (buffer.getShort(offset + 6, BIG_ENDIAN) & 0x1fff) == 0;
      transport = offset + headerLength;
      end = offset + totalLength;
    } else if (versionByte >>> 4 == 6 && length >= 40) {
      int payloadLength = buffer.getShort(offset + 4, BIG_ENDIAN) & 0xffff;
      if (40 + payloadLength > length) {
        return false;
      }
      ipv6 = true;
      sourceHigh = buffer.getLong(offset + 8, BIG_ENDIAN);
      sourceLow = buffer.getLong(offset + 16, BIG_ENDIAN);
      destinationHigh = buffer.getLong(offset + 24, BIG_ENDIAN);
      destinationLow = buffer.getLong(offset + 32, BIG_ENDIAN);
      end = offset + 40 + payloadLength;
      protocol = buffer.getByte(offset + 6) & 0xff;
      transport = offset + 40;
      portsKnown = true;
      int walked = 0;
      while (isExtensionHeader(protocol)) {
        if (++walked > MAX_EXTENSION_HEADERS || transport + 8 > end) {
          return false;
        }
        int next = buffer.getByte(transport) & 0xff;
        if (protocol == FRAGMENT) {
          portsKnown &= (buffer.getShort(transport + 2, BIG_ENDIAN) & 0xfff8) == 0;
          transport += 8;
        } else {
          transport += ((buffer.getByte(transport + 1) & 0xff) + 1) * 8;
        }
        protocol = next;
      }
      if (transport > end) {
        return false;
      }
    } else {
      return false;
    }

    int sourcePort = NO_PORT;
    int destinationPort = NO_PORT;
    if (portsKnown) {
      if (hasPorts(protocol)) {
        if (transport + 4 > end) {
          return false;
        }
        sourcePort = buffer.getShort(transport, BIG_ENDIAN) & 0xffff;
        destinationPort = buffer.getShort(transport + 2, BIG_ENDIAN) & 0xffff;
      } else if (protocol == (ipv6 ? ICMPV6 : ICMP)) {
        if (transport + 2 > end) {
          return false;
        }
        sourcePort = buffer.getShort(transport, BIG_ENDIAN) & 0xffff;
        destinationPort = sourcePort;
      }
    }
    return anyMatches(sourceSide, ipv6, sourceHigh, sourceLow, protocol, sourcePort)
        && anyMatches(
            destinationSide, ipv6, destinationHigh, destinationLow, protocol, destinationPort);
  }

  private static boolean anyMatches(
      TrafficSelector[] selectors, boolean ipv6, long high, long low, int protocol, int port) {
    for (TrafficSelector selector : selectors) {
      if (selector.matches(ipv6, high, low, protocol, port)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isExtensionHeader(int nextHeader) {
    return nextHeader == HOP_BY_HOP
        || nextHeader == ROUTING
        || nextHeader == FRAGMENT
        || nextHeader == DESTINATION_OPTIONS;
  }

  private static boolean hasPorts(int protocol) {
    return protocol == TCP
        || protocol == UDP
        || protocol == SCTP
        || protocol == DCCP
        || protocol == UDP_LITE;
  }

  @Override
  public String toString() {
    return "local " + List.of(local) + " remote " + List.of(remote);
  }
}
