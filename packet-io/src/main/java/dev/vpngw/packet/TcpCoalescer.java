package dev.vpngw.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.io.tun.VirtioNetHeader;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Coalesces consecutive in-order TCP segments of one flow into one GSO super-packet, the receive
 * offload (GRO) a NIC driver does before handing packets to the stack, so that one TUN write (with
 * a {@link VirtioNetHeader} saying how to cut it again) carries many segments through the kernel's
 * forwarding path at once. The rules are those of Linux's {@code tcp_gro_receive} and {@code
 * inet_gro_receive}/{@code ipv6_gro_receive}, so that cutting the result again (what the kernel
 * does if anything on the way cannot take it whole) gives back the very same segments:
 *
 * <ul>
 *   <li>IPv4 without options and not a fragment, with a valid header checksum, or IPv6 with TCP as
 *       the next header; addresses, TOS/traffic class and flow label, TTL/hop limit and DF equal;
 *       IPv4 identifications consecutive;
 *   <li>TCP ports, acknowledgment number, data offset, flags (but PSH), window, urgent pointer and
 *       options byte for byte equal; each sequence number where the previous segment's data ended;
 *       the flags only ACK (ECE allowed), PSH allowed on the last;
 *   <li>every segment but the last carrying exactly the first one's payload length (the {@code
 *       gso_size}), the last no more; at most 64 KiB in all;
 *   <li>each segment's own TCP checksum verified before it is taken, because the super-packet goes
 *       out with a partial checksum ({@link VirtioNetHeader#FLAG_NEEDS_CSUM}) that the stack takes
 *       as good: a corrupt segment is never hidden in one. Such a segment, and anything else that
 *       does not fit, goes out alone.
 * </ul>
 *
 * <p>The super-packet is built in a buffer the caller gives, at a fixed offset with {@link
 * VirtioNetHeader#LENGTH} free bytes before it for the header that {@link #finish} fills in. Single
 * writer, allocation-free.
 */
public final class TcpCoalescer {
  private static final int MAX_IP_LENGTH = 0xffff;
  private static final int ALLOWED_FLAGS = TcpHeader.FLAG_ACK | TcpHeader.FLAG_ECE;

  private final UnsafeBuffer out;
  private final int at;
  private final int capacity;
  private final VirtioNetHeader vnet = new VirtioNetHeader();

  private int segments;
  private int version;
  private int ipHeaderLength;
  private int headersLength;
  private int gsoSize;
  private int length;
  private int nextSequence;
  private int lastIdentification;
  private boolean push;
  private boolean closed;

  /**
   * A coalescer building its super-packets at {@code packetOffset} of {@code out}, in at most
   * {@code capacity} bytes; the {@link VirtioNetHeader#LENGTH} bytes before the offset are for the
   * header.
   */
  public TcpCoalescer(UnsafeBuffer out, int packetOffset, int capacity) {
    if (packetOffset < VirtioNetHeader.LENGTH || packetOffset + capacity > out.capacity()) {
      throw new IllegalArgumentException("no room for the vnet header or the packet");
    }
    this.out = out;
    this.at = packetOffset;
    this.capacity = Math.min(capacity, MAX_IP_LENGTH);
    vnet.wrap(out, packetOffset - VirtioNetHeader.LENGTH);
  }

  /** True when nothing is pending. */
  public boolean isEmpty() {
    return segments == 0;
  }

  /** Segments in the pending super-packet. */
  public int segments() {
    return segments;
  }

  /**
   * Starts a new super-packet with the packet of {@code length} bytes at {@code offset} of {@code
   * src} (copied), if it may head one: a TCP data segment with a valid checksum and no flag that
   * ends a run. Anything pending must have been {@link #finish finished}.
   *
   * @return false, keeping nothing, when the packet is to go out alone
   */
  public boolean start(UnsafeBuffer src, int offset, int length) {
    if (segments != 0) {
      throw new IllegalStateException("finish the pending super-packet first");
    }
    if (length > capacity || length < Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH) {
      return false;
    }
    int v = (src.getByte(offset) & 0xf0) >>> 4;
    int ipLength;
    if (v == Ipv4Header.VERSION) {
      int fragment = src.getShort(offset + Ipv4Header.FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN);
      if ((src.getByte(offset) & 0x0f) != 5
          || (src.getByte(offset + Ipv4Header.PROTOCOL_OFFSET) & 0xff) != TcpHeader.PROTOCOL
          || (fragment & (Ipv4Header.FLAG_MORE_FRAGMENTS | Ipv4Header.FRAGMENT_OFFSET_MASK)) != 0
          || (src.getShort(offset + Ipv4Header.TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff) != length
          || !ipv4HeaderValid(src, offset)) {
        return false;
      }
      ipLength = Ipv4Header.MIN_LENGTH;
    } else if (v == Ipv6Header.VERSION) {
      if (length < Ipv6Header.LENGTH + TcpHeader.MIN_LENGTH
          || (src.getByte(offset + Ipv6Header.NEXT_HEADER_OFFSET) & 0xff) != TcpHeader.PROTOCOL
          || Ipv6Header.LENGTH
                  + (src.getShort(offset + Ipv6Header.PAYLOAD_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff)
              != length) {
        return false;
      }
      ipLength = Ipv6Header.LENGTH;
    } else {
      return false;
    }
    int tcp = offset + ipLength;
    int tcpHeaderLength = ((src.getByte(tcp + TcpHeader.DATA_OFFSET_OFFSET) & 0xf0) >>> 4) * 4;
    int flags = src.getByte(tcp + TcpHeader.FLAGS_OFFSET) & 0xff;
    int payload = length - ipLength - tcpHeaderLength;
    if (tcpHeaderLength < TcpHeader.MIN_LENGTH
        || payload < 1
        || (flags & ~TcpHeader.FLAG_PSH & ~ALLOWED_FLAGS) != 0
        || (flags & TcpHeader.FLAG_ACK) == 0
        || !checksumValid(src, offset, v, ipLength, length)) {
      return false;
    }
    out.putBytes(at, src, offset, length);
    this.segments = 1;
    this.version = v;
    this.ipHeaderLength = ipLength;
    this.headersLength = ipLength + tcpHeaderLength;
    this.gsoSize = payload;
    this.length = length;
    this.nextSequence = src.getInt(tcp + TcpHeader.SEQUENCE_OFFSET, BIG_ENDIAN) + payload;
    this.lastIdentification =
        v == Ipv4Header.VERSION
            ? src.getShort(offset + Ipv4Header.IDENTIFICATION_OFFSET, BIG_ENDIAN) & 0xffff
            : 0;
    this.push = (flags & TcpHeader.FLAG_PSH) != 0;
    this.closed = push;
    return true;
  }

  /**
   * Appends the packet of {@code length} bytes at {@code offset} of {@code src} to the pending
   * super-packet if it is that flow's next segment and fits (the rules in the class comment).
   *
   * @return false, changing nothing, when it does not; the caller then finishes the pending one
   */
  public boolean append(UnsafeBuffer src, int offset, int length) {
    int payload = length - headersLength;
    if (segments == 0
        || closed
        || payload < 1
        || payload > gsoSize
        || this.length + payload > capacity
        || !sameHeaders(src, offset, length)
        || !checksumValid(src, offset, version, ipHeaderLength, length)) {
      return false;
    }
    out.putBytes(at + this.length, src, offset + headersLength, payload);
    this.length += payload;
    this.segments++;
    this.nextSequence += payload;
    int flags = src.getByte(offset + ipHeaderLength + TcpHeader.FLAGS_OFFSET) & 0xff;
    if (version == Ipv4Header.VERSION) {
      lastIdentification =
          src.getShort(offset + Ipv4Header.IDENTIFICATION_OFFSET, BIG_ENDIAN) & 0xffff;
    }
    if ((flags & TcpHeader.FLAG_PSH) != 0) {
      push = true;
      closed = true;
    }
    // Only the last segment may be short: what follows it would not be cut back at its place.
    if (payload < gsoSize) {
      closed = true;
    }
    return true;
  }

  /** Whether the packet's headers continue the pending run (everything but the payload). */
  private boolean sameHeaders(UnsafeBuffer src, int offset, int length) {
    if (((src.getByte(offset) & 0xf0) >>> 4) != version) {
      return false;
    }
    if (version == Ipv4Header.VERSION) {
      // Version, IHL and TOS; identification; fragment field; TTL and protocol; addresses.
      if (src.getShort(offset) != out.getShort(at)
          || (src.getShort(offset + Ipv4Header.TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff) != length
          || (src.getShort(offset + Ipv4Header.IDENTIFICATION_OFFSET, BIG_ENDIAN) & 0xffff)
              != ((lastIdentification + 1) & 0xffff)
          || src.getShort(offset + Ipv4Header.FLAGS_FRAGMENT_OFFSET)
              != out.getShort(at + Ipv4Header.FLAGS_FRAGMENT_OFFSET)
          || src.getShort(offset + Ipv4Header.TTL_OFFSET)
              != out.getShort(at + Ipv4Header.TTL_OFFSET)
          || src.getLong(offset + Ipv4Header.SOURCE_OFFSET)
              != out.getLong(at + Ipv4Header.SOURCE_OFFSET)
          || !ipv4HeaderValid(src, offset)) {
        return false;
      }
    } else {
      // Version, traffic class and flow label; next header and hop limit; addresses.
      if (src.getInt(offset) != out.getInt(at)
          || Ipv6Header.LENGTH
                  + (src.getShort(offset + Ipv6Header.PAYLOAD_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff)
              != length
          || src.getShort(offset + Ipv6Header.NEXT_HEADER_OFFSET)
              != out.getShort(at + Ipv6Header.NEXT_HEADER_OFFSET)
          || !equal(src, offset + Ipv6Header.SOURCE_OFFSET, at + Ipv6Header.SOURCE_OFFSET, 32)) {
        return false;
      }
    }
    int tcp = offset + ipHeaderLength;
    int headTcp = at + ipHeaderLength;
    // The word of data offset, flags and window may differ in PSH only (the pending one's PSH
    // would have closed the run).
    int word = src.getInt(tcp + TcpHeader.DATA_OFFSET_OFFSET, BIG_ENDIAN);
    int headWord = out.getInt(headTcp + TcpHeader.DATA_OFFSET_OFFSET, BIG_ENDIAN);
    return src.getInt(tcp) == out.getInt(headTcp)
        && src.getInt(tcp + TcpHeader.SEQUENCE_OFFSET, BIG_ENDIAN) == nextSequence
        && src.getInt(tcp + TcpHeader.ACKNOWLEDGMENT_OFFSET)
            == out.getInt(headTcp + TcpHeader.ACKNOWLEDGMENT_OFFSET)
        && (word & ~(TcpHeader.FLAG_PSH << 16)) == headWord
        && src.getShort(tcp + TcpHeader.CHECKSUM_OFFSET + 2)
            == out.getShort(headTcp + TcpHeader.CHECKSUM_OFFSET + 2)
        && equal(
            src,
            tcp + TcpHeader.MIN_LENGTH,
            headTcp + TcpHeader.MIN_LENGTH,
            headersLength - ipHeaderLength - TcpHeader.MIN_LENGTH);
  }

  private boolean equal(UnsafeBuffer src, int srcOffset, int outOffset, int length) {
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      if (src.getLong(srcOffset + i) != out.getLong(outOffset + i)) {
        return false;
      }
    }
    for (; i < length; i++) {
      if (src.getByte(srcOffset + i) != out.getByte(outOffset + i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The IPv4 header checksum verifies: the merged header gets a fresh one, which must not cover up
   * a damaged header.
   */
  private static boolean ipv4HeaderValid(UnsafeBuffer b, int offset) {
    return InternetChecksum.finish(InternetChecksum.add(b, offset, Ipv4Header.MIN_LENGTH, 0)) == 0;
  }

  /** The segment's TCP checksum verifies: pseudo-header, header and data sum to all ones. */
  private static boolean checksumValid(
      UnsafeBuffer b, int offset, int version, int ipHeaderLength, int length) {
    int tcpLength = length - ipHeaderLength;
    long sum =
        version == Ipv4Header.VERSION
            ? InternetChecksum.add(b, offset + Ipv4Header.SOURCE_OFFSET, 8, 0)
            : InternetChecksum.add(
                b, offset + Ipv6Header.SOURCE_OFFSET, 2 * Ipv6Header.ADDRESS_LENGTH, 0);
    sum += TcpHeader.PROTOCOL + tcpLength;
    sum = InternetChecksum.add(b, offset + ipHeaderLength, tcpLength, sum);
    return InternetChecksum.finish(sum) == 0;
  }

  /**
   * Completes the pending super-packet for its TUN write and empties the coalescer: a single
   * segment is left as it came, with a zero {@link VirtioNetHeader}; several get the merged IP
   * length (and IPv4 header checksum), PSH if any had it, the partial TCP checksum (the
   * pseudo-header's sum, RFC 9293 3.1) and a header describing the GSO. The frame starts {@link
   * VirtioNetHeader#LENGTH} bytes before the packet offset.
   *
   * @return the frame's length (header and packet); 0 when nothing was pending
   */
  public int finish() {
    if (segments == 0) {
      return 0;
    }
    vnet.clear();
    if (segments > 1) {
      int tcp = at + ipHeaderLength;
      if (version == Ipv4Header.VERSION) {
        out.putShort(at + Ipv4Header.TOTAL_LENGTH_OFFSET, (short) length, BIG_ENDIAN);
        out.putShort(at + Ipv4Header.CHECKSUM_OFFSET, (short) 0);
        out.putShort(
            at + Ipv4Header.CHECKSUM_OFFSET,
            (short) InternetChecksum.ipv4Header(out, at, Ipv4Header.MIN_LENGTH),
            BIG_ENDIAN);
      } else {
        out.putShort(
            at + Ipv6Header.PAYLOAD_LENGTH_OFFSET,
            (short) (length - Ipv6Header.LENGTH),
            BIG_ENDIAN);
      }
      if (push) {
        int flags = out.getByte(tcp + TcpHeader.FLAGS_OFFSET) | TcpHeader.FLAG_PSH;
        out.putByte(tcp + TcpHeader.FLAGS_OFFSET, (byte) flags);
      }
      int tcpLength = length - ipHeaderLength;
      long sum =
          version == Ipv4Header.VERSION
              ? InternetChecksum.add(out, at + Ipv4Header.SOURCE_OFFSET, 8, 0)
              : InternetChecksum.add(
                  out, at + Ipv6Header.SOURCE_OFFSET, 2 * Ipv6Header.ADDRESS_LENGTH, 0);
      sum += TcpHeader.PROTOCOL + tcpLength;
      // The field holds the folded, uncomplemented pseudo-header sum; the rest is the device's.
      out.putShort(
          tcp + TcpHeader.CHECKSUM_OFFSET, (short) (~InternetChecksum.finish(sum)), BIG_ENDIAN);
      vnet.flags(VirtioNetHeader.FLAG_NEEDS_CSUM)
          .gsoType(
              version == Ipv4Header.VERSION ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6)
          .hdrLen(headersLength)
          .gsoSize(gsoSize)
          .csumStart(ipHeaderLength)
          .csumOffset(TcpHeader.CHECKSUM_OFFSET);
    }
    int frame = VirtioNetHeader.LENGTH + length;
    segments = 0;
    return frame;
  }

  /** Where the frame {@link #finish} completed starts in the buffer. */
  public int frameOffset() {
    return at - VirtioNetHeader.LENGTH;
  }
}
