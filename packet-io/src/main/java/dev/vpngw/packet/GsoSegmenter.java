package dev.vpngw.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.io.tun.VirtioNetHeader;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Cuts a GSO "super-packet" (what one read from a TUN device with offloads may carry, see {@link
 * VirtioNetHeader}) into the packets the sender's stack would have sent without segmentation
 * offload, the way Linux's own software GSO does ({@code tcp_gso_segment}, {@code
 * __udp_gso_segment}, {@code inet_gso_segment}, {@code ipv6_gso_segment}):
 *
 * <ul>
 *   <li>every segment repeats the IP and transport headers (options and extension headers as they
 *       are) in front of the next {@code gsoSize} payload bytes; the last carries the rest;
 *   <li>IPv4: total length per segment, the identification advancing by one per segment, a fresh
 *       header checksum; IPv6: the payload length;
 *   <li>TCP (RFC 9293): the sequence number advances by the payload before it; FIN and PSH stay
 *       only on the last segment and CWR (RFC 3168) only on the first;
 *   <li>UDP: the length per segment;
 *   <li>the full transport checksum over the pseudo-header (RFC 9293 3.1, RFC 768, RFC 8200 8.1),
 *       header and payload, computed afresh: what the super-packet's field holds is only partial. A
 *       zero sum is written as 0xffff for UDP only (zero there means "no checksum").
 * </ul>
 *
 * <p>{@link #prepare} checks the super-packet once (headers inside the packet, IP version and
 * protocol matching the GSO type, lengths consistent) and {@link #writeSegment} then writes any
 * segment straight into its destination, such as a claimed ring slot: nothing is allocated and the
 * source is never changed. {@link #completeChecksum} finishes the partial checksum of a plain
 * packet ({@link VirtioNetHeader#FLAG_NEEDS_CSUM} without GSO).
 *
 * <p>One instance per thread: it holds the prepared packet's layout.
 */
public final class GsoSegmenter {
  /** What {@link #prepare} returns for a super-packet that does not parse. */
  public static final int MALFORMED = -1;

  private static final int IPV6_HOP_BY_HOP = 0;
  private static final int IPV6_ROUTING = 43;
  private static final int IPV6_DESTINATION_OPTIONS = 60;

  private UnsafeBuffer source;
  private int offset;
  private int length;
  private int version;
  private int protocol;
  private int l4Offset;
  private int headersLength;
  private int gsoSize;
  private int segments;
  private int firstSequence;
  private int firstFlags;
  private int firstIdentification;

  /**
   * Checks the super-packet of {@code length} bytes at {@code offset} and remembers its layout.
   *
   * @param gsoType the {@link VirtioNetHeader} GSO type, {@link VirtioNetHeader#GSO_ECN} allowed
   * @param gsoSize payload bytes per segment
   * @param csumStart where the transport header starts, from the IP header
   * @return the number of segments, 1 or more; {@link #MALFORMED} if the packet does not parse
   */
  public int prepare(
      UnsafeBuffer source, int offset, int length, int gsoType, int gsoSize, int csumStart) {
    this.segments = 0;
    int type = gsoType & ~VirtioNetHeader.GSO_ECN;
    int wantVersion;
    int wantProtocol;
    switch (type) {
      case VirtioNetHeader.GSO_TCPV4 -> {
        wantVersion = Ipv4Header.VERSION;
        wantProtocol = TcpHeader.PROTOCOL;
      }
      case VirtioNetHeader.GSO_TCPV6 -> {
        wantVersion = Ipv6Header.VERSION;
        wantProtocol = TcpHeader.PROTOCOL;
      }
      case VirtioNetHeader.GSO_UDP_L4 -> {
        wantVersion = 0; // either
        wantProtocol = UdpHeader.PROTOCOL;
      }
      default -> {
        return MALFORMED;
      }
    }
    if (gsoSize < 1
        || offset < 0
        || length < Ipv4Header.MIN_LENGTH
        || length > source.capacity() - offset) {
      return MALFORMED;
    }
    int v = (source.getByte(offset) & 0xf0) >>> 4;
    if (wantVersion != 0 && v != wantVersion) {
      return MALFORMED;
    }
    int l4;
    if (v == Ipv4Header.VERSION) {
      l4 = ipv4TransportOffset(source, offset, length, wantProtocol);
    } else if (v == Ipv6Header.VERSION) {
      l4 = ipv6TransportOffset(source, offset, length, wantProtocol);
    } else {
      return MALFORMED;
    }
    if (l4 < 0 || l4 != csumStart) {
      return MALFORMED;
    }
    int l4HeaderLength;
    if (wantProtocol == TcpHeader.PROTOCOL) {
      if (length - l4 < TcpHeader.MIN_LENGTH) {
        return MALFORMED;
      }
      l4HeaderLength =
          ((source.getByte(offset + l4 + TcpHeader.DATA_OFFSET_OFFSET) & 0xf0) >>> 4) * 4;
      if (l4HeaderLength < TcpHeader.MIN_LENGTH) {
        return MALFORMED;
      }
    } else {
      l4HeaderLength = UdpHeader.LENGTH;
    }
    int headers = l4 + l4HeaderLength;
    int payload = length - headers;
    if (payload < 1) {
      return MALFORMED;
    }
    this.source = source;
    this.offset = offset;
    this.length = length;
    this.version = v;
    this.protocol = wantProtocol;
    this.l4Offset = l4;
    this.headersLength = headers;
    this.gsoSize = gsoSize;
    this.segments = (payload + gsoSize - 1) / gsoSize;
    if (wantProtocol == TcpHeader.PROTOCOL) {
      firstSequence = source.getInt(offset + l4 + TcpHeader.SEQUENCE_OFFSET, BIG_ENDIAN);
      firstFlags = source.getByte(offset + l4 + TcpHeader.FLAGS_OFFSET) & 0xff;
    }
    if (v == Ipv4Header.VERSION) {
      firstIdentification =
          source.getShort(offset + Ipv4Header.IDENTIFICATION_OFFSET, BIG_ENDIAN) & 0xffff;
    }
    return segments;
  }

  /** The transport header's offset in an IPv4 packet, or -1. */
  private static int ipv4TransportOffset(UnsafeBuffer b, int offset, int length, int protocol) {
    int headerLength = (b.getByte(offset) & 0x0f) * 4;
    int totalLength = b.getShort(offset + Ipv4Header.TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff;
    int fragment = b.getShort(offset + Ipv4Header.FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN);
    if (headerLength < Ipv4Header.MIN_LENGTH
        || totalLength != length
        || (b.getByte(offset + Ipv4Header.PROTOCOL_OFFSET) & 0xff) != protocol
        || (fragment & (Ipv4Header.FLAG_MORE_FRAGMENTS | Ipv4Header.FRAGMENT_OFFSET_MASK)) != 0) {
      return -1;
    }
    return headerLength;
  }

  /**
   * The transport header's offset in an IPv6 packet, behind any hop-by-hop, routing and destination
   * options headers (RFC 8200 4); -1 if the chain ends elsewhere (a fragment header never belongs
   * to a super-packet).
   */
  private static int ipv6TransportOffset(UnsafeBuffer b, int offset, int length, int protocol) {
    if (length < Ipv6Header.LENGTH
        || Ipv6Header.LENGTH
                + (b.getShort(offset + Ipv6Header.PAYLOAD_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff)
            != length) {
      return -1;
    }
    int next = b.getByte(offset + Ipv6Header.NEXT_HEADER_OFFSET) & 0xff;
    int at = Ipv6Header.LENGTH;
    while (next == IPV6_HOP_BY_HOP || next == IPV6_ROUTING || next == IPV6_DESTINATION_OPTIONS) {
      if (at + 8 > length) {
        return -1;
      }
      next = b.getByte(offset + at) & 0xff;
      at += ((b.getByte(offset + at + 1) & 0xff) + 1) * 8;
    }
    return next == protocol && at <= length ? at : -1;
  }

  /** The segment count {@link #prepare} found. */
  public int segments() {
    return segments;
  }

  /** The length of segment {@code i} (headers and its payload). */
  public int segmentLength(int i) {
    return headersLength + Math.min(gsoSize, length - headersLength - i * gsoSize);
  }

  /** The largest segment's length: the first one's. */
  public int maxSegmentLength() {
    return segmentLength(0);
  }

  /**
   * Writes segment {@code i} (0 .. {@link #segments()} - 1) at {@code dstOffset} of {@code dst},
   * complete with headers and checksums, and returns its length. {@code dst} must not overlap the
   * super-packet.
   */
  public int writeSegment(int i, UnsafeBuffer dst, int dstOffset) {
    if (i < 0 || i >= segments) {
      throw new IndexOutOfBoundsException("segment " + i + " of " + segments);
    }
    int payloadAt = headersLength + i * gsoSize;
    int payload = Math.min(gsoSize, length - payloadAt);
    int segmentLength = headersLength + payload;
    dst.putBytes(dstOffset, source, offset, headersLength);
    dst.putBytes(dstOffset + headersLength, source, offset + payloadAt, payload);
    if (version == Ipv4Header.VERSION) {
      dst.putShort(dstOffset + Ipv4Header.TOTAL_LENGTH_OFFSET, (short) segmentLength, BIG_ENDIAN);
      dst.putShort(
          dstOffset + Ipv4Header.IDENTIFICATION_OFFSET,
          (short) (firstIdentification + i),
          BIG_ENDIAN);
      dst.putShort(dstOffset + Ipv4Header.CHECKSUM_OFFSET, (short) 0);
      int headerLength = (dst.getByte(dstOffset) & 0x0f) * 4;
      dst.putShort(
          dstOffset + Ipv4Header.CHECKSUM_OFFSET,
          (short) InternetChecksum.ipv4Header(dst, dstOffset, headerLength),
          BIG_ENDIAN);
    } else {
      dst.putShort(
          dstOffset + Ipv6Header.PAYLOAD_LENGTH_OFFSET,
          (short) (segmentLength - Ipv6Header.LENGTH),
          BIG_ENDIAN);
    }
    int l4 = dstOffset + l4Offset;
    int l4Length = segmentLength - l4Offset;
    int checksumField;
    if (protocol == TcpHeader.PROTOCOL) {
      dst.putInt(l4 + TcpHeader.SEQUENCE_OFFSET, firstSequence + i * gsoSize, BIG_ENDIAN);
      int flags = firstFlags;
      if (i > 0) {
        flags &= ~TcpHeader.FLAG_CWR;
      }
      if (i < segments - 1) {
        flags &= ~(TcpHeader.FLAG_FIN | TcpHeader.FLAG_PSH);
      }
      dst.putByte(l4 + TcpHeader.FLAGS_OFFSET, (byte) flags);
      checksumField = l4 + TcpHeader.CHECKSUM_OFFSET;
    } else {
      dst.putShort(l4 + UdpHeader.LENGTH_OFFSET, (short) l4Length, BIG_ENDIAN);
      checksumField = l4 + UdpHeader.CHECKSUM_OFFSET;
    }
    dst.putShort(checksumField, (short) 0);
    long sum = pseudoHeader(dst, dstOffset, version, protocol, l4Length);
    sum = InternetChecksum.add(dst, l4, l4Length, sum);
    int checksum = InternetChecksum.finish(sum);
    if (checksum == 0 && protocol == UdpHeader.PROTOCOL) {
      checksum = 0xffff; // zero means "no checksum" to UDP; 0xffff verifies alike (RFC 768)
    }
    dst.putShort(checksumField, (short) checksum, BIG_ENDIAN);
    return segmentLength;
  }

  /** The pseudo-header's sum: addresses, protocol and transport length (RFC 9293 3.1, 8200 8.1). */
  private static long pseudoHeader(
      UnsafeBuffer b, int ipOffset, int version, int protocol, int l4Length) {
    long sum =
        version == Ipv4Header.VERSION
            ? InternetChecksum.add(b, ipOffset + Ipv4Header.SOURCE_OFFSET, 8, 0)
            : InternetChecksum.add(
                b, ipOffset + Ipv6Header.SOURCE_OFFSET, 2 * Ipv6Header.ADDRESS_LENGTH, 0);
    return sum + protocol + l4Length;
  }

  /**
   * Finishes the partial checksum of a plain packet, as a device does for {@code CHECKSUM_PARTIAL}:
   * the field at {@code csumStart + csumOffset} holds the pseudo-header's sum, and the ones'
   * complement of the sum from {@code csumStart} to the end of the packet (that field included)
   * goes into it. A zero result is written as 0xffff only in UDP's field (offset 6), where zero
   * means "no checksum"; TCP keeps the 0x0000 the arithmetic gives, since a correct sender never
   * puts 0xffff there and strict checkers (Wireshark) call that wrong.
   *
   * @return false, changing nothing, when the field lies outside the packet or is misaligned
   */
  public static boolean completeChecksum(
      UnsafeBuffer b, int offset, int length, int csumStart, int csumOffset) {
    int field = csumStart + csumOffset;
    if (csumStart < Ipv4Header.MIN_LENGTH
        || field + 2 > length
        || (csumOffset & 1) != 0
        || length > b.capacity() - offset) {
      return false;
    }
    int checksum =
        InternetChecksum.finish(InternetChecksum.add(b, offset + csumStart, length - csumStart, 0));
    if (checksum == 0 && csumOffset == UdpHeader.CHECKSUM_OFFSET) {
      checksum = 0xffff;
    }
    b.putShort(offset + field, (short) checksum, BIG_ENDIAN);
    return true;
  }
}
