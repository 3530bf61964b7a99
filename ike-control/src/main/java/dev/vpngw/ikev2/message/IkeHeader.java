package dev.vpngw.ikev2.message;

/**
 * Layout of the fixed IKEv2 header (RFC 7296 3.1) and bounds-unchecked readers and a writer for it,
 * so that a caller can look at the SPIs, exchange type and message id of a datagram (to find the
 * IKE SA and its keys) before anything is decoded or decrypted. The readers expect {@link #LENGTH}
 * bytes at the offset; {@link IkeMessage#decode} is the checked path.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Initiator's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Responder's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Message ID                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Length                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Flags:  |X|X|R|V|I|X|X|X|
 * </pre>
 */
public final class IkeHeader {
  /** Length of the fixed header. */
  public static final int LENGTH = 28;

  /** Initiator's SPI, 8 bytes. */
  public static final int INITIATOR_SPI_OFFSET = 0;

  /** Responder's SPI, 8 bytes (zero in the first IKE_SA_INIT request). */
  public static final int RESPONDER_SPI_OFFSET = 8;

  /** Type of the first payload. */
  public static final int NEXT_PAYLOAD_OFFSET = 16;

  /** Major version (high nibble) and minor version (low nibble). */
  public static final int VERSION_OFFSET = 17;

  /** Exchange type, see {@link ExchangeType}. */
  public static final int EXCHANGE_TYPE_OFFSET = 18;

  /** Flags byte. */
  public static final int FLAGS_OFFSET = 19;

  /** Message id, 4 bytes. */
  public static final int MESSAGE_ID_OFFSET = 20;

  /** Length of the whole message including this header, 4 bytes. */
  public static final int LENGTH_OFFSET = 24;

  /** I flag: set in messages sent by the original initiator of the IKE SA. */
  public static final int FLAG_INITIATOR = 0x08;

  /** V flag: the sender can speak a higher major version; we never set it. */
  public static final int FLAG_VERSION = 0x10;

  /** R flag: this message is a response. */
  public static final int FLAG_RESPONSE = 0x20;

  /** The version byte of IKEv2: major 2, minor 0. */
  public static final int VERSION_2_0 = 0x20;

  private IkeHeader() {}

  /** The initiator's SPI of the header at {@code offset}. */
  public static long initiatorSpi(byte[] buf, int offset) {
    return WireReader.getLong(buf, offset + INITIATOR_SPI_OFFSET);
  }

  /** The responder's SPI of the header at {@code offset}. */
  public static long responderSpi(byte[] buf, int offset) {
    return WireReader.getLong(buf, offset + RESPONDER_SPI_OFFSET);
  }

  /** The first payload's type. */
  public static int nextPayload(byte[] buf, int offset) {
    return buf[offset + NEXT_PAYLOAD_OFFSET] & 0xFF;
  }

  /** The major version (2 for IKEv2, 1 for IKEv1). */
  public static int majorVersion(byte[] buf, int offset) {
    return (buf[offset + VERSION_OFFSET] & 0xFF) >>> 4;
  }

  /** The exchange type. */
  public static int exchangeType(byte[] buf, int offset) {
    return buf[offset + EXCHANGE_TYPE_OFFSET] & 0xFF;
  }

  /** The flags byte. */
  public static int flags(byte[] buf, int offset) {
    return buf[offset + FLAGS_OFFSET] & 0xFF;
  }

  /** The message id, as the 32-bit value it is on the wire. */
  public static int messageId(byte[] buf, int offset) {
    return WireReader.getInt(buf, offset + MESSAGE_ID_OFFSET);
  }

  /** The length field, unsigned. */
  public static long length(byte[] buf, int offset) {
    return WireReader.getInt(buf, offset + LENGTH_OFFSET) & 0xFFFF_FFFFL;
  }

  /** Writes a version 2.0 header at {@code offset}. */
  static void write(
      byte[] buf,
      int offset,
      long initiatorSpi,
      long responderSpi,
      int nextPayload,
      int exchangeType,
      int flags,
      int messageId,
      int length) {
    WireWriter.putLong(buf, offset + INITIATOR_SPI_OFFSET, initiatorSpi);
    WireWriter.putLong(buf, offset + RESPONDER_SPI_OFFSET, responderSpi);
    buf[offset + NEXT_PAYLOAD_OFFSET] = (byte) nextPayload;
    buf[offset + VERSION_OFFSET] = (byte) VERSION_2_0;
    buf[offset + EXCHANGE_TYPE_OFFSET] = (byte) exchangeType;
    buf[offset + FLAGS_OFFSET] = (byte) flags;
    WireWriter.putInt(buf, offset + MESSAGE_ID_OFFSET, messageId);
    WireWriter.putInt(buf, offset + LENGTH_OFFSET, length);
  }
}
