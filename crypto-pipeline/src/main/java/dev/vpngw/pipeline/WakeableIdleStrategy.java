package dev.vpngw.pipeline;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.IdleStrategy;

/**
 * The dataplane threads' idle strategy: spin, then yield, then sleep on the thread's {@link
 * Doorbell} until a producer rings it or a packet arrives (Agrona's backoff strategy parked for a
 * fixed time instead, so every hop of a packet through a quiet gateway waited for a park to run
 * out: hundreds of microseconds of round-trip latency at idle).
 *
 * <p>Before it sleeps it asks {@code pendingWork} once more, after saying it sleeps (see {@link
 * Doorbell}). Work that is there but made no progress (a transmit blocked on a full socket) is not
 * a reason to sleep for long nor to spin: the thread then parks briefly, as before.
 */
final class WakeableIdleStrategy implements IdleStrategy {
  /** A park while work waits that the agent could not move (a full socket buffer). */
  static final long BLOCKED_PARK_NANOS = 50_000;

  private final Doorbell doorbell;
  private final BooleanSupplier pendingWork;
  private final int maxSpins;
  private final int maxYields;
  private final long sleepNanos;
  private int spins;
  private int yields;
  private boolean pendingSeen;

  /**
   * @param doorbell how this thread sleeps and is woken
   * @param pendingWork whether anything waits for this thread in its queues (fds are the doorbell's
   *     business)
   * @param maxSpins busy spins after the last work before yielding
   * @param maxYields yields after the spins before sleeping
   * @param sleepNanos the longest sleep (the thread's timers run at least this often)
   */
  WakeableIdleStrategy(
      Doorbell doorbell,
      BooleanSupplier pendingWork,
      int maxSpins,
      int maxYields,
      long sleepNanos) {
    this.doorbell = doorbell;
    this.pendingWork = pendingWork;
    this.maxSpins = maxSpins;
    this.maxYields = maxYields;
    this.sleepNanos = sleepNanos;
  }

  @Override
  public void idle(int workCount) {
    if (workCount > 0) {
      reset();
    } else {
      idle();
    }
  }

  @Override
  public void idle() {
    if (spins < maxSpins) {
      spins++;
      Thread.onSpinWait();
      return;
    }
    if (yields < maxYields) {
      yields++;
      Thread.yield();
      return;
    }
    doorbell.asleep();
    if (pendingWork.getAsBoolean()) {
      doorbell.awake();
      // Work arrived just now (go round at once) or it is stuck (twice in a row: wait a little).
      if (pendingSeen) {
        LockSupport.parkNanos(BLOCKED_PARK_NANOS);
      }
      pendingSeen = true;
      return;
    }
    pendingSeen = false;
    doorbell.sleep(sleepNanos);
    doorbell.awake();
  }

  @Override
  public void reset() {
    spins = 0;
    yields = 0;
    pendingSeen = false;
  }

  @Override
  public String alias() {
    return "wakeable";
  }
}
