package dev.vpngw.esp;

import dev.vpngw.crypto.EspSuite;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.packet.EspHeader;
import dev.vpngw.packet.InternetChecksum;
import dev.vpngw.packet.Ipv4Header;
import dev.vpngw.packet.Ipv6Header;
import dev.vpngw.packet.UdpHeader;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SecurityAssociation;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Outbound ESP tunnel mode (RFC 4303 3.3), optionally inside UDP (RFC 3948 3.1), built in place
 * around an inner IP packet already in the buffer: nothing is copied or allocated per packet.
 *
 * <pre>
 *  before:                         [ HEADROOM ][ inner IP packet ][ TAILROOM ]
 *  after:   [ outer IP ][ UDP ][ ESP ][ IV ][ inner IP packet | pad | pl | nh ][ ICV ]
 *                                           \___________ encrypted ___________/
 * </pre>
 *
 * <p>Steps: lifetime and sequence checks (a hard-expired or exhausted SA refuses to send), next
 * header from the inner version nibble (4 or 41), padding 1, 2, 3, ... to the cipher's alignment
 * (RFC 4303 2.4; no TFC padding), ESP header, {@link dev.vpngw.crypto.EspCipher#seal}, then the
 * outer headers. The outer IPv4 header has TTL 64, DF clear (the path MTU is the sender's concern
 * before encapsulation), a fresh identification and the inner DSCP (RFC 4301 5.1.2.1); the ECN bits
 * are cleared, RFC 6040 4.1's compatibility mode, since the decapsulator does not fold congestion
 * marks back into the inner header. The UDP checksum is 0 over IPv4 (RFC 3948 3.1: the ICV already
 * protects the payload) and computed over IPv6, where it is mandatory (RFC 8200 8.1).
 *
 * <p>One instance per worker thread; not thread-safe.
 */
public final class EspEncapsulator {
  /**
   * Free bytes callers leave before the inner packet: enough for outer IPv6 (40) + UDP (8) + ESP
   * header (8) + the longest IV (16) = 72, rounded up so the outer packet can start aligned.
   */
  public static final int HEADROOM = 128;

  /**
   * Free bytes callers leave after the inner packet: at most 15 bytes of padding for a 16-byte
   * block, pad length and next header (2), and the longest ICV (32) = 49, rounded up.
   */
  public static final int TAILROOM = 64;

  /** TTL / hop limit of the outer header. */
  public static final int OUTER_TTL = 64;

  private static final int IP_MAX_LENGTH = 0xffff;
  private static final int DSCP_MASK = 0xfc;

  private final EspCounters counters;
  private final Ipv4Header ipv4 = new Ipv4Header();
  private final Ipv6Header ipv6 = new Ipv6Header();
  private final UdpHeader udp = new UdpHeader();
  private final EspHeader esp = new EspHeader();
  private int identification;

  /** An encapsulator that counts into {@code counters}. */
  public EspEncapsulator(EspCounters counters) {
    this.counters = counters;
  }

  /**
   * Protects the inner IP packet at {@code innerOffset} with {@code sa}, in place.
   *
   * @param sa an outbound SA owned by this thread
   * @param buf the buffer holding the inner packet, with {@link #HEADROOM} before it and {@link
   *     #TAILROOM} after it (the exact need depends on the suite and tunnel family)
   * @param out where the outer packet and its ESP part are described on success
   * @return {@link EspResult#OK}, or the {@link DropReason#id()} of why nothing was sent (counted)
   * @throws IllegalArgumentException if {@code sa} is inbound (a programming error)
   */
  public int encapsulate(
      SecurityAssociation sa, PacketBuffer buf, int innerOffset, int innerLength, EspResult out) {
    if (sa.direction() != SecurityAssociation.Direction.OUTBOUND) {
      throw new IllegalArgumentException(sa + " cannot encapsulate");
    }
    DropReason reason = protect(sa, buf, innerOffset, innerLength, out);
    if (reason != null) {
      counters.drop(reason);
      return reason.id();
    }
    counters.protectedOut(innerLength);
    return EspResult.OK;
  }

  private DropReason protect(
      SecurityAssociation sa, PacketBuffer buf, int innerOffset, int innerLength, EspResult out) {
    out.reset();
    out.sa(sa);
    out.spi(sa.spi());
    UnsafeBuffer b = buf.buffer();
    if (innerOffset < 0 || innerLength < 0 || innerOffset > b.capacity() - innerLength) {
      return DropReason.OUT_OF_BUFFER;
    }
    if (sa.isExpired()) {
      return DropReason.SA_EXPIRED;
    }
    if (sa.isSequenceExhausted()) {
      return DropReason.SEQUENCE_EXHAUSTED;
    }
    if (sa.isSequenceFenced()) {
      return DropReason.SEQUENCE_FENCED;
    }
    int nextHeader = innerNextHeader(b, innerOffset, innerLength);
    if (nextHeader < 0) {
      return DropReason.BAD_INNER_PACKET;
    }

    SaConfig config = sa.config();
    EspSuite suite = config.suite();
    int ivLength = suite.encryption().ivLength();
    int icvLength = suite.icvLength();
    int alignment = suite.encryption().paddingAlignment();
    int textLength = alignUp(innerLength + EspHeader.TRAILER_LENGTH, alignment);
    int padLength = textLength - innerLength - EspHeader.TRAILER_LENGTH;
    boolean outerV6 = config.isIpv6();
    boolean udpEncapsulated = config.udpEncapsulation();
    int ipHeaderLength = outerV6 ? Ipv6Header.LENGTH : Ipv4Header.MIN_LENGTH;
    int udpHeaderLength = udpEncapsulated ? UdpHeader.LENGTH : 0;
    int espLength = EspHeader.LENGTH + ivLength + textLength + icvLength;
    int packetLength = ipHeaderLength + udpHeaderLength + espLength;
    if ((outerV6 ? packetLength - Ipv6Header.LENGTH : packetLength) > IP_MAX_LENGTH) {
      return DropReason.INNER_TOO_BIG;
    }
    int espOffset = innerOffset - ivLength - EspHeader.LENGTH;
    int ipOffset = espOffset - udpHeaderLength - ipHeaderLength;
    if (ipOffset < 0 || textLength + icvLength > b.capacity() - innerOffset) {
      return DropReason.NO_ROOM;
    }

    int tos = innerTos(b, innerOffset, nextHeader) & DSCP_MASK;
    int trailer = innerOffset + innerLength;
    for (int i = 1; i <= padLength; i++) {
      b.putByte(trailer + i - 1, (byte) i);
    }
    b.putByte(trailer + padLength, (byte) padLength);
    b.putByte(trailer + padLength + 1, (byte) nextHeader);

    long seq = sa.takeSequence();
    esp.wrap(b, espOffset).spi(sa.spi()).sequenceLow((int) seq);
    sa.cipher().seal(buf, espOffset, textLength, seq, sa.esn());

    int protocol = udpEncapsulated ? UdpHeader.PROTOCOL : EspHeader.PROTOCOL;
    int ipPayload = ipOffset + ipHeaderLength;
    if (outerV6) {
      ipv6.wrap(b, ipOffset)
          .versionClassFlow(tos, 0)
          .payloadLength(packetLength - Ipv6Header.LENGTH)
          .nextHeader(protocol)
          .hopLimit(OUTER_TTL);
      sa.copyLocalAddress(b, ipOffset + Ipv6Header.SOURCE_OFFSET);
      sa.copyRemoteAddress(b, ipOffset + Ipv6Header.DESTINATION_OFFSET);
    } else {
      ipv4.wrap(b, ipOffset)
          .versionAndHeaderLength(Ipv4Header.MIN_LENGTH)
          .tos(tos)
          .totalLength(packetLength)
          .identification(identification++ & 0xffff)
          .flagsAndFragmentOffset(0)
          .ttl(OUTER_TTL)
          .protocol(protocol);
      sa.copyLocalAddress(b, ipOffset + Ipv4Header.SOURCE_OFFSET);
      sa.copyRemoteAddress(b, ipOffset + Ipv4Header.DESTINATION_OFFSET);
      ipv4.updateChecksum();
    }
    if (udpEncapsulated) {
      int udpLength = udpHeaderLength + espLength;
      udp.wrap(b, ipPayload)
          .sourcePort(config.localPort())
          .destinationPort(config.remotePort())
          .length(udpLength)
          .checksum(0);
      if (outerV6) {
        udp.checksum(InternetChecksum.udpIpv6(b, ipOffset, ipPayload, udpLength));
      }
    }

    sa.chargeLifetime(innerLength);
    out.packet(ipOffset, packetLength);
    out.esp(espOffset, espLength);
    out.sequence(seq);
    return null;
  }

  /**
   * The ESP next header for the inner packet (4 or 41 from its version nibble), or -1 when it is
   * not an IP packet whose own length fits in {@code length}; the receiver would drop such a packet
   * (it takes the inner length from the inner header), so it is not worth sending.
   */
  private int innerNextHeader(UnsafeBuffer b, int offset, int length) {
    if (length < Ipv4Header.MIN_LENGTH) {
      return -1;
    }
    int version = (b.getByte(offset) & 0xf0) >>> 4;
    if (version == Ipv4Header.VERSION) {
      ipv4.wrap(b, offset);
      int headerLength = ipv4.headerLength();
      int totalLength = ipv4.totalLength();
      return headerLength >= Ipv4Header.MIN_LENGTH
              && totalLength >= headerLength
              && totalLength <= length
          ? EspHeader.NEXT_HEADER_IPV4
          : -1;
    }
    if (version == Ipv6Header.VERSION && length >= Ipv6Header.LENGTH) {
      int total = Ipv6Header.LENGTH + ipv6.wrap(b, offset).payloadLength();
      return total <= length ? EspHeader.NEXT_HEADER_IPV6 : -1;
    }
    return -1;
  }

  /** The inner DSCP and ECN byte, read before encryption hides it. */
  private int innerTos(UnsafeBuffer b, int offset, int nextHeader) {
    return nextHeader == EspHeader.NEXT_HEADER_IPV4
        ? ipv4.wrap(b, offset).tos()
        : ipv6.wrap(b, offset).trafficClass();
  }

  private static int alignUp(int value, int alignment) {
    return (value + alignment - 1) / alignment * alignment;
  }
}
