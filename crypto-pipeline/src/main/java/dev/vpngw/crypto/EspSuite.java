package dev.vpngw.crypto;

import java.util.ArrayList;
import java.util.List;

/**
 * The transforms that protect one ESP SA: an encryption transform and, for CBC, an integrity
 * transform.
 *
 * @param encryption the encryption transform
 * @param integrity the integrity transform; {@link Integrity#NONE} exactly when encryption is
 *     combined (AEAD or GMAC)
 */
public record EspSuite(Encryption encryption, Integrity integrity) {
  private static final List<EspSuite> ALL = enumerate();

  /** Validates the pairing: combined modes take no integrity, CBC needs one. */
  public EspSuite {
    if (encryption == null || integrity == null) {
      throw new IllegalArgumentException("encryption and integrity are required");
    }
    if (encryption.isCombined() && integrity != Integrity.NONE) {
      throw new IllegalArgumentException(
          encryption + " authenticates by itself; integrity must be NONE, not " + integrity);
    }
    if (!encryption.isCombined() && integrity == Integrity.NONE) {
      throw new IllegalArgumentException(
          encryption + " needs an integrity transform (encryption without integrity is refused)");
    }
  }

  /** ICV length carried in each packet. */
  public int icvLength() {
    return encryption.isCombined() ? encryption.combinedIcvLength() : integrity.icvLength();
  }

  /** Total key material: encryption key (+ salt) and integrity key. */
  public int keyMaterialLength() {
    return encryption.keyMaterialLength() + integrity.keyLength();
  }

  /**
   * Every valid suite, in declaration order: each combined transform alone, each CBC cipher with
   * each HMAC. Legacy ones (3DES) included; whether an SA may use them is the SA config's call.
   */
  public static List<EspSuite> all() {
    return ALL;
  }

  @Override
  public String toString() {
    return integrity == Integrity.NONE ? encryption.name() : encryption + "+" + integrity;
  }

  private static List<EspSuite> enumerate() {
    List<EspSuite> suites = new ArrayList<>();
    for (Encryption encryption : Encryption.values()) {
      if (encryption.isCombined()) {
        suites.add(new EspSuite(encryption, Integrity.NONE));
        continue;
      }
      for (Integrity integrity : Integrity.values()) {
        if (integrity != Integrity.NONE) {
          suites.add(new EspSuite(encryption, integrity));
        }
      }
    }
    return List.copyOf(suites);
  }
}
