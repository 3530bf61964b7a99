package dev.vpngw.crypto.openssl;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.io.libcrypto.LibCrypto;
import dev.vpngw.io.libcrypto.LibCryptoException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The native side of one OpenSSL cipher: its EVP_CIPHER_CTX (and, for CBC, EVP_MAC_CTX), the
 * algorithms they were made from, and a small off-heap scratch area for the nonce, AAD, output
 * length and digest, all made once at setup. {@link #run()} frees everything; it is both the
 * cipher's {@code close()} and the {@link java.lang.ref.Cleaner} action that frees the contexts if
 * a cipher is dropped unclosed, so it must not refer to the cipher.
 *
 * <p>The fetched EVP_CIPHER and EVP_MAC are kept until the contexts are freed, because OpenSSL 3.0
 * contexts point at an explicitly fetched algorithm without necessarily holding a reference to it.
 */
final class NativeContexts implements Runnable {
  /** Nonce: 4-byte salt then 8-byte explicit IV (RFC 4106 4, RFC 7634 2). */
  static final int NONCE = 0;

  /** AAD assembled for ESN: SPI, seq high, seq low. */
  static final int AAD = 16;

  /** The int (cipher) or size_t (MAC) OpenSSL writes an output length to. */
  static final int OUT_LENGTH = 32;

  /** The high half of the sequence number, big-endian, for ESN. */
  static final int SEQ_HIGH = 40;

  /** Full HMAC output, or the AEAD final's (empty) output. */
  static final int DIGEST = 64;

  /** Longest digest (SHA-512). */
  static final int DIGEST_SIZE = 64;

  /** Where the pool of random CBC IVs starts. */
  static final int IV_POOL = DIGEST + DIGEST_SIZE;

  /** Bytes of random IVs drawn from libcrypto per refill: 256 AES or 512 3DES IVs. */
  static final int IV_POOL_SIZE = 4096;

  private static final int SCRATCH_SIZE = IV_POOL + IV_POOL_SIZE;

  /** The AEAD nonce length: salt plus explicit IV. */
  static final int NONCE_LENGTH = 12;

  /**
   * Freed by the GC once these contexts are unreachable, not by an explicit close: closing a shared
   * arena is a handshake with every thread (tens of microseconds), which SA teardown at rekey time
   * should not pay. The area is wiped when the contexts are freed.
   */
  private final MemorySegment scratchSegment = Arena.ofAuto().allocate(SCRATCH_SIZE, 64);

  /** The scratch area, for reading and writing from Java. */
  final UnsafeBuffer scratch = new UnsafeBuffer(scratchSegment.address(), SCRATCH_SIZE);

  /** The scratch area's native address, for passing to libcrypto. */
  final long scratchAddress = scratchSegment.address();

  private long cipher;
  private long cipherCtx;
  private long mac;
  private long macCtx;
  private boolean freed;

  /**
   * Contexts keyed for one SA in one direction: the cipher context, and then the salt as the
   * nonce's fixed first part for the life of the SA (RFC 4106 4) for combined transforms, or the
   * HMAC context for CBC. Frees what it made if any step fails.
   *
   * @param integrityKey the HMAC key for CBC; ignored (and may be null) for combined transforms
   */
  static NativeContexts keyed(
      EspSuite suite, byte[] encryptionKey, byte[] integrityKey, boolean outbound) {
    Encryption encryption = suite.encryption();
    NativeContexts contexts = new NativeContexts();
    try {
      contexts.openCipher(
          encryption, encryptionKey, encryption.keyLength(), outbound, NONCE_LENGTH);
      if (encryption.isCombined()) {
        contexts.scratch.putBytes(
            NONCE, encryptionKey, encryption.keyLength(), encryption.saltLength());
      } else {
        contexts.openMac(suite.integrity(), integrityKey);
      }
      return contexts;
    } catch (RuntimeException e) {
      contexts.run();
      throw e;
    }
  }

  /** The keyed EVP_CIPHER_CTX, or 0. */
  long cipherContext() {
    return cipherCtx;
  }

  /** The keyed EVP_MAC_CTX, or 0. */
  long macContext() {
    return macCtx;
  }

  /**
   * Creates and keys the cipher context: direction fixed, AEAD nonce length set (GCM and ChaCha
   * take {@code nonceLength}-byte nonces), CBC padding off (ESP pads by itself). Later packets only
   * set an IV.
   */
  void openCipher(
      Encryption encryption, byte[] key, int keyLength, boolean encrypt, int nonceLength) {
    String name = cipherName(encryption);
    cipher = LibCrypto.fetchCipher(name);
    int expected = LibCrypto.cipherKeyLength(cipher);
    if (expected != keyLength) {
      throw new IllegalArgumentException(
          "OpenSSL " + name + " takes a " + expected + "-byte key, got " + keyLength);
    }
    cipherCtx = LibCrypto.newCipherContext();
    LibCrypto.cipherInit(
        cipherCtx, cipher, 0L, 0L, encrypt ? LibCrypto.ENCRYPT : LibCrypto.DECRYPT);
    if (encryption.kind() == Encryption.Kind.CBC) {
      LibCrypto.cipherSetPadding(cipherCtx, false);
    } else {
      LibCrypto.cipherSetIvLength(cipherCtx, nonceLength);
    }
    try (Arena keyArena = Arena.ofConfined()) {
      MemorySegment keyCopy = keyArena.allocate(keyLength);
      MemorySegment.copy(key, 0, keyCopy, JAVA_BYTE, 0, keyLength);
      try {
        LibCrypto.cipherInit(cipherCtx, 0L, keyCopy.address(), 0L, LibCrypto.KEEP_DIRECTION);
      } finally {
        keyCopy.fill((byte) 0);
      }
    }
  }

  /** Creates and keys the HMAC context for an integrity transform, with a key of any length. */
  void openMac(Integrity integrity, byte[] key) {
    mac = LibCrypto.fetchMac("HMAC");
    macCtx = LibCrypto.newMacContext(mac);
    try (Arena keyArena = Arena.ofConfined()) {
      MemorySegment keyCopy = keyArena.allocate(Math.max(1, key.length));
      MemorySegment.copy(key, 0, keyCopy, JAVA_BYTE, 0, key.length);
      try {
        LibCrypto.macInit(macCtx, keyCopy.address(), key.length, integrity.digest());
      } finally {
        keyCopy.fill((byte) 0);
      }
    }
    long size = LibCrypto.macSize(macCtx);
    if (size != integrity.keyLength() || size > DIGEST_SIZE) {
      throw new LibCryptoException(
          "EVP_MAC_CTX_get_mac_size", "HMAC-" + integrity.digest() + " gives " + size + " bytes");
    }
  }

  /** Wipes the scratch area and frees the contexts, then the algorithms. Idempotent. */
  @Override
  public void run() {
    if (freed) {
      return;
    }
    freed = true;
    scratchSegment.fill((byte) 0);
    LibCrypto.freeCipherContext(cipherCtx);
    LibCrypto.freeMacContext(macCtx);
    LibCrypto.freeCipher(cipher);
    LibCrypto.freeMac(mac);
    cipherCtx = 0;
    macCtx = 0;
    cipher = 0;
    mac = 0;
  }

  /** OpenSSL's name for the cipher behind an ESP transform; GMAC is GCM with no text. */
  static String cipherName(Encryption encryption) {
    return switch (encryption) {
      case AES_GCM_16_128, AES_GMAC_128 -> "AES-128-GCM";
      case AES_GCM_16_256, AES_GMAC_256 -> "AES-256-GCM";
      case CHACHA20_POLY1305 -> "ChaCha20-Poly1305";
      case AES_CBC_128 -> "AES-128-CBC";
      case AES_CBC_256 -> "AES-256-CBC";
      case TDES_CBC -> "DES-EDE3-CBC";
    };
  }
}
