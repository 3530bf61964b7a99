package dev.vpngw.ikev2.crypto;

import dev.vpngw.ikev2.message.SkCipher;
import java.security.SecureRandom;

/**
 * Builds the {@link SkCipher} that protects one direction of an IKE SA (RFC 7296 3.14): AES-CBC or
 * 3DES-CBC with a random IV and a truncated HMAC over the whole message, or an AEAD (AES-GCM, RFC
 * 5282; ChaCha20-Poly1305, RFC 7634) whose associated data is the IKE header through the SK payload
 * header and whose nonce is the 4-byte salt followed by the 8-byte explicit IV.
 */
public final class SkCiphers {
  private SkCiphers() {}

  /**
   * A cipher for one direction.
   *
   * @param encKeyMaterial SK_ei or SK_er: the key, followed by the 4-byte salt for the AEADs
   * @param integ {@link IkeIntegrity#NONE} for the AEADs, an HMAC otherwise
   * @param integKey SK_ai or SK_ar (ignored, may be null or empty, for the AEADs)
   * @param random CBC IVs come from here; AEAD IVs are a counter that starts at a value from here
   */
  public static SkCipher create(
      IkeEncryption encr,
      byte[] encKeyMaterial,
      IkeIntegrity integ,
      byte[] integKey,
      SecureRandom random) {
    if (encr.aead()) {
      if (integ != IkeIntegrity.NONE) {
        throw new IllegalArgumentException(encr + " is an AEAD and takes no integrity algorithm");
      }
      checkAeadKey(encr, encKeyMaterial);
      return new AeadSkCipher(encr, encKeyMaterial, random.nextLong());
    }
    if (integ == IkeIntegrity.NONE) {
      throw new IllegalArgumentException(encr + " needs an integrity algorithm");
    }
    if (integKey == null || integKey.length != integ.keyLength()) {
      throw new IllegalArgumentException(integ + " needs a " + integ.keyLength() + "-byte key");
    }
    int keyLength = encKeyMaterial.length;
    boolean legal =
        encr == IkeEncryption.TDES_CBC
            ? keyLength == 24
            : keyLength == 16 || keyLength == 24 || keyLength == 32;
    if (!legal) {
      throw new IllegalArgumentException(encr + " cannot take a " + keyLength + "-byte key");
    }
    return new CbcSkCipher(encr, encKeyMaterial, integ, integKey, random);
  }

  private static void checkAeadKey(IkeEncryption encr, byte[] keyMaterial) {
    int keyLength = keyMaterial.length - encr.saltLength();
    boolean legal =
        encr == IkeEncryption.CHACHA20_POLY1305
            ? keyLength == 32
            : keyLength == 16 || keyLength == 24 || keyLength == 32;
    if (!legal) {
      throw new IllegalArgumentException(
          encr + " cannot take " + keyMaterial.length + " bytes of key material");
    }
  }

  /** Throws unless message[0 .. aad + iv + body + icv) fits in the array. */
  static void checkLayout(byte[] message, int aadLength, int bodyLength, SkCipher cipher) {
    if (aadLength < 0 || bodyLength < 0) {
      throw new IllegalArgumentException("negative length");
    }
    long end = (long) aadLength + cipher.ivLength() + bodyLength + cipher.icvLength();
    if (end > message.length) {
      throw new IllegalArgumentException(
          "message of " + message.length + " bytes cannot hold " + end + " bytes of SK layout");
    }
  }
}
