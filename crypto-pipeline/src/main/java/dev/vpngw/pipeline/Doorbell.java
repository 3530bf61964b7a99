package dev.vpngw.pipeline;

import dev.vpngw.io.sys.EventFd;
import dev.vpngw.io.sys.NativeIOException;
import dev.vpngw.io.sys.Poller;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * How a dataplane thread that ran out of work sleeps, and how the thread that hands it work wakes
 * it: the consumer says it is {@link #asleep} and then checks its queues once more before it
 * sleeps; the producer publishes its work and then {@link #ring}s, which wakes the consumer only if
 * it said it sleeps. Each side writes first and reads second with a full fence between (Dekker's
 * handshake), so at least one sees the other: either the consumer finds the work and stays up, or
 * the producer finds it asleep and wakes it. No work waits for a sleep to run out.
 *
 * <p>A sleep is bounded all the same ({@link #sleep}'s timeout), so a thread's timers still run. A
 * wake of a thread that has not gone to sleep yet is not lost: a park returns at once on a pending
 * unpark, and a poll at once on a signalled eventfd.
 */
abstract class Doorbell {
  private static final VarHandle ASLEEP;

  static {
    try {
      ASLEEP = MethodHandles.lookup().findVarHandle(Doorbell.class, "asleep", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // through ASLEEP
  private volatile int asleep;

  /**
   * Producer side, after its work is published (a ring buffer's commit is a release store, which
   * alone may pass the read of the flag that follows it: hence the fence).
   */
  final void ring() {
    VarHandle.fullFence();
    if ((int) ASLEEP.getVolatile(this) != 0 && ASLEEP.compareAndSet(this, 1, 0)) {
      wake();
    }
  }

  /** Consumer side: from now on a producer's {@link #ring} wakes this thread. */
  final void asleep() {
    ASLEEP.setVolatile(this, 1);
  }

  /** Consumer side: up again (a producer may already have cleared the flag). */
  final void awake() {
    ASLEEP.setVolatile(this, 0);
  }

  /** Consumer side: sleeps until woken or for about {@code timeoutNanos}. */
  abstract void sleep(long timeoutNanos);

  /** Producer side: ends the consumer's sleep (or the next one, if it has not begun yet). */
  abstract void wake();

  /** A thread with only queues to wait for (a crypto worker): it parks, a ring unparks it. */
  static final class Park extends Doorbell {
    private volatile Thread owner;

    @Override
    void sleep(long timeoutNanos) {
      owner = Thread.currentThread();
      LockSupport.parkNanos(this, timeoutNanos);
    }

    @Override
    void wake() {
      Thread t = owner;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
  }

  /**
   * A thread that also reads fds (the I/O thread: TUN and sockets): it sleeps in {@code poll(2)} on
   * them and an eventfd; the kernel wakes it for a packet, a ring through the eventfd for work in
   * its queues.
   */
  static final class Poll extends Doorbell implements AutoCloseable {
    private final EventFd eventFd;
    private final Poller poller;
    private final int eventFdIndex;

    /** Over {@code fds} (the thread's inputs) and a new eventfd of its own. */
    Poll(int... fds) throws NativeIOException {
      this.eventFd = EventFd.open();
      int[] all = java.util.Arrays.copyOf(fds, fds.length + 1);
      all[fds.length] = eventFd.fd();
      this.eventFdIndex = fds.length;
      this.poller = new Poller(all);
    }

    @Override
    void sleep(long timeoutNanos) {
      int millis = (int) Math.max(1, (timeoutNanos + 999_999) / 1_000_000);
      try {
        if (poller.poll(millis) > 0 && poller.isReady(eventFdIndex)) {
          eventFd.drain();
        }
      } catch (NativeIOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    void wake() {
      try {
        eventFd.signal();
      } catch (NativeIOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws NativeIOException {
      eventFd.close();
    }
  }
}
