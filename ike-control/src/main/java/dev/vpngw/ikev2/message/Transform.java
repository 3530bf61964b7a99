package dev.vpngw.ikev2.message;

/**
 * One transform substructure of a proposal (RFC 7296 3.3.2): a transform type and id, plus the only
 * attribute IKEv2 defines, Key Length (RFC 7296 3.3.5), or -1 when it is absent.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |        Transform Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Transform Type |   RESERVED    |          Transform ID         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Transform Attributes                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Attributes other than Key Length are skipped when decoding, in either the TV or TLV format
 * (RFC 7296 3.3.5); deciding whether a proposal with them is acceptable is negotiation's job.
 */
public record Transform(int type, int id, int keyLength) {
  /** Last Substruc value of a transform that is followed by another one. */
  static final int MORE = 3;

  private static final int HEADER_LENGTH = 8;
  private static final int ATTRIBUTE_FORMAT_TV = 0x8000;

  /** Checks the field widths; {@code keyLength} is -1 or 0..65535. */
  public Transform {
    Fields.u8(type, "transform type");
    Fields.u16(id, "transform id");
    if (keyLength < -1 || keyLength > 0xFFFF) {
      throw new IllegalArgumentException("key length must be -1 or 0..65535: " + keyLength);
    }
  }

  /** A transform without a Key Length attribute. */
  public static Transform of(int type, int id) {
    return new Transform(type, id, -1);
  }

  /** True when the transform carries a Key Length attribute. */
  public boolean hasKeyLength() {
    return keyLength >= 0;
  }

  static Transform decode(WireReader r) throws IkeParseException {
    int last = r.u8("transform last substruc");
    if (last != 0 && last != MORE) {
      throw IkeParseException.malformed("transform last substruc " + last);
    }
    r.skip(1, "transform reserved");
    int length = r.u16("transform length");
    if (length < HEADER_LENGTH) {
      throw IkeParseException.malformed("transform length " + length);
    }
    WireReader t = r.slice(length - 4, "transform");
    int type = t.u8("transform type");
    t.skip(1, "transform reserved");
    int id = t.u16("transform id");
    int keyLength = -1;
    while (t.remaining() > 0) {
      int attr = t.u16("attribute type");
      boolean tv = (attr & ATTRIBUTE_FORMAT_TV) != 0;
      int value = t.u16("attribute value");
      if (!tv) {
        t.skip(value, "attribute value");
      } else if ((attr & 0x7FFF) == TransformType.KEY_LENGTH) {
        if (keyLength >= 0) {
          throw IkeParseException.malformed("transform has two Key Length attributes");
        }
        keyLength = value;
      }
    }
    return new Transform(type, id, keyLength);
  }

  void encode(WireWriter w, boolean lastInProposal) {
    w.u8(lastInProposal ? 0 : MORE).u8(0).u16(hasKeyLength() ? HEADER_LENGTH + 4 : HEADER_LENGTH);
    w.u8(type).u8(0).u16(id);
    if (hasKeyLength()) {
      w.u16(ATTRIBUTE_FORMAT_TV | TransformType.KEY_LENGTH).u16(keyLength);
    }
  }

  @Override
  public String toString() {
    String name =
        switch (type) {
          case TransformType.ENCR -> "ENCR";
          case TransformType.PRF -> "PRF";
          case TransformType.INTEG -> "INTEG";
          case TransformType.DH -> "DH";
          case TransformType.ESN -> "ESN";
          default -> "T" + type;
        };
    return name + "=" + id + (hasKeyLength() ? "/" + keyLength : "");
  }
}
