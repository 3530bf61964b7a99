package dev.vpngw.ikev2.message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Identification payload, IDi or IDr (RFC 7296 3.5): an identity type from {@link IdType} and its
 * value. {@link #body()} is the form the AUTH computation signs (RFC 7296 2.15, "IDi'").
 *
 * <pre>
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * |   ID Type     |                 RESERVED                      |
 * ~                   Identification Data                         ~
 * </pre>
 */
public record IdPayload(boolean initiator, int idType, byte[] data) implements Payload {
  /** Checks the type width and copies the data. */
  public IdPayload {
    Fields.u8(idType, "id type");
    data = Fields.copy(data, "identification data");
  }

  /** An ID_FQDN identity. */
  public static IdPayload fqdn(boolean initiator, String name) {
    return new IdPayload(initiator, IdType.ID_FQDN, name.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public int type() {
    return initiator ? PayloadType.IDI : PayloadType.IDR;
  }

  /** A copy of the identification data. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  /**
   * The payload body without the generic header: ID type, three reserved zero bytes, data. This is
   * what RFC 7296 2.15 feeds to {@code prf(SK_pi, IDi')}.
   */
  public byte[] body() {
    WireWriter w = new WireWriter();
    encodeBody(w);
    return w.toByteArray();
  }

  static IdPayload decode(WireReader r, boolean initiator) throws IkeParseException {
    int idType = r.u8("id type");
    r.skip(3, "ID reserved");
    return new IdPayload(initiator, idType, r.rest());
  }

  void encodeBody(WireWriter w) {
    w.u8(idType).zeros(3).bytes(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdPayload i
        && initiator == i.initiator
        && idType == i.idType
        && Arrays.equals(data, i.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(initiator, idType, Arrays.hashCode(data));
  }

  /**
   * Shows names and addresses, which are not secret and make logs readable; other types by size.
   */
  @Override
  public String toString() {
    String value =
        switch (idType) {
          case IdType.ID_FQDN, IdType.ID_RFC822_ADDR -> printable(data);
          case IdType.ID_IPV4_ADDR, IdType.ID_IPV6_ADDR -> TrafficSelectorEntry.address(data);
          default -> Fields.len(data);
        };
    return PayloadType.name(type()) + "[type " + idType + ", " + value + "]";
  }

  private static String printable(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length);
    for (byte c : b) {
      sb.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
    }
    return sb.toString();
  }
}
