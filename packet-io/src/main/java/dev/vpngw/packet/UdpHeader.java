package dev.vpngw.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.io.buffer.PacketBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over a UDP header (RFC 768) in a buffer, in network byte order. The checksum needs the
 * enclosing IP header for its pseudo-header, so it is computed by {@link InternetChecksum}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Length             |           Checksum            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class UdpHeader {
  /** Length of the header. */
  public static final int LENGTH = 8;

  /** IANA protocol number of UDP, as in an IPv4 protocol or IPv6 next header field. */
  public static final int PROTOCOL = 17;

  /** Source port. */
  public static final int SOURCE_PORT_OFFSET = 0;

  /** Destination port. */
  public static final int DESTINATION_PORT_OFFSET = 2;

  /** Length of header and data. */
  public static final int LENGTH_OFFSET = 4;

  /** Checksum over pseudo-header, header and data; 0 means "none" on IPv4. */
  public static final int CHECKSUM_OFFSET = 6;

  private UnsafeBuffer buffer;
  private int offset;

  /** Points the flyweight at a header starting at {@code offset}. */
  public UdpHeader wrap(UnsafeBuffer buffer, int offset) {
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  /** Points the flyweight at a header starting at {@code offset} of a packet buffer. */
  public UdpHeader wrap(PacketBuffer buffer, int offset) {
    return wrap(buffer.buffer(), offset);
  }

  /** The buffer offset of the header's first byte. */
  public int offset() {
    return offset;
  }

  /** The source port. */
  public int sourcePort() {
    return buffer.getShort(offset + SOURCE_PORT_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** Sets the source port. */
  public UdpHeader sourcePort(int port) {
    buffer.putShort(offset + SOURCE_PORT_OFFSET, (short) port, BIG_ENDIAN);
    return this;
  }

  /** The destination port. */
  public int destinationPort() {
    return buffer.getShort(offset + DESTINATION_PORT_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** Sets the destination port. */
  public UdpHeader destinationPort(int port) {
    buffer.putShort(offset + DESTINATION_PORT_OFFSET, (short) port, BIG_ENDIAN);
    return this;
  }

  /** The length field: header plus data. */
  public int length() {
    return buffer.getShort(offset + LENGTH_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** Sets the length field. */
  public UdpHeader length(int length) {
    buffer.putShort(offset + LENGTH_OFFSET, (short) length, BIG_ENDIAN);
    return this;
  }

  /** The checksum as stored. */
  public int checksum() {
    return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** Stores a checksum. */
  public UdpHeader checksum(int checksum) {
    buffer.putShort(offset + CHECKSUM_OFFSET, (short) checksum, BIG_ENDIAN);
    return this;
  }
}
