package dev.vpngw.ikev2.message;

import java.util.Arrays;

/**
 * Extensible Authentication payload (RFC 7296 3.16): one EAP message (RFC 3748), opaque here; the
 * EAP method code reads it.
 */
public record EapPayload(byte[] body) implements Payload {
  /** Copies the body. */
  public EapPayload {
    body = Fields.copy(body, "EAP message");
  }

  @Override
  public int type() {
    return PayloadType.EAP;
  }

  /** A copy of the EAP message. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  void encodeBody(WireWriter w) {
    w.bytes(body);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EapPayload e && Arrays.equals(body, e.body);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "EAP[" + Fields.len(body) + "]";
  }
}
