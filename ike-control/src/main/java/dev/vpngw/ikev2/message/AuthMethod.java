package dev.vpngw.ikev2.message;

/** Authentication methods of the AUTH payload (RFC 7296 3.8, RFC 4754, RFC 7427). */
public final class AuthMethod {
  /** RSA signature with SHA-1 over PKCS#1 v1.5. */
  public static final int RSA_DIGITAL_SIGNATURE = 1;

  /** Shared key message integrity code (PSK, RFC 7296 2.15). */
  public static final int SHARED_KEY_MIC = 2;

  /** DSS signature with SHA-1. */
  public static final int DSS = 3;

  /** ECDSA with SHA-256 on the P-256 curve (RFC 4754). */
  public static final int ECDSA_SHA256_P256 = 9;

  /** ECDSA with SHA-384 on the P-384 curve (RFC 4754). */
  public static final int ECDSA_SHA384_P384 = 10;

  /** ECDSA with SHA-512 on the P-521 curve (RFC 4754). */
  public static final int ECDSA_SHA512_P521 = 11;

  /** Generic digital signature with an AlgorithmIdentifier (RFC 7427 3). */
  public static final int DIGITAL_SIGNATURE = 14;

  private AuthMethod() {}
}
