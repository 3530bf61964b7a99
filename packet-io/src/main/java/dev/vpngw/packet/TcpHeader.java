package dev.vpngw.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over a TCP header (RFC 9293 3.1) in a buffer, in network byte order: the fields the
 * gateway rewrites when it cuts a super-packet into segments (sequence number, flags, checksum).
 * The checksum needs the enclosing IP header for its pseudo-header, so {@link GsoSegmenter} and
 * {@link InternetChecksum} compute it.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Acknowledgment Number                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Data |       |C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *  |       |       |R|E|G|K|H|T|N|N|                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Checksum            |         Urgent Pointer        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           [Options]                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class TcpHeader {
  /** IANA protocol number of TCP. */
  public static final int PROTOCOL = 6;

  /** Length of a header without options (data offset 5). */
  public static final int MIN_LENGTH = 20;

  /** Source port. */
  public static final int SOURCE_PORT_OFFSET = 0;

  /** Destination port. */
  public static final int DESTINATION_PORT_OFFSET = 2;

  /** Sequence number. */
  public static final int SEQUENCE_OFFSET = 4;

  /** Acknowledgment number. */
  public static final int ACKNOWLEDGMENT_OFFSET = 8;

  /** Data offset (high nibble, in 32-bit words). */
  public static final int DATA_OFFSET_OFFSET = 12;

  /** The flags byte (CWR .. FIN). */
  public static final int FLAGS_OFFSET = 13;

  /** Checksum over pseudo-header, header and data. */
  public static final int CHECKSUM_OFFSET = 16;

  /** FIN: no more data from the sender. */
  public static final int FLAG_FIN = 0x01;

  /** SYN: synchronize sequence numbers. */
  public static final int FLAG_SYN = 0x02;

  /** RST: reset the connection. */
  public static final int FLAG_RST = 0x04;

  /** PSH: push function. */
  public static final int FLAG_PSH = 0x08;

  /** ACK: the acknowledgment field is significant. */
  public static final int FLAG_ACK = 0x10;

  /** URG: the urgent pointer is significant. */
  public static final int FLAG_URG = 0x20;

  /** ECE: ECN echo (RFC 3168). */
  public static final int FLAG_ECE = 0x40;

  /** CWR: congestion window reduced (RFC 3168). */
  public static final int FLAG_CWR = 0x80;

  private UnsafeBuffer buffer;
  private int offset;

  /** Points the flyweight at a header starting at {@code offset}. */
  public TcpHeader wrap(UnsafeBuffer buffer, int offset) {
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  /** The buffer offset of the header's first byte. */
  public int offset() {
    return offset;
  }

  /** The source port. */
  public int sourcePort() {
    return buffer.getShort(offset + SOURCE_PORT_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** The destination port. */
  public int destinationPort() {
    return buffer.getShort(offset + DESTINATION_PORT_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** The sequence number, as an unsigned 32-bit value in an int. */
  public int sequence() {
    return buffer.getInt(offset + SEQUENCE_OFFSET, BIG_ENDIAN);
  }

  /** Sets the sequence number (arithmetic modulo 2^32 wraps as int arithmetic does). */
  public TcpHeader sequence(int sequence) {
    buffer.putInt(offset + SEQUENCE_OFFSET, sequence, BIG_ENDIAN);
    return this;
  }

  /** The acknowledgment number. */
  public int acknowledgment() {
    return buffer.getInt(offset + ACKNOWLEDGMENT_OFFSET, BIG_ENDIAN);
  }

  /** The header's length in bytes, options included (data offset times four). */
  public int headerLength() {
    return ((buffer.getByte(offset + DATA_OFFSET_OFFSET) & 0xf0) >>> 4) * 4;
  }

  /** The flags byte. */
  public int flags() {
    return buffer.getByte(offset + FLAGS_OFFSET) & 0xff;
  }

  /** Sets the flags byte. */
  public TcpHeader flags(int flags) {
    buffer.putByte(offset + FLAGS_OFFSET, (byte) flags);
    return this;
  }

  /** The checksum field. */
  public int checksum() {
    return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** Sets the checksum field. */
  public TcpHeader checksum(int checksum) {
    buffer.putShort(offset + CHECKSUM_OFFSET, (short) checksum, BIG_ENDIAN);
    return this;
  }
}
