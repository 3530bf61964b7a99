package dev.vpngw.ikev2.proposal;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.ikev2.message.Proposal;
import dev.vpngw.ikev2.message.Transform;
import dev.vpngw.ikev2.message.TransformType;
import java.util.ArrayList;
import java.util.List;

/** Maps negotiated ESP transforms (IANA ids, RFC 7296 3.3.2) onto the dataplane's suites. */
public final class EspSuites {
  private EspSuites() {}

  /**
   * The dataplane suite of a chosen encryption (with its key length) and integrity (null for none),
   * or null when the dataplane does not run that combination.
   */
  public static EspSuite of(Transform encr, Transform integ) {
    int integId = integ == null ? 0 : integ.id();
    for (Encryption e : Encryption.values()) {
      if (e.ikeId() != encr.id()
          || (encr.keyLength() > 0 && e.keyLength() * 8 != encr.keyLength())) {
        continue;
      }
      for (Integrity i : Integrity.values()) {
        if (i.ikeId() == integId) {
          try {
            return new EspSuite(e, i);
          } catch (IllegalArgumentException notRun) {
            return null;
          }
        }
      }
    }
    return null;
  }

  /**
   * Every suite a list of ESP proposals may end in (each encryption with each integrity of the same
   * proposal), for sizing a tunnel before negotiation.
   */
  public static List<EspSuite> all(List<Proposal> proposals) {
    List<EspSuite> out = new ArrayList<>();
    for (Proposal p : proposals) {
      List<Transform> integs =
          new ArrayList<>(
              p.transforms().stream().filter(t -> t.type() == TransformType.INTEG).toList());
      if (integs.isEmpty()) {
        integs.add(null);
      }
      for (Transform e : p.transforms()) {
        if (e.type() != TransformType.ENCR) {
          continue;
        }
        for (Transform i : integs) {
          EspSuite s = of(e, i);
          if (s != null) {
            out.add(s);
          }
        }
      }
    }
    return out;
  }
}
