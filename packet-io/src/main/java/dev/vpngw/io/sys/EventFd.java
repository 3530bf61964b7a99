package dev.vpngw.io.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A non-blocking {@code eventfd(2)}: one thread {@link #signal}s it, another that waits in {@code
 * poll(2)} with its fd among the others (see {@link Poller}) wakes up and {@link #drain}s it. The
 * dataplane's transmit thread sleeps this way, so a crypto worker with packets for it can wake it
 * at once instead of waiting for its sleep to end.
 *
 * <p>{@link #signal} may be called from any thread; {@link #drain} from the waiting thread only.
 * Neither allocates.
 */
public final class EventFd implements AutoCloseable {
  private final int fd;
  // Held so the automatic arena keeps the buffers alive as long as this object.
  private final MemorySegment one;
  private final MemorySegment sink;
  private final long oneAddress;
  private final long sinkAddress;
  private boolean closed;

  private EventFd(int fd) {
    this.fd = fd;
    Arena arena = Arena.ofAuto();
    this.one = arena.allocate(ValueLayout.JAVA_LONG);
    this.one.set(ValueLayout.JAVA_LONG, 0, 1L);
    this.sink = arena.allocate(ValueLayout.JAVA_LONG);
    this.oneAddress = one.address();
    this.sinkAddress = sink.address();
  }

  /** A new eventfd, counter 0, non-blocking and close-on-exec. */
  public static EventFd open() throws NativeIOException {
    return new EventFd(LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC));
  }

  /**
   * Adds one to the counter, which makes the fd readable. Never blocks: a counter that could not
   * take more (after 2^64 - 2 signals nobody drained) is readable anyway.
   */
  public void signal() throws NativeIOException {
    LibC.write(fd, oneAddress, 8);
  }

  /** Resets the counter to 0 (the fd is no longer readable); returns whether it was signalled. */
  public boolean drain() throws NativeIOException {
    return LibC.read(fd, sinkAddress, 8) == 8;
  }

  /** The fd, for a {@link Poller}. */
  public int fd() {
    return fd;
  }

  @Override
  public void close() throws NativeIOException {
    if (!closed) {
      closed = true;
      LibC.close(fd);
    }
  }
}
