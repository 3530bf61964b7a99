package dev.vpngw.ikev2.crypto;

import dev.vpngw.ikev2.message.SkCipher;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SK payload protection with a CBC cipher and an HMAC (RFC 7296 3.14): a fresh random IV per
 * message, encryption of the padded plaintext, then an ICV over the whole message from the IKE
 * header through the ciphertext (encrypt-then-MAC). On receipt the ICV is checked, in constant
 * time, before anything is decrypted. Not thread-safe: one instance per direction per IKE SA.
 */
final class CbcSkCipher implements SkCipher {
  private final IkeEncryption encr;
  private final IkeIntegrity integ;
  private final byte[] key;
  private final byte[] integKey;
  private final SecureRandom random;
  private final Cipher cipher;
  private final Mac mac;
  private final String keyAlgorithm;
  private boolean destroyed;

  CbcSkCipher(
      IkeEncryption encr, byte[] key, IkeIntegrity integ, byte[] integKey, SecureRandom random) {
    this.encr = encr;
    this.integ = integ;
    this.key = key.clone();
    this.integKey = integKey.clone();
    this.random = random;
    boolean aes = encr == IkeEncryption.AES_CBC;
    try {
      this.cipher = Cipher.getInstance(aes ? "AES/CBC/NoPadding" : "DESede/CBC/NoPadding");
      this.mac = Mac.getInstance(integ.jceName());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + encr + " or " + integ, e);
    }
    this.keyAlgorithm = aes ? "AES" : "DESede";
  }

  @Override
  public int ivLength() {
    return encr.ivLength();
  }

  @Override
  public int icvLength() {
    return integ.icvLength();
  }

  @Override
  public int blockSize() {
    return encr.blockSize();
  }

  @Override
  public void seal(byte[] message, int aadLength, int plaintextLength) {
    checkLive();
    SkCiphers.checkLayout(message, aadLength, plaintextLength, this);
    if (plaintextLength == 0 || plaintextLength % blockSize() != 0) {
      throw new IllegalArgumentException(
          "padded plaintext of " + plaintextLength + " bytes is not whole " + encr + " blocks");
    }
    int ivOffset = aadLength;
    int dataOffset = ivOffset + ivLength();
    byte[] iv = new byte[ivLength()];
    random.nextBytes(iv);
    System.arraycopy(iv, 0, message, ivOffset, iv.length);
    try {
      cipher.init(Cipher.ENCRYPT_MODE, keySpec(), new IvParameterSpec(iv));
      int written = cipher.doFinal(message, dataOffset, plaintextLength, message, dataOffset);
      if (written != plaintextLength) {
        throw new IllegalStateException(encr + " wrote " + written + " bytes");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(encr + " encryption failed", e);
    }
    byte[] icv = icv(message, dataOffset + plaintextLength);
    System.arraycopy(icv, 0, message, dataOffset + plaintextLength, icv.length);
  }

  @Override
  public boolean open(byte[] message, int aadLength, int ciphertextLength) {
    checkLive();
    SkCiphers.checkLayout(message, aadLength, ciphertextLength, this);
    if (ciphertextLength == 0 || ciphertextLength % blockSize() != 0) {
      return false;
    }
    int dataOffset = aadLength + ivLength();
    int icvOffset = dataOffset + ciphertextLength;
    byte[] expected = icv(message, icvOffset);
    byte[] received = Arrays.copyOfRange(message, icvOffset, icvOffset + icvLength());
    if (!MessageDigest.isEqual(expected, received)) {
      return false;
    }
    try {
      cipher.init(
          Cipher.DECRYPT_MODE, keySpec(), new IvParameterSpec(message, aadLength, ivLength()));
      cipher.doFinal(message, dataOffset, ciphertextLength, message, dataOffset);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(encr + " decryption failed", e);
    }
    return true;
  }

  /** Zeroes this object's copies of the keys; later seal and open calls throw. */
  void destroy() {
    destroyed = true;
    Arrays.fill(key, (byte) 0);
    Arrays.fill(integKey, (byte) 0);
  }

  private void checkLive() {
    if (destroyed) {
      throw new IllegalStateException("SK cipher destroyed");
    }
  }

  // Key objects are made per message from our own arrays, so destroy() leaves no long-lived copy.
  private SecretKeySpec keySpec() {
    return new SecretKeySpec(key, keyAlgorithm);
  }

  @Override
  public String toString() {
    return "CbcSkCipher[" + encr + "-" + key.length * 8 + ", " + integ + "]";
  }

  private byte[] icv(byte[] message, int length) {
    try {
      mac.init(Prf.hmacKey(integKey, integ.jceName()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(integ + " refused its key", e);
    }
    mac.update(message, 0, length);
    byte[] full = mac.doFinal();
    return Arrays.copyOf(full, icvLength());
  }
}
