package dev.vpngw.crypto;

import dev.vpngw.crypto.jdk.JdkEngine;
import dev.vpngw.crypto.openssl.OpenSslEngine;
import java.util.List;

/**
 * The registry of crypto engines, probed once, in order of preference. Like VPP's crypto engine
 * registration, each engine says whether it can run here and why not; the default is the first
 * available one: OpenSSL libcrypto through Panama (measured ~21 Gbps AES-GCM at 1400 B on our
 * machines) and, where libcrypto 3 cannot be loaded, the JDK's SunJCE (~12.7 Gbps).
 */
public final class CryptoEngines {
  private static final List<CryptoEngine> ENGINES = List.of(new OpenSslEngine(), new JdkEngine());

  private CryptoEngines() {}

  /** Every known engine, available or not, most preferred first. */
  public static List<CryptoEngine> all() {
    return ENGINES;
  }

  /** The engines that can run on this machine, most preferred first. */
  public static List<CryptoEngine> available() {
    return ENGINES.stream().filter(CryptoEngine::isAvailable).toList();
  }

  /** The fastest available engine. */
  public static CryptoEngine defaultEngine() {
    for (CryptoEngine engine : ENGINES) {
      if (engine.isAvailable()) {
        return engine;
      }
    }
    throw new IllegalStateException("no crypto engine is available: " + causes());
  }

  /**
   * The engine with the given {@link CryptoEngine#name()}.
   *
   * @throws IllegalArgumentException if no engine has that name, or it is unavailable (with the
   *     reason)
   */
  public static CryptoEngine byName(String name) {
    for (CryptoEngine engine : ENGINES) {
      if (engine.name().equals(name)) {
        if (!engine.isAvailable()) {
          throw new IllegalArgumentException(
              "crypto engine " + name + " is unavailable: " + engine.unavailabilityCause());
        }
        return engine;
      }
    }
    throw new IllegalArgumentException(
        "unknown crypto engine "
            + name
            + "; known: "
            + ENGINES.stream().map(CryptoEngine::name).toList());
  }

  /**
   * Checks key lengths against the suite, for engines' {@code newCipher}.
   *
   * @throws IllegalArgumentException naming the expected length
   */
  public static void checkKeys(EspSuite suite, byte[] encryptionKey, byte[] integrityKey) {
    Encryption encryption = suite.encryption();
    int encLength = encryptionKey == null ? -1 : encryptionKey.length;
    if (encLength != encryption.keyMaterialLength()) {
      throw new IllegalArgumentException(
          encryption
              + " needs "
              + encryption.keyMaterialLength()
              + " bytes of encryption key material ("
              + encryption.keyLength()
              + "-byte key + "
              + encryption.saltLength()
              + "-byte salt), got "
              + encLength);
    }
    Integrity integrity = suite.integrity();
    int integLength = integrityKey == null ? 0 : integrityKey.length;
    if (integLength != integrity.keyLength()) {
      throw new IllegalArgumentException(
          integrity
              + " needs a "
              + integrity.keyLength()
              + "-byte integrity key, got "
              + integLength);
    }
  }

  private static String causes() {
    StringBuilder sb = new StringBuilder();
    for (CryptoEngine engine : ENGINES) {
      sb.append(engine.name()).append(": ").append(engine.unavailabilityCause()).append("; ");
    }
    return sb.toString();
  }
}
