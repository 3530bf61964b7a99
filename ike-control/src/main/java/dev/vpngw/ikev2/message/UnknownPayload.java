package dev.vpngw.ikev2.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * A payload of a type this package does not model, kept with its critical bit and body so the
 * caller can follow RFC 7296 2.5: skip it when the bit is clear, reject the message with
 * UNSUPPORTED_CRITICAL_PAYLOAD when it is set (see {@link
 * IkeMessage#requireNoUnsupportedCritical}).
 */
public record UnknownPayload(int type, boolean critical, byte[] body) implements Payload {
  /** Checks the type is one no other record models, and copies the body. */
  public UnknownPayload {
    Fields.u8(type, "payload type");
    if (type == PayloadType.NONE || PayloadType.isKnown(type)) {
      throw new IllegalArgumentException("payload type " + type + " has its own record");
    }
    body = Fields.copy(body, "payload body");
  }

  /** A copy of the body. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  void encodeBody(WireWriter w) {
    w.bytes(body);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnknownPayload u
        && type == u.type
        && critical == u.critical
        && Arrays.equals(body, u.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, critical, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return PayloadType.name(type) + "[" + (critical ? "critical, " : "") + Fields.len(body) + "]";
  }
}
