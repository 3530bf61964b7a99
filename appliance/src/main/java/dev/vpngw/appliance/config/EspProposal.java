package dev.vpngw.appliance.config;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ESP proposal keywords as strongSwan writes them ({@code aes128gcm16}, {@code aes256-sha256},
 * ...), so an operator can copy a peer's {@code esp_proposals} line. Parsing returns our {@link
 * EspSuite}.
 */
public final class EspProposal {
  private static final Map<String, Encryption> ENCRYPTION = new LinkedHashMap<>();
  private static final Map<String, Integrity> INTEGRITY = new LinkedHashMap<>();

  static {
    ENCRYPTION.put("aes128gcm16", Encryption.AES_GCM_16_128);
    ENCRYPTION.put("aes256gcm16", Encryption.AES_GCM_16_256);
    ENCRYPTION.put("chacha20poly1305", Encryption.CHACHA20_POLY1305);
    ENCRYPTION.put("aes128gmac", Encryption.AES_GMAC_128);
    ENCRYPTION.put("aes256gmac", Encryption.AES_GMAC_256);
    ENCRYPTION.put("aes128", Encryption.AES_CBC_128);
    ENCRYPTION.put("aes256", Encryption.AES_CBC_256);
    ENCRYPTION.put("3des", Encryption.TDES_CBC);
    INTEGRITY.put("sha1", Integrity.HMAC_SHA1_96);
    INTEGRITY.put("sha256", Integrity.HMAC_SHA2_256_128);
    INTEGRITY.put("sha384", Integrity.HMAC_SHA2_384_192);
    INTEGRITY.put("sha512", Integrity.HMAC_SHA2_512_256);
  }

  private EspProposal() {}

  /**
   * Parses one proposal: an AEAD/GMAC keyword alone, or a CBC keyword, a dash and an integrity
   * keyword.
   *
   * @throws IllegalArgumentException naming the keyword and what is accepted
   */
  public static EspSuite parse(String proposal) {
    String p = proposal.trim().toLowerCase(java.util.Locale.ROOT);
    int dash = p.indexOf('-');
    String enc = dash < 0 ? p : p.substring(0, dash);
    Encryption encryption = ENCRYPTION.get(enc);
    if (encryption == null) {
      throw new IllegalArgumentException(
          "unknown encryption '" + enc + "' (one of " + ENCRYPTION.keySet() + ")");
    }
    Integrity integrity = Integrity.NONE;
    if (dash >= 0) {
      integrity = INTEGRITY.get(p.substring(dash + 1));
      if (integrity == null) {
        throw new IllegalArgumentException(
            "unknown integrity '"
                + p.substring(dash + 1)
                + "' (one of "
                + INTEGRITY.keySet()
                + ")");
      }
    }
    return new EspSuite(encryption, integrity);
  }

  /** The strongSwan keyword for a suite. */
  public static String format(EspSuite suite) {
    String enc = keyOf(ENCRYPTION, suite.encryption());
    return suite.integrity() == Integrity.NONE
        ? enc
        : enc + "-" + keyOf(INTEGRITY, suite.integrity());
  }

  private static <T> String keyOf(Map<String, T> map, T value) {
    for (Map.Entry<String, T> e : map.entrySet()) {
      if (e.getValue() == value) {
        return e.getKey();
      }
    }
    throw new IllegalStateException("no keyword for " + value);
  }
}
