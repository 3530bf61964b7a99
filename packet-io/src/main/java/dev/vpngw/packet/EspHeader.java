package dev.vpngw.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.io.buffer.PacketBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over the cleartext ESP header (RFC 4303 2): the SPI and the low 32 bits of the sequence
 * number. The high 32 bits of an extended sequence number are never sent (RFC 4303 2.2.1); the IV,
 * payload and trailer that follow are the cipher's business.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Security Parameters Index (SPI)                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      Sequence Number                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                IV, then Payload Data (variable)               ~
 *  ~               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               |     Padding (0-255 bytes)                     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |  Pad Length   | Next Header   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Integrity Check Value (variable)                      ~
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The trailer (padding, pad length, next header) is encrypted with the payload, so only its
 * constants live here.
 */
public final class EspHeader {
  /** Length of the SPI and sequence number fields. */
  public static final int LENGTH = 8;

  /** IANA protocol number of ESP, as in an IPv4 protocol or IPv6 next header field. */
  public static final int PROTOCOL = 50;

  /** Security Parameters Index. */
  public static final int SPI_OFFSET = 0;

  /** Sequence number, low 32 bits. */
  public static final int SEQUENCE_OFFSET = 4;

  /** Length of the ESP trailer after the padding: pad length and next header (RFC 4303 2.4). */
  public static final int TRAILER_LENGTH = 2;

  /** Next header of a tunnel-mode payload that is an IPv4 packet (IP-in-IP). */
  public static final int NEXT_HEADER_IPV4 = 4;

  /** Next header of a tunnel-mode payload that is an IPv6 packet. */
  public static final int NEXT_HEADER_IPV6 = 41;

  /** Next header of a dummy packet, to be discarded by the receiver (RFC 4303 2.6). */
  public static final int NEXT_HEADER_NONE = 59;

  private UnsafeBuffer buffer;
  private int offset;

  /** Points the flyweight at a header starting at {@code offset}. */
  public EspHeader wrap(UnsafeBuffer buffer, int offset) {
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  /** Points the flyweight at a header starting at {@code offset} of a packet buffer. */
  public EspHeader wrap(PacketBuffer buffer, int offset) {
    return wrap(buffer.buffer(), offset);
  }

  /** The buffer offset of the header's first byte. */
  public int offset() {
    return offset;
  }

  /** The SPI, as the 32-bit value it is on the wire. */
  public int spi() {
    return buffer.getInt(offset + SPI_OFFSET, BIG_ENDIAN);
  }

  /** Sets the SPI. */
  public EspHeader spi(int spi) {
    buffer.putInt(offset + SPI_OFFSET, spi, BIG_ENDIAN);
    return this;
  }

  /** The low 32 bits of the sequence number (compare unsigned). */
  public int sequenceLow() {
    return buffer.getInt(offset + SEQUENCE_OFFSET, BIG_ENDIAN);
  }

  /** Sets the low 32 bits of the sequence number. */
  public EspHeader sequenceLow(int sequenceLow) {
    buffer.putInt(offset + SEQUENCE_OFFSET, sequenceLow, BIG_ENDIAN);
    return this;
  }
}
