package dev.vpngw.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of the
 * data taken as 16-bit big-endian words, used by the IPv4 header (RFC 791) and UDP (RFC 768, with
 * the IPv4 pseudo-header; RFC 8200 8.1 for the IPv6 one).
 *
 * <p>The sum is accumulated 32 bits at a time into a long and folded once at the end: because 2^16
 * is 1 modulo 2^16 - 1, adding a 32-bit word equals adding its two halves (RFC 1071 2(B)), and a
 * long cannot overflow before 2^30 of the 64-bit reads that feed it two such words each. Ranges
 * summed one after another must each start at an even distance from the first, which holds for
 * every header layout used here.
 */
public final class InternetChecksum {
  private InternetChecksum() {}

  /**
   * Adds {@code length} bytes starting at {@code offset} to a running sum; a trailing odd byte
   * counts as the high byte of a word padded with zero.
   */
  public static long add(UnsafeBuffer buffer, int offset, int length, long sum) {
    int i = 0;
    // Eight bytes a read: the sum over a full-sized segment is on the per-packet path.
    for (; i + 8 <= length; i += 8) {
      long v = buffer.getLong(offset + i, BIG_ENDIAN);
      sum += (v >>> 32) + (v & 0xffff_ffffL);
    }
    if (i + 4 <= length) {
      sum += buffer.getInt(offset + i, BIG_ENDIAN) & 0xffff_ffffL;
      i += 4;
    }
    if (i + 2 <= length) {
      sum += buffer.getShort(offset + i, BIG_ENDIAN) & 0xffff;
      i += 2;
    }
    if (i < length) {
      sum += (buffer.getByte(offset + i) & 0xff) << 8;
    }
    return sum;
  }

  /** Folds a running sum to 16 bits and complements it: the value to store in a header. */
  public static int finish(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }

  /**
   * The IPv4 header checksum over {@code headerLength} bytes (options included), computed as if the
   * checksum field were zero, so it serves both to fill the field and to verify it.
   */
  public static int ipv4Header(UnsafeBuffer buffer, int offset, int headerLength) {
    long sum = add(buffer, offset, Ipv4Header.CHECKSUM_OFFSET, 0);
    int after = Ipv4Header.CHECKSUM_OFFSET + 2;
    sum = add(buffer, offset + after, headerLength - after, sum);
    return finish(sum);
  }

  /**
   * The UDP checksum of a datagram inside an IPv4 packet (RFC 768): pseudo-header (source,
   * destination, zero, protocol 17, UDP length), then header and data with the checksum field taken
   * as zero. A computed zero is returned as 0xffff, since zero on the wire means "no checksum".
   *
   * @param ipOffset where the IPv4 header starts (for its addresses)
   * @param udpOffset where the UDP header starts
   * @param udpLength header plus data
   */
  public static int udpIpv4(UnsafeBuffer buffer, int ipOffset, int udpOffset, int udpLength) {
    long sum = add(buffer, ipOffset + Ipv4Header.SOURCE_OFFSET, 8, 0);
    sum += UdpHeader.PROTOCOL + udpLength;
    return udp(buffer, udpOffset, udpLength, sum);
  }

  /**
   * The UDP checksum of a datagram inside an IPv6 packet (RFC 8200 8.1): pseudo-header (source,
   * destination, 32-bit upper-layer length, zero, next header 17), then header and data. Mandatory
   * on IPv6; a computed zero is returned as 0xffff.
   *
   * @param ipOffset where the IPv6 header starts (for its addresses)
   * @param udpOffset where the UDP header starts
   * @param udpLength header plus data
   */
  public static int udpIpv6(UnsafeBuffer buffer, int ipOffset, int udpOffset, int udpLength) {
    long sum = add(buffer, ipOffset + Ipv6Header.SOURCE_OFFSET, 2 * Ipv6Header.ADDRESS_LENGTH, 0);
    sum += UdpHeader.PROTOCOL + udpLength;
    return udp(buffer, udpOffset, udpLength, sum);
  }

  private static int udp(UnsafeBuffer buffer, int udpOffset, int udpLength, long sum) {
    sum = add(buffer, udpOffset, UdpHeader.CHECKSUM_OFFSET, sum);
    int after = UdpHeader.CHECKSUM_OFFSET + 2;
    sum = add(buffer, udpOffset + after, udpLength - after, sum);
    int checksum = finish(sum);
    return checksum == 0 ? 0xffff : checksum;
  }
}
