package dev.vpngw.crypto;

/**
 * ESP encryption transforms (IKEv2 transform type 1 ids from the IANA registry), with the sizes ESP
 * needs to lay out a packet.
 *
 * <p>The key material handed to an engine is the IKE KEYMAT slice for the transform: for the
 * AEAD/GMAC/ChaCha transforms the cipher key followed by the 4-byte salt (RFC 4106 8.1, RFC 4543
 * 3.2, RFC 7634 2); for CBC the cipher key alone.
 */
public enum Encryption {
  /** AES-GCM with a 16-octet ICV, 128-bit key (RFC 4106). */
  AES_GCM_16_128(20, 16, 4, 8, 16, Kind.AEAD),
  /** AES-GCM with a 16-octet ICV, 256-bit key (RFC 4106). */
  AES_GCM_16_256(20, 32, 4, 8, 16, Kind.AEAD),
  /** ChaCha20-Poly1305 (RFC 7634). */
  CHACHA20_POLY1305(28, 32, 4, 8, 16, Kind.AEAD),
  /**
   * NULL encryption with AES-GMAC authentication, 128-bit key (RFC 4543, ENCR_NULL_AUTH_AES_GMAC).
   */
  AES_GMAC_128(21, 16, 4, 8, 16, Kind.GMAC),
  /** NULL encryption with AES-GMAC authentication, 256-bit key (RFC 4543). */
  AES_GMAC_256(21, 32, 4, 8, 16, Kind.GMAC),
  /** AES-CBC, 128-bit key (RFC 3602); needs an integrity transform. */
  AES_CBC_128(12, 16, 0, 16, 16, Kind.CBC),
  /** AES-CBC, 256-bit key (RFC 3602); needs an integrity transform. */
  AES_CBC_256(12, 32, 0, 16, 16, Kind.CBC),
  /** 3DES-CBC (RFC 2451). Legacy: refused unless explicitly enabled. */
  TDES_CBC(3, 24, 0, 8, 8, Kind.CBC);

  /** How the transform protects a packet. */
  public enum Kind {
    /** Combined-mode cipher: encrypts and authenticates; no separate integrity transform. */
    AEAD,
    /** Authenticates everything (as AAD), encrypts nothing; no separate integrity transform. */
    GMAC,
    /** Block cipher in CBC mode; needs an HMAC integrity transform. */
    CBC
  }

  private final int ikeId;
  private final int keyLength;
  private final int saltLength;
  private final int ivLength;
  private final int blockSize;
  private final Kind kind;

  Encryption(int ikeId, int keyLength, int saltLength, int ivLength, int blockSize, Kind kind) {
    this.ikeId = ikeId;
    this.keyLength = keyLength;
    this.saltLength = saltLength;
    this.ivLength = ivLength;
    this.blockSize = blockSize;
    this.kind = kind;
  }

  /** IKEv2 transform id (type 1, ENCR). */
  public int ikeId() {
    return ikeId;
  }

  /** Cipher key length in bytes, without salt. */
  public int keyLength() {
    return keyLength;
  }

  /** Salt length in bytes taken from the end of the key material (0 for CBC). */
  public int saltLength() {
    return saltLength;
  }

  /** Key material length in bytes as negotiated: key plus salt. */
  public int keyMaterialLength() {
    return keyLength + saltLength;
  }

  /** Length of the explicit IV carried in each packet. */
  public int ivLength() {
    return ivLength;
  }

  /**
   * The alignment the plaintext (payload, padding, pad length, next header) must reach: the cipher
   * block for CBC, 4 bytes otherwise (RFC 4303 2.4).
   */
  public int paddingAlignment() {
    return kind == Kind.CBC ? blockSize : 4;
  }

  /** The kind of transform. */
  public Kind kind() {
    return kind;
  }

  /** True when this transform authenticates by itself (AEAD or GMAC). */
  public boolean isCombined() {
    return kind != Kind.CBC;
  }

  /** ICV length for combined transforms (16 for all of ours); 0 for CBC (the HMAC sets it). */
  public int combinedIcvLength() {
    return isCombined() ? 16 : 0;
  }
}
