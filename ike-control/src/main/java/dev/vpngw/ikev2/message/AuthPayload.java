package dev.vpngw.ikev2.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * Authentication payload (RFC 7296 3.8): the method from {@link AuthMethod} and the signature or
 * MIC over the signed octets of RFC 7296 2.15.
 *
 * <pre>
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * | Auth Method   |                RESERVED                       |
 * ~                      Authentication Data                      ~
 * </pre>
 */
public record AuthPayload(int method, byte[] data) implements Payload {
  /** Checks the method width and copies the data. */
  public AuthPayload {
    Fields.u8(method, "auth method");
    data = Fields.copy(data, "authentication data");
  }

  @Override
  public int type() {
    return PayloadType.AUTH;
  }

  /** A copy of the authentication data. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  static AuthPayload decode(WireReader r) throws IkeParseException {
    int method = r.u8("auth method");
    r.skip(3, "AUTH reserved");
    return new AuthPayload(method, r.rest());
  }

  void encodeBody(WireWriter w) {
    w.u8(method).zeros(3).bytes(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuthPayload a && method == a.method && Arrays.equals(data, a.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "AUTH[method " + method + ", " + Fields.len(data) + "]";
  }
}
