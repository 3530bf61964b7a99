package dev.vpngw.crypto.openssl;

import dev.vpngw.crypto.EspCipher;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.io.libcrypto.LibCrypto;
import java.lang.ref.Cleaner;

/**
 * What every OpenSSL ESP cipher shares: its native contexts, their release on {@link #close()} or,
 * as a safety net for a cipher dropped unclosed, by a {@link Cleaner}, and the checks that turn
 * misuse (a closed cipher, the wrong direction, a packet outside its buffer on seal) into an
 * exception instead of a write to freed or foreign native memory.
 *
 * <p>Subclasses end every method that passes a context to libcrypto with {@code
 * Reference.reachabilityFence(this)}: without it the JIT may consider the cipher unreachable once
 * it has loaded the context address, and the Cleaner could free the context mid-call.
 */
abstract class OpenSslCipher implements EspCipher {
  /** SPI and the low half of the sequence number precede the IV. */
  static final int ESP_HEADER_LENGTH = 8;

  private static final Cleaner CLEANER = Cleaner.create();

  final EspSuite suite;
  final NativeContexts contexts;
  private final boolean outbound;
  private final Cleaner.Cleanable cleanable;
  private boolean closed;

  /**
   * Takes ownership of {@code contexts}, already keyed; the caller frees them itself if this
   * constructor is never reached.
   */
  OpenSslCipher(EspSuite suite, NativeContexts contexts, boolean outbound) {
    this.suite = suite;
    this.contexts = contexts;
    this.outbound = outbound;
    this.cleanable = CLEANER.register(this, contexts);
  }

  @Override
  public final EspSuite suite() {
    return suite;
  }

  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      cleanable.clean();
    }
  }

  /** Throws unless this cipher is open and was created for this direction. */
  final void checkUsable(boolean sealing) {
    if (closed) {
      throw new IllegalStateException(suite + " cipher is closed");
    }
    if (sealing != outbound) {
      throw new IllegalStateException(
          suite
              + " cipher was created "
              + (outbound ? "outbound (seal only)" : "inbound (open only)"));
    }
  }

  /** Whether the packet's declared layout lies inside the buffer. */
  static boolean fits(int capacity, int espOffset, int ivLength, int textLength, int icvLength) {
    return espOffset >= 0
        && textLength >= 0
        && (long) espOffset + ESP_HEADER_LENGTH + ivLength + textLength + icvLength <= capacity;
  }

  /** For seal: native code must never write outside the buffer, whatever the caller passed. */
  final void checkFits(int capacity, int espOffset, int ivLength, int textLength, int icvLength) {
    if (!fits(capacity, espOffset, ivLength, textLength, icvLength)) {
      throw new IndexOutOfBoundsException(
          suite
              + " packet at "
              + espOffset
              + " with "
              + textLength
              + " bytes of text does not fit a "
              + capacity
              + "-byte buffer");
    }
  }

  /** A seal step failed inside libcrypto: not a property of the packet, so an exception. */
  final IllegalStateException sealFailed() {
    return new IllegalStateException(
        suite + " seal failed in libcrypto: " + LibCrypto.drainErrors());
  }
}
