package dev.vpngw.sa;

import java.util.Arrays;

/**
 * The inbound anti-replay window of one SA (RFC 4303 3.4.3), with the extended-sequence-number
 * inference of RFC 4303 Appendix A, kept as a ring of 64-bit words as in RFC 6479 so that moving
 * the window costs one cleared word per 64 sequence numbers advanced instead of a shift of the
 * whole bitmap.
 *
 * <p>The receive path uses it in two steps, in the order of strongSwan's {@code esp_packet.c}:
 *
 * <ol>
 *   <li>before any crypto, {@link #infer(int)} turns the 32 bits on the wire into the full sequence
 *       number and {@link #check(long)} rejects replays and packets left of the window cheaply;
 *   <li>only after the ICV verified, {@link #update(long)} records the number and may move the
 *       window. A forged packet with a huge sequence number therefore cannot drag the window away
 *       from legitimate traffic.
 * </ol>
 *
 * <p>Sequence numbers are unsigned 64-bit values held in longs (the whole ESN space is valid, so no
 * value can double as an error code; the verdict is a separate int). Without ESN the high half is
 * always zero.
 *
 * <p>The ring holds a power of two of words, at least one more than the window needs: the window [T
 * - W + 1, T] touches at most W/64 + 1 words, and the spare word is what lets whole words be
 * cleared as T advances (RFC 6479 2). Owned by one worker thread; not thread-safe.
 */
public final class ReplayWindow {
  /** Verdict of {@link #check(long)}: new sequence number, may be processed. */
  public static final int ACCEPT = 0;

  /** Verdict of {@link #check(long)}: inside the window and already received. */
  public static final int REPLAYED = 1;

  /**
   * Verdict of {@link #check(long)}: left of the window, or no valid sequence number at all (0, or
   * an ESN inference that falls outside the 64-bit space).
   */
  public static final int TOO_OLD = 2;

  private static final long LOW_MASK = 0xffff_ffffL;
  private static final int WORD_SHIFT = 6;
  private static final int BIT_MASK = 63;

  private final int size;
  private final boolean esn;
  private final long[] ring;
  private final int ringMask;
  private long top;

  /**
   * Creates a window before the first packet: right edge 0, nothing received.
   *
   * @param size the window in packets: 0 disables anti-replay (not allowed with ESN), else a power
   *     of two of at least 64
   * @param esn whether sequence numbers are 64-bit with only the low half sent
   */
  public ReplayWindow(int size, boolean esn) {
    this(size, esn, 0);
  }

  /**
   * Creates a window whose right edge starts at {@code highestReceived} (unsigned), as when an SA
   * is taken over from a peer gateway or starts further into the sequence space. Every number at or
   * below that edge counts as already received: which of them really arrived is unknown, and
   * dropping a late packet is better than accepting a replay.
   *
   * @param size the window in packets: 0 disables anti-replay (not allowed with ESN), else a power
   *     of two of at least 64
   * @param esn whether sequence numbers are 64-bit with only the low half sent
   * @param highestReceived the right edge to start from (below 2^32 without ESN)
   */
  public ReplayWindow(int size, boolean esn, long highestReceived) {
    if (size < 0 || (size != 0 && (size < 64 || Integer.bitCount(size) != 1))) {
      throw new IllegalArgumentException(
          "replay window " + size + " must be 0 or a power of two >= 64");
    }
    if (esn && size == 0) {
      throw new IllegalArgumentException("ESN needs an anti-replay window to infer the high bits");
    }
    if (!esn && Long.compareUnsigned(highestReceived, LOW_MASK) > 0) {
      throw new IllegalArgumentException(
          "right edge " + Long.toUnsignedString(highestReceived) + " exceeds 32 bits without ESN");
    }
    this.size = size;
    this.esn = esn;
    // Twice the window's words: the smallest power of two that also holds RFC 6479's spare word,
    // so a slot is one mask away.
    int words = size == 0 ? 1 : Integer.highestOneBit(size >>> WORD_SHIFT) << 1;
    this.ring = new long[words];
    this.ringMask = words - 1;
    this.top = highestReceived;
    // All seen up to the edge; bits above it in the edge's own word stay clear for what comes.
    Arrays.fill(ring, -1L);
    ring[(int) ((top >>> WORD_SHIFT) & ringMask)] = -1L >>> (BIT_MASK - (top & BIT_MASK));
  }

  /** The window in packets; 0 when anti-replay is disabled. */
  public int size() {
    return size;
  }

  /** Whether the window infers 64-bit sequence numbers. */
  public boolean esn() {
    return esn;
  }

  /** The highest authenticated sequence number so far (unsigned), 0 before the first. */
  public long highestSequence() {
    return top;
  }

  /**
   * Reconstructs the full sequence number from the 32 bits on the wire (RFC 4303 Appendix A.2.2):
   * the high half is the one that puts the number in or right of the window, assuming the sender is
   * at most 2^32 - W packets ahead. Without ESN the high half is zero.
   *
   * <p>A wrong guess only makes the ICV fail, since the high half takes part in the ICV. Returns 0
   * (never a valid number; {@link #check(long)} says {@link #TOO_OLD}) when the guess would leave
   * the 64-bit space: a number just below the window before the high half ever advanced, or a wrap
   * past 2^64 - 1.
   */
  public long infer(int sequenceLow) {
    long low = sequenceLow & LOW_MASK;
    if (!esn) {
      return low;
    }
    long topLow = top & LOW_MASK;
    long topHigh = top >>> 32;
    long high;
    if (topLow >= size - 1) {
      // Case A: the window lies within one 2^32 subspace; below its left edge means "next one".
      high = low >= topLow - size + 1 ? topHigh : topHigh + 1;
    } else {
      // Case B: the window straddles a subspace boundary; its left part belongs to the previous.
      long leftEdge = (topLow - size + 1) & LOW_MASK;
      high = low >= leftEdge ? topHigh - 1 : topHigh;
    }
    if (high < 0 || high > LOW_MASK) {
      return 0;
    }
    return (high << 32) | low;
  }

  /**
   * The cheap pre-decryption verdict for a full sequence number: {@link #ACCEPT}, {@link #REPLAYED}
   * or {@link #TOO_OLD}. Changes nothing. With the window disabled every number is accepted, 0
   * included (RFC 4303 3.3.3 lets such a sender wrap).
   */
  public int check(long seq) {
    if (size == 0) {
      return ACCEPT;
    }
    if (seq == 0) {
      return TOO_OLD;
    }
    if (Long.compareUnsigned(seq, top) > 0) {
      return ACCEPT;
    }
    long behind = top - seq;
    if (Long.compareUnsigned(behind, size) >= 0) {
      return TOO_OLD;
    }
    long word = ring[(int) ((seq >>> WORD_SHIFT) & ringMask)];
    return (word & (1L << (seq & BIT_MASK))) != 0 ? REPLAYED : ACCEPT;
  }

  /**
   * Records a sequence number whose packet authenticated, moving the right edge if it is new. Words
   * that slide into view are cleared one by one, or all at once when the jump is at least a ring's
   * worth. A number left of the window (the caller skipped {@link #check(long)}) changes nothing.
   */
  public void update(long seq) {
    if (size == 0) {
      if (Long.compareUnsigned(seq, top) > 0) {
        top = seq;
      }
      return;
    }
    if (Long.compareUnsigned(seq, top) > 0) {
      long fromWord = top >>> WORD_SHIFT;
      long toWord = seq >>> WORD_SHIFT;
      if (toWord - fromWord >= ring.length) {
        Arrays.fill(ring, 0L);
      } else {
        for (long w = fromWord + 1; w <= toWord; w++) {
          ring[(int) (w & ringMask)] = 0L;
        }
      }
      top = seq;
    } else if (Long.compareUnsigned(top - seq, size) >= 0) {
      return;
    }
    ring[(int) ((seq >>> WORD_SHIFT) & ringMask)] |= 1L << (seq & BIT_MASK);
  }
}
