package dev.vpngw.appliance.er;

/**
 * Whether a circuit is alive, from its echo probes and its link state: the state machine of a
 * BFD-like echo function (RFC 5880 6.4, 6.8.4 for the detection time), without the BFD control
 * session.
 *
 * <p>A probe goes out every {@code interval}; the far end sends each back. The circuit is declared
 * down when no valid echo came back for {@code multiplier} intervals (the detection time), or at
 * once when its link loses carrier; it is declared up again after {@code multiplier} echoes in a
 * row, none of them more than a detection time after the previous one, with the link up. It starts
 * down: routes go over a circuit only once it has proved itself.
 *
 * <p>Pure logic on a clock given by the caller (nanoseconds), so tests drive it by hand; one thread
 * (the circuit's monitor) owns it.
 */
public final class CircuitLiveness {
  /** What changed on a call, if anything. */
  public enum Transition {
    NONE,
    UP,
    DOWN_LINK,
    DOWN_PROBES
  }

  private final long intervalNanos;
  private final int multiplier;
  private final long detectNanos;

  private boolean up;
  private boolean linkUp = true;
  private long nextSequence = 1;
  private long nextProbeAt;
  private long lastEchoAt;
  private long lastAcceptedSequence;
  private int echoesInARow;

  /**
   * A circuit monitor's state machine, down, with the first probe due at {@code now}.
   *
   * @param intervalNanos time between probes
   * @param multiplier intervals without an echo before the circuit is down, and echoes in a row
   *     before it is up
   */
  public CircuitLiveness(long intervalNanos, int multiplier, long now) {
    if (intervalNanos <= 0 || multiplier < 1) {
      throw new IllegalArgumentException("interval and multiplier must be positive");
    }
    this.intervalNanos = intervalNanos;
    this.multiplier = multiplier;
    this.detectNanos = intervalNanos * multiplier;
    this.nextProbeAt = now;
  }

  /** Whether the circuit is up (its routes should be in force). */
  public boolean isUp() {
    return up;
  }

  /** The detection time: {@code interval * multiplier}. */
  public long detectionNanos() {
    return detectNanos;
  }

  /** When the next probe is due. */
  public long nextProbeAt() {
    return nextProbeAt;
  }

  /**
   * Takes the sequence number of the probe going out now (call when {@link #nextProbeAt} has come)
   * and schedules the next one an interval later (from the schedule, not from {@code now}, so a
   * late sender does not stretch the rhythm; after a long stall it starts afresh from now).
   */
  public long probeSent(long now) {
    nextProbeAt += intervalNanos;
    if (nextProbeAt <= now) {
      nextProbeAt = now + intervalNanos;
    }
    return nextSequence++;
  }

  /**
   * An echo of probe {@code sequence} came back. Echoes of probes not sent yet, or not newer than
   * the last one accepted (duplicates, reordered stragglers), count for nothing.
   */
  public Transition echoReceived(long sequence, long now) {
    if (sequence >= nextSequence || sequence <= lastAcceptedSequence) {
      return Transition.NONE;
    }
    if (echoesInARow > 0 && now - lastEchoAt > detectNanos) {
      echoesInARow = 0; // a gap: the ones before do not make a run with this one
    }
    lastAcceptedSequence = sequence;
    lastEchoAt = now;
    if (up || !linkUp) {
      return Transition.NONE;
    }
    echoesInARow++;
    if (echoesInARow >= multiplier) {
      up = true;
      return Transition.UP;
    }
    return Transition.NONE;
  }

  /** The link's carrier as last seen: losing it takes the circuit down at once. */
  public Transition link(boolean carrier, long now) {
    linkUp = carrier;
    if (!carrier) {
      echoesInARow = 0;
      if (up) {
        up = false;
        return Transition.DOWN_LINK;
      }
    }
    return Transition.NONE;
  }

  /** Checks the detection time: call at least once per interval. */
  public Transition poll(long now) {
    if (now - lastEchoAt <= detectNanos) {
      return Transition.NONE;
    }
    echoesInARow = 0;
    if (up) {
      up = false;
      return Transition.DOWN_PROBES;
    }
    return Transition.NONE;
  }
}
