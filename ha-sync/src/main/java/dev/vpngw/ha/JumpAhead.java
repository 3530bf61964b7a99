package dev.vpngw.ha;

/**
 * Sequence-number jump-ahead for one outbound SA on the active node: pure logic, owned by the one
 * thread that numbers the SA's packets (no lock).
 *
 * <p>The active never sends a sequence number that the standby could not skip past. It keeps three
 * numbers: {@code next}, the next sequence number to send; {@code written}, the highest mark it has
 * journaled ("this SA may use sequence numbers up to here"); {@code safe}, the highest mark the
 * standby is known to hold (acknowledged, or written after the peer was declared failed while no
 * replication session is open: a peer that comes back trusts its journal only from a new snapshot,
 * which holds the mark). Then:
 *
 * <ul>
 *   <li>when {@code next > written - W/2}, {@link #markDue()} asks for a new mark {@code next - 1 +
 *       W}; with W worth about a second of line rate, the mark is journaled and acknowledged half a
 *       window before the counter gets there;
 *   <li>a packet may be sent only while {@code next <= safe} ({@link #maySend()}); otherwise the
 *       sender holds the packet until the acknowledgement arrives (at line rate this happens only
 *       when the standby lags by more than half a window);
 *   <li>after a takeover, the new active starts the SA at its last replicated mark + 1 ({@link
 *       #afterTakeover}).
 * </ul>
 *
 * <p>Why no (SPI, sequence number) repeats: every number the old active sent is at most its safe
 * mark; its safe mark is at most the last mark the standby applied (a mark a live standby has not
 * acknowledged is never safe); the new active starts above that. And since it starts above
 * everything sent, the peer's replay window (which only moves forward) accepts it.
 */
public final class JumpAhead {
  /** Default window: 2^20 packets, about a second of 10 Gbit/s at 1400-byte packets. */
  public static final long DEFAULT_WINDOW = 1L << 20;

  /** The highest ESP sequence number without extended sequence numbers. */
  public static final long MAX_SEQ_32 = 0xFFFF_FFFFL;

  private final long window;
  private final long limit;
  private long next;
  private long written;
  private long safe;

  /**
   * A new SA (or a takeover) whose first packet will carry sequence number FIRST.
   *
   * @param window W, at least 2
   * @param limit the highest sequence number the SA may ever carry ({@link #MAX_SEQ_32} without
   *     ESN)
   */
  public JumpAhead(long window, long first, long limit) {
    if (window < 2) {
      throw new IllegalArgumentException("jump-ahead window must be at least 2, is " + window);
    }
    if (first < 1 || first > limit) {
      throw new IllegalArgumentException("first sequence number " + first + " not in 1.." + limit);
    }
    this.window = window;
    this.limit = limit;
    this.next = first;
    this.written = first - 1;
    this.safe = first - 1;
  }

  /** The SA on a node that took over: it starts right after the last replicated MARK. */
  public static JumpAhead afterTakeover(long window, long mark, long limit) {
    return new JumpAhead(window, mark + 1, limit);
  }

  /**
   * The new mark to journal now, or -1 when none is due (the current one still has more than half a
   * window left, or a new one is already written and waits to be safe).
   */
  public long markDue() {
    if (written >= limit || next <= written - window / 2) {
      return -1;
    }
    return Math.min(limit, next - 1 + window);
  }

  /** MARK has been written to the journal (it is not yet safe). */
  public void onMarkWritten(long mark) {
    if (mark < written) {
      throw new IllegalArgumentException("mark " + mark + " below written mark " + written);
    }
    written = mark;
  }

  /** The standby holds MARK (acknowledged), or the peer failed without a session: MARK is safe. */
  public void onMarkSafe(long mark) {
    if (mark > written) {
      throw new IllegalArgumentException("mark " + mark + " made safe before it was written");
    }
    safe = Math.max(safe, mark);
  }

  /** Whether the next packet may be sent now. */
  public boolean maySend() {
    return next <= safe;
  }

  /** Takes the next sequence number; call only when {@link #maySend()}. */
  public long take() {
    if (next > safe) {
      throw new IllegalStateException("sequence number " + next + " is past the safe mark " + safe);
    }
    return next++;
  }

  /**
   * The dataplane numbered the packets itself (it holds the counter, bounded by the safe mark
   * through its fence) and has used every number below NEXT: catch up with it. Never moves back.
   *
   * @throws IllegalStateException if NEXT shows a number past the safe mark was used
   */
  public void advanceTo(long next) {
    if (next > safe + 1) {
      throw new IllegalStateException(
          "sequence number " + (next - 1) + " was used past the safe mark " + safe);
    }
    this.next = Math.max(this.next, next);
  }

  /** Whether the SA has used its last sequence number (it must be rekeyed). */
  public boolean exhausted() {
    return next > limit;
  }

  /** The next sequence number to send. */
  public long next() {
    return next;
  }

  /** The highest journaled mark. */
  public long written() {
    return written;
  }

  /** The highest safe mark. */
  public long safe() {
    return safe;
  }
}
