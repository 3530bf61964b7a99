package dev.vpngw.ikev2.message;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test cipher: ENCR_AES_CBC with AUTH_HMAC_SHA2_256_128, encrypt-then-MAC over the whole message as
 * RFC 7296 3.14 has it, written with javax.crypto independently of the production crypto package.
 * The IV comes from a seeded Random so that tests are reproducible.
 */
final class AesCbcHmacCipher implements SkCipher {
  private final SecretKeySpec encryptionKey;
  private final SecretKeySpec integrityKey;
  private final Random ivSource;

  AesCbcHmacCipher(byte[] encryptionKey, byte[] integrityKey, long ivSeed) {
    this.encryptionKey = new SecretKeySpec(encryptionKey, "AES");
    this.integrityKey = new SecretKeySpec(integrityKey, "HmacSHA256");
    this.ivSource = new Random(ivSeed);
  }

  @Override
  public int ivLength() {
    return 16;
  }

  @Override
  public int icvLength() {
    return 16;
  }

  @Override
  public int blockSize() {
    return 16;
  }

  @Override
  public void seal(byte[] m, int aadLength, int plaintextLength) {
    byte[] iv = new byte[16];
    ivSource.nextBytes(iv);
    System.arraycopy(iv, 0, m, aadLength, 16);
    int textOffset = aadLength + 16;
    try {
      Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, encryptionKey, new IvParameterSpec(iv));
      c.doFinal(m, textOffset, plaintextLength, m, textOffset);
      byte[] icv = icv(m, textOffset + plaintextLength);
      System.arraycopy(icv, 0, m, textOffset + plaintextLength, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean open(byte[] m, int aadLength, int ciphertextLength) {
    int textOffset = aadLength + 16;
    try {
      byte[] expected = icv(m, textOffset + ciphertextLength);
      byte[] actual =
          Arrays.copyOfRange(m, textOffset + ciphertextLength, textOffset + ciphertextLength + 16);
      if (!MessageDigest.isEqual(expected, actual)) {
        return false;
      }
      Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          encryptionKey,
          new IvParameterSpec(Arrays.copyOfRange(m, aadLength, textOffset)));
      c.doFinal(m, textOffset, ciphertextLength, m, textOffset);
      return true;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] icv(byte[] m, int length) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(integrityKey);
    mac.update(m, 0, length);
    return Arrays.copyOf(mac.doFinal(), 16);
  }
}
