package dev.vpngw.crypto.openssl;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.vpngw.crypto.AbstractCryptoEngine;
import dev.vpngw.crypto.CryptoPrimitives;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspCipher;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.io.libcrypto.LibCrypto;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The fast engine: OpenSSL 3 libcrypto through the Panama binding in packet-io. Each cipher owns
 * one EVP_CIPHER_CTX keyed once (and, for CBC, one EVP_MAC_CTX), so a packet costs a handful of
 * critical downcalls with raw addresses and allocates nothing on the Java heap.
 *
 * <p>Available when {@link LibCrypto#isAvailable()}; the probe also keys one context of every
 * algorithm it needs, so a libcrypto built without (say) 3DES or ChaCha20-Poly1305 is reported here
 * rather than at the first SA.
 */
public final class OpenSslEngine extends AbstractCryptoEngine implements CryptoPrimitives {
  /** Creates the engine and probes libcrypto and every algorithm once. */
  public OpenSslEngine() {
    super("openssl", probe());
  }

  @Override
  protected EspCipher newAeadCipher(EspSuite suite, byte[] keyMaterial, boolean outbound) {
    return new OpenSslAeadCipher(suite, keyMaterial, outbound);
  }

  @Override
  protected EspCipher newGmacCipher(EspSuite suite, byte[] keyMaterial, boolean outbound) {
    return new OpenSslGmacCipher(suite, keyMaterial, outbound);
  }

  @Override
  protected EspCipher newCbcHmacCipher(
      EspSuite suite, byte[] encryptionKey, byte[] integrityKey, boolean outbound) {
    return new OpenSslCbcHmacCipher(suite, encryptionKey, integrityKey, outbound);
  }

  @Override
  public byte[] aeadSeal(Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    return aead(aead, key, nonce, aad, plaintext, true);
  }

  @Override
  public byte[] aeadOpen(
      Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag) {
    return aead(aead, key, nonce, aad, ciphertextAndTag, false);
  }

  @Override
  public byte[] cbcEncrypt(Encryption cbc, byte[] key, byte[] iv, byte[] plaintext) {
    return cbc(cbc, key, iv, plaintext, true);
  }

  @Override
  public byte[] cbcDecrypt(Encryption cbc, byte[] key, byte[] iv, byte[] ciphertext) {
    return cbc(cbc, key, iv, ciphertext, false);
  }

  @Override
  public byte[] hmac(Integrity integrity, byte[] key, byte[] data) {
    LibCrypto.ensureAvailable();
    NativeContexts contexts = new NativeContexts();
    try (Arena arena = Arena.ofConfined()) {
      contexts.openMac(integrity, key);
      long ctx = contexts.macContext();
      MemorySegment in = copyIn(arena, data, 0);
      MemorySegment out = arena.allocate(NativeContexts.DIGEST_SIZE);
      MemorySegment outLength = arena.allocate(Long.BYTES, Long.BYTES);
      check(
          LibCrypto.macUpdate(ctx, in.address(), data.length) == 1
              && LibCrypto.macFinal(
                      ctx, out.address(), outLength.address(), NativeContexts.DIGEST_SIZE)
                  == 1,
          "HMAC");
      return out.asSlice(0, integrity.keyLength()).toArray(JAVA_BYTE);
    } finally {
      contexts.run();
    }
  }

  private static byte[] aead(
      Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] input, boolean seal) {
    if (aead.kind() == Encryption.Kind.CBC) {
      throw new IllegalArgumentException(aead + " is not an AEAD");
    }
    int textLength = seal ? input.length : input.length - 16;
    if (textLength < 0) {
      return null;
    }
    LibCrypto.ensureAvailable();
    NativeContexts contexts = new NativeContexts();
    try (Arena arena = Arena.ofConfined()) {
      contexts.openCipher(aead, key, key.length, seal, nonce.length);
      long ctx = contexts.cipherContext();
      MemorySegment n = copyIn(arena, nonce, 0);
      MemorySegment a = copyIn(arena, aad, 0);
      MemorySegment data = copyIn(arena, input, seal ? 16 : 0);
      MemorySegment outLength = arena.allocate(Integer.BYTES, Integer.BYTES);
      MemorySegment finalOut = arena.allocate(64);
      long text = data.address();
      long tag = text + textLength;
      boolean ok =
          LibCrypto.cipherSetIv(ctx, n.address()) == 1
              && (seal || LibCrypto.cipherCtrl(ctx, LibCrypto.EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1)
              && LibCrypto.cipherUpdate(ctx, 0L, outLength.address(), a.address(), aad.length) == 1
              && LibCrypto.cipherUpdate(ctx, text, outLength.address(), text, textLength) == 1
              && LibCrypto.cipherFinal(ctx, finalOut.address(), outLength.address()) == 1
              && (!seal
                  || LibCrypto.cipherCtrl(ctx, LibCrypto.EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1);
      if (!ok) {
        if (seal) {
          check(false, aead + " seal");
        }
        // A tag that does not verify is an answer, not an error.
        LibCrypto.clearErrors();
        return null;
      }
      return data.asSlice(0, seal ? textLength + 16 : textLength).toArray(JAVA_BYTE);
    } finally {
      contexts.run();
    }
  }

  private static byte[] cbc(Encryption cbc, byte[] key, byte[] iv, byte[] input, boolean encrypt) {
    LibCrypto.ensureAvailable();
    NativeContexts contexts = new NativeContexts();
    try (Arena arena = Arena.ofConfined()) {
      contexts.openCipher(cbc, key, key.length, encrypt, 0);
      long ctx = contexts.cipherContext();
      MemorySegment ivCopy = copyIn(arena, iv, 0);
      MemorySegment data = copyIn(arena, input, 0);
      MemorySegment outLength = arena.allocate(Integer.BYTES, Integer.BYTES);
      MemorySegment finalOut = arena.allocate(64);
      long text = data.address();
      check(
          LibCrypto.cipherSetIv(ctx, ivCopy.address()) == 1
              && LibCrypto.cipherUpdate(ctx, text, outLength.address(), text, input.length) == 1
              && LibCrypto.cipherFinal(ctx, finalOut.address(), outLength.address()) == 1,
          cbc + (encrypt ? " encrypt" : " decrypt"));
      return data.asSlice(0, input.length).toArray(JAVA_BYTE);
    } finally {
      contexts.run();
    }
  }

  /** A native copy of {@code bytes} with {@code extra} zero bytes after it (never empty). */
  private static MemorySegment copyIn(Arena arena, byte[] bytes, int extra) {
    MemorySegment segment = arena.allocate(Math.max(1, bytes.length + extra));
    MemorySegment.copy(bytes, 0, segment, JAVA_BYTE, 0, bytes.length);
    return segment;
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException(what + " failed in libcrypto: " + LibCrypto.drainErrors());
    }
  }

  /** A key with distinct bytes, so no provider can refuse it as weak (3DES with K1 = K2). */
  private static byte[] probeKey(int length) {
    byte[] key = new byte[length];
    for (int i = 0; i < length; i++) {
      key[i] = (byte) (i * 37 + 1);
    }
    return key;
  }

  private static String probe() {
    if (!LibCrypto.isAvailable()) {
      return "libcrypto 3 did not load: " + LibCrypto.unavailabilityCause();
    }
    try {
      for (Encryption encryption : Encryption.values()) {
        NativeContexts contexts = new NativeContexts();
        try {
          contexts.openCipher(
              encryption,
              probeKey(encryption.keyLength()),
              encryption.keyLength(),
              true,
              NativeContexts.NONCE_LENGTH);
        } finally {
          contexts.run();
        }
      }
      for (Integrity integrity : Integrity.values()) {
        if (integrity != Integrity.NONE) {
          NativeContexts contexts = new NativeContexts();
          try {
            contexts.openMac(integrity, probeKey(integrity.keyLength()));
          } finally {
            contexts.run();
          }
        }
      }
      return null;
    } catch (RuntimeException e) {
      return "libcrypto " + LibCrypto.version() + " lacks an algorithm: " + e.getMessage();
    }
  }
}
