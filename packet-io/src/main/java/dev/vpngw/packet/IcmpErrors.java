package dev.vpngw.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds the ICMP errors a tunnel sends back when a packet with Don't Fragment set (or any IPv6
 * packet) does not fit the tunnel MTU, so Path MTU Discovery works through the gateway:
 *
 * <ul>
 *   <li>ICMPv4 Destination Unreachable, code 4 "fragmentation needed and DF set", with the next-hop
 *       MTU in the second half of the unused word (RFC 792, RFC 1191 4);
 *   <li>ICMPv6 Packet Too Big with the MTU (RFC 4443 3.2).
 * </ul>
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Type = 3    |   Code = 4    |           Checksum            |   ICMPv4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           unused = 0          |         Next-Hop MTU          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Type = 2    |   Code = 0    |           Checksum            |   ICMPv6
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                             MTU                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    As much of the invoking packet as the limits below allow   |
 * </pre>
 *
 * The reply quotes as much of the offending packet as allowed: for IPv4 the whole ICMP datagram
 * stays within 576 bytes (RFC 1812 4.3.2.3), which always covers the IP header and the 8 bytes RFC
 * 792 requires; for IPv6 it stays within the minimum MTU of 1280 (RFC 4443 2.4(c)). Its source is
 * the gateway's address, its destination the offending packet's source, TTL / hop limit 64.
 *
 * <p>No error is built (the methods return 0) where the RFCs forbid one: in reply to an ICMP error
 * (RFC 1812 4.3.2.7, RFC 4443 2.4(e.1)) or an ICMPv6 redirect (2.4(e.2)); to a source that is not a
 * single host: unspecified, loopback, multicast, broadcast or class E for IPv4 (RFC 1812 4.3.2.7),
 * unspecified or multicast for IPv6 (RFC 4443 2.4(e.6)); for IPv4 also to a multicast or broadcast
 * destination and to a non-initial fragment. A Packet Too Big to a multicast destination is allowed
 * (RFC 4443 2.4(e.3), exception 1). Rate limiting is the caller's, see {@link IcmpRateLimiter}.
 * Nothing here allocates or throws on a malformed packet.
 */
public final class IcmpErrors {
  /** IANA protocol number of ICMP. */
  public static final int ICMP_PROTOCOL = 1;

  /** IANA protocol number of ICMPv6. */
  public static final int ICMPV6_PROTOCOL = 58;

  /** ICMPv4 Destination Unreachable. */
  public static final int ICMP_DESTINATION_UNREACHABLE = 3;

  /** Destination Unreachable code: fragmentation needed and DF set. */
  public static final int ICMP_CODE_FRAGMENTATION_NEEDED = 4;

  /** ICMPv6 Packet Too Big. */
  public static final int ICMPV6_PACKET_TOO_BIG = 2;

  /** Length of both ICMP headers: type, code, checksum and one 32-bit word. */
  public static final int ICMP_HEADER_LENGTH = 8;

  /** RFC 1812 4.3.2.3: an ICMPv4 error datagram is at most this long. */
  public static final int IPV4_MAX_ERROR_LENGTH = 576;

  /** RFC 4443 2.4(c): an ICMPv6 error packet is at most the minimum IPv6 MTU. */
  public static final int IPV6_MAX_ERROR_LENGTH = 1280;

  /** TTL and hop limit of the errors we originate. */
  public static final int HOP_LIMIT = 64;

  /**
   * Precedence 6, "internetwork control": RFC 1812 4.3.2.5 wants 6 or 7 on ICMP errors other than
   * source quench.
   */
  private static final int IPV4_ERROR_TOS = 0xc0;

  private static final int ICMP_CHECKSUM_OFFSET = 2;
  private static final int IPV6_MAX_EXTENSION_HEADERS = 8;
  private static final int IPV6_HOP_BY_HOP = 0;
  private static final int IPV6_ROUTING = 43;
  private static final int IPV6_FRAGMENT = 44;
  private static final int IPV6_DESTINATION_OPTIONS = 60;
  private static final int ICMPV6_FIRST_INFORMATIONAL = 128;
  private static final int ICMPV6_REDIRECT = 137;

  private IcmpErrors() {}

  /**
   * Builds the error for whichever IP version the offending packet has.
   *
   * @return the length written at {@code outOffset}, or 0 when no error may be sent
   * @see #fragmentationNeeded
   * @see #packetTooBig
   */
  public static int tooBig(
      UnsafeBuffer packet,
      int ipOffset,
      int length,
      int mtu,
      int gatewayIpv4,
      byte[] gatewayIpv6,
      UnsafeBuffer out,
      int outOffset) {
    if (ipOffset < 0 || length < 1 || ipOffset > packet.capacity() - 1) {
      return 0;
    }
    int version = (packet.getByte(ipOffset) & 0xf0) >>> 4;
    if (version == Ipv4Header.VERSION) {
      return fragmentationNeeded(packet, ipOffset, length, mtu, gatewayIpv4, out, outOffset);
    }
    if (version == Ipv6Header.VERSION) {
      return packetTooBig(packet, ipOffset, length, mtu, gatewayIpv6, out, outOffset);
    }
    return 0;
  }

  /**
   * Writes an ICMPv4 "fragmentation needed and DF set" in an IPv4 packet at {@code outOffset}.
   *
   * <p>The output must not overlap the offending packet, except in one arrangement: {@code out} is
   * {@code packet} and {@code outOffset} lies exactly 28 bytes (IPv4 and ICMP headers) before
   * {@code ipOffset}, so the quote is already in place and the reply is built in the packet's
   * headroom without a copy.
   *
   * @param packet the offending IPv4 packet
   * @param ipOffset where its IP header starts
   * @param length its bytes available from {@code ipOffset}
   * @param nextHopMtu the MTU that the packet exceeded, 68 to 65535 (RFC 791's minimum to 16 bits)
   * @param gatewayAddress our IPv4 address, the error's source (big-endian, as {@link
   *     Ipv4Header#source()})
   * @param out where to write the error
   * @param outOffset where its IP header starts
   * @return the error's length, or 0 when none may be sent or it does not fit {@code out}
   * @throws IllegalArgumentException for an MTU out of range (a configuration error)
   */
  public static int fragmentationNeeded(
      UnsafeBuffer packet,
      int ipOffset,
      int length,
      int nextHopMtu,
      int gatewayAddress,
      UnsafeBuffer out,
      int outOffset) {
    if (nextHopMtu < 68 || nextHopMtu > 0xffff) {
      throw new IllegalArgumentException("IPv4 next-hop MTU must be 68..65535: " + nextHopMtu);
    }
    if (ipOffset < 0 || length < Ipv4Header.MIN_LENGTH || length > packet.capacity() - ipOffset) {
      return 0;
    }
    int versionIhl = packet.getByte(ipOffset) & 0xff;
    int headerLength = (versionIhl & 0x0f) * 4;
    int totalLength =
        packet.getShort(ipOffset + Ipv4Header.TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff;
    int available = Math.min(totalLength, length);
    if (versionIhl >>> 4 != Ipv4Header.VERSION
        || headerLength < Ipv4Header.MIN_LENGTH
        || headerLength > available) {
      return 0;
    }
    int fragment = packet.getShort(ipOffset + Ipv4Header.FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN);
    int source = packet.getInt(ipOffset + Ipv4Header.SOURCE_OFFSET, BIG_ENDIAN);
    int destination = packet.getInt(ipOffset + Ipv4Header.DESTINATION_OFFSET, BIG_ENDIAN);
    if ((fragment & Ipv4Header.FRAGMENT_OFFSET_MASK) != 0
        || !isSingleIpv4Host(source)
        || isIpv4MulticastOrBroadcast(destination)) {
      return 0;
    }
    if ((packet.getByte(ipOffset + Ipv4Header.PROTOCOL_OFFSET) & 0xff) == ICMP_PROTOCOL
        && (headerLength == available
            || !isIcmpv4Informational(packet.getByte(ipOffset + headerLength) & 0xff))) {
      return 0;
    }
    int headers = Ipv4Header.MIN_LENGTH + ICMP_HEADER_LENGTH;
    int room = outOffset < 0 ? -1 : out.capacity() - outOffset;
    int quote = Math.min(Math.min(available, IPV4_MAX_ERROR_LENGTH - headers), room - headers);
    if (quote < Math.min(available, headerLength + 8)) {
      return 0;
    }
    int icmp = outOffset + Ipv4Header.MIN_LENGTH;
    copyQuote(packet, ipOffset, out, icmp + ICMP_HEADER_LENGTH, quote);
    out.putByte(icmp, (byte) ICMP_DESTINATION_UNREACHABLE);
    out.putByte(icmp + 1, (byte) ICMP_CODE_FRAGMENTATION_NEEDED);
    out.putShort(icmp + ICMP_CHECKSUM_OFFSET, (short) 0);
    out.putShort(icmp + 4, (short) 0);
    out.putShort(icmp + 6, (short) nextHopMtu, BIG_ENDIAN);
    int icmpLength = ICMP_HEADER_LENGTH + quote;
    int checksum = InternetChecksum.finish(InternetChecksum.add(out, icmp, icmpLength, 0));
    out.putShort(icmp + ICMP_CHECKSUM_OFFSET, (short) checksum, BIG_ENDIAN);

    int total = Ipv4Header.MIN_LENGTH + icmpLength;
    out.putByte(outOffset, (byte) 0x45);
    out.putByte(outOffset + Ipv4Header.TOS_OFFSET, (byte) IPV4_ERROR_TOS);
    out.putShort(outOffset + Ipv4Header.TOTAL_LENGTH_OFFSET, (short) total, BIG_ENDIAN);
    // An atomic datagram (DF, never fragmented at 576 bytes) may carry any ID (RFC 6864 4.1).
    out.putShort(outOffset + Ipv4Header.IDENTIFICATION_OFFSET, (short) 0);
    out.putShort(
        outOffset + Ipv4Header.FLAGS_FRAGMENT_OFFSET,
        (short) Ipv4Header.FLAG_DONT_FRAGMENT,
        BIG_ENDIAN);
    out.putByte(outOffset + Ipv4Header.TTL_OFFSET, (byte) HOP_LIMIT);
    out.putByte(outOffset + Ipv4Header.PROTOCOL_OFFSET, (byte) ICMP_PROTOCOL);
    out.putInt(outOffset + Ipv4Header.SOURCE_OFFSET, gatewayAddress, BIG_ENDIAN);
    out.putInt(outOffset + Ipv4Header.DESTINATION_OFFSET, source, BIG_ENDIAN);
    int headerChecksum = InternetChecksum.ipv4Header(out, outOffset, Ipv4Header.MIN_LENGTH);
    out.putShort(outOffset + Ipv4Header.CHECKSUM_OFFSET, (short) headerChecksum, BIG_ENDIAN);
    return total;
  }

  /**
   * Writes an ICMPv6 Packet Too Big in an IPv6 packet at {@code outOffset}. The same overlap rule
   * as {@link #fragmentationNeeded} applies, with 48 bytes of headers.
   *
   * @param packet the offending IPv6 packet
   * @param ipOffset where its IP header starts
   * @param length its bytes available from {@code ipOffset}
   * @param mtu the MTU that the packet exceeded, at least 1280 (RFC 8200 5)
   * @param gatewayAddress our 16-byte IPv6 address, the error's source
   * @param out where to write the error
   * @param outOffset where its IP header starts
   * @return the error's length, or 0 when none may be sent or it does not fit {@code out}
   * @throws IllegalArgumentException for an MTU below 1280 or an address not 16 bytes long
   */
  public static int packetTooBig(
      UnsafeBuffer packet,
      int ipOffset,
      int length,
      int mtu,
      byte[] gatewayAddress,
      UnsafeBuffer out,
      int outOffset) {
    if (mtu < IPV6_MAX_ERROR_LENGTH) {
      throw new IllegalArgumentException("IPv6 MTU must be at least 1280: " + mtu);
    }
    if (gatewayAddress.length != Ipv6Header.ADDRESS_LENGTH) {
      throw new IllegalArgumentException("gateway IPv6 address must be 16 bytes");
    }
    if (ipOffset < 0 || length < Ipv6Header.LENGTH || length > packet.capacity() - ipOffset) {
      return 0;
    }
    if ((packet.getByte(ipOffset) & 0xf0) >>> 4 != Ipv6Header.VERSION) {
      return 0;
    }
    int payloadLength =
        packet.getShort(ipOffset + Ipv6Header.PAYLOAD_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff;
    int available = Math.min(Ipv6Header.LENGTH + payloadLength, length);
    long sourceHigh = packet.getLong(ipOffset + Ipv6Header.SOURCE_OFFSET, BIG_ENDIAN);
    long sourceLow = packet.getLong(ipOffset + Ipv6Header.SOURCE_OFFSET + 8, BIG_ENDIAN);
    boolean unspecified = sourceHigh == 0 && sourceLow == 0;
    boolean multicast = (sourceHigh >>> 56) == 0xff;
    if (unspecified || multicast || carriesIcmpv6ErrorOrRedirect(packet, ipOffset, available)) {
      return 0;
    }
    int headers = Ipv6Header.LENGTH + ICMP_HEADER_LENGTH;
    int room = outOffset < 0 ? -1 : out.capacity() - outOffset;
    int quote = Math.min(Math.min(available, IPV6_MAX_ERROR_LENGTH - headers), room - headers);
    if (quote < Ipv6Header.LENGTH) {
      return 0;
    }
    int icmp = outOffset + Ipv6Header.LENGTH;
    copyQuote(packet, ipOffset, out, icmp + ICMP_HEADER_LENGTH, quote);
    int icmpLength = ICMP_HEADER_LENGTH + quote;
    out.putInt(outOffset, Ipv6Header.VERSION << 28, BIG_ENDIAN);
    out.putShort(outOffset + Ipv6Header.PAYLOAD_LENGTH_OFFSET, (short) icmpLength, BIG_ENDIAN);
    out.putByte(outOffset + Ipv6Header.NEXT_HEADER_OFFSET, (byte) ICMPV6_PROTOCOL);
    out.putByte(outOffset + Ipv6Header.HOP_LIMIT_OFFSET, (byte) HOP_LIMIT);
    out.putBytes(outOffset + Ipv6Header.SOURCE_OFFSET, gatewayAddress);
    out.putLong(outOffset + Ipv6Header.DESTINATION_OFFSET, sourceHigh, BIG_ENDIAN);
    out.putLong(outOffset + Ipv6Header.DESTINATION_OFFSET + 8, sourceLow, BIG_ENDIAN);
    out.putByte(icmp, (byte) ICMPV6_PACKET_TOO_BIG);
    out.putByte(icmp + 1, (byte) 0);
    out.putShort(icmp + ICMP_CHECKSUM_OFFSET, (short) 0);
    out.putInt(icmp + 4, mtu, BIG_ENDIAN);
    // RFC 4443 2.3 / RFC 8200 8.1: the pseudo-header is source, destination, upper-layer length
    // and next header 58.
    long sum = InternetChecksum.add(out, outOffset + Ipv6Header.SOURCE_OFFSET, 32, 0);
    sum += icmpLength + ICMPV6_PROTOCOL;
    sum = InternetChecksum.add(out, icmp, icmpLength, sum);
    out.putShort(icmp + ICMP_CHECKSUM_OFFSET, (short) InternetChecksum.finish(sum), BIG_ENDIAN);
    return Ipv6Header.LENGTH + icmpLength;
  }

  private static void copyQuote(
      UnsafeBuffer packet, int ipOffset, UnsafeBuffer out, int quoteOffset, int quote) {
    if (packet != out || ipOffset != quoteOffset) {
      out.putBytes(quoteOffset, packet, ipOffset, quote);
    }
  }

  /**
   * RFC 1812 4.3.2.7: a source that "does not define a single host": 0/8 (this network), 127/8
   * (loopback), 224/4 (multicast), 240/4 (class E, with the limited broadcast 255.255.255.255).
   * Directed broadcasts cannot be told apart without the subnet; the tunnel never routes them.
   */
  private static boolean isSingleIpv4Host(int address) {
    int first = address >>> 24;
    return first != 0 && first != 127 && first < 224;
  }

  private static boolean isIpv4MulticastOrBroadcast(int address) {
    return (address >>> 28) == 0xe || address == -1;
  }

  /**
   * The ICMP query messages (RFC 792, RFC 1256): echo and reply, router advertisement and
   * solicitation, timestamp, information and address mask requests and replies. Every other type,
   * including ones we do not know, is treated as an error so we never answer an error with one.
   */
  private static boolean isIcmpv4Informational(int type) {
    return type == 0 || type == 8 || type == 9 || type == 10 || (type >= 13 && type <= 18);
  }

  /**
   * Walks at most {@value #IPV6_MAX_EXTENSION_HEADERS} extension headers to the upper-layer header.
   * An ICMPv6 message there with a type below 128 is an error (RFC 4443 2.1). A truncated or
   * overlong chain that hides the upper layer counts as one too, so we stay silent when unsure; a
   * non-first fragment does not carry the upper-layer header at all and may be answered.
   */
  private static boolean carriesIcmpv6ErrorOrRedirect(UnsafeBuffer packet, int ipOffset, int end) {
    int nextHeader = packet.getByte(ipOffset + Ipv6Header.NEXT_HEADER_OFFSET) & 0xff;
    int offset = Ipv6Header.LENGTH;
    for (int i = 0; i < IPV6_MAX_EXTENSION_HEADERS; i++) {
      if (nextHeader == ICMPV6_PROTOCOL) {
        if (offset >= end) {
          return true;
        }
        int type = packet.getByte(ipOffset + offset) & 0xff;
        return type < ICMPV6_FIRST_INFORMATIONAL || type == ICMPV6_REDIRECT;
      }
      if (nextHeader == IPV6_FRAGMENT) {
        if (offset + 8 > end) {
          return true;
        }
        int fragmentOffset = packet.getShort(ipOffset + offset + 2, BIG_ENDIAN) & 0xfff8;
        if (fragmentOffset != 0) {
          return false;
        }
        nextHeader = packet.getByte(ipOffset + offset) & 0xff;
        offset += 8;
      } else if (nextHeader == IPV6_HOP_BY_HOP
          || nextHeader == IPV6_ROUTING
          || nextHeader == IPV6_DESTINATION_OPTIONS) {
        if (offset + 2 > end) {
          return true;
        }
        nextHeader = packet.getByte(ipOffset + offset) & 0xff;
        offset += ((packet.getByte(ipOffset + offset + 1) & 0xff) + 1) * 8;
      } else {
        return false;
      }
    }
    return true;
  }
}
