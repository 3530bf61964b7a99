package dev.vpngw.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.io.buffer.PacketBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over the fixed IPv6 header (RFC 8200 3) in a buffer, read and written in place in
 * network byte order. Extension headers are not walked here: a parser that meets one decides itself
 * whether to follow it.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version| Traffic Class |           Flow Label                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Payload Length        |  Next Header  |   Hop Limit   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  +                                                               +
 *  |                                                               |
 *  +                         Source Address                        +
 *  |                                                               |
 *  +                                                               +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  +                                                               +
 *  |                                                               |
 *  +                      Destination Address                      +
 *  |                                                               |
 *  +                                                               +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv6Header {
  /** The IP version this header carries in its first nibble. */
  public static final int VERSION = 6;

  /** Length of the fixed header. */
  public static final int LENGTH = 40;

  /** Length of an address. */
  public static final int ADDRESS_LENGTH = 16;

  /** Version (4 bits), traffic class (8 bits) and flow label (20 bits). */
  public static final int VERSION_CLASS_FLOW_OFFSET = 0;

  /** Length of everything after the fixed header, extension headers included. */
  public static final int PAYLOAD_LENGTH_OFFSET = 4;

  /** Type of the header that follows (IANA protocol numbers). */
  public static final int NEXT_HEADER_OFFSET = 6;

  /** Hop limit. */
  public static final int HOP_LIMIT_OFFSET = 7;

  /** Source address. */
  public static final int SOURCE_OFFSET = 8;

  /** Destination address. */
  public static final int DESTINATION_OFFSET = 24;

  private UnsafeBuffer buffer;
  private int offset;

  /** Points the flyweight at a header starting at {@code offset}. */
  public Ipv6Header wrap(UnsafeBuffer buffer, int offset) {
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  /** Points the flyweight at a header starting at {@code offset} of a packet buffer. */
  public Ipv6Header wrap(PacketBuffer buffer, int offset) {
    return wrap(buffer.buffer(), offset);
  }

  /** The buffer offset of the header's first byte. */
  public int offset() {
    return offset;
  }

  /** The version nibble (6 for a real IPv6 header). */
  public int version() {
    return (buffer.getByte(offset) & 0xf0) >>> 4;
  }

  /** The traffic class (DSCP and ECN). */
  public int trafficClass() {
    return (buffer.getInt(offset + VERSION_CLASS_FLOW_OFFSET, BIG_ENDIAN) >>> 20) & 0xff;
  }

  /** The flow label. */
  public int flowLabel() {
    return buffer.getInt(offset + VERSION_CLASS_FLOW_OFFSET, BIG_ENDIAN) & 0xfffff;
  }

  /** Sets version 6, the traffic class and the flow label in one write. */
  public Ipv6Header versionClassFlow(int trafficClass, int flowLabel) {
    int word = (VERSION << 28) | ((trafficClass & 0xff) << 20) | (flowLabel & 0xfffff);
    buffer.putInt(offset + VERSION_CLASS_FLOW_OFFSET, word, BIG_ENDIAN);
    return this;
  }

  /** The payload length field. */
  public int payloadLength() {
    return buffer.getShort(offset + PAYLOAD_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** Sets the payload length field. */
  public Ipv6Header payloadLength(int payloadLength) {
    buffer.putShort(offset + PAYLOAD_LENGTH_OFFSET, (short) payloadLength, BIG_ENDIAN);
    return this;
  }

  /** The next header field. */
  public int nextHeader() {
    return buffer.getByte(offset + NEXT_HEADER_OFFSET) & 0xff;
  }

  /** Sets the next header field. */
  public Ipv6Header nextHeader(int nextHeader) {
    buffer.putByte(offset + NEXT_HEADER_OFFSET, (byte) nextHeader);
    return this;
  }

  /** The hop limit. */
  public int hopLimit() {
    return buffer.getByte(offset + HOP_LIMIT_OFFSET) & 0xff;
  }

  /** Sets the hop limit. */
  public Ipv6Header hopLimit(int hopLimit) {
    buffer.putByte(offset + HOP_LIMIT_OFFSET, (byte) hopLimit);
    return this;
  }

  /** Copies the source address into {@code dst} (16 bytes). */
  public void getSource(byte[] dst) {
    buffer.getBytes(offset + SOURCE_OFFSET, dst, 0, ADDRESS_LENGTH);
  }

  /** Sets the source address from its 16 bytes. */
  public Ipv6Header source(byte[] address) {
    buffer.putBytes(offset + SOURCE_OFFSET, address, 0, ADDRESS_LENGTH);
    return this;
  }

  /** Copies the destination address into {@code dst} (16 bytes). */
  public void getDestination(byte[] dst) {
    buffer.getBytes(offset + DESTINATION_OFFSET, dst, 0, ADDRESS_LENGTH);
  }

  /** Sets the destination address from its 16 bytes. */
  public Ipv6Header destination(byte[] address) {
    buffer.putBytes(offset + DESTINATION_OFFSET, address, 0, ADDRESS_LENGTH);
    return this;
  }
}
