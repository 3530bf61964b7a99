package dev.vpngw.ikev2.proposal;

import static dev.vpngw.ikev2.message.TransformType.DH;
import static dev.vpngw.ikev2.message.TransformType.ENCR;
import static dev.vpngw.ikev2.message.TransformType.ESN;
import static dev.vpngw.ikev2.message.TransformType.INTEG;
import static dev.vpngw.ikev2.message.TransformType.PRF;

import dev.vpngw.ikev2.message.Proposal;
import dev.vpngw.ikev2.message.Transform;
import dev.vpngw.ikev2.message.TransformType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads proposals written the way strongSwan's swanctl.conf writes them, so an operator can copy
 * the peer's settings: {@code aes256-sha256-modp2048} (IKE: encryption, integrity and the PRF of
 * the same hash, DH group), {@code aes128gcm16-prfsha256-ecp256} (IKE with an AEAD: no integrity),
 * {@code aes256gcm16} or {@code aes256-sha1-modp2048-esn} (ESP, the group being the PFS group).
 * Several algorithms of one kind in one string are alternatives within the proposal (RFC 7296
 * 3.3.6).
 */
public final class ProposalParser {
  private record Encr(int id, int bits) {}

  private static final Map<String, Encr> ENCRYPTION =
      Map.ofEntries(
          Map.entry("aes128", new Encr(TransformType.ENCR_AES_CBC, 128)),
          Map.entry("aes192", new Encr(TransformType.ENCR_AES_CBC, 192)),
          Map.entry("aes256", new Encr(TransformType.ENCR_AES_CBC, 256)),
          Map.entry("3des", new Encr(TransformType.ENCR_3DES, -1)),
          Map.entry("aes128gcm8", new Encr(TransformType.ENCR_AES_GCM_8, 128)),
          Map.entry("aes256gcm8", new Encr(TransformType.ENCR_AES_GCM_8, 256)),
          Map.entry("aes128gcm12", new Encr(TransformType.ENCR_AES_GCM_12, 128)),
          Map.entry("aes256gcm12", new Encr(TransformType.ENCR_AES_GCM_12, 256)),
          Map.entry("aes128gcm16", new Encr(TransformType.ENCR_AES_GCM_16, 128)),
          Map.entry("aes192gcm16", new Encr(TransformType.ENCR_AES_GCM_16, 192)),
          Map.entry("aes256gcm16", new Encr(TransformType.ENCR_AES_GCM_16, 256)),
          Map.entry("aes128gcm", new Encr(TransformType.ENCR_AES_GCM_16, 128)),
          Map.entry("aes256gcm", new Encr(TransformType.ENCR_AES_GCM_16, 256)),
          Map.entry("aes128gmac", new Encr(TransformType.ENCR_NULL_AUTH_AES_GMAC, 128)),
          Map.entry("aes256gmac", new Encr(TransformType.ENCR_NULL_AUTH_AES_GMAC, 256)),
          Map.entry("chacha20poly1305", new Encr(TransformType.ENCR_CHACHA20_POLY1305, -1)));

  private static final Map<String, Integer> INTEGRITY =
      Map.of(
          "sha1", TransformType.AUTH_HMAC_SHA1_96,
          "sha256", TransformType.AUTH_HMAC_SHA2_256_128,
          "sha384", TransformType.AUTH_HMAC_SHA2_384_192,
          "sha512", TransformType.AUTH_HMAC_SHA2_512_256);

  private static final Map<String, Integer> PRFS =
      Map.of(
          "sha1", TransformType.PRF_HMAC_SHA1,
          "sha256", TransformType.PRF_HMAC_SHA2_256,
          "sha384", TransformType.PRF_HMAC_SHA2_384,
          "sha512", TransformType.PRF_HMAC_SHA2_512);

  private static final Map<String, Integer> GROUPS =
      Map.ofEntries(
          Map.entry("modp1024", 2),
          Map.entry("modp2048", 14),
          Map.entry("modp3072", 15),
          Map.entry("modp4096", 16),
          Map.entry("modp2048s256", 24),
          Map.entry("ecp256", 19),
          Map.entry("ecp384", 20),
          Map.entry("ecp521", 21),
          Map.entry("curve25519", 31),
          Map.entry("x25519", 31));

  private ProposalParser() {}

  /** An IKE proposal; it must name encryption, a PRF (or an integrity to derive it) and a group. */
  public static Proposal ike(String text) {
    List<Transform> encr = new ArrayList<>();
    List<Transform> integ = new ArrayList<>();
    List<Transform> prf = new ArrayList<>();
    List<Transform> dh = new ArrayList<>();
    for (String token : tokens(text)) {
      Encr e = ENCRYPTION.get(token);
      if (e != null && e.id() != TransformType.ENCR_NULL_AUTH_AES_GMAC) {
        encr.add(new Transform(ENCR, e.id(), e.bits()));
      } else if (INTEGRITY.containsKey(token)) {
        integ.add(new Transform(INTEG, INTEGRITY.get(token), -1));
      } else if (token.startsWith("prf") && PRFS.containsKey(token.substring(3))) {
        prf.add(new Transform(PRF, PRFS.get(token.substring(3)), -1));
      } else if (GROUPS.containsKey(token)) {
        dh.add(new Transform(DH, GROUPS.get(token), -1));
      } else {
        throw new IllegalArgumentException(
            "IKE proposal '" + text + "': unknown or unsupported algorithm '" + token + "'");
      }
    }
    boolean aead = encr.stream().allMatch(t -> isAead(t.id()));
    if (encr.isEmpty()) {
      throw new IllegalArgumentException("IKE proposal '" + text + "': no encryption algorithm");
    }
    if (!aead && encr.stream().anyMatch(t -> isAead(t.id()))) {
      throw new IllegalArgumentException(
          "IKE proposal '" + text + "': do not mix AEAD and non-AEAD encryption in one proposal");
    }
    if (prf.isEmpty()) {
      // strongSwan's rule: "sha256" names both the integrity algorithm and the PRF.
      for (Transform t : integ) {
        prf.add(new Transform(PRF, prfFor(t.id()), -1));
      }
    }
    if (aead) {
      integ.clear();
    } else if (integ.isEmpty()) {
      throw new IllegalArgumentException(
          "IKE proposal '" + text + "': a non-AEAD cipher needs an integrity algorithm");
    }
    if (prf.isEmpty()) {
      throw new IllegalArgumentException("IKE proposal '" + text + "': no PRF (e.g. prfsha256)");
    }
    if (dh.isEmpty()) {
      throw new IllegalArgumentException("IKE proposal '" + text + "': no DH group");
    }
    List<Transform> all = new ArrayList<>(encr);
    all.addAll(prf);
    all.addAll(integ);
    all.addAll(dh);
    return new Proposal(1, TransformType.PROTOCOL_IKE, new byte[0], List.copyOf(all));
  }

  /**
   * An ESP proposal; a group makes it the PFS group of CREATE_CHILD_SA (ignored in IKE_AUTH, RFC
   * 7296 1.2). Without {@code esn} the proposal offers no ESN.
   */
  public static Proposal esp(String text) {
    List<Transform> encr = new ArrayList<>();
    List<Transform> integ = new ArrayList<>();
    List<Transform> dh = new ArrayList<>();
    List<Transform> esn = new ArrayList<>();
    for (String token : tokens(text)) {
      Encr e = ENCRYPTION.get(token);
      if (e != null) {
        encr.add(new Transform(ENCR, e.id(), e.bits()));
      } else if (INTEGRITY.containsKey(token)) {
        integ.add(new Transform(INTEG, INTEGRITY.get(token), -1));
      } else if (GROUPS.containsKey(token)) {
        dh.add(new Transform(DH, GROUPS.get(token), -1));
      } else if (token.equals("esn")) {
        esn.add(new Transform(ESN, TransformType.ESN_YES, -1));
      } else if (token.equals("noesn")) {
        esn.add(new Transform(ESN, TransformType.ESN_NO, -1));
      } else {
        throw new IllegalArgumentException(
            "ESP proposal '" + text + "': unknown or unsupported algorithm '" + token + "'");
      }
    }
    if (encr.isEmpty()) {
      throw new IllegalArgumentException("ESP proposal '" + text + "': no encryption algorithm");
    }
    boolean aead = encr.stream().allMatch(t -> isAead(t.id()) || isGmac(t.id()));
    if (!aead && integ.isEmpty()) {
      throw new IllegalArgumentException(
          "ESP proposal '" + text + "': a CBC cipher needs an integrity algorithm");
    }
    if (aead) {
      integ.clear();
    }
    if (esn.isEmpty()) {
      esn.add(new Transform(ESN, TransformType.ESN_NO, -1));
    }
    List<Transform> all = new ArrayList<>(encr);
    all.addAll(integ);
    all.addAll(dh);
    all.addAll(esn);
    return new Proposal(1, TransformType.PROTOCOL_ESP, new byte[0], List.copyOf(all));
  }

  private static List<String> tokens(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty proposal");
    }
    return List.of(text.trim().toLowerCase(java.util.Locale.ROOT).split("-"));
  }

  static boolean isAead(int encrId) {
    return encrId == TransformType.ENCR_AES_GCM_8
        || encrId == TransformType.ENCR_AES_GCM_12
        || encrId == TransformType.ENCR_AES_GCM_16
        || encrId == TransformType.ENCR_CHACHA20_POLY1305;
  }

  static boolean isGmac(int encrId) {
    return encrId == TransformType.ENCR_NULL_AUTH_AES_GMAC;
  }

  private static int prfFor(int integId) {
    return switch (integId) {
      case TransformType.AUTH_HMAC_SHA1_96 -> TransformType.PRF_HMAC_SHA1;
      case TransformType.AUTH_HMAC_SHA2_256_128 -> TransformType.PRF_HMAC_SHA2_256;
      case TransformType.AUTH_HMAC_SHA2_384_192 -> TransformType.PRF_HMAC_SHA2_384;
      default -> TransformType.PRF_HMAC_SHA2_512;
    };
  }
}
