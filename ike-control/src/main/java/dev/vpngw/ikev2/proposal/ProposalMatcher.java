package dev.vpngw.ikev2.proposal;

import dev.vpngw.ikev2.message.Proposal;
import dev.vpngw.ikev2.message.Transform;
import dev.vpngw.ikev2.message.TransformType;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses one proposal out of the peer's SA payload (the responder's job, RFC 7296 2.7) and checks
 * the responder's choice (the initiator's). Our configured order wins: the first of our proposals
 * that some proposal of the peer's can satisfy, with the first of our algorithms of each type that
 * the peer's proposal also offers (strongSwan's default, so that the operator decides).
 */
public final class ProposalMatcher {
  private ProposalMatcher() {}

  /**
   * The chosen proposal (one transform per type, the peer's proposal number and SPI), or null when
   * nothing matches.
   *
   * @param ours our proposals in preference order
   * @param theirs the peer's proposals
   * @param ignoreDh whether DH transforms are ignored on both sides (ESP in IKE_AUTH, RFC 7296 1.2)
   */
  public static Proposal choose(List<Proposal> ours, List<Proposal> theirs, boolean ignoreDh) {
    for (Proposal mine : ours) {
      for (Proposal peer : theirs) {
        if (peer.protocolId() != mine.protocolId()) {
          continue;
        }
        List<Transform> chosen = intersect(mine, peer, ignoreDh);
        if (chosen != null) {
          return new Proposal(peer.number(), peer.protocolId(), peer.spi(), chosen);
        }
      }
    }
    return null;
  }

  /**
   * Whether a responder's answer is acceptable: exactly one transform of each type it uses, all
   * from one proposal we offered, with no type of that proposal missing.
   */
  public static boolean acceptable(Proposal answer, List<Proposal> offered, boolean ignoreDh) {
    for (Proposal mine : offered) {
      if (mine.protocolId() != answer.protocolId()) {
        continue;
      }
      List<Transform> chosen = intersect(mine, answer, ignoreDh);
      if (chosen != null && chosen.size() == significant(answer.transforms(), ignoreDh).size()) {
        return true;
      }
    }
    return false;
  }

  private static List<Transform> intersect(Proposal mine, Proposal peer, boolean ignoreDh) {
    List<Transform> result = new ArrayList<>();
    for (int type :
        new int[] {
          TransformType.ENCR,
          TransformType.PRF,
          TransformType.INTEG,
          TransformType.DH,
          TransformType.ESN
        }) {
      if (type == TransformType.DH && ignoreDh) {
        continue;
      }
      List<Transform> a = ofType(mine, type);
      List<Transform> b = ofType(peer, type);
      if (a.isEmpty() && b.isEmpty()) {
        continue;
      }
      Transform pick = null;
      for (Transform t : a) {
        if (contains(b, t)) {
          pick = t;
          break;
        }
      }
      if (pick == null) {
        return null;
      }
      result.add(pick);
    }
    return result.isEmpty() ? null : result;
  }

  private static List<Transform> significant(List<Transform> transforms, boolean ignoreDh) {
    return transforms.stream()
        .filter(t -> !(ignoreDh && t.type() == TransformType.DH))
        .filter(t -> !isNone(t))
        .toList();
  }

  /** Transforms of one type, treating "none" (INTEG 0 or DH 0) as absent (RFC 7296 3.3.3). */
  private static List<Transform> ofType(Proposal p, int type) {
    return p.transforms().stream().filter(t -> t.type() == type && !isNone(t)).toList();
  }

  private static boolean isNone(Transform t) {
    return (t.type() == TransformType.INTEG || t.type() == TransformType.DH) && t.id() == 0;
  }

  private static boolean contains(List<Transform> list, Transform t) {
    for (Transform x : list) {
      if (x.type() == t.type() && x.id() == t.id() && x.keyLength() == t.keyLength()) {
        return true;
      }
    }
    return false;
  }

  /** The single transform of a type in a chosen proposal, or null. */
  public static Transform get(Proposal chosen, int type) {
    for (Transform t : chosen.transforms()) {
      if (t.type() == type && !isNone(t)) {
        return t;
      }
    }
    return null;
  }

  /** The DH groups a proposal list offers, in order, without duplicates. */
  public static List<Integer> groups(List<Proposal> proposals) {
    List<Integer> groups = new ArrayList<>();
    for (Proposal p : proposals) {
      for (Transform t : ofType(p, TransformType.DH)) {
        if (!groups.contains(t.id())) {
          groups.add(t.id());
        }
      }
    }
    return groups;
  }
}
