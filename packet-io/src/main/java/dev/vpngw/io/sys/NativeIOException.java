package dev.vpngw.io.sys;

import java.io.IOException;

/**
 * A libc call failed: the message names the call, the errno by name and number, and the C library's
 * description, as in "ioctl(TUNSETIFF) failed: EPERM (1): Operation not permitted", optionally
 * followed by what the caller knows would fix it. {@link #errno()} lets callers branch on the cause
 * without parsing text.
 *
 * <p>Non-blocking I/O that would block is never reported this way: the wrappers in {@link LibC}
 * return zero for it, so an idle socket costs no exception.
 */
public final class NativeIOException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String call;
  private final int errno;

  /** A failure of {@code call} with {@code errno}. */
  public NativeIOException(String call, int errno) {
    this(call, errno, null);
  }

  /** A failure of {@code call} with {@code errno}, and a hint appended to the message (or null). */
  public NativeIOException(String call, int errno, String hint) {
    super(
        call
            + " failed: "
            + Errno.name(errno)
            + " ("
            + errno
            + "): "
            + LibC.strerror(errno)
            + (hint == null ? "" : "; " + hint));
    this.call = call;
    this.errno = errno;
  }

  /** The same failure with {@code hint} appended: what the user needs to do about it. */
  public NativeIOException withHint(String hint) {
    NativeIOException e = new NativeIOException(call, errno, hint);
    e.setStackTrace(getStackTrace());
    return e;
  }

  /** The call that failed, as in "ioctl(TUNSETIFF)". */
  public String call() {
    return call;
  }

  /** The errno the call left. */
  public int errno() {
    return errno;
  }
}
