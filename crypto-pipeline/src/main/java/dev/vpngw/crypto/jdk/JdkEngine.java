package dev.vpngw.crypto.jdk;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
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
public final class JdkEngine implements CryptoEngine, CryptoPrimitives {
  /** The ESP header before the IV: SPI and the low 32 bits of the sequence number. */
  static final int ESP_HEADER_LENGTH = 8;

  /** AEAD and GMAC tag length in bytes. */
  static final int TAG_LENGTH = 16;

  /** Nonce length of every AEAD transform here: 4-byte salt and 8-byte explicit IV. */
  static final int NONCE_LENGTH = 12;

  private final String unavailabilityCause;

  /** Creates the engine and probes every transformation it needs once. */
  public JdkEngine() {
    this.unavailabilityCause = probe();
  }

  @Override
  public String name() {
    return "jdk";
  }

  @Override
  public boolean isAvailable() {
    return unavailabilityCause == null;
  }

  @Override
  public String unavailabilityCause() {
    return unavailabilityCause;
  }

  @Override
  public boolean supports(EspSuite suite) {
    return isAvailable();
  }

  @Override
  public EspCipher newCipher(
      EspSuite suite, byte[] encryptionKey, byte[] integrityKey, boolean outbound) {
    if (!isAvailable()) {
      throw new IllegalStateException("jdk crypto engine unavailable: " + unavailabilityCause);
    }
    CryptoEngines.checkKeys(suite, encryptionKey, integrityKey);
    return switch (suite.encryption().kind()) {
      case AEAD -> new JdkAeadCipher(suite, encryptionKey, outbound);
      case GMAC -> new JdkGmacCipher(suite, encryptionKey, outbound);
      case CBC -> new JdkCbcHmacCipher(suite, encryptionKey, integrityKey, outbound);
    };
  }

  @Override
  public byte[] aeadSeal(Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    try {
      Cipher cipher = Cipher.getInstance(transformation(aead));
      cipher.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(key, keyAlgorithm(aead)), aeadParams(aead, nonce));
      cipher.updateAAD(aad);
      return cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(aead + " seal failed", e);
    }
  }

  @Override
  public byte[] aeadOpen(
      Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag) {
    try {
      Cipher cipher = Cipher.getInstance(transformation(aead));
      cipher.init(
          Cipher.DECRYPT_MODE, new SecretKeySpec(key, keyAlgorithm(aead)), aeadParams(aead, nonce));
      cipher.updateAAD(aad);
      return cipher.doFinal(ciphertextAndTag);
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

  @Override
  public String toString() {
    return name();
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

  /** Whether an inbound packet's declared layout lies inside the buffer at all. */
  static boolean fits(int capacity, int espOffset, int ivLength, int textLength, int icvLength) {
    return espOffset >= 0
        && textLength >= 0
        && (long) espOffset + ESP_HEADER_LENGTH + ivLength + textLength + icvLength <= capacity;
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
