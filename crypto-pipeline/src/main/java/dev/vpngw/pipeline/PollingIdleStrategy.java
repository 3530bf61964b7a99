package dev.vpngw.pipeline;

import dev.vpngw.io.sys.NativeIOException;
import dev.vpngw.io.sys.Poller;
import java.io.UncheckedIOException;
import org.agrona.concurrent.IdleStrategy;

/**
 * Idles by blocking in poll(2) on the thread's file descriptors (TUN queue, WAN sockets) after a
 * few empty duty cycles, so an idle gateway uses no CPU and a packet wakes it at once. Only for a
 * thread whose every source of work is one of those descriptors: in {@link ThreadingMode#SHARED}
 * the rings are drained by the same thread, so when a duty cycle finds nothing, nothing is pending
 * anywhere but in the kernel. On a 2-core machine a spinning or frequently waking gateway thread
 * takes CPU from the kernel's forwarding and the applications.
 */
final class PollingIdleStrategy implements IdleStrategy {
  private static final int SPINS = 20;
  private static final int TIMEOUT_MILLIS = 10;

  private final Poller poller;
  private int idleCycles;

  PollingIdleStrategy(int... fds) {
    this.poller = new Poller(fds);
  }

  @Override
  public void idle(int workCount) {
    if (workCount > 0) {
      idleCycles = 0;
    } else {
      idle();
    }
  }

  @Override
  public void idle() {
    if (++idleCycles <= SPINS) {
      Thread.onSpinWait();
      return;
    }
    try {
      poller.poll(TIMEOUT_MILLIS);
    } catch (NativeIOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void reset() {
    idleCycles = 0;
  }

  @Override
  public String alias() {
    return "poll";
  }
}
