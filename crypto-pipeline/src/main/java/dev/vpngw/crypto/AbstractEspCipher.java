package dev.vpngw.crypto;

/**
 * What every engine's {@link EspCipher} shares: its suite, its direction, an idempotent {@link
 * #close()} that releases the engine's resources once, and the checks every packet passes first,
 * which turn misuse (a closed cipher, the wrong direction, a packet declared outside its buffer)
 * into an exception or a refusal instead of work on wiped keys or foreign memory. The checks are
 * final or static, so the per-packet path pays no more dispatch than when each cipher held its own
 * copy.
 */
public abstract class AbstractEspCipher implements EspCipher {
  /** SPI and the low half of the sequence number precede the IV (RFC 4303 2). */
  protected static final int ESP_HEADER_LENGTH = 8;

  private final EspSuite suite;
  private final boolean outbound;
  private boolean closed;

  /**
   * Creates a cipher for one SA in one direction.
   *
   * @param outbound true for a cipher that only seals, false for one that only opens
   */
  protected AbstractEspCipher(EspSuite suite, boolean outbound) {
    this.suite = suite;
    this.outbound = outbound;
  }

  @Override
  public final EspSuite suite() {
    return suite;
  }

  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      release();
    }
  }

  /** Frees native contexts and wipes key and text copies; called once, by the first close. */
  protected abstract void release();

  /** Throws unless this cipher is open and was created for this direction. */
  protected final void checkUsable(boolean sealing) {
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

  /** Whether a packet's declared layout lies inside the buffer at all. */
  protected static boolean fits(
      int capacity, int espOffset, int ivLength, int textLength, int icvLength) {
    return espOffset >= 0
        && textLength >= 0
        && (long) espOffset + ESP_HEADER_LENGTH + ivLength + textLength + icvLength <= capacity;
  }

  /** Whether a CBC text is a whole, non-zero number of cipher blocks (ESP pads it to one). */
  protected static boolean wholeBlocks(int textLength, int blockSize) {
    return textLength > 0 && textLength % blockSize == 0;
  }

  /** For CBC seal: unpadded text is the caller's bug, not a property of a packet. */
  protected final void checkWholeBlocks(int textLength, int blockSize) {
    if (!wholeBlocks(textLength, blockSize)) {
      throw new IllegalArgumentException(
          suite + " needs text padded to a multiple of " + blockSize + ", got " + textLength);
    }
  }

  /** For seal: native code must never write outside the buffer, whatever the caller passed. */
  protected final void checkFits(
      int capacity, int espOffset, int ivLength, int textLength, int icvLength) {
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
}
