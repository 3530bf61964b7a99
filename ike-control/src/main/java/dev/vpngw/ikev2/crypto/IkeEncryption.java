package dev.vpngw.ikev2.crypto;

/**
 * IKEv2 encryption algorithms (transform type 1, RFC 7296 3.3.2) for the SK payload. The AEADs take
 * a 4-byte salt after the key from the key material (RFC 5282 7.1 for AES-GCM, RFC 7634 2 for
 * ChaCha20-Poly1305) and carry an 8-byte explicit IV; the CBC ciphers carry a full-block IV and
 * need a separate {@link IkeIntegrity} algorithm.
 */
public enum IkeEncryption {
  /** ENCR_3DES (RFC 2451): fixed 192-bit key, no key length attribute. */
  TDES_CBC(3, false, 8, 8, 0, 0),
  /** ENCR_AES_CBC (RFC 3602) with a 128, 192 or 256-bit key. */
  AES_CBC(12, false, 16, 16, 0, 0),
  /** ENCR_AES_GCM_8 (RFC 5282): 8-byte ICV. */
  AES_GCM_8(18, true, 8, 1, 8, 4),
  /** ENCR_AES_GCM_12 (RFC 5282): 12-byte ICV. */
  AES_GCM_12(19, true, 8, 1, 12, 4),
  /** ENCR_AES_GCM_16 (RFC 5282): 16-byte ICV. */
  AES_GCM_16(20, true, 8, 1, 16, 4),
  /** ENCR_CHACHA20_POLY1305 (RFC 7634): fixed 256-bit key, no key length attribute. */
  CHACHA20_POLY1305(28, true, 8, 1, 16, 4);

  private final int id;
  private final boolean aead;
  private final int ivLength;
  private final int blockSize;
  private final int icvLength;
  private final int saltLength;

  IkeEncryption(int id, boolean aead, int ivLength, int blockSize, int icvLength, int saltLength) {
    this.id = id;
    this.aead = aead;
    this.ivLength = ivLength;
    this.blockSize = blockSize;
    this.icvLength = icvLength;
    this.saltLength = saltLength;
  }

  /** The IANA transform id. */
  public int id() {
    return id;
  }

  /** The algorithm with IANA transform id {@code id}, or null if we do not implement it. */
  public static IkeEncryption byId(int id) {
    for (IkeEncryption encr : values()) {
      if (encr.id == id) {
        return encr;
      }
    }
    return null;
  }

  /** True for the combined-mode ciphers, which must be paired with {@link IkeIntegrity#NONE}. */
  public boolean aead() {
    return aead;
  }

  /**
   * Whether {@code bits} is a legal Key Length attribute value: 128, 192 or 256 for AES; 0 (the
   * attribute absent) for 3DES and ChaCha20-Poly1305, whose key sizes are fixed.
   */
  public boolean legalKeyLength(int bits) {
    return switch (this) {
      case TDES_CBC, CHACHA20_POLY1305 -> bits == 0;
      case AES_CBC, AES_GCM_8, AES_GCM_12, AES_GCM_16 -> bits == 128 || bits == 192 || bits == 256;
    };
  }

  /**
   * Bytes of SK_ei / SK_er (and of an ESP encryption key from KEYMAT) for a key length attribute of
   * {@code keyBits}: the key plus the AEAD salt.
   */
  public int keyMaterialLength(int keyBits) {
    if (!legalKeyLength(keyBits)) {
      throw new IllegalArgumentException(this + " takes no key length of " + keyBits + " bits");
    }
    return switch (this) {
      case TDES_CBC -> 24;
      case CHACHA20_POLY1305 -> 32 + saltLength;
      case AES_CBC, AES_GCM_8, AES_GCM_12, AES_GCM_16 -> keyBits / 8 + saltLength;
    };
  }

  /** Bytes of explicit IV in front of the ciphertext. */
  public int ivLength() {
    return ivLength;
  }

  /** Bytes of AEAD tag after the ciphertext; 0 for CBC (the ICV comes from the integrity alg). */
  public int icvLength() {
    return icvLength;
  }

  /** Cipher block size that the padded plaintext must be a multiple of; 1 for the AEADs. */
  int blockSize() {
    return blockSize;
  }

  /** Bytes of salt at the end of the key material; 0 for CBC. */
  int saltLength() {
    return saltLength;
  }
}
