package dev.vpngw.ikev2.crypto;

import dev.vpngw.ikev2.message.SkCipher;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * SK payload protection with an AEAD: AES-GCM (RFC 5282) or ChaCha20-Poly1305 (RFC 7634). The key
 * material is key || 4-byte salt; the nonce is salt || 8-byte explicit IV; the associated data is
 * the IKE header and the SK (or SKF) payload header (RFC 5282 5.1, RFC 7634 4). The explicit IV is
 * a 64-bit counter that starts at a random value, so it never repeats under one key (nonce reuse
 * would break both ciphers completely). Not thread-safe: one instance per direction.
 *
 * <p>The JDK does AES-GCM with 12 and 16-byte tags and ChaCha20-Poly1305; it refuses 8-byte GCM
 * tags, so ENCR_AES_GCM_8 runs on Bouncy Castle's GCM.
 */
final class AeadSkCipher implements SkCipher {
  private static final int IV_LENGTH = 8;

  private final IkeEncryption encr;
  private final byte[] key;
  private final byte[] salt;
  private final Cipher jdkCipher;
  private final String keyAlgorithm;
  private long nextIv;
  private long sealed;
  private boolean destroyed;

  AeadSkCipher(IkeEncryption encr, byte[] keyMaterial, long firstIv) {
    this.encr = encr;
    int keyLength = keyMaterial.length - encr.saltLength();
    this.key = Arrays.copyOf(keyMaterial, keyLength);
    this.salt = Arrays.copyOfRange(keyMaterial, keyLength, keyMaterial.length);
    this.nextIv = firstIv;
    boolean chacha = encr == IkeEncryption.CHACHA20_POLY1305;
    try {
      this.jdkCipher =
          encr == IkeEncryption.AES_GCM_8
              ? null
              : Cipher.getInstance(chacha ? "ChaCha20-Poly1305" : "AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + encr, e);
    }
    this.keyAlgorithm = chacha ? "ChaCha20" : "AES";
  }

  @Override
  public int ivLength() {
    return IV_LENGTH;
  }

  @Override
  public int icvLength() {
    return encr.icvLength();
  }

  @Override
  public int blockSize() {
    return 1;
  }

  @Override
  public void seal(byte[] message, int aadLength, int plaintextLength) {
    checkLive();
    SkCiphers.checkLayout(message, aadLength, plaintextLength, this);
    if (++sealed == 0) {
      // 2^64 messages under one key: unreachable in practice, but never wrap into reuse.
      throw new IllegalStateException("IV space of this SK key is exhausted");
    }
    long iv = nextIv++;
    for (int i = 0; i < IV_LENGTH; i++) {
      message[aadLength + i] = (byte) (iv >>> (56 - 8 * i));
    }
    byte[] nonce = nonce(message, aadLength);
    int dataOffset = aadLength + IV_LENGTH;
    try {
      if (jdkCipher == null) {
        GCMModeCipher gcm = bcGcm(true, nonce);
        gcm.processAADBytes(message, 0, aadLength);
        int n = gcm.processBytes(message, dataOffset, plaintextLength, message, dataOffset);
        gcm.doFinal(message, dataOffset + n);
      } else {
        jdkCipher.init(
            Cipher.ENCRYPT_MODE, new SecretKeySpec(key, keyAlgorithm), parameters(nonce));
        jdkCipher.updateAAD(message, 0, aadLength);
        jdkCipher.doFinal(message, dataOffset, plaintextLength, message, dataOffset);
      }
    } catch (GeneralSecurityException | InvalidCipherTextException e) {
      throw new IllegalStateException(encr + " encryption failed", e);
    }
  }

  @Override
  public boolean open(byte[] message, int aadLength, int ciphertextLength) {
    checkLive();
    SkCiphers.checkLayout(message, aadLength, ciphertextLength, this);
    byte[] nonce = nonce(message, aadLength);
    int dataOffset = aadLength + IV_LENGTH;
    int sealedLength = ciphertextLength + icvLength();
    // Both engines may write (BC) or clear (the JDK) output before the tag check fails; decrypt
    // aside so that a forged message leaves the caller's buffer as it was.
    byte[] plain = new byte[ciphertextLength];
    try {
      if (jdkCipher == null) {
        GCMModeCipher gcm = bcGcm(false, nonce);
        gcm.processAADBytes(message, 0, aadLength);
        int n = gcm.processBytes(message, dataOffset, sealedLength, plain, 0);
        gcm.doFinal(plain, n);
      } else {
        jdkCipher.init(
            Cipher.DECRYPT_MODE, new SecretKeySpec(key, keyAlgorithm), parameters(nonce));
        jdkCipher.updateAAD(message, 0, aadLength);
        jdkCipher.doFinal(message, dataOffset, sealedLength, plain, 0);
      }
      System.arraycopy(plain, 0, message, dataOffset, ciphertextLength);
      return true;
    } catch (AEADBadTagException | InvalidCipherTextException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(encr + " decryption failed", e);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** Zeroes this object's copies of the key and salt; later seal and open calls throw. */
  void destroy() {
    destroyed = true;
    Arrays.fill(key, (byte) 0);
    Arrays.fill(salt, (byte) 0);
  }

  private void checkLive() {
    if (destroyed) {
      throw new IllegalStateException("SK cipher destroyed");
    }
  }

  @Override
  public String toString() {
    return "AeadSkCipher[" + encr + "-" + key.length * 8 + "]";
  }

  private byte[] nonce(byte[] message, int ivOffset) {
    byte[] nonce = new byte[salt.length + IV_LENGTH];
    System.arraycopy(salt, 0, nonce, 0, salt.length);
    System.arraycopy(message, ivOffset, nonce, salt.length, IV_LENGTH);
    return nonce;
  }

  private AlgorithmParameterSpec parameters(byte[] nonce) {
    return encr == IkeEncryption.CHACHA20_POLY1305
        ? new IvParameterSpec(nonce)
        : new GCMParameterSpec(icvLength() * 8, nonce);
  }

  private GCMModeCipher bcGcm(boolean encrypt, byte[] nonce) {
    GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
    gcm.init(encrypt, new AEADParameters(new KeyParameter(key), icvLength() * 8, nonce));
    return gcm;
  }
}
