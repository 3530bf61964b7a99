package dev.vpngw.crypto.jdk;

import java.util.Arrays;

/**
 * A cipher's two reusable heap arrays that packets are copied through. They grow (rarely: to the
 * largest packet seen, rounded up to a power of two) and are never shrunk, so the steady state
 * allocates nothing; they hold plaintext, so closing a cipher wipes them.
 */
final class Scratch {
  private static final int INITIAL = 2048;

  private byte[] in = new byte[INITIAL];
  private byte[] out = new byte[INITIAL];

  /** The input array, at least {@code length} bytes long. */
  byte[] in(int length) {
    if (in.length < length) {
      in = new byte[grow(length)];
    }
    return in;
  }

  /** The output array, at least {@code length} bytes long. */
  byte[] out(int length) {
    if (out.length < length) {
      out = new byte[grow(length)];
    }
    return out;
  }

  /** Zeroes both arrays. */
  void wipe() {
    Arrays.fill(in, (byte) 0);
    Arrays.fill(out, (byte) 0);
  }

  private static int grow(int length) {
    return length > 1 << 30 ? length : Math.max(INITIAL, Integer.highestOneBit(length - 1) << 1);
  }
}
