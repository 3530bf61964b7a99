package dev.vpngw.io.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code poll(2)} over a fixed set of fds, waiting until one is readable: lets an idle agent block
 * instead of spinning. On a machine with few cores a spinning RX thread takes the core a crypto
 * worker needs, so an agent that found no work for a while parks here with a timeout (short enough
 * that it still runs its timers) and is woken by the kernel when a packet arrives.
 *
 * <p>The {@code struct pollfd} array (8 bytes each: int fd, short events, short revents) is built
 * once in the constructor; {@link #poll(int)} and the readiness accessors allocate nothing. Used by
 * one thread.
 */
public final class Poller {
  private static final int POLLFD_LENGTH = 8;
  private static final int FD_OFFSET = 0;
  private static final int EVENTS_OFFSET = 4;
  private static final int REVENTS_OFFSET = 6;
  private static final int READY = LibC.POLLIN | LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL;

  private final int size;
  // Held so the automatic arena keeps the pollfd array alive as long as the poller.
  private final MemorySegment pollfds;
  private final long pollfdsAddress;
  private final UnsafeBuffer view;

  /** A poller waiting for input ({@code POLLIN}) on each of {@code fds}. */
  public Poller(int... fds) {
    if (fds.length == 0) {
      throw new IllegalArgumentException("nothing to poll");
    }
    this.size = fds.length;
    this.pollfds = Arena.ofAuto().allocate((long) size * POLLFD_LENGTH, 8);
    this.pollfdsAddress = pollfds.address();
    this.view = new UnsafeBuffer(pollfdsAddress, size * POLLFD_LENGTH);
    for (int i = 0; i < size; i++) {
      view.putInt(i * POLLFD_LENGTH + FD_OFFSET, fds[i]);
      view.putShort(i * POLLFD_LENGTH + EVENTS_OFFSET, (short) LibC.POLLIN);
      view.putShort(i * POLLFD_LENGTH + REVENTS_OFFSET, (short) 0);
    }
  }

  /**
   * Waits until at least one fd is readable or has an error, at most {@code timeoutMillis} (0 to
   * only look, -1 for ever), and returns how many fds are ready: 0 on timeout or when a signal cut
   * the wait short.
   */
  public int poll(int timeoutMillis) throws NativeIOException {
    int n = LibC.poll(pollfdsAddress, size, timeoutMillis);
    if (n == 0) {
      // poll leaves revents alone on timeout and EINTR; clear them so no stale readiness shows.
      for (int i = 0; i < size; i++) {
        view.putShort(i * POLLFD_LENGTH + REVENTS_OFFSET, (short) 0);
      }
    }
    return n;
  }

  /**
   * Whether fd {@code index} (in constructor order) was readable after the last {@link #poll}, or
   * had an error or hang-up that a read will report.
   */
  public boolean isReady(int index) {
    return (revents(index) & READY) != 0;
  }

  /** The raw {@code revents} of fd {@code index} after the last {@link #poll}. */
  public int revents(int index) {
    return view.getShort(index * POLLFD_LENGTH + REVENTS_OFFSET) & 0xffff;
  }

  /** The fd at {@code index}. */
  public int fd(int index) {
    return view.getInt(index * POLLFD_LENGTH + FD_OFFSET);
  }

  /** How many fds this poller watches. */
  public int size() {
    return size;
  }
}
