package dev.vpngw.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The engine/suite/ESN combinations the parameterized tests run over, for every valid suite. */
final class EspSuites {
  private EspSuites() {}

  /** (engine, suite, esn) for every available engine. */
  static Stream<Arguments> engineSuiteEsn() {
    List<Arguments> args = new ArrayList<>();
    for (CryptoEngine engine : CryptoEngines.available()) {
      for (EspSuite suite : EspSuite.all()) {
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
        for (EspSuite suite : EspSuite.all()) {
          args.add(Arguments.of(sealer, opener, suite, false));
          args.add(Arguments.of(sealer, opener, suite, true));
        }
      }
    }
    return args.stream();
  }
}
