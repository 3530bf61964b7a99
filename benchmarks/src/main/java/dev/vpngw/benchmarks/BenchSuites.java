package dev.vpngw.benchmarks;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;

/** Parses the suite and size parameters the benchmarks share. */
final class BenchSuites {
  /**
   * Simple IMIX (7:4:1 of small, medium and large packets), with the sizes an IPsec tunnel sees: 64
   * B, 576 B, and 1400 B (a typical tunnel MTU). Average 347 B.
   */
  static final int[] IMIX = {64, 64, 576, 64, 64, 576, 64, 1400, 64, 576, 64, 576};

  private BenchSuites() {}

  /** "AES_GCM_16_128" or "AES_CBC_128+HMAC_SHA2_256_128". */
  static EspSuite suite(String name) {
    int plus = name.indexOf('+');
    if (plus < 0) {
      return new EspSuite(Encryption.valueOf(name), Integrity.NONE);
    }
    return new EspSuite(
        Encryption.valueOf(name.substring(0, plus)), Integrity.valueOf(name.substring(plus + 1)));
  }

  /** The packet sizes one benchmark cycles through: one size, or the IMIX pattern. */
  static int[] sizes(String size) {
    return "IMIX".equals(size) ? IMIX.clone() : new int[] {Integer.parseInt(size)};
  }
}
