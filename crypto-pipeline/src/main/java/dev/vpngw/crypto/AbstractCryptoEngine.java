package dev.vpngw.crypto;

/**
 * What every {@link CryptoEngine} shares: a name, the outcome of its one-time probe (Netty's {@code
 * Epoll.unavailabilityCause()} pattern: computed once in the constructor, null when usable), and
 * the checks and dispatch of {@link #newCipher}: refuse when unavailable, check the key lengths
 * against the suite, then hand the keys to the engine's constructor for the suite's kind of
 * transform. An engine supplies the probe result and those three constructors, each of which may
 * assume the keys already have the right lengths.
 */
public abstract class AbstractCryptoEngine implements CryptoEngine {
  private final String name;
  private final String unavailabilityCause;

  /**
   * Creates an engine with its probe's verdict.
   *
   * @param name the engine's short stable name
   * @param unavailabilityCause what the probe found missing, or null when the engine can run here
   */
  protected AbstractCryptoEngine(String name, String unavailabilityCause) {
    this.name = name;
    this.unavailabilityCause = unavailabilityCause;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final boolean isAvailable() {
    return unavailabilityCause == null;
  }

  @Override
  public final String unavailabilityCause() {
    return unavailabilityCause;
  }

  /** Every suite, wherever the engine is available at all (the probe covers every transform). */
  @Override
  public boolean supports(EspSuite suite) {
    return isAvailable();
  }

  @Override
  public final EspCipher newCipher(
      EspSuite suite, byte[] encryptionKey, byte[] integrityKey, boolean outbound) {
    if (!isAvailable()) {
      throw new IllegalStateException(name + " crypto engine unavailable: " + unavailabilityCause);
    }
    CryptoEngines.checkKeys(suite, encryptionKey, integrityKey);
    return switch (suite.encryption().kind()) {
      case AEAD -> newAeadCipher(suite, encryptionKey, outbound);
      case GMAC -> newGmacCipher(suite, encryptionKey, outbound);
      case CBC -> newCbcHmacCipher(suite, encryptionKey, integrityKey, outbound);
    };
  }

  /** An AES-GCM or ChaCha20-Poly1305 cipher; {@code keyMaterial} is the key, then the salt. */
  protected abstract EspCipher newAeadCipher(EspSuite suite, byte[] keyMaterial, boolean outbound);

  /** An AES-GMAC cipher; {@code keyMaterial} is the key, then the salt. */
  protected abstract EspCipher newGmacCipher(EspSuite suite, byte[] keyMaterial, boolean outbound);

  /** A CBC cipher with its HMAC. */
  protected abstract EspCipher newCbcHmacCipher(
      EspSuite suite, byte[] encryptionKey, byte[] integrityKey, boolean outbound);

  @Override
  public String toString() {
    return name;
  }
}
