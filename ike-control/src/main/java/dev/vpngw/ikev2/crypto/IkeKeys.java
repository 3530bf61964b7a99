package dev.vpngw.ikev2.crypto;

import dev.vpngw.ikev2.message.SkCipher;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The keys of one IKE SA (RFC 7296 2.14): SKEYSEED = prf(Ni | Nr, g^ir) and {SK_d | SK_ai | SK_ar |
 * SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr); for a rekeyed IKE SA (RFC
 * 7296 2.18) SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) under the old SA's PRF. SK_d, SK_pi
 * and SK_pr are the PRF's preferred key length; SK_a the integrity key length (none with an AEAD);
 * SK_e the encryption key plus, for an AEAD, its 4-byte salt.
 *
 * <p>Accessors return copies. {@link #destroy()} zeroes every key this object holds; {@link
 * #toString()} names the algorithms only. The two {@link SkCipher}s are made once, so the AEAD IV
 * counters are never restarted under the same key.
 */
public final class IkeKeys {
  private static final SecureRandom DEFAULT_RANDOM = new SecureRandom();

  private final Prf prf;
  private final IkeEncryption encr;
  private final IkeIntegrity integ;
  private final int encrKeyBits;
  private final byte[] skD;
  private final byte[] skAi;
  private final byte[] skAr;
  private final byte[] skEi;
  private final byte[] skEr;
  private final byte[] skPi;
  private final byte[] skPr;
  private SkCipher initiatorCipher;
  private SkCipher responderCipher;
  private boolean destroyed;

  private IkeKeys(Prf prf, IkeEncryption encr, int encrKeyBits, IkeIntegrity integ, byte[] keymat) {
    this.prf = prf;
    this.encr = encr;
    this.integ = integ;
    this.encrKeyBits = encrKeyBits;
    ByteBuffer in = ByteBuffer.wrap(keymat);
    this.skD = take(in, prf.preferredKeyLength());
    this.skAi = take(in, integ.keyLength());
    this.skAr = take(in, integ.keyLength());
    this.skEi = take(in, encr.keyMaterialLength(encrKeyBits));
    this.skEr = take(in, encr.keyMaterialLength(encrKeyBits));
    this.skPi = take(in, prf.preferredKeyLength());
    this.skPr = take(in, prf.preferredKeyLength());
    Arrays.fill(keymat, (byte) 0);
  }

  /** Keys of a new IKE SA from IKE_SA_INIT (RFC 7296 2.14). */
  public static IkeKeys derive(
      Prf prf,
      IkeEncryption encr,
      int encrKeyBits,
      IkeIntegrity integ,
      byte[] ni,
      byte[] nr,
      byte[] sharedSecret,
      long spiI,
      long spiR) {
    checkSuite(encr, encrKeyBits, integ);
    // HMAC accepts any key length, so the whole Ni | Nr is the key (the half-nonce rule of 2.14
    // is for fixed-key PRFs only).
    byte[] skeyseed = prf.compute(concat(ni, nr), sharedSecret);
    return expand(prf, encr, encrKeyBits, integ, skeyseed, ni, nr, spiI, spiR);
  }

  /**
   * Keys of an IKE SA that replaces another through CREATE_CHILD_SA (RFC 7296 2.18). The old SA's
   * PRF computes SKEYSEED from the old SK_d; the new SA's PRF expands it. Ni, Nr and the SPIs are
   * those of the rekeying exchange, initiator's first.
   */
  public static IkeKeys rekey(
      Prf prf,
      byte[] oldSkD,
      Prf oldPrf,
      IkeEncryption encr,
      int encrKeyBits,
      IkeIntegrity integ,
      byte[] ni,
      byte[] nr,
      byte[] sharedSecret,
      long spiI,
      long spiR) {
    checkSuite(encr, encrKeyBits, integ);
    byte[] skeyseed = oldPrf.compute(oldSkD, sharedSecret, ni, nr);
    return expand(prf, encr, encrKeyBits, integ, skeyseed, ni, nr, spiI, spiR);
  }

  private static IkeKeys expand(
      Prf prf,
      IkeEncryption encr,
      int encrKeyBits,
      IkeIntegrity integ,
      byte[] skeyseed,
      byte[] ni,
      byte[] nr,
      long spiI,
      long spiR) {
    int length =
        3 * prf.preferredKeyLength()
            + 2 * integ.keyLength()
            + 2 * encr.keyMaterialLength(encrKeyBits);
    byte[] seed =
        ByteBuffer.allocate(ni.length + nr.length + 16)
            .put(ni)
            .put(nr)
            .putLong(spiI)
            .putLong(spiR)
            .array();
    byte[] keymat = prf.plus(skeyseed, seed, length);
    Arrays.fill(skeyseed, (byte) 0);
    return new IkeKeys(prf, encr, encrKeyBits, integ, keymat);
  }

  private static void checkSuite(IkeEncryption encr, int encrKeyBits, IkeIntegrity integ) {
    if (!encr.legalKeyLength(encrKeyBits)) {
      throw new IllegalArgumentException(encr + " takes no key length of " + encrKeyBits);
    }
    if (encr.aead() != (integ == IkeIntegrity.NONE)) {
      throw new IllegalArgumentException(encr + " cannot be combined with integrity " + integ);
    }
  }

  /**
   * The keys of an IKE SA carried over from an HA peer (issue 6), each as {@link #skD()} and the
   * others returned them. The arrays are copied; the caller wipes its own.
   */
  public static IkeKeys restore(
      Prf prf,
      IkeEncryption encr,
      int encrKeyBits,
      IkeIntegrity integ,
      byte[] skD,
      byte[] skAi,
      byte[] skAr,
      byte[] skEi,
      byte[] skEr,
      byte[] skPi,
      byte[] skPr) {
    checkSuite(encr, encrKeyBits, integ);
    int prfLength = prf.preferredKeyLength();
    int integLength = integ.keyLength();
    int encrLength = encr.keyMaterialLength(encrKeyBits);
    int[][] expected = {
      {skD.length, prfLength},
      {skAi.length, integLength},
      {skAr.length, integLength},
      {skEi.length, encrLength},
      {skEr.length, encrLength},
      {skPi.length, prfLength},
      {skPr.length, prfLength}
    };
    String[] names = {"SK_d", "SK_ai", "SK_ar", "SK_ei", "SK_er", "SK_pi", "SK_pr"};
    for (int i = 0; i < expected.length; i++) {
      if (expected[i][0] != expected[i][1]) {
        throw new IllegalArgumentException(
            names[i] + " is " + expected[i][0] + " bytes, the suite needs " + expected[i][1]);
      }
    }
    return new IkeKeys(
        prf, encr, encrKeyBits, integ, concat(skD, skAi, skAr, skEi, skEr, skPi, skPr));
  }

  /** The SA's encryption transform. */
  public IkeEncryption encryption() {
    return encr;
  }

  /** The encryption key length in bits as negotiated (0 for a transform without the attribute). */
  public int encryptionKeyBits() {
    return encrKeyBits;
  }

  /** The SA's integrity transform ({@code NONE} with an AEAD). */
  public IkeIntegrity integrity() {
    return integ;
  }

  /** The PRF of this SA, which later CREATE_CHILD_SA exchanges use with SK_d. */
  public Prf prf() {
    return prf;
  }

  /** SK_d: the key child SA KEYMAT and rekeyed IKE SAs derive from. */
  public byte[] skD() {
    return live(skD);
  }

  /** SK_ai: integrity key for messages from the original initiator (empty with an AEAD). */
  public byte[] skAi() {
    return live(skAi);
  }

  /** SK_ar: integrity key for messages from the original responder (empty with an AEAD). */
  public byte[] skAr() {
    return live(skAr);
  }

  /** SK_ei: encryption key (and AEAD salt) for messages from the original initiator. */
  public byte[] skEi() {
    return live(skEi);
  }

  /** SK_er: encryption key (and AEAD salt) for messages from the original responder. */
  public byte[] skEr() {
    return live(skEr);
  }

  /** SK_pi: key of the initiator's AUTH payload octets (RFC 7296 2.15). */
  public byte[] skPi() {
    return live(skPi);
  }

  /** SK_pr: key of the responder's AUTH payload octets (RFC 7296 2.15). */
  public byte[] skPr() {
    return live(skPr);
  }

  /** Protects messages sent by the original initiator (SK_ei, SK_ai), with a shared CSPRNG. */
  public SkCipher initiatorCipher() {
    return initiatorCipher(DEFAULT_RANDOM);
  }

  /** Protects messages sent by the original responder (SK_er, SK_ar), with a shared CSPRNG. */
  public SkCipher responderCipher() {
    return responderCipher(DEFAULT_RANDOM);
  }

  /**
   * As {@link #initiatorCipher()}, drawing IVs from {@code random} the first time; later calls
   * return the same instance.
   */
  public synchronized SkCipher initiatorCipher(SecureRandom random) {
    checkLive();
    if (initiatorCipher == null) {
      initiatorCipher = SkCiphers.create(encr, skEi, integ, skAi, random);
    }
    return initiatorCipher;
  }

  /**
   * As {@link #responderCipher()}, drawing IVs from {@code random} the first time; later calls
   * return the same instance.
   */
  public synchronized SkCipher responderCipher(SecureRandom random) {
    checkLive();
    if (responderCipher == null) {
      responderCipher = SkCiphers.create(encr, skEr, integ, skAr, random);
    }
    return responderCipher;
  }

  /**
   * Zeroes all keys held here and in the ciphers made from them, which refuse further use. (A JCE
   * cipher object may still hold the expanded key of its last message until it is collected.)
   */
  public synchronized void destroy() {
    for (byte[] key : new byte[][] {skD, skAi, skAr, skEi, skEr, skPi, skPr}) {
      Arrays.fill(key, (byte) 0);
    }
    destroyCipher(initiatorCipher);
    destroyCipher(responderCipher);
    initiatorCipher = null;
    responderCipher = null;
    destroyed = true;
  }

  @Override
  public String toString() {
    return "IkeKeys["
        + prf
        + ", "
        + encr
        + "-"
        + (skEi.length - encr.saltLength()) * 8
        + ", "
        + integ
        + (destroyed ? ", destroyed" : "")
        + "]";
  }

  private static void destroyCipher(SkCipher cipher) {
    if (cipher instanceof CbcSkCipher cbc) {
      cbc.destroy();
    } else if (cipher instanceof AeadSkCipher aead) {
      aead.destroy();
    }
  }

  private synchronized byte[] live(byte[] key) {
    checkLive();
    return key.clone();
  }

  private void checkLive() {
    if (destroyed) {
      throw new IllegalStateException("IKE SA keys destroyed");
    }
  }

  private static byte[] take(ByteBuffer in, int length) {
    byte[] out = new byte[length];
    in.get(out);
    return out;
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    for (byte[] part : parts) {
      out.put(part);
    }
    return out.array();
  }
}
