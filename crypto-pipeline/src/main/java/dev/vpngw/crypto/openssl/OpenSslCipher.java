package dev.vpngw.crypto.openssl;

import dev.vpngw.crypto.AbstractEspCipher;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.io.libcrypto.LibCrypto;
import java.lang.ref.Cleaner;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What every OpenSSL ESP cipher shares: its native contexts and their scratch area, and their
 * release on {@link #close()} or, as a safety net for a cipher dropped unclosed, by a {@link
 * Cleaner}. The checks inherited from {@link AbstractEspCipher} matter more here than for the JDK:
 * they turn misuse (a closed cipher, the wrong direction, a packet outside its buffer on seal) into
 * an exception instead of a write to freed or foreign native memory.
 *
 * <p>Subclasses end every method that passes a context to libcrypto with {@code
 * Reference.reachabilityFence(this)}: without it the JIT may consider the cipher unreachable once
 * it has loaded the context address, and the Cleaner could free the context mid-call.
 */
abstract class OpenSslCipher extends AbstractEspCipher {
  private static final Cleaner CLEANER = Cleaner.create();

  final NativeContexts contexts;

  /** The contexts' scratch area, for reading and writing from Java. */
  final UnsafeBuffer scratch;

  /** The scratch area's native address, for passing to libcrypto. */
  final long scratchAddress;

  private final Cleaner.Cleanable cleanable;

  /**
   * Keys the native contexts for the suite and takes ownership of them; if keying fails, nothing is
   * left allocated.
   *
   * @param integrityKey the HMAC key for CBC; ignored (and may be null) for combined transforms
   */
  OpenSslCipher(EspSuite suite, byte[] encryptionKey, byte[] integrityKey, boolean outbound) {
    super(suite, outbound);
    this.contexts = NativeContexts.keyed(suite, encryptionKey, integrityKey, outbound);
    this.scratch = contexts.scratch;
    this.scratchAddress = contexts.scratchAddress;
    this.cleanable = CLEANER.register(this, contexts);
  }

  @Override
  protected final void release() {
    cleanable.clean();
  }

  /** A seal step failed inside libcrypto: not a property of the packet, so an exception. */
  final IllegalStateException sealFailed() {
    return new IllegalStateException(
        suite() + " seal failed in libcrypto: " + LibCrypto.drainErrors());
  }
}
