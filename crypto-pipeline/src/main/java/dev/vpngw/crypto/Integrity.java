package dev.vpngw.crypto;

/** ESP integrity transforms (IKEv2 transform type 3 ids), RFC 2404 and RFC 4868. */
public enum Integrity {
  /** No separate integrity transform: only with AEAD or GMAC encryption. */
  NONE(0, 0, 0, null),
  /** HMAC-SHA1-96 (RFC 2404). */
  HMAC_SHA1_96(2, 20, 12, "SHA1"),
  /** HMAC-SHA-256-128 (RFC 4868). */
  HMAC_SHA2_256_128(12, 32, 16, "SHA256"),
  /** HMAC-SHA-384-192 (RFC 4868). */
  HMAC_SHA2_384_192(13, 48, 24, "SHA384"),
  /** HMAC-SHA-512-256 (RFC 4868). */
  HMAC_SHA2_512_256(14, 64, 32, "SHA512");

  private final int ikeId;
  private final int keyLength;
  private final int icvLength;
  private final String digest;

  Integrity(int ikeId, int keyLength, int icvLength, String digest) {
    this.ikeId = ikeId;
    this.keyLength = keyLength;
    this.icvLength = icvLength;
    this.digest = digest;
  }

  /** IKEv2 transform id (type 3, INTEG). */
  public int ikeId() {
    return ikeId;
  }

  /** Key length in bytes (the digest length, RFC 4868 2.1.1). */
  public int keyLength() {
    return keyLength;
  }

  /** Truncated ICV length in bytes carried in each packet. */
  public int icvLength() {
    return icvLength;
  }

  /** The digest name, as in "SHA256"; null for {@link #NONE}. */
  public String digest() {
    return digest;
  }
}
