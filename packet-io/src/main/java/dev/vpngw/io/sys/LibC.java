package dev.vpngw.io.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * The Panama binding to the C library: every libc call the dataplane makes, each looked up once and
 * wrapped once, Netty-epoll style. Each wrapper turns a failure into a {@link NativeIOException}
 * naming the call and errno; whether the binding works is probed once, so check {@link
 * #isAvailable()} before any other call and report {@link #unavailabilityCause()} otherwise.
 *
 * <p>errno is read the way the linker intends, with {@code
 * Linker.Option.captureCallState("errno")}: the downcall stores errno into a small segment right
 * after the call returns, before the JVM can run anything that would overwrite it. That segment is
 * allocated once per thread and reused, so a call allocates nothing; pointer parameters are raw
 * addresses passed as {@code long} (the x86_64 and aarch64 Linux ABIs pass pointers and 64-bit
 * integers alike), so no {@link MemorySegment} is made per call either. Only setup calls that take
 * a path or interface name allocate (the C string).
 *
 * <p>Non-blocking I/O that would block ({@code EAGAIN}/{@code EWOULDBLOCK}) and I/O interrupted
 * before transferring anything ({@code EINTR}) are not errors here: the I/O wrappers return 0, and
 * the agent that called simply finds no work this time round.
 *
 * <p>Constants are the Linux values, which x86_64 and aarch64 share (both use the generic socket,
 * fcntl and errno numbering); the probe refuses other platforms.
 */
public final class LibC {
  /** {@code AF_INET}. */
  public static final int AF_INET = 2;

  /** {@code AF_INET6}. */
  public static final int AF_INET6 = 10;

  /** {@code SOCK_DGRAM}. */
  public static final int SOCK_DGRAM = 2;

  /** {@code SOCK_RAW}. */
  public static final int SOCK_RAW = 3;

  /** {@code SOCK_NONBLOCK}, or-ed into the socket type. */
  public static final int SOCK_NONBLOCK = 0x800;

  /** {@code SOCK_CLOEXEC}, or-ed into the socket type: a forked {@code ip} must not inherit fds. */
  public static final int SOCK_CLOEXEC = 0x80000;

  /** {@code SOL_SOCKET}. */
  public static final int SOL_SOCKET = 1;

  /** {@code SO_SNDBUF}. */
  public static final int SO_SNDBUF = 7;

  /** {@code SO_RCVBUF}. */
  public static final int SO_RCVBUF = 8;

  /** {@code SO_REUSEPORT} (Linux 3.9): several sockets on one port, the kernel spreads flows. */
  public static final int SO_REUSEPORT = 15;

  /** {@code SO_SNDBUFFORCE}: like SO_SNDBUF but past {@code wmem_max}, with CAP_NET_ADMIN. */
  public static final int SO_SNDBUFFORCE = 32;

  /** {@code SO_RCVBUFFORCE}: like SO_RCVBUF but past {@code rmem_max}, with CAP_NET_ADMIN. */
  public static final int SO_RCVBUFFORCE = 33;

  /** {@code IPPROTO_IPV6}, the option level of IPv6 socket options. */
  public static final int IPPROTO_IPV6 = 41;

  /** {@code IPV6_V6ONLY}: an IPv6 socket that never sees IPv4-mapped traffic. */
  public static final int IPV6_V6ONLY = 26;

  /** {@code IPPROTO_UDP}. */
  public static final int IPPROTO_UDP = 17;

  /**
   * {@code MSG_TRUNC}: in a received message's flags, the datagram was longer than the buffer; as a
   * {@code recvfrom} flag, return the datagram's real length even so.
   */
  public static final int MSG_TRUNC = 0x20;

  /** {@code MSG_DONTWAIT}: this call does not block, whatever the socket's mode. */
  public static final int MSG_DONTWAIT = 0x40;

  /** {@code O_RDWR}. */
  public static final int O_RDWR = 2;

  /** {@code O_NONBLOCK}. */
  public static final int O_NONBLOCK = 0x800;

  /** {@code O_CLOEXEC}. */
  public static final int O_CLOEXEC = 0x80000;

  /** {@code F_GETFL}. */
  public static final int F_GETFL = 3;

  /** {@code F_SETFL}. */
  public static final int F_SETFL = 4;

  /** {@code POLLIN}: data to read. */
  public static final int POLLIN = 0x1;

  /** {@code POLLERR}: an error is pending (reported even when not asked for). */
  public static final int POLLERR = 0x8;

  /** {@code POLLHUP}: hung up (reported even when not asked for). */
  public static final int POLLHUP = 0x10;

  /** {@code POLLNVAL}: the fd is not open (reported even when not asked for). */
  public static final int POLLNVAL = 0x20;

  private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
  private static final long ERRNO_OFFSET =
      CALL_STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

  /**
   * Where each thread's downcalls leave errno. Automatic arena: the segment lives as long as the
   * thread's map entry refers to it, and is freed by the GC after the thread ends.
   */
  private static final ThreadLocal<MemorySegment> CALL_STATE =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE_LAYOUT));

  private static final Throwable UNAVAILABILITY_CAUSE = probe();

  private LibC() {}

  /** Whether this is Linux on x86_64 or aarch64 and every libc symbol bound (probed once). */
  public static boolean isAvailable() {
    return UNAVAILABILITY_CAUSE == null;
  }

  /** Why the binding is unusable, or null when it is available. */
  public static Throwable unavailabilityCause() {
    return UNAVAILABILITY_CAUSE;
  }

  /** Throws, with the cause, unless the binding is available. */
  public static void ensureAvailable() {
    if (UNAVAILABILITY_CAUSE != null) {
      throw new IllegalStateException(
          "native packet I/O is unavailable: " + UNAVAILABILITY_CAUSE, UNAVAILABILITY_CAUSE);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Files and descriptors

  /** {@code open(path, flags)}: returns the new fd. Setup only (allocates the C string). */
  public static int open(String path, int flags) throws NativeIOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = CALL_STATE.get();
      long cPath = arena.allocateFrom(path).address();
      int fd = (int) Handles.OPEN.invokeExact(state, cPath, flags, 0);
      return check(fd, state, "open(" + path + ")");
    } catch (NativeIOException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code close(fd)}. EINTR is ignored: Linux has released the fd anyway, so never retry. */
  public static void close(int fd) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int r;
    try {
      r = (int) Handles.CLOSE.invokeExact(state, fd);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    if (r < 0 && errno(state) != Errno.EINTR) {
      throw new NativeIOException("close", errno(state));
    }
  }

  /**
   * {@code read(fd, buf, length)}: the bytes read, or 0 when a non-blocking fd has nothing (or the
   * call was interrupted). On a TUN fd one read is one packet, and a zero-length read cannot
   * happen.
   */
  public static int read(int fd, long buf, int length) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    long n;
    try {
      n = (long) Handles.READ.invokeExact(state, fd, buf, (long) length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return (int) ioResult(n, state, "read");
  }

  /**
   * {@code write(fd, buf, length)}: the bytes written, or 0 when a non-blocking fd cannot take them
   * now (or the call was interrupted).
   */
  public static int write(int fd, long buf, int length) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    long n;
    try {
      n = (long) Handles.WRITE.invokeExact(state, fd, buf, (long) length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return (int) ioResult(n, state, "write");
  }

  /**
   * {@code ioctl(fd, request, arg)} with a pointer argument; {@code requestName} names the request
   * in the error message, as in "TUNSETIFF".
   */
  public static int ioctl(int fd, long request, long arg, String requestName)
      throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int r;
    try {
      r = (int) Handles.IOCTL.invokeExact(state, fd, request, arg);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return check(r, state, "ioctl", requestName);
  }

  /** {@code fcntl(fd, cmd, arg)} with an int argument; returns the call's result. */
  public static int fcntl(int fd, int cmd, int arg) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int r;
    try {
      r = (int) Handles.FCNTL.invokeExact(state, fd, cmd, arg);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return check(r, state, "fcntl", cmd == F_SETFL ? "F_SETFL" : cmd == F_GETFL ? "F_GETFL" : null);
  }

  /** Sets or clears {@code O_NONBLOCK} on {@code fd} with {@code fcntl}. */
  public static void setNonBlocking(int fd, boolean nonBlocking) throws NativeIOException {
    int flags = fcntl(fd, F_GETFL, 0);
    int wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    if (wanted != flags) {
      fcntl(fd, F_SETFL, wanted);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sockets

  /** {@code socket(domain, type, protocol)}: returns the new fd. */
  public static int socket(int domain, int type, int protocol) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int fd;
    try {
      fd = (int) Handles.SOCKET.invokeExact(state, domain, type, protocol);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return check(fd, state, "socket");
  }

  /** {@code bind(fd, addr, length)}; {@code addr} points to a sockaddr of {@code length} bytes. */
  public static void bind(int fd, long addr, int length) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int r;
    try {
      r = (int) Handles.BIND.invokeExact(state, fd, addr, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    check(r, state, "bind");
  }

  /**
   * {@code setsockopt(fd, level, name, value, length)}; {@code optionName} names the option in the
   * error message, as in "SO_REUSEPORT".
   */
  public static void setsockopt(
      int fd, int level, int name, long value, int length, String optionName)
      throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int r;
    try {
      r = (int) Handles.SETSOCKOPT.invokeExact(state, fd, level, name, value, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    check(r, state, "setsockopt", optionName);
  }

  /**
   * {@code getsockopt(fd, level, name, value, lengthPtr)}: {@code lengthPtr} points to a socklen_t
   * holding the size of {@code value} on entry and the size written on return.
   */
  public static void getsockopt(
      int fd, int level, int name, long value, long lengthPtr, String optionName)
      throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int r;
    try {
      r = (int) Handles.GETSOCKOPT.invokeExact(state, fd, level, name, value, lengthPtr);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    check(r, state, "getsockopt", optionName);
  }

  /**
   * {@code getsockname(fd, addr, lengthPtr)}: writes the bound address to {@code addr}; {@code
   * lengthPtr} points to a socklen_t holding its size on entry and the address length on return.
   */
  public static void getsockname(int fd, long addr, long lengthPtr) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int r;
    try {
      r = (int) Handles.GETSOCKNAME.invokeExact(state, fd, addr, lengthPtr);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    check(r, state, "getsockname");
  }

  /**
   * {@code recvmmsg(fd, msgvec, vlen, flags, NULL)}: the number of messages received, or 0 when
   * nothing is waiting (EAGAIN) or the call was interrupted.
   */
  public static int recvmmsg(int fd, long msgvec, int vlen, int flags) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int n;
    try {
      n = (int) Handles.RECVMMSG.invokeExact(state, fd, msgvec, vlen, flags, 0L);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return (int) ioResult(n, state, "recvmmsg");
  }

  /**
   * {@code sendmmsg(fd, msgvec, vlen, flags)}: the number of messages sent, or 0 when the socket
   * cannot take any now (EAGAIN) or the call was interrupted. The kernel reports an error only when
   * the first message fails; a failure later in the vector ends the call early with the count sent.
   */
  public static int sendmmsg(int fd, long msgvec, int vlen, int flags) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int n;
    try {
      n = (int) Handles.SENDMMSG.invokeExact(state, fd, msgvec, vlen, flags);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return (int) ioResult(n, state, "sendmmsg");
  }

  /**
   * {@code recvfrom(fd, buf, length, flags, addr, addrLengthPtr)}: one datagram into {@code buf},
   * its sender into the sockaddr at {@code addr} ({@code addrLengthPtr} points to a socklen_t
   * holding its size on entry and the address length on return). Returns the datagram's length (its
   * full length when {@code flags} has {@link #MSG_TRUNC}, even if more than {@code length} bytes),
   * or -1 when nothing is waiting (EAGAIN) or the call was interrupted: unlike the other I/O
   * wrappers not 0, since an empty UDP datagram is a datagram.
   */
  public static int recvfrom(int fd, long buf, int length, int flags, long addr, long addrLengthPtr)
      throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    long n;
    try {
      n =
          (long)
              Handles.RECVFROM.invokeExact(
                  state, fd, buf, (long) length, flags, addr, addrLengthPtr);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    if (n < 0) {
      int errno = errno(state);
      if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
        return -1;
      }
      throw new NativeIOException("recvfrom", errno);
    }
    return (int) n;
  }

  /**
   * {@code sendto(fd, buf, length, flags, addr, addrLength)}: the bytes sent, or 0 when the socket
   * cannot take them now (EAGAIN) or the call was interrupted.
   */
  public static int sendto(int fd, long buf, int length, int flags, long addr, int addrLength)
      throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    long n;
    try {
      n = (long) Handles.SENDTO.invokeExact(state, fd, buf, (long) length, flags, addr, addrLength);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return (int) ioResult(n, state, "sendto");
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting, scheduling, interfaces

  /**
   * {@code poll(fds, nfds, timeoutMillis)}: the number of fds with events, 0 on timeout or when a
   * signal interrupted the wait (the caller's duty cycle simply comes round again).
   */
  public static int poll(long fds, int nfds, int timeoutMillis) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int n;
    try {
      n = (int) Handles.POLL.invokeExact(state, fds, (long) nfds, timeoutMillis);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return (int) ioResult(n, state, "poll");
  }

  /** {@code EFD_NONBLOCK}: reads and writes of an eventfd never block. */
  public static final int EFD_NONBLOCK = O_NONBLOCK;

  /** {@code EFD_CLOEXEC}. */
  public static final int EFD_CLOEXEC = O_CLOEXEC;

  /** {@code eventfd(initval, flags)}: returns the new fd. */
  public static int eventfd(int initialValue, int flags) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int fd;
    try {
      fd = (int) Handles.EVENTFD.invokeExact(state, initialValue, flags);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return check(fd, state, "eventfd");
  }

  /** {@code sched_setaffinity(tid, size, mask)}; tid 0 is the calling thread. */
  public static void schedSetaffinity(int tid, long size, long mask) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int r;
    try {
      r = (int) Handles.SCHED_SETAFFINITY.invokeExact(state, tid, size, mask);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    check(r, state, "sched_setaffinity");
  }

  /** {@code sched_getaffinity(tid, size, mask)}; tid 0 is the calling thread. */
  public static void schedGetaffinity(int tid, long size, long mask) throws NativeIOException {
    MemorySegment state = CALL_STATE.get();
    int r;
    try {
      r = (int) Handles.SCHED_GETAFFINITY.invokeExact(state, tid, size, mask);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    check(r, state, "sched_getaffinity");
  }

  /** {@code if_nametoindex(name)}: the interface index of {@code name} in this namespace. */
  public static int ifNameToIndex(String name) throws NativeIOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = CALL_STATE.get();
      long cName = arena.allocateFrom(name).address();
      int index = (int) Handles.IF_NAMETOINDEX.invokeExact(state, cName);
      if (index == 0) {
        throw new NativeIOException("if_nametoindex(" + name + ")", errno(state));
      }
      return index;
    } catch (NativeIOException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code strerror(errno)}: the C library's description of an errno, as in "Permission denied".
   */
  public static String strerror(int errno) {
    if (!isAvailable()) {
      return "errno " + errno;
    }
    try {
      MemorySegment text = (MemorySegment) Handles.STRERROR.invokeExact(errno);
      return text.reinterpret(1024).getString(0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static int errno(MemorySegment state) {
    return state.get(JAVA_INT, ERRNO_OFFSET);
  }

  private static int check(int result, MemorySegment state, String call) throws NativeIOException {
    if (result < 0) {
      throw new NativeIOException(call, errno(state));
    }
    return result;
  }

  /** As {@link #check(int, MemorySegment, String)}; the detail is joined only on failure. */
  private static int check(int result, MemorySegment state, String call, String detail)
      throws NativeIOException {
    if (result < 0) {
      throw new NativeIOException(detail == null ? call : call + "(" + detail + ")", errno(state));
    }
    return result;
  }

  private static long ioResult(long result, MemorySegment state, String call)
      throws NativeIOException {
    if (result >= 0) {
      return result;
    }
    int errno = errno(state);
    if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
      return 0;
    }
    throw new NativeIOException(call, errno);
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException("libc call failed", t);
  }

  private static Throwable probe() {
    String os = System.getProperty("os.name", "");
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.startsWith("Linux")) {
      return new UnsupportedOperationException(
          "native packet I/O needs Linux (TUN, recvmmsg, sched_setaffinity); this is " + os);
    }
    if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
      return new UnsupportedOperationException(
          "native packet I/O knows the struct layouts of x86_64 and aarch64 only; this is " + arch);
    }
    try {
      // Touching the holder binds every symbol; a missing one fails its initialisation.
      return Handles.SOCKET == null ? new IllegalStateException("libc did not bind") : null;
    } catch (Throwable t) {
      Throwable cause = t;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      return cause;
    }
  }

  /**
   * The downcall handles, bound when this class is first touched (by {@link #probe()}). A separate
   * holder so that a failed lookup fails this one initialisation, which the probe reports, instead
   * of {@link LibC} itself; static finals so the JIT inlines the calls. Every handle but {@code
   * strerror} takes the errno capture segment as its first argument.
   */
  private static final class Handles {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    static final MethodHandle OPEN =
        bindVariadic("open", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT), 2);
    static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle READ =
        bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle WRITE =
        bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle IOCTL =
        bindVariadic("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);
    static final MethodHandle FCNTL =
        bindVariadic("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    static final MethodHandle SOCKET =
        bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle BIND =
        bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    static final MethodHandle SETSOCKOPT =
        bind(
            "setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    static final MethodHandle GETSOCKOPT =
        bind(
            "getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle GETSOCKNAME =
        bind("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle RECVMMSG =
        bind(
            "recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG));
    static final MethodHandle SENDMMSG =
        bind("sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    static final MethodHandle RECVFROM =
        bind(
            "recvfrom",
            FunctionDescriptor.of(
                JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle SENDTO =
        bind(
            "sendto",
            FunctionDescriptor.of(
                JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    static final MethodHandle POLL =
        bind("poll", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    static final MethodHandle EVENTFD =
        bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle SCHED_SETAFFINITY =
        bind("sched_setaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle SCHED_GETAFFINITY =
        bind("sched_getaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle IF_NAMETOINDEX =
        bind("if_nametoindex", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    static final MethodHandle STRERROR =
        LINKER.downcallHandle(find("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Handles() {}

    private static MethodHandle bind(String name, FunctionDescriptor descriptor) {
      return LINKER.downcallHandle(find(name), descriptor, ERRNO);
    }

    /** Variadic C functions must be called as such: the x86_64 ABI passes a count in AL. */
    private static MethodHandle bindVariadic(
        String name, FunctionDescriptor descriptor, int firstVariadic) {
      return LINKER.downcallHandle(
          find(name), descriptor, ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    private static MemorySegment find(String name) {
      return LINKER
          .defaultLookup()
          .find(name)
          .orElseThrow(() -> new UnsatisfiedLinkError("the C library has no symbol " + name));
    }
  }
}
