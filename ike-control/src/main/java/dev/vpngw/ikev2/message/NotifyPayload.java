package dev.vpngw.ikev2.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * Notify payload (RFC 7296 3.10): an error or status type from {@link NotifyType}, optionally about
 * an SA named by protocol and SPI (as with REKEY_SA), with type-specific data.
 *
 * <pre>
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 * ~                Security Parameter Index (SPI)                 ~
 * ~                       Notification Data                       ~
 * </pre>
 */
public record NotifyPayload(int protocolId, byte[] spi, int notifyType, byte[] data)
    implements Payload {
  private static final byte[] EMPTY = new byte[0];

  /** Checks the field widths and copies the arrays. */
  public NotifyPayload {
    Fields.u8(protocolId, "protocol id");
    spi = Fields.copy(spi, 0xFF, "spi");
    Fields.u16(notifyType, "notify type");
    data = Fields.copy(data, "notification data");
  }

  /** A notify about no SA in particular, without data. */
  public static NotifyPayload of(int notifyType) {
    return new NotifyPayload(0, EMPTY, notifyType, EMPTY);
  }

  /** A notify about no SA in particular, with data (a cookie, a NAT detection hash...). */
  public static NotifyPayload of(int notifyType, byte[] data) {
    return new NotifyPayload(0, EMPTY, notifyType, data);
  }

  /** A notify about a Child SA, named by protocol and 4-byte SPI (as REKEY_SA, RFC 7296 1.3.3). */
  public static NotifyPayload child(int protocolId, int spi, int notifyType) {
    byte[] b = new byte[4];
    WireWriter.putInt(b, 0, spi);
    return new NotifyPayload(protocolId, b, notifyType, EMPTY);
  }

  @Override
  public int type() {
    return PayloadType.NOTIFY;
  }

  /** A copy of the SPI. */
  @Override
  public byte[] spi() {
    return spi.clone();
  }

  /** A copy of the notification data. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  /** The SPI of a Child SA notify as the 32-bit value it is on the wire. */
  public int childSpi() {
    if (spi.length != 4) {
      throw new IllegalStateException("notify SPI is " + spi.length + " bytes, not 4");
    }
    return WireReader.getInt(spi, 0);
  }

  /** True for error types (RFC 7296 3.10.1). */
  public boolean isError() {
    return NotifyType.isError(notifyType);
  }

  static NotifyPayload decode(WireReader r) throws IkeParseException {
    int protocolId = r.u8("notify protocol id");
    int spiSize = r.u8("notify spi size");
    int notifyType = r.u16("notify type");
    byte[] spi = r.bytes(spiSize, "notify spi");
    return new NotifyPayload(protocolId, spi, notifyType, r.rest());
  }

  void encodeBody(WireWriter w) {
    w.u8(protocolId).u8(spi.length).u16(notifyType).bytes(spi).bytes(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NotifyPayload n
        && protocolId == n.protocolId
        && notifyType == n.notifyType
        && Arrays.equals(spi, n.spi)
        && Arrays.equals(data, n.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(protocolId, notifyType, Arrays.hashCode(spi), Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "N("
        + NotifyType.name(notifyType)
        + (spi.length > 0 ? ", proto " + protocolId + " spi " + Fields.len(spi) : "")
        + (data.length > 0 ? ", " + Fields.len(data) : "")
        + ")";
  }
}
