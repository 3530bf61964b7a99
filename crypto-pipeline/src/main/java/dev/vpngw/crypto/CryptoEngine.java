package dev.vpngw.crypto;

/**
 * A provider of {@link EspCipher}s: OpenSSL libcrypto through Panama, or the JDK's SunJCE. Like
 * VPP's crypto engines, each one is probed once and says why it is unavailable.
 */
public interface CryptoEngine {
  /** A short stable name, as in "openssl" or "jdk". */
  String name();

  /** Whether the engine can be used on this machine (probed once). */
  boolean isAvailable();

  /** Why the engine is unavailable, or null when it is available. */
  String unavailabilityCause();

  /** Whether this engine implements the suite. */
  boolean supports(EspSuite suite);

  /**
   * Creates a cipher for one SA in one direction, keyed once.
   *
   * @param encryptionKey the encryption key material: key, then salt for AEAD/GMAC/ChaCha (length
   *     {@code suite.encryption().keyMaterialLength()})
   * @param integrityKey the integrity key (length {@code suite.integrity().keyLength()}), empty for
   *     combined transforms
   * @param outbound true for a cipher that seals (outbound SA), false for one that opens
   * @throws IllegalArgumentException on a key of the wrong length or an unsupported suite
   */
  EspCipher newCipher(EspSuite suite, byte[] encryptionKey, byte[] integrityKey, boolean outbound);
}
