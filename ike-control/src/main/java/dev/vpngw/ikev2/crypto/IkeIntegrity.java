package dev.vpngw.ikev2.crypto;

/**
 * IKEv2 integrity algorithms (transform type 3, RFC 7296 3.3.2) that protect the SK payload when
 * the encryption algorithm is not an AEAD. The ICV is the HMAC truncated to {@link #icvLength()}
 * (RFC 2404 for SHA-1, RFC 4868 for SHA-2); the key is as long as the hash output.
 */
public enum IkeIntegrity {
  /** NONE: the only legal choice with an AEAD cipher (RFC 5282 8). */
  NONE(0, null, 0, 0),
  /** AUTH_HMAC_SHA1_96 (RFC 2404). */
  HMAC_SHA1_96(2, "HmacSHA1", 20, 12),
  /** AUTH_HMAC_SHA2_256_128 (RFC 4868). */
  HMAC_SHA2_256_128(12, "HmacSHA256", 32, 16),
  /** AUTH_HMAC_SHA2_384_192 (RFC 4868). */
  HMAC_SHA2_384_192(13, "HmacSHA384", 48, 24),
  /** AUTH_HMAC_SHA2_512_256 (RFC 4868). */
  HMAC_SHA2_512_256(14, "HmacSHA512", 64, 32);

  private final int id;
  private final String jceName;
  private final int keyLength;
  private final int icvLength;

  IkeIntegrity(int id, String jceName, int keyLength, int icvLength) {
    this.id = id;
    this.jceName = jceName;
    this.keyLength = keyLength;
    this.icvLength = icvLength;
  }

  /** The IANA transform id. */
  public int id() {
    return id;
  }

  /** The algorithm with IANA transform id {@code id}, or null if we do not implement it. */
  public static IkeIntegrity byId(int id) {
    for (IkeIntegrity integ : values()) {
      if (integ.id == id) {
        return integ;
      }
    }
    return null;
  }

  /** Length in bytes of SK_ai / SK_ar. */
  public int keyLength() {
    return keyLength;
  }

  /** Length in bytes of the truncated HMAC appended to the message. */
  public int icvLength() {
    return icvLength;
  }

  /** JCE name of the HMAC; null for {@link #NONE}. */
  String jceName() {
    return jceName;
  }
}
