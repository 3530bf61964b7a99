package dev.vpngw.io.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Socket setup shared by the UDP and raw sockets: create, bind, set and read integer options, ask
 * the bound address. Everything here runs once per socket, so it may allocate (a confined arena per
 * call for the sockaddr or option value); the per-packet calls live on the socket classes.
 */
public final class Sockets {
  private Sockets() {}

  /** The address family of {@code address}: {@link LibC#AF_INET6} or {@link LibC#AF_INET}. */
  public static int family(InetAddress address) {
    return address instanceof Inet6Address ? LibC.AF_INET6 : LibC.AF_INET;
  }

  /**
   * {@code socket(family, type | SOCK_CLOEXEC [| SOCK_NONBLOCK], protocol)}. Close-on-exec always,
   * because the appliance forks {@code ip} at setup and the child must not keep our sockets.
   */
  public static int open(int family, int type, int protocol, boolean nonBlocking)
      throws NativeIOException {
    int flags = LibC.SOCK_CLOEXEC | (nonBlocking ? LibC.SOCK_NONBLOCK : 0);
    return LibC.socket(family, type | flags, protocol);
  }

  /** {@code bind(fd, {address, port})}; the message names the address on failure. */
  public static void bind(int fd, InetAddress address, int port) throws NativeIOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment sockaddr = arena.allocate(SockAddr.STORAGE_LENGTH, 8);
      UnsafeBuffer view = new UnsafeBuffer(sockaddr.address(), SockAddr.STORAGE_LENGTH);
      int length = SockAddr.write(view, 0, address, port);
      try {
        LibC.bind(fd, sockaddr.address(), length);
      } catch (NativeIOException e) {
        throw new NativeIOException(
            "bind(" + new InetSocketAddress(address, port) + ")", e.errno(), null);
      }
    }
  }

  /** {@code getsockname(fd)} as a JDK address. */
  public static InetSocketAddress localAddress(int fd) throws NativeIOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment sockaddr = arena.allocate(SockAddr.STORAGE_LENGTH, 8);
      MemorySegment length = arena.allocate(JAVA_INT);
      length.set(JAVA_INT, 0, SockAddr.STORAGE_LENGTH);
      LibC.getsockname(fd, sockaddr.address(), length.address());
      return SockAddr.read(new UnsafeBuffer(sockaddr.address(), SockAddr.STORAGE_LENGTH), 0);
    }
  }

  /** {@code setsockopt} with an int value; {@code optionName} names it in the error message. */
  public static void setIntOption(int fd, int level, int name, int value, String optionName)
      throws NativeIOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment v = arena.allocate(JAVA_INT);
      v.set(JAVA_INT, 0, value);
      LibC.setsockopt(fd, level, name, v.address(), Integer.BYTES, optionName);
    }
  }

  /** {@code getsockopt} of an int value. */
  public static int getIntOption(int fd, int level, int name, String optionName)
      throws NativeIOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment v = arena.allocate(JAVA_INT);
      MemorySegment length = arena.allocate(JAVA_INT);
      length.set(JAVA_INT, 0, Integer.BYTES);
      LibC.getsockopt(fd, level, name, v.address(), length.address(), optionName);
      return v.get(JAVA_INT, 0);
    }
  }

  /**
   * Sets the receive or send buffer size, past the sysctl ceiling ({@code net.core.rmem_max}/{@code
   * wmem_max}) when the process has CAP_NET_ADMIN: a gateway's bursts of 64 datagrams per call
   * overflow the default ~200 KB quickly. Without the capability the {@code SO_*BUFFORCE} option
   * fails with EPERM and the plain {@code SO_*BUF} is used, which the kernel silently caps.
   */
  public static void setBufferSize(int fd, boolean receive, int bytes) throws NativeIOException {
    try {
      if (receive) {
        setIntOption(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, bytes, "SO_RCVBUFFORCE");
      } else {
        setIntOption(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, bytes, "SO_SNDBUFFORCE");
      }
    } catch (NativeIOException e) {
      if (e.errno() != Errno.EPERM) {
        throw e;
      }
      if (receive) {
        setIntOption(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, bytes, "SO_RCVBUF");
      } else {
        setIntOption(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, bytes, "SO_SNDBUF");
      }
    }
  }

  /**
   * Closes {@code fd} after a failed setup step, recording a failure to close on {@code primary}
   * instead of hiding it.
   */
  public static void closeAfterFailure(int fd, Throwable primary) {
    try {
      LibC.close(fd);
    } catch (NativeIOException e) {
      primary.addSuppressed(e);
    }
  }
}
