package dev.vpngw.ikev2.message;

import java.util.Arrays;

/**
 * Nonce payload (RFC 7296 3.9): random data of 16 to 256 bytes, which feeds the key derivation; a
 * nonce of any other size is rejected on both paths, since the RFC forbids it.
 */
public record NoncePayload(byte[] nonce) implements Payload {
  /** Smallest nonce RFC 7296 3.9 allows. */
  public static final int MIN_LENGTH = 16;

  /** Largest nonce RFC 7296 3.9 allows. */
  public static final int MAX_LENGTH = 256;

  /** Checks the size and copies the nonce. */
  public NoncePayload {
    nonce = Fields.copy(nonce, "nonce");
    if (nonce.length < MIN_LENGTH || nonce.length > MAX_LENGTH) {
      throw new IllegalArgumentException("nonce must be 16..256 bytes: " + nonce.length);
    }
  }

  @Override
  public int type() {
    return PayloadType.NONCE;
  }

  /** A copy of the nonce. */
  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  static NoncePayload decode(WireReader r) throws IkeParseException {
    int n = r.remaining();
    if (n < MIN_LENGTH || n > MAX_LENGTH) {
      throw IkeParseException.malformed("nonce of " + n + " bytes, RFC 7296 3.9 wants 16..256");
    }
    return new NoncePayload(r.rest());
  }

  void encodeBody(WireWriter w) {
    w.bytes(nonce);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NoncePayload n && Arrays.equals(nonce, n.nonce);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(nonce);
  }

  @Override
  public String toString() {
    return "Nonce[" + Fields.len(nonce) + "]";
  }
}
