package dev.vpngw.ikev2.message;

/**
 * Transform types, transform ids, the Key Length attribute and security protocol ids of the SA
 * payload (RFC 7296 3.3.2, 3.3.5 and 3.3.1; ids from the IANA "IKEv2 Transform" registries).
 */
public final class TransformType {
  /** Encryption algorithm. */
  public static final int ENCR = 1;

  /** Pseudo-random function. */
  public static final int PRF = 2;

  /** Integrity algorithm. */
  public static final int INTEG = 3;

  /** Diffie-Hellman group. */
  public static final int DH = 4;

  /** Extended sequence numbers. */
  public static final int ESN = 5;

  /** Triple DES in CBC mode. */
  public static final int ENCR_3DES = 3;

  /** AES-CBC; the key length comes from the Key Length attribute. */
  public static final int ENCR_AES_CBC = 12;

  /** AES-GCM with an 8-byte ICV (RFC 5282). */
  public static final int ENCR_AES_GCM_8 = 18;

  /** AES-GCM with a 12-byte ICV (RFC 5282). */
  public static final int ENCR_AES_GCM_12 = 19;

  /** AES-GCM with a 16-byte ICV (RFC 5282). */
  public static final int ENCR_AES_GCM_16 = 20;

  /** AES-GMAC: integrity only, for ESP (RFC 4543). */
  public static final int ENCR_NULL_AUTH_AES_GMAC = 21;

  /** ChaCha20-Poly1305 (RFC 7634). */
  public static final int ENCR_CHACHA20_POLY1305 = 28;

  /** PRF HMAC-SHA1. */
  public static final int PRF_HMAC_SHA1 = 2;

  /** PRF HMAC-SHA2-256 (RFC 4868). */
  public static final int PRF_HMAC_SHA2_256 = 5;

  /** PRF HMAC-SHA2-384 (RFC 4868). */
  public static final int PRF_HMAC_SHA2_384 = 6;

  /** PRF HMAC-SHA2-512 (RFC 4868). */
  public static final int PRF_HMAC_SHA2_512 = 7;

  /** No integrity transform (with an AEAD cipher). */
  public static final int AUTH_NONE = 0;

  /** HMAC-SHA1 truncated to 96 bits. */
  public static final int AUTH_HMAC_SHA1_96 = 2;

  /** HMAC-SHA2-256 truncated to 128 bits (RFC 4868). */
  public static final int AUTH_HMAC_SHA2_256_128 = 12;

  /** HMAC-SHA2-384 truncated to 192 bits (RFC 4868). */
  public static final int AUTH_HMAC_SHA2_384_192 = 13;

  /** HMAC-SHA2-512 truncated to 256 bits (RFC 4868). */
  public static final int AUTH_HMAC_SHA2_512_256 = 14;

  /** No extended sequence numbers. */
  public static final int ESN_NO = 0;

  /** Extended sequence numbers. */
  public static final int ESN_YES = 1;

  /**
   * Attribute type Key Length; always in TV format, so on the wire {@code 0x800E} (RFC 7296 3.3.5).
   */
  public static final int KEY_LENGTH = 14;

  /** Protocol id of an IKE SA proposal. */
  public static final int PROTOCOL_IKE = 1;

  /** Protocol id of an AH proposal. */
  public static final int PROTOCOL_AH = 2;

  /** Protocol id of an ESP proposal. */
  public static final int PROTOCOL_ESP = 3;

  private TransformType() {}

  /** A transform as strongSwan logs it (e.g. {@code AES_CBC}, {@code PRF_HMAC_SHA2_256}). */
  public static String name(int type, int id) {
    String name =
        switch (type) {
          case ENCR ->
              switch (id) {
                case ENCR_3DES -> "3DES_CBC";
                case ENCR_AES_CBC -> "AES_CBC";
                case ENCR_AES_GCM_8 -> "AES_GCM_8";
                case ENCR_AES_GCM_12 -> "AES_GCM_12";
                case ENCR_AES_GCM_16 -> "AES_GCM_16";
                case ENCR_NULL_AUTH_AES_GMAC -> "NULL_AES_GMAC";
                case ENCR_CHACHA20_POLY1305 -> "CHACHA20_POLY1305";
                default -> null;
              };
          case PRF ->
              switch (id) {
                case PRF_HMAC_SHA1 -> "PRF_HMAC_SHA1";
                case PRF_HMAC_SHA2_256 -> "PRF_HMAC_SHA2_256";
                case PRF_HMAC_SHA2_384 -> "PRF_HMAC_SHA2_384";
                case PRF_HMAC_SHA2_512 -> "PRF_HMAC_SHA2_512";
                default -> null;
              };
          case INTEG ->
              switch (id) {
                case AUTH_NONE -> "NONE";
                case AUTH_HMAC_SHA1_96 -> "HMAC_SHA1_96";
                case AUTH_HMAC_SHA2_256_128 -> "HMAC_SHA2_256_128";
                case AUTH_HMAC_SHA2_384_192 -> "HMAC_SHA2_384_192";
                case AUTH_HMAC_SHA2_512_256 -> "HMAC_SHA2_512_256";
                default -> null;
              };
          case DH -> "DH_" + id;
          case ESN -> id == ESN_YES ? "ESN" : "NO_ESN";
          default -> null;
        };
    return name != null ? name : "transform-" + type + "-" + id;
  }
}
