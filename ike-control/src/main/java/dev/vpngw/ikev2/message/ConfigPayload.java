package dev.vpngw.ikev2.message;

import java.util.ArrayList;
import java.util.List;

/**
 * Configuration payload (RFC 7296 3.15): a request, reply, set or acknowledgement of configuration
 * attributes, used for remote-access address assignment.
 *
 * <pre>
 * | Next Payload  |C| RESERVED    |         Payload Length        |
 * |   CFG Type    |                    RESERVED                   |
 * ~                   Configuration Attributes                    ~
 * </pre>
 */
public record ConfigPayload(int cfgType, List<ConfigAttribute> attributes) implements Payload {
  /** The client asks for attributes. */
  public static final int CFG_REQUEST = 1;

  /** The gateway answers a request. */
  public static final int CFG_REPLY = 2;

  /** Unsolicited settings. */
  public static final int CFG_SET = 3;

  /** Acknowledges a set. */
  public static final int CFG_ACK = 4;

  /** Checks the type width and copies the list. */
  public ConfigPayload {
    Fields.u8(cfgType, "cfg type");
    attributes = List.copyOf(attributes);
  }

  @Override
  public int type() {
    return PayloadType.CP;
  }

  static ConfigPayload decode(WireReader r) throws IkeParseException {
    int cfgType = r.u8("cfg type");
    r.skip(3, "CP reserved");
    List<ConfigAttribute> attributes = new ArrayList<>();
    while (r.remaining() > 0) {
      attributes.add(ConfigAttribute.decode(r));
    }
    return new ConfigPayload(cfgType, attributes);
  }

  void encodeBody(WireWriter w) {
    w.u8(cfgType).zeros(3);
    attributes.forEach(a -> a.encode(w));
  }

  @Override
  public String toString() {
    return "CP[type " + cfgType + ", " + attributes + "]";
  }
}
