package dev.vpngw.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.io.buffer.PacketBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over an IPv4 header (RFC 791 3.1) in a buffer, read and written in place in network
 * byte order. Getters return unsigned values widened to int; nothing here checks bounds beyond what
 * the buffer does, so parsers check the length before wrapping.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |Type of Service|          Total Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |Flags|      Fragment Offset    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |         Header Checksum       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination Address                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options                    |    Padding    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv4Header {
  /** The IP version this header carries in its first nibble. */
  public static final int VERSION = 4;

  /** Length of a header without options (IHL 5). */
  public static final int MIN_LENGTH = 20;

  /** Version (high nibble) and IHL in 32-bit words (low nibble). */
  public static final int VERSION_IHL_OFFSET = 0;

  /** Type of service: DSCP (high 6 bits) and ECN (low 2 bits), RFC 2474 and RFC 3168. */
  public static final int TOS_OFFSET = 1;

  /** Total length of the datagram, header included. */
  public static final int TOTAL_LENGTH_OFFSET = 2;

  /** Identification, used to reassemble fragments. */
  public static final int IDENTIFICATION_OFFSET = 4;

  /** Flags (3 bits) and fragment offset in 8-byte units (13 bits). */
  public static final int FLAGS_FRAGMENT_OFFSET = 6;

  /** Time to live. */
  public static final int TTL_OFFSET = 8;

  /** Protocol of the payload (IANA protocol numbers). */
  public static final int PROTOCOL_OFFSET = 9;

  /** Header checksum (RFC 791, over the header only). */
  public static final int CHECKSUM_OFFSET = 10;

  /** Source address. */
  public static final int SOURCE_OFFSET = 12;

  /** Destination address. */
  public static final int DESTINATION_OFFSET = 16;

  /** The Don't Fragment flag within the flags/fragment-offset field. */
  public static final int FLAG_DONT_FRAGMENT = 0x4000;

  /** The More Fragments flag within the flags/fragment-offset field. */
  public static final int FLAG_MORE_FRAGMENTS = 0x2000;

  /** The fragment offset bits within the flags/fragment-offset field. */
  public static final int FRAGMENT_OFFSET_MASK = 0x1fff;

  private UnsafeBuffer buffer;
  private int offset;

  /** Points the flyweight at a header starting at {@code offset}. */
  public Ipv4Header wrap(UnsafeBuffer buffer, int offset) {
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  /** Points the flyweight at a header starting at {@code offset} of a packet buffer. */
  public Ipv4Header wrap(PacketBuffer buffer, int offset) {
    return wrap(buffer.buffer(), offset);
  }

  /** The buffer offset of the header's first byte. */
  public int offset() {
    return offset;
  }

  /** The version nibble (4 for a real IPv4 header). */
  public int version() {
    return (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0xf0) >>> 4;
  }

  /** Header length in bytes (IHL times 4). */
  public int headerLength() {
    return (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0x0f) * 4;
  }

  /** Sets version 4 and the header length in bytes (a multiple of 4, 20 to 60). */
  public Ipv4Header versionAndHeaderLength(int headerLength) {
    buffer.putByte(offset + VERSION_IHL_OFFSET, (byte) ((VERSION << 4) | (headerLength >>> 2)));
    return this;
  }

  /** The type-of-service byte (DSCP and ECN). */
  public int tos() {
    return buffer.getByte(offset + TOS_OFFSET) & 0xff;
  }

  /** Sets the type-of-service byte. */
  public Ipv4Header tos(int tos) {
    buffer.putByte(offset + TOS_OFFSET, (byte) tos);
    return this;
  }

  /** The total length field. */
  public int totalLength() {
    return buffer.getShort(offset + TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** Sets the total length field. */
  public Ipv4Header totalLength(int totalLength) {
    buffer.putShort(offset + TOTAL_LENGTH_OFFSET, (short) totalLength, BIG_ENDIAN);
    return this;
  }

  /** The identification field. */
  public int identification() {
    return buffer.getShort(offset + IDENTIFICATION_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** Sets the identification field. */
  public Ipv4Header identification(int identification) {
    buffer.putShort(offset + IDENTIFICATION_OFFSET, (short) identification, BIG_ENDIAN);
    return this;
  }

  /** The flags and fragment offset field as one 16-bit value. */
  public int flagsAndFragmentOffset() {
    return buffer.getShort(offset + FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** Sets the flags and fragment offset field. */
  public Ipv4Header flagsAndFragmentOffset(int value) {
    buffer.putShort(offset + FLAGS_FRAGMENT_OFFSET, (short) value, BIG_ENDIAN);
    return this;
  }

  /** True when this datagram is a fragment: More Fragments set or a non-zero fragment offset. */
  public boolean isFragment() {
    return (flagsAndFragmentOffset() & (FLAG_MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
  }

  /** The time to live. */
  public int ttl() {
    return buffer.getByte(offset + TTL_OFFSET) & 0xff;
  }

  /** Sets the time to live. */
  public Ipv4Header ttl(int ttl) {
    buffer.putByte(offset + TTL_OFFSET, (byte) ttl);
    return this;
  }

  /** The payload's protocol number. */
  public int protocol() {
    return buffer.getByte(offset + PROTOCOL_OFFSET) & 0xff;
  }

  /** Sets the payload's protocol number. */
  public Ipv4Header protocol(int protocol) {
    buffer.putByte(offset + PROTOCOL_OFFSET, (byte) protocol);
    return this;
  }

  /** The header checksum as stored. */
  public int checksum() {
    return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** Stores a header checksum. */
  public Ipv4Header checksum(int checksum) {
    buffer.putShort(offset + CHECKSUM_OFFSET, (short) checksum, BIG_ENDIAN);
    return this;
  }

  /** Computes the checksum over the header (per its IHL) and stores it. */
  public Ipv4Header updateChecksum() {
    return checksum(InternetChecksum.ipv4Header(buffer, offset, headerLength()));
  }

  /** True when the stored checksum matches the header's contents. */
  public boolean isChecksumValid() {
    return InternetChecksum.ipv4Header(buffer, offset, headerLength()) == checksum();
  }

  /** The source address as a 32-bit big-endian value. */
  public int source() {
    return buffer.getInt(offset + SOURCE_OFFSET, BIG_ENDIAN);
  }

  /** Sets the source address from a 32-bit big-endian value. */
  public Ipv4Header source(int address) {
    buffer.putInt(offset + SOURCE_OFFSET, address, BIG_ENDIAN);
    return this;
  }

  /** Sets the source address from its 4 bytes. */
  public Ipv4Header source(byte[] address) {
    buffer.putBytes(offset + SOURCE_OFFSET, address, 0, 4);
    return this;
  }

  /** The destination address as a 32-bit big-endian value. */
  public int destination() {
    return buffer.getInt(offset + DESTINATION_OFFSET, BIG_ENDIAN);
  }

  /** Sets the destination address from a 32-bit big-endian value. */
  public Ipv4Header destination(int address) {
    buffer.putInt(offset + DESTINATION_OFFSET, address, BIG_ENDIAN);
    return this;
  }

  /** Sets the destination address from its 4 bytes. */
  public Ipv4Header destination(byte[] address) {
    buffer.putBytes(offset + DESTINATION_OFFSET, address, 0, 4);
    return this;
  }
}
