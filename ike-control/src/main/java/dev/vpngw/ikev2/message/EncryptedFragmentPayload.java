package dev.vpngw.ikev2.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * Encrypted and Authenticated Fragment payload, SKF (RFC 7383 2.5), before decryption: fragment
 * number (from 1) and total, and the opaque IV, ciphertext and ICV of one chunk of the inner
 * payloads. The first inner payload type is carried by fragment 1 only and is 0 in the others.
 *
 * <pre>
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * |        Fragment Number        |        Total Fragments        |
 * |                     Initialization Vector                     |
 * ~                      Encrypted content                        ~
 * |               |             Padding (0-255 octets)            |
 * |                                               |  Pad Length   |
 * ~                    Integrity Checksum Data                    ~
 * </pre>
 */
public record EncryptedFragmentPayload(
    int firstInnerType, int fragmentNumber, int totalFragments, byte[] body) implements Payload {
  /** Checks the widths and that {@code 1 <= fragmentNumber <= totalFragments}; copies the body. */
  public EncryptedFragmentPayload {
    Fields.u8(firstInnerType, "first inner payload type");
    Fields.u16(totalFragments, "total fragments");
    if (fragmentNumber < 1 || fragmentNumber > totalFragments) {
      throw new IllegalArgumentException(
          "fragment " + fragmentNumber + " of " + totalFragments + " out of range");
    }
    body = Fields.copy(body, "SKF body");
  }

  @Override
  public int type() {
    return PayloadType.SKF;
  }

  /** A copy of IV, ciphertext and ICV. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  static EncryptedFragmentPayload decode(WireReader r, int next) throws IkeParseException {
    int number = r.u16("fragment number");
    int total = r.u16("total fragments");
    if (number < 1 || number > total) {
      throw IkeParseException.malformed("fragment " + number + " of " + total);
    }
    return new EncryptedFragmentPayload(next, number, total, r.rest());
  }

  void encodeBody(WireWriter w) {
    w.u16(fragmentNumber).u16(totalFragments).bytes(body);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptedFragmentPayload e
        && firstInnerType == e.firstInnerType
        && fragmentNumber == e.fragmentNumber
        && totalFragments == e.totalFragments
        && Arrays.equals(body, e.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(firstInnerType, fragmentNumber, totalFragments, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "SKF[" + fragmentNumber + "/" + totalFragments + ", " + Fields.len(body) + "]";
  }
}
