package dev.vpngw.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Every valid suite, and the engine/suite/ESN combinations the parameterized tests run over. */
final class EspSuites {
  private EspSuites() {}

  static List<EspSuite> all() {
    List<EspSuite> suites = new ArrayList<>();
    for (Encryption encryption : Encryption.values()) {
      if (encryption.isCombined()) {
        suites.add(new EspSuite(encryption, Integrity.NONE));
      } else {
        for (Integrity integrity : Integrity.values()) {
          if (integrity != Integrity.NONE) {
            suites.add(new EspSuite(encryption, integrity));
          }
        }
      }
    }
    return suites;
  }

  /** (engine, suite, esn) for every available engine. */
  static Stream<Arguments> engineSuiteEsn() {
    List<Arguments> args = new ArrayList<>();
    for (CryptoEngine engine : CryptoEngines.available()) {
      for (EspSuite suite : all()) {
        args.add(Arguments.of(engine, suite, false));
        args.add(Arguments.of(engine, suite, true));
      }
    }
    return args.stream();
  }

  /** (sealing engine, opening engine, suite, esn) for every ordered pair of distinct engines. */
  static Stream<Arguments> enginePairSuiteEsn() {
    List<Arguments> args = new ArrayList<>();
    for (CryptoEngine sealer : CryptoEngines.available()) {
      for (CryptoEngine opener : CryptoEngines.available()) {
        if (sealer == opener) {
          continue;
        }
        for (EspSuite suite : all()) {
          args.add(Arguments.of(sealer, opener, suite, false));
          args.add(Arguments.of(sealer, opener, suite, true));
        }
      }
    }
    return args.stream();
  }
}
