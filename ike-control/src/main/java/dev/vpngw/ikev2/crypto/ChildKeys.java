package dev.vpngw.ikev2.crypto;

import java.util.Arrays;

/**
 * Keying material of a child SA pair (RFC 7296 2.17): KEYMAT = prf+(SK_d, Ni | Nr), or with PFS
 * prf+(SK_d, g^ir (new) | Ni | Nr), split in the order the RFC fixes: the SA carrying traffic from
 * the initiator to the responder takes its keys first (encryption, then integrity), then the SA in
 * the other direction. "Initiator" is the initiator of the exchange that created the child SA, not
 * of the IKE SA. For an AEAD the encryption key material includes the 4-byte salt (RFC 4106 8.1).
 */
public final class ChildKeys {
  private final byte[] encrInitiatorToResponder;
  private final byte[] integInitiatorToResponder;
  private final byte[] encrResponderToInitiator;
  private final byte[] integResponderToInitiator;

  private ChildKeys(byte[] encrIr, byte[] integIr, byte[] encrRi, byte[] integRi) {
    this.encrInitiatorToResponder = encrIr;
    this.integInitiatorToResponder = integIr;
    this.encrResponderToInitiator = encrRi;
    this.integResponderToInitiator = integRi;
  }

  /**
   * KEYMAT of {@code length} bytes; {@code sharedSecretOrNull} is the new g^ir when the
   * CREATE_CHILD_SA exchange carried KE payloads, else null.
   */
  public static byte[] keymat(
      Prf prf, byte[] skD, byte[] sharedSecretOrNull, byte[] ni, byte[] nr, int length) {
    byte[] seed =
        sharedSecretOrNull == null
            ? IkeKeys.concat(ni, nr)
            : IkeKeys.concat(sharedSecretOrNull, ni, nr);
    byte[] keymat = prf.plus(skD, seed, length);
    Arrays.fill(seed, (byte) 0);
    return keymat;
  }

  /**
   * Splits KEYMAT, which must hold at least 2 * (encrKeyMaterialLength + integKeyLength) bytes; any
   * surplus is ignored.
   */
  public static ChildKeys split(byte[] keymat, int encrKeyMaterialLength, int integKeyLength) {
    int per = encrKeyMaterialLength + integKeyLength;
    if (encrKeyMaterialLength < 0 || integKeyLength < 0 || keymat.length < 2 * per) {
      throw new IllegalArgumentException(
          "KEYMAT of " + keymat.length + " bytes is short of " + 2 * per);
    }
    return new ChildKeys(
        Arrays.copyOfRange(keymat, 0, encrKeyMaterialLength),
        Arrays.copyOfRange(keymat, encrKeyMaterialLength, per),
        Arrays.copyOfRange(keymat, per, per + encrKeyMaterialLength),
        Arrays.copyOfRange(keymat, per + encrKeyMaterialLength, 2 * per));
  }

  /** Encryption key (with salt for an AEAD) of the initiator-to-responder SA. */
  public byte[] encrInitiatorToResponder() {
    return encrInitiatorToResponder.clone();
  }

  /** Integrity key of the initiator-to-responder SA (empty for an AEAD). */
  public byte[] integInitiatorToResponder() {
    return integInitiatorToResponder.clone();
  }

  /** Encryption key (with salt for an AEAD) of the responder-to-initiator SA. */
  public byte[] encrResponderToInitiator() {
    return encrResponderToInitiator.clone();
  }

  /** Integrity key of the responder-to-initiator SA (empty for an AEAD). */
  public byte[] integResponderToInitiator() {
    return integResponderToInitiator.clone();
  }

  /** Zeroes the four keys. */
  public void destroy() {
    Arrays.fill(encrInitiatorToResponder, (byte) 0);
    Arrays.fill(integInitiatorToResponder, (byte) 0);
    Arrays.fill(encrResponderToInitiator, (byte) 0);
    Arrays.fill(integResponderToInitiator, (byte) 0);
  }

  @Override
  public String toString() {
    return "ChildKeys[encr "
        + encrInitiatorToResponder.length
        + " B, integ "
        + integInitiatorToResponder.length
        + " B per direction]";
  }
}
