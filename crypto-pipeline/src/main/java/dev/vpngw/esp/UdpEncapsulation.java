package dev.vpngw.esp;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.packet.EspHeader;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What travels on the NAT-T port (RFC 3948): ESP, IKE behind the non-ESP marker, and
 * NAT-keepalives, told apart by the first bytes of the UDP payload.
 *
 * <pre>
 *  ESP in UDP (RFC 3948 2.1):       | SPI (non-zero, 4) | Sequence Number (4) | ...
 *  IKE in UDP (RFC 3948 2.2):       | Non-ESP Marker: 0x00000000 (4) | IKE header (28) | ...
 *  NAT-keepalive (RFC 3948 2.3):    | 0xFF |
 * </pre>
 *
 * <p>The SPI value zero is reserved and never used by an SA (RFC 4303 2.1), which is what makes the
 * marker unambiguous.
 */
public final class UdpEncapsulation {
  /** The NAT-T port, for both IKE and ESP after NAT detection (RFC 3948, RFC 7296 2.23). */
  public static final int PORT = 4500;

  /** Length of the non-ESP marker in front of IKE messages. */
  public static final int NON_ESP_MARKER_LENGTH = 4;

  /** Length of the fixed IKE header (RFC 7296 3.1) that must follow the marker. */
  public static final int IKE_HEADER_LENGTH = 28;

  /** Length of a NAT-keepalive payload. */
  public static final int NAT_KEEPALIVE_LENGTH = 1;

  /** The only byte of a NAT-keepalive. */
  public static final byte NAT_KEEPALIVE_BYTE = (byte) 0xff;

  /** What a UDP payload received on the NAT-T port is. */
  public enum PayloadType {
    /** An ESP packet: non-zero SPI and at least an ESP header. */
    ESP,
    /** An IKE message behind the non-ESP marker, for the IKE daemon. */
    IKE,
    /** A NAT-keepalive, to be consumed silently. */
    NAT_KEEPALIVE,
    /** None of these: too short for what its first bytes claim. */
    MALFORMED
  }

  private UdpEncapsulation() {}

  /**
   * Classifies the {@code length} bytes of UDP payload at {@code offset}, which must lie within the
   * buffer.
   */
  public static PayloadType classify(UnsafeBuffer buffer, int offset, int length) {
    if (length == NAT_KEEPALIVE_LENGTH) {
      return buffer.getByte(offset) == NAT_KEEPALIVE_BYTE
          ? PayloadType.NAT_KEEPALIVE
          : PayloadType.MALFORMED;
    }
    if (length < NON_ESP_MARKER_LENGTH) {
      return PayloadType.MALFORMED;
    }
    if (buffer.getInt(offset, BIG_ENDIAN) == 0) {
      return length >= NON_ESP_MARKER_LENGTH + IKE_HEADER_LENGTH
          ? PayloadType.IKE
          : PayloadType.MALFORMED;
    }
    return length >= EspHeader.LENGTH ? PayloadType.ESP : PayloadType.MALFORMED;
  }

  /**
   * Writes a NAT-keepalive payload (RFC 3948 2.3), sent by the side behind a NAT to keep its
   * mapping alive.
   *
   * @return its length, 1
   */
  public static int writeNatKeepalive(UnsafeBuffer buffer, int offset) {
    buffer.putByte(offset, NAT_KEEPALIVE_BYTE);
    return NAT_KEEPALIVE_LENGTH;
  }
}
