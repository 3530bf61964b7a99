package dev.vpngw.io.libcrypto;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The Panama binding to OpenSSL 3 libcrypto ({@code libcrypto.so.3}): the EVP cipher and EVP_MAC
 * calls an ESP engine needs, each looked up once and wrapped once, Netty-epoll style. Whether the
 * library loaded is probed once; check {@link #isAvailable()} before any other call and report
 * {@link #unavailabilityCause()} otherwise.
 *
 * <p>Two kinds of call. Setup calls (fetching an algorithm, creating, keying and freeing a context)
 * throw a {@link LibCryptoException} naming the call and OpenSSL's error queue. Per-packet calls
 * ({@link #cipherSetIv}, {@link #cipherUpdate}, {@link #cipherFinal}, {@link #cipherCtrl}, {@link
 * #macReinit}, {@link #macUpdate}, {@link #macFinal}, {@link #memcmp}) return OpenSSL's status (1
 * for success) and allocate nothing: their pointer parameters are raw addresses passed as {@code
 * long} (the x86_64 and aarch64 Linux ABIs pass pointers and 64-bit integers alike, so no {@link
 * MemorySegment} has to be made per call), and they are linked as critical calls without heap
 * access, which skips the thread-state transition a normal downcall pays; each runs for well under
 * a microsecond on a packet, so holding off a safepoint that long is harmless.
 *
 * <p>Callers own the memory behind every address they pass and must keep it alive for the call.
 */
public final class LibCrypto {
  /** {@code EVP_CTRL_AEAD_SET_IVLEN}: the nonce length of an AEAD context. */
  public static final int EVP_CTRL_AEAD_SET_IVLEN = 0x9;

  /** {@code EVP_CTRL_AEAD_GET_TAG}: read the tag after an encrypting final. */
  public static final int EVP_CTRL_AEAD_GET_TAG = 0x10;

  /** {@code EVP_CTRL_AEAD_SET_TAG}: the expected tag, before a decrypting final. */
  public static final int EVP_CTRL_AEAD_SET_TAG = 0x11;

  /** The {@code enc} argument of {@code EVP_CipherInit_ex} for encryption. */
  public static final int ENCRYPT = 1;

  /** The {@code enc} argument of {@code EVP_CipherInit_ex} for decryption. */
  public static final int DECRYPT = 0;

  /** The {@code enc} argument of {@code EVP_CipherInit_ex} that keeps the current direction. */
  public static final int KEEP_DIRECTION = -1;

  /** The library loaded unless {@code -Dvpngw.libcrypto=...} names another. */
  public static final String DEFAULT_LIBRARY = "libcrypto.so.3";

  private static final long MIN_VERSION = 0x3000_0000L;

  /** {@code OSSL_PARAM_UTF8_STRING}. */
  private static final int OSSL_PARAM_UTF8_STRING = 4;

  /** {@code sizeof(OSSL_PARAM)} on LP64: key, data_type (padded), data, data_size, return_size. */
  private static final int OSSL_PARAM_SIZE = 40;

  private static final Throwable UNAVAILABILITY_CAUSE = probe();

  private LibCrypto() {}

  /** Whether libcrypto 3 loaded and every symbol bound (probed once). */
  public static boolean isAvailable() {
    return UNAVAILABILITY_CAUSE == null;
  }

  /** Why libcrypto is unusable, or null when it is available. */
  public static Throwable unavailabilityCause() {
    return UNAVAILABILITY_CAUSE;
  }

  /** Throws, with the cause, unless libcrypto is available. */
  public static void ensureAvailable() {
    if (UNAVAILABILITY_CAUSE != null) {
      throw new IllegalStateException(
          "OpenSSL libcrypto 3 is unavailable: " + UNAVAILABILITY_CAUSE, UNAVAILABILITY_CAUSE);
    }
  }

  /** {@code OpenSSL_version(OPENSSL_VERSION)}, as in "OpenSSL 3.0.19 27 Jan 2026". */
  public static String version() {
    try {
      long text = (long) Handles.OPENSSL_VERSION.invokeExact(0);
      return MemorySegment.ofAddress(text).reinterpret(256).getString(0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Setup: fetch, create, key, free. These throw LibCryptoException.

  /**
   * {@code EVP_CIPHER_fetch(NULL, name, NULL)}: the implementation of a cipher from the default
   * provider, as in "AES-128-GCM". Free it with {@link #freeCipher} (a context keyed with it keeps
   * its own reference).
   */
  public static long fetchCipher(String name) {
    try (Arena arena = Arena.ofConfined()) {
      clearErrors();
      long cipher = (long) Handles.EVP_CIPHER_FETCH.invokeExact(0L, cString(arena, name), 0L);
      if (cipher == 0) {
        throw new LibCryptoException("EVP_CIPHER_fetch(\"" + name + "\")", drainErrors());
      }
      return cipher;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_CIPHER_free}; a null cipher is ignored. */
  public static void freeCipher(long cipher) {
    try {
      Handles.EVP_CIPHER_FREE.invokeExact(cipher);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_CIPHER_get_key_length}: key length in bytes. */
  public static int cipherKeyLength(long cipher) {
    try {
      return (int) Handles.EVP_CIPHER_GET_KEY_LENGTH.invokeExact(cipher);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_CIPHER_get_block_size}: block size in bytes (1 for stream and counter modes). */
  public static int cipherBlockSize(long cipher) {
    try {
      return (int) Handles.EVP_CIPHER_GET_BLOCK_SIZE.invokeExact(cipher);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_CIPHER_CTX_new}. Free it with {@link #freeCipherContext}. */
  public static long newCipherContext() {
    try {
      clearErrors();
      long ctx = (long) Handles.EVP_CIPHER_CTX_NEW.invokeExact();
      if (ctx == 0) {
        throw new LibCryptoException("EVP_CIPHER_CTX_new", drainErrors());
      }
      return ctx;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_CIPHER_CTX_free}, which also cleanses the key schedule; null is ignored. */
  public static void freeCipherContext(long ctx) {
    try {
      Handles.EVP_CIPHER_CTX_FREE.invokeExact(ctx);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, enc)} at setup: any of {@code cipher},
   * {@code key} and {@code iv} may be 0 to leave it as it is.
   *
   * @param enc {@link #ENCRYPT}, {@link #DECRYPT} or {@link #KEEP_DIRECTION}
   */
  public static void cipherInit(long ctx, long cipher, long key, long iv, int enc) {
    try {
      clearErrors();
      int ok = (int) Handles.EVP_CIPHER_INIT_EX.invokeExact(ctx, cipher, 0L, key, iv, enc);
      if (ok != 1) {
        throw new LibCryptoException("EVP_CipherInit_ex", drainErrors());
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_CTRL_AEAD_SET_IVLEN} at setup, before the first IV is set. */
  public static void cipherSetIvLength(long ctx, int ivLength) {
    clearErrors();
    if (cipherCtrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, ivLength, 0L) != 1) {
      throw new LibCryptoException(
          "EVP_CIPHER_CTX_ctrl(EVP_CTRL_AEAD_SET_IVLEN, " + ivLength + ")", drainErrors());
    }
  }

  /** {@code EVP_CIPHER_CTX_set_padding}; ESP pads by itself, so its CBC contexts turn this off. */
  public static void cipherSetPadding(long ctx, boolean padding) {
    try {
      clearErrors();
      int ok = (int) Handles.EVP_CIPHER_CTX_SET_PADDING.invokeExact(ctx, padding ? 1 : 0);
      if (ok != 1) {
        throw new LibCryptoException("EVP_CIPHER_CTX_set_padding", drainErrors());
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_MAC_fetch(NULL, name, NULL)}, as in "HMAC". Free it with {@link #freeMac}. */
  public static long fetchMac(String name) {
    try (Arena arena = Arena.ofConfined()) {
      clearErrors();
      long mac = (long) Handles.EVP_MAC_FETCH.invokeExact(0L, cString(arena, name), 0L);
      if (mac == 0) {
        throw new LibCryptoException("EVP_MAC_fetch(\"" + name + "\")", drainErrors());
      }
      return mac;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_MAC_free}; null is ignored. */
  public static void freeMac(long mac) {
    try {
      Handles.EVP_MAC_FREE.invokeExact(mac);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_MAC_CTX_new(mac)}; the context keeps its own reference to {@code mac}. */
  public static long newMacContext(long mac) {
    try {
      clearErrors();
      long ctx = (long) Handles.EVP_MAC_CTX_NEW.invokeExact(mac);
      if (ctx == 0) {
        throw new LibCryptoException("EVP_MAC_CTX_new", drainErrors());
      }
      return ctx;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_MAC_CTX_free}, which also cleanses the key; null is ignored. */
  public static void freeMacContext(long ctx) {
    try {
      Handles.EVP_MAC_CTX_FREE.invokeExact(ctx);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code EVP_MAC_init(ctx, key, keyLength, {digest = digestName})} at setup: keys an HMAC context
   * with the digest, as in "SHA256". Later packets call {@link #macReinit}, which keeps both.
   */
  public static void macInit(long ctx, long key, long keyLength, String digestName) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment params = arena.allocate(2L * OSSL_PARAM_SIZE, 8);
      MemorySegment digest = arena.allocateFrom(digestName);
      params.set(JAVA_LONG, 0, cString(arena, "digest"));
      params.set(JAVA_INT, 8, OSSL_PARAM_UTF8_STRING);
      params.set(JAVA_LONG, 16, digest.address());
      params.set(JAVA_LONG, 24, digestName.length());
      params.set(JAVA_LONG, 32, -1L); // OSSL_PARAM_UNMODIFIED
      // The second element stays zeroed: OSSL_PARAM_END.
      clearErrors();
      int ok = (int) Handles.EVP_MAC_INIT.invokeExact(ctx, key, keyLength, params.address());
      if (ok != 1) {
        throw new LibCryptoException("EVP_MAC_init(digest=" + digestName + ")", drainErrors());
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_MAC_CTX_get_mac_size}: the full MAC length in bytes. */
  public static long macSize(long ctx) {
    try {
      return (long) Handles.EVP_MAC_CTX_GET_MAC_SIZE.invokeExact(ctx);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Per packet: no allocation, no exceptions; the return value is OpenSSL's (1 = success).

  /**
   * {@code EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, -1)}: sets a keyed context's IV for the
   * next message, keeping key and direction, and resets AEAD state.
   */
  public static int cipherSetIv(long ctx, long iv) {
    try {
      return (int)
          Handles.EVP_CIPHER_INIT_EX_CRITICAL.invokeExact(ctx, 0L, 0L, 0L, iv, KEEP_DIRECTION);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code EVP_CipherUpdate(ctx, out, outLength, in, inLength)}. With {@code out} 0 on an AEAD
   * context the input is AAD. {@code out} may equal {@code in} (in place) but must not otherwise
   * overlap it. {@code outLength} points to an int OpenSSL writes.
   */
  public static int cipherUpdate(long ctx, long out, long outLength, long in, int inLength) {
    try {
      return (int) Handles.EVP_CIPHER_UPDATE.invokeExact(ctx, out, outLength, in, inLength);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code EVP_CipherFinal_ex(ctx, out, outLength)}. For a decrypting AEAD context, 1 means the tag
   * set with {@link #EVP_CTRL_AEAD_SET_TAG} verified; anything else means it did not.
   */
  public static int cipherFinal(long ctx, long out, long outLength) {
    try {
      return (int) Handles.EVP_CIPHER_FINAL_EX.invokeExact(ctx, out, outLength);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_CIPHER_CTX_ctrl(ctx, type, arg, ptr)}, as in reading or setting the AEAD tag. */
  public static int cipherCtrl(long ctx, int type, int arg, long ptr) {
    try {
      return (int) Handles.EVP_CIPHER_CTX_CTRL.invokeExact(ctx, type, arg, ptr);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code EVP_MAC_init(ctx, NULL, 0, NULL)}: restarts a keyed HMAC context for the next message
   * without re-keying (OpenSSL restores the precomputed inner and outer pads).
   */
  public static int macReinit(long ctx) {
    try {
      return (int) Handles.EVP_MAC_INIT_CRITICAL.invokeExact(ctx, 0L, 0L, 0L);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code EVP_MAC_update(ctx, data, length)}. */
  public static int macUpdate(long ctx, long data, long length) {
    try {
      return (int) Handles.EVP_MAC_UPDATE.invokeExact(ctx, data, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code EVP_MAC_final(ctx, out, outLength, outSize)}: writes the full MAC to {@code out}, which
   * must hold {@code outSize} bytes, and its length to the size_t at {@code outLength}.
   */
  public static int macFinal(long ctx, long out, long outLength, long outSize) {
    try {
      return (int) Handles.EVP_MAC_FINAL.invokeExact(ctx, out, outLength, outSize);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code CRYPTO_memcmp(a, b, length)}: 0 when equal, in time that does not depend on where the
   * first difference is.
   */
  public static int memcmp(long a, long b, long length) {
    try {
      return (int) Handles.CRYPTO_MEMCMP.invokeExact(a, b, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code RAND_bytes(buf, length)}: cryptographically strong random bytes from OpenSSL's
   * per-thread DRBG. Meant for refilling a pool of CBC IVs in bulk; not linked as a critical call,
   * since a reseed may enter the kernel.
   */
  public static int randBytes(long buf, int length) {
    try {
      return (int) Handles.RAND_BYTES.invokeExact(buf, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Errors

  /** Empties this thread's OpenSSL error queue, so the next failure reports only its own errors. */
  public static void clearErrors() {
    try {
      Handles.ERR_CLEAR_ERROR.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** Empties this thread's OpenSSL error queue and returns its entries as text ("" if none). */
  public static String drainErrors() {
    StringBuilder sb = new StringBuilder();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment text = arena.allocate(256);
      for (int i = 0; i < 16; i++) {
        long code = (long) Handles.ERR_GET_ERROR.invokeExact();
        if (code == 0) {
          break;
        }
        Handles.ERR_ERROR_STRING_N.invokeExact(code, text.address(), text.byteSize());
        if (!sb.isEmpty()) {
          sb.append("; ");
        }
        sb.append(text.getString(0));
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return sb.toString();
  }

  private static long cString(Arena arena, String s) {
    return arena.allocateFrom(s).address();
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException("libcrypto call failed", t);
  }

  private static Throwable probe() {
    try {
      if (ADDRESS.byteSize() != Long.BYTES) {
        return new UnsupportedOperationException(
            "pointers are passed as longs; this platform has " + ADDRESS.byteSize() + "-byte ones");
      }
      long version = (long) Handles.OPENSSL_VERSION_NUM.invokeExact();
      if (Long.compareUnsigned(version, MIN_VERSION) < 0) {
        return new UnsupportedOperationException(
            "libcrypto " + Long.toHexString(version) + " is older than OpenSSL 3.0");
      }
      return null;
    } catch (Throwable t) {
      // ExceptionInInitializerError / NoClassDefFoundError from Handles: report the root cause.
      Throwable cause = t;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      return cause;
    }
  }

  /**
   * The downcall handles, bound when this class is first touched (by {@link #probe()}). A separate
   * holder so that a missing library fails that one initialisation, which the probe reports,
   * instead of {@link LibCrypto} itself; static finals so the JIT inlines the calls.
   */
  private static final class Handles {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB =
        SymbolLookup.libraryLookup(
            System.getProperty("vpngw.libcrypto", DEFAULT_LIBRARY), Arena.global());
    private static final Linker.Option[] CRITICAL = {Linker.Option.critical(false)};
    private static final Linker.Option[] NORMAL = {};

    static final MethodHandle OPENSSL_VERSION_NUM =
        bind("OpenSSL_version_num", FunctionDescriptor.of(JAVA_LONG), NORMAL);
    static final MethodHandle OPENSSL_VERSION =
        bind("OpenSSL_version", FunctionDescriptor.of(JAVA_LONG, JAVA_INT), NORMAL);
    static final MethodHandle EVP_CIPHER_FETCH =
        bind(
            "EVP_CIPHER_fetch",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            NORMAL);
    static final MethodHandle EVP_CIPHER_FREE =
        bind("EVP_CIPHER_free", FunctionDescriptor.ofVoid(JAVA_LONG), NORMAL);
    static final MethodHandle EVP_CIPHER_GET_KEY_LENGTH =
        bind("EVP_CIPHER_get_key_length", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), NORMAL);
    static final MethodHandle EVP_CIPHER_GET_BLOCK_SIZE =
        bind("EVP_CIPHER_get_block_size", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), NORMAL);
    static final MethodHandle EVP_CIPHER_CTX_NEW =
        bind("EVP_CIPHER_CTX_new", FunctionDescriptor.of(JAVA_LONG), NORMAL);
    static final MethodHandle EVP_CIPHER_CTX_FREE =
        bind("EVP_CIPHER_CTX_free", FunctionDescriptor.ofVoid(JAVA_LONG), NORMAL);
    static final MethodHandle EVP_CIPHER_CTX_SET_PADDING =
        bind(
            "EVP_CIPHER_CTX_set_padding",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT),
            NORMAL);
    private static final FunctionDescriptor CIPHER_INIT_EX =
        FunctionDescriptor.of(
            JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT);
    static final MethodHandle EVP_CIPHER_INIT_EX =
        bind("EVP_CipherInit_ex", CIPHER_INIT_EX, NORMAL);
    static final MethodHandle EVP_CIPHER_INIT_EX_CRITICAL =
        bind("EVP_CipherInit_ex", CIPHER_INIT_EX, CRITICAL);
    static final MethodHandle EVP_CIPHER_UPDATE =
        bind(
            "EVP_CipherUpdate",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT),
            CRITICAL);
    static final MethodHandle EVP_CIPHER_FINAL_EX =
        bind(
            "EVP_CipherFinal_ex",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            CRITICAL);
    static final MethodHandle EVP_CIPHER_CTX_CTRL =
        bind(
            "EVP_CIPHER_CTX_ctrl",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG),
            CRITICAL);
    static final MethodHandle EVP_MAC_FETCH =
        bind(
            "EVP_MAC_fetch",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            NORMAL);
    static final MethodHandle EVP_MAC_FREE =
        bind("EVP_MAC_free", FunctionDescriptor.ofVoid(JAVA_LONG), NORMAL);
    static final MethodHandle EVP_MAC_CTX_NEW =
        bind("EVP_MAC_CTX_new", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), NORMAL);
    static final MethodHandle EVP_MAC_CTX_FREE =
        bind("EVP_MAC_CTX_free", FunctionDescriptor.ofVoid(JAVA_LONG), NORMAL);
    static final MethodHandle EVP_MAC_CTX_GET_MAC_SIZE =
        bind("EVP_MAC_CTX_get_mac_size", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), NORMAL);
    private static final FunctionDescriptor MAC_INIT =
        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    static final MethodHandle EVP_MAC_INIT = bind("EVP_MAC_init", MAC_INIT, NORMAL);
    static final MethodHandle EVP_MAC_INIT_CRITICAL = bind("EVP_MAC_init", MAC_INIT, CRITICAL);
    static final MethodHandle EVP_MAC_UPDATE =
        bind(
            "EVP_MAC_update",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            CRITICAL);
    static final MethodHandle EVP_MAC_FINAL =
        bind(
            "EVP_MAC_final",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            CRITICAL);
    static final MethodHandle CRYPTO_MEMCMP =
        bind(
            "CRYPTO_memcmp",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            CRITICAL);
    static final MethodHandle RAND_BYTES =
        bind("RAND_bytes", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT), NORMAL);
    static final MethodHandle ERR_GET_ERROR =
        bind("ERR_get_error", FunctionDescriptor.of(JAVA_LONG), NORMAL);
    static final MethodHandle ERR_ERROR_STRING_N =
        bind(
            "ERR_error_string_n",
            FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG),
            NORMAL);
    static final MethodHandle ERR_CLEAR_ERROR =
        bind("ERR_clear_error", FunctionDescriptor.ofVoid(), NORMAL);

    private Handles() {}

    private static MethodHandle bind(
        String name, FunctionDescriptor descriptor, Linker.Option[] options) {
      MemorySegment symbol =
          LIB.find(name)
              .orElseThrow(() -> new UnsatisfiedLinkError("libcrypto has no symbol " + name));
      return LINKER.downcallHandle(symbol, descriptor, options);
    }
  }
}
