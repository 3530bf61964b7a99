package dev.vpngw.ikev2.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * One configuration attribute of a CP payload (RFC 7296 3.15.1): a 15-bit type and a value, which
 * is empty in a request that only asks for the attribute.
 *
 * <pre>
 * |R|         Attribute Type      |            Length             |
 * ~                             Value                             ~
 * </pre>
 */
public record ConfigAttribute(int type, byte[] value) {
  /** An IPv4 address for the client's inner interface. */
  public static final int INTERNAL_IP4_ADDRESS = 1;

  /** The netmask of {@link #INTERNAL_IP4_ADDRESS}. */
  public static final int INTERNAL_IP4_NETMASK = 2;

  /** An IPv4 DNS server. */
  public static final int INTERNAL_IP4_DNS = 3;

  /** An IPv6 address and prefix length for the client's inner interface. */
  public static final int INTERNAL_IP6_ADDRESS = 8;

  /** An IPv6 DNS server. */
  public static final int INTERNAL_IP6_DNS = 10;

  /** Checks the type fits 15 bits and the value 16; copies the value. */
  public ConfigAttribute {
    if (type < 0 || type > 0x7FFF) {
      throw new IllegalArgumentException("attribute type must be 0..32767: " + type);
    }
    value = Fields.copy(value, 0xFFFF, "attribute value");
  }

  /** An attribute that asks for a value (as in CFG_REQUEST). */
  public static ConfigAttribute request(int type) {
    return new ConfigAttribute(type, new byte[0]);
  }

  /** A copy of the value. */
  @Override
  public byte[] value() {
    return value.clone();
  }

  static ConfigAttribute decode(WireReader r) throws IkeParseException {
    // The high bit is reserved (RFC 7296 3.15.1): ignored on receipt.
    int type = r.u16("attribute type") & 0x7FFF;
    int length = r.u16("attribute length");
    return new ConfigAttribute(type, r.bytes(length, "attribute value"));
  }

  void encode(WireWriter w) {
    w.u16(type).u16(value.length).bytes(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigAttribute a && type == a.type && Arrays.equals(value, a.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "attr " + type + "=" + Fields.len(value);
  }
}
