package dev.vpngw.ikev2.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * Encrypted and Authenticated payload, SK (RFC 7296 3.14), as it is before decryption: the type of
 * the first inner payload (carried in this payload's Next Payload field) and the opaque body, IV
 * followed by ciphertext and ICV. It is always the last payload of a message. {@link
 * IkeMessage#decodeProtected} and {@link IkeMessage#encodeProtected} open and build it.
 *
 * <pre>
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * |                     Initialization Vector                     |
 * ~                    Encrypted IKE Payloads                     ~
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |             Padding (0-255 octets)            |
 * +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 * |                                               |  Pad Length   |
 * ~                    Integrity Checksum Data                    ~
 * </pre>
 */
public record EncryptedPayload(int firstInnerType, byte[] body) implements Payload {
  /** Checks the type width and copies the body. */
  public EncryptedPayload {
    Fields.u8(firstInnerType, "first inner payload type");
    body = Fields.copy(body, "SK body");
  }

  @Override
  public int type() {
    return PayloadType.SK;
  }

  /** A copy of IV, ciphertext and ICV. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  void encodeBody(WireWriter w) {
    w.bytes(body);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptedPayload e
        && firstInnerType == e.firstInnerType
        && Arrays.equals(body, e.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(firstInnerType, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "SK[first " + PayloadType.name(firstInnerType) + ", " + Fields.len(body) + "]";
  }
}
