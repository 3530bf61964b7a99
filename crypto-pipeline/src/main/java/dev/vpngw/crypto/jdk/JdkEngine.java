package dev.vpngw.crypto.jdk;

import dev.vpngw.crypto.AbstractCryptoEngine;
import dev.vpngw.crypto.CryptoPrimitives;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspCipher;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The portable engine: every ESP suite through {@code javax.crypto} (SunJCE), used where OpenSSL
 * libcrypto 3 cannot be loaded and as the second opinion in cross-engine tests.
 *
 * <p>Its ciphers keep one {@link Cipher} and one {@link Mac} each, keyed once, and copy the packet
 * through two reusable heap arrays: the byte-array entry points are the ones the JDK's AES-GCM,
 * AES-CBC and SHA intrinsics are written for, they accept the same array as input and output (which
 * the ByteBuffer entry points refuse unless given a second buffer object), and a 1400-byte copy
 * costs far less than the crypto. What still allocates per packet is inside the JCE API and cannot
 * be avoided from outside it: AEAD needs a new {@link GCMParameterSpec} or {@link IvParameterSpec}
 * per packet (a Cipher's IV can only change through {@code init}), and {@link Mac#doFinal(byte[],
 * int)} returns its result through a fresh array internally. Use the OpenSSL engine where
 * allocation matters.
 */
public final class JdkEngine extends AbstractCryptoEngine implements CryptoPrimitives {
  /** AEAD and GMAC tag length in bytes. */
  static final int TAG_LENGTH = 16;

  /** Creates the engine and probes every transformation it needs once. */
  public JdkEngine() {
    super("jdk", probe());
  }

  @Override
  protected EspCipher newAeadCipher(EspSuite suite, byte[] keyMaterial, boolean outbound) {
    return new JdkAeadCipher(suite, keyMaterial, outbound);
  }

  @Override
  protected EspCipher newGmacCipher(EspSuite suite, byte[] keyMaterial, boolean outbound) {
    return new JdkGmacCipher(suite, keyMaterial, outbound);
  }

  @Override
  protected EspCipher newCbcHmacCipher(
      EspSuite suite, byte[] encryptionKey, byte[] integrityKey, boolean outbound) {
    return new JdkCbcHmacCipher(suite, encryptionKey, integrityKey, outbound);
  }

  @Override
  public byte[] aeadSeal(Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    try {
      return aead(Cipher.ENCRYPT_MODE, aead, key, nonce, aad, plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(aead + " seal failed", e);
    }
  }

  @Override
  public byte[] aeadOpen(
      Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag) {
    try {
      return aead(Cipher.DECRYPT_MODE, aead, key, nonce, aad, ciphertextAndTag);
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(aead + " open failed", e);
    }
  }

  @Override
  public byte[] cbcEncrypt(Encryption cbc, byte[] key, byte[] iv, byte[] plaintext) {
    return cbc(Cipher.ENCRYPT_MODE, cbc, key, iv, plaintext);
  }

  @Override
  public byte[] cbcDecrypt(Encryption cbc, byte[] key, byte[] iv, byte[] ciphertext) {
    return cbc(Cipher.DECRYPT_MODE, cbc, key, iv, ciphertext);
  }

  @Override
  public byte[] hmac(Integrity integrity, byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(macAlgorithm(integrity));
      mac.init(new SecretKeySpec(key, mac.getAlgorithm()));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(integrity + " failed", e);
    }
  }

  private static byte[] aead(
      int mode, Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] input)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance(transformation(aead));
    cipher.init(mode, new SecretKeySpec(key, keyAlgorithm(aead)), aeadParams(aead, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(input);
  }

  private static byte[] cbc(int mode, Encryption cbc, byte[] key, byte[] iv, byte[] text) {
    try {
      Cipher cipher = Cipher.getInstance(transformation(cbc));
      cipher.init(mode, new SecretKeySpec(key, keyAlgorithm(cbc)), new IvParameterSpec(iv));
      return cipher.doFinal(text);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(cbc + " failed", e);
    }
  }

  /** The JCE transformation for an encryption transform; GMAC is GCM with nothing encrypted. */
  static String transformation(Encryption encryption) {
    return switch (encryption) {
      case AES_GCM_16_128, AES_GCM_16_256, AES_GMAC_128, AES_GMAC_256 -> "AES/GCM/NoPadding";
      case CHACHA20_POLY1305 -> "ChaCha20-Poly1305";
      case AES_CBC_128, AES_CBC_256 -> "AES/CBC/NoPadding";
      case TDES_CBC -> "DESede/CBC/NoPadding";
    };
  }

  /** The JCE key algorithm for an encryption transform. */
  static String keyAlgorithm(Encryption encryption) {
    return switch (encryption) {
      case CHACHA20_POLY1305 -> "ChaCha20";
      case TDES_CBC -> "DESede";
      default -> "AES";
    };
  }

  /** The JCE Mac algorithm for an integrity transform. */
  static String macAlgorithm(Integrity integrity) {
    if (integrity == Integrity.NONE) {
      throw new IllegalArgumentException("no MAC for " + integrity);
    }
    return "Hmac" + integrity.digest();
  }

  /**
   * The per-packet AEAD parameters. This is the one allocation per packet the JCE forces on AEAD: a
   * Cipher's nonce can only be changed by {@code init} with a new parameter object.
   */
  static AlgorithmParameterSpec aeadParams(Encryption aead, byte[] nonce) {
    return aead == Encryption.CHACHA20_POLY1305
        ? new IvParameterSpec(nonce)
        : new GCMParameterSpec(TAG_LENGTH * Byte.SIZE, nonce);
  }

  private static String probe() {
    try {
      for (Encryption encryption : Encryption.values()) {
        Cipher.getInstance(transformation(encryption));
      }
      for (Integrity integrity : Integrity.values()) {
        if (integrity != Integrity.NONE) {
          Mac.getInstance(macAlgorithm(integrity));
        }
      }
      return null;
    } catch (GeneralSecurityException | RuntimeException e) {
      return "JCE lacks a transformation: " + e;
    }
  }
}
