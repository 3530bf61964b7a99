package dev.vpngw.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Unpredictable IVs for CBC transforms (RFC 3602 2.3, RFC 2451 3), served from a block of
 * SecureRandom output that is refilled in bulk. A CBC IV must be unpredictable to an attacker who
 * sees earlier ciphertexts, so it cannot be a counter or the previous ciphertext block; asking the
 * SecureRandom per packet would cost a call (and on some providers a syscall and a small array) per
 * packet, so one {@value #BLOCK_SIZE}-byte draw serves hundreds of packets instead.
 *
 * <p>One instance per cipher: owned by one worker thread, not thread-safe. Bytes handed out are
 * zeroed in the pool so the same IV is never served twice even if a refill failed half way.
 */
public final class IvSource {
  /** Bytes drawn from the SecureRandom per refill. */
  public static final int BLOCK_SIZE = 4096;

  private final SecureRandom random;
  private final byte[] pool = new byte[BLOCK_SIZE];
  private int next = BLOCK_SIZE;

  /** An IV source over a new default SecureRandom (NativePRNG/DRBG on Linux). */
  public IvSource() {
    this(new SecureRandom());
  }

  /** An IV source over the given SecureRandom (tests may pass a seeded DRBG). */
  public IvSource(SecureRandom random) {
    this.random = random;
  }

  /** Writes {@code length} fresh random bytes into {@code dst} at {@code index}. */
  public void next(UnsafeBuffer dst, int index, int length) {
    if (length > BLOCK_SIZE) {
      throw new IllegalArgumentException("IV length " + length + " exceeds " + BLOCK_SIZE);
    }
    if (next + length > BLOCK_SIZE) {
      random.nextBytes(pool);
      next = 0;
    }
    dst.putBytes(index, pool, next, length);
    Arrays.fill(pool, next, next + length, (byte) 0);
    next += length;
  }
}
