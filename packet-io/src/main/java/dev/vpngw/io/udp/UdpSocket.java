package dev.vpngw.io.udp;

import dev.vpngw.io.batch.PacketBatch;
import dev.vpngw.io.sys.Errno;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.sys.NativeIOException;
import dev.vpngw.io.sys.SockAddr;
import dev.vpngw.io.sys.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A UDP socket moving datagrams a batch at a time with {@code recvmmsg}/{@code sendmmsg}: the WAN
 * side of the gateway, ESP-in-UDP (RFC 3948) and IKE on ports 500 and 4500. A socket on 4500
 * receives both ESP and IKE (with the non-ESP marker) from the same peers; telling them apart is
 * the caller's job, nothing is filtered here.
 *
 * <p>IPv4 or IPv6 by the bind address; an IPv6 socket is opened with {@code IPV6_V6ONLY} set
 * explicitly (not left to {@code net.ipv6.bindv6only}), so IPv4 peers never arrive as IPv4-mapped
 * addresses and a separate IPv4 socket can share the port. With {@code reusePort} several sockets
 * bind the same address and port ({@code SO_REUSEPORT}) and the kernel spreads flows across them by
 * hash: one socket per RX thread, no shared queue.
 *
 * <p>Receives never block (each {@code recvmmsg} passes {@code MSG_DONTWAIT}); an idle agent waits
 * in a {@link dev.vpngw.io.sys.Poller} instead. Sends block only on a blocking socket whose send
 * buffer is full, which is back-pressure a TX agent may want; a non-blocking socket returns a short
 * count instead. The batched calls are driven by one thread.
 *
 * <p>The control plane (IKE on port 500, or IKE beside the dataplane on 4500) moves one datagram at
 * a time instead, with {@link #receive(byte[], int, int)} and {@link #sendTo}: they copy through a
 * native scratch buffer of their own, allocated on first use, so they may be called from any thread
 * (each direction is serialised by its own lock) while an agent runs the batched calls on the same
 * socket: the kernel keeps concurrent calls on one fd apart.
 */
public final class UdpSocket implements AutoCloseable {
  /** The largest UDP payload: the 16-bit UDP length less the 8-byte header (RFC 768). */
  public static final int MAX_PAYLOAD = 65_527;

  private final int fd;
  private final boolean ipv6;
  private final int localPort;
  private final Object receiveLock = new Object();
  private final Object sendLock = new Object();
  private Scratch receiveScratch;
  private Scratch sendScratch;
  private boolean closed;
  private volatile boolean segmentation;

  /**
   * A datagram {@link #receive(byte[], int, int)} took.
   *
   * @param sender where it came from
   * @param length how many bytes were copied
   * @param truncated whether it was longer than the room given (its tail is lost)
   */
  public record Datagram(InetSocketAddress sender, int length, boolean truncated) {}

  /**
   * Native memory for one datagram and its peer address, for the single-datagram calls. An
   * automatic arena frees it with the socket object, so a call racing {@link #close} never touches
   * freed memory.
   */
  private static final class Scratch {
    static final int DATA_OFFSET = 0;
    static final int ADDRESS_OFFSET = MAX_PAYLOAD + 1; // the +1 tells a datagram that fits from one
    static final int ADDRESS_LENGTH_OFFSET = ADDRESS_OFFSET + SockAddr.STORAGE_LENGTH;
    static final int LENGTH = ADDRESS_LENGTH_OFFSET + Integer.BYTES;

    final MemorySegment memory = Arena.ofAuto().allocate(LENGTH, 8);
    final long address = memory.address();
    final UnsafeBuffer view = new UnsafeBuffer(address, LENGTH);
  }

  private UdpSocket(int fd, boolean ipv6, int localPort) {
    this.fd = fd;
    this.ipv6 = ipv6;
    this.localPort = localPort;
  }

  /**
   * Opens a UDP socket bound to {@code bindAddress} and {@code port} (0 for an ephemeral port).
   *
   * @param reusePort set {@code SO_REUSEPORT} before binding, so that other sockets with it may
   *     bind the same port
   * @param nonBlocking whether sends return a short count instead of waiting for buffer space
   */
  public static UdpSocket open(
      InetAddress bindAddress, int port, boolean reusePort, boolean nonBlocking)
      throws NativeIOException {
    int family = Sockets.family(bindAddress);
    int fd = Sockets.open(family, LibC.SOCK_DGRAM, LibC.IPPROTO_UDP, nonBlocking);
    try {
      if (family == LibC.AF_INET6) {
        Sockets.setIntOption(fd, LibC.IPPROTO_IPV6, LibC.IPV6_V6ONLY, 1, "IPV6_V6ONLY");
      }
      if (reusePort) {
        Sockets.setIntOption(fd, LibC.SOL_SOCKET, LibC.SO_REUSEPORT, 1, "SO_REUSEPORT");
      }
      Sockets.bind(fd, bindAddress, port);
      return new UdpSocket(fd, family == LibC.AF_INET6, Sockets.localAddress(fd).getPort());
    } catch (NativeIOException | RuntimeException e) {
      Sockets.closeAfterFailure(fd, e);
      throw e;
    }
  }

  /**
   * One {@code recvmmsg} of up to {@code batch.capacity()} datagrams: fills each slot's data (at
   * the batch's headroom), length and sender, sets the batch's count, and returns it; 0 when
   * nothing is waiting. A datagram longer than the batch's receive capacity is truncated and
   * flagged ({@link PacketBatch#truncated(int)}).
   */
  public int receive(PacketBatch batch) throws NativeIOException {
    return batch.receive(fd);
  }

  /**
   * One {@code sendmmsg} of slots {@code from .. from + count - 1}, each to its slot's peer.
   * Returns how many went, in order from {@code from}; fewer than {@code count} (even 0) when the
   * socket buffer filled up or a later datagram failed, and the caller sends the rest on its next
   * duty cycle. The kernel reports an error only for the first datagram of the call: the exception
   * then concerns slot {@code from} (as in ENETUNREACH for its destination), and the caller drops
   * or retries that slot and goes on with the next.
   */
  public int send(PacketBatch batch, int from, int count) throws NativeIOException {
    return batch.send(fd, from, count);
  }

  /**
   * Takes one waiting datagram, if any, without blocking, and copies up to {@code length} bytes of
   * it to {@code into[offset]}. Wait for one with a {@link dev.vpngw.io.sys.Poller} on {@link
   * #fd()}. For the control plane: allocates the result; any thread.
   *
   * @return the datagram's sender and length, or null when none is waiting
   */
  public Datagram receive(byte[] into, int offset, int length) throws NativeIOException {
    Objects.checkFromIndexSize(offset, length, into.length);
    synchronized (receiveLock) {
      if (receiveScratch == null) {
        receiveScratch = new Scratch();
      }
      Scratch s = receiveScratch;
      s.view.putInt(Scratch.ADDRESS_LENGTH_OFFSET, SockAddr.STORAGE_LENGTH);
      int n =
          LibC.recvfrom(
              fd,
              s.address + Scratch.DATA_OFFSET,
              Scratch.ADDRESS_OFFSET - Scratch.DATA_OFFSET,
              LibC.MSG_DONTWAIT | LibC.MSG_TRUNC,
              s.address + Scratch.ADDRESS_OFFSET,
              s.address + Scratch.ADDRESS_LENGTH_OFFSET);
      if (n < 0) {
        return null;
      }
      int copied = Math.min(n, length);
      s.view.getBytes(Scratch.DATA_OFFSET, into, offset, copied);
      return new Datagram(SockAddr.read(s.view, Scratch.ADDRESS_OFFSET), copied, n > length);
    }
  }

  /**
   * Sends {@code length} bytes of {@code data} from {@code offset} as one datagram to {@code to}.
   * For the control plane: any thread.
   *
   * @return true when the kernel took it; false when a non-blocking socket's send buffer is full,
   *     and the datagram is lost as it might be on the network
   * @throws IllegalArgumentException for an empty or oversized datagram, an unresolved address, or
   *     an address of the other family than this socket's
   * @throws NativeIOException when the kernel refuses it (as in ENETUNREACH)
   */
  public boolean sendTo(InetSocketAddress to, byte[] data, int offset, int length)
      throws NativeIOException {
    Objects.checkFromIndexSize(offset, length, data.length);
    if (length < 1 || length > MAX_PAYLOAD) {
      throw new IllegalArgumentException("a datagram of 1.." + MAX_PAYLOAD + " bytes: " + length);
    }
    InetAddress address = to.getAddress();
    if (address == null) {
      throw new IllegalArgumentException("unresolved address " + to);
    }
    if ((address instanceof Inet6Address) != ipv6) {
      throw new IllegalArgumentException(
          "an IPv" + (ipv6 ? 6 : 4) + " socket cannot send to " + to);
    }
    synchronized (sendLock) {
      if (sendScratch == null) {
        sendScratch = new Scratch();
      }
      Scratch s = sendScratch;
      int addressLength = SockAddr.write(s.view, Scratch.ADDRESS_OFFSET, address, to.getPort());
      s.view.putBytes(Scratch.DATA_OFFSET, data, offset, length);
      return LibC.sendto(
              fd,
              s.address + Scratch.DATA_OFFSET,
              length,
              0,
              s.address + Scratch.ADDRESS_OFFSET,
              addressLength)
          > 0;
    }
  }

  /**
   * Sets the receive buffer size (the kernel doubles it for bookkeeping); see {@link
   * Sockets#setBufferSize} for how it gets past {@code net.core.rmem_max} as root.
   */
  public void setReceiveBufferSize(int bytes) throws NativeIOException {
    Sockets.setBufferSize(fd, true, bytes);
  }

  /** The receive buffer size as the kernel reports it (twice what was set, with overhead). */
  public int receiveBufferSize() throws NativeIOException {
    return Sockets.getIntOption(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, "SO_RCVBUF");
  }

  /** Sets the send buffer size; see {@link #setReceiveBufferSize}. */
  public void setSendBufferSize(int bytes) throws NativeIOException {
    Sockets.setBufferSize(fd, false, bytes);
  }

  /** The send buffer size as the kernel reports it. */
  public int sendBufferSize() throws NativeIOException {
    return Sockets.getIntOption(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, "SO_SNDBUF");
  }

  /**
   * Turns on UDP's segmentation offloads for the batched calls: {@code UDP_GRO} on the socket, so
   * the kernel may hand over several datagrams of one sender coalesced into one receive, and the
   * promise that sends may carry {@code UDP_SEGMENT} (Linux 4.18 and 5.0 on). Agents that use the
   * socket ask {@link #segmentation()} when they are made and size their batches to match (64 KiB
   * slots, {@link PacketBatch#PacketBatch(java.lang.foreign.Arena, int, int, int, boolean) with
   * segments}); call it before they start.
   *
   * @return false, changing nothing, when the kernel does not know {@code UDP_GRO}
   */
  public boolean enableSegmentation() throws NativeIOException {
    try {
      Sockets.setIntOption(fd, PacketBatch.SOL_UDP, PacketBatch.UDP_GRO, 1, "UDP_GRO");
    } catch (NativeIOException e) {
      if (e.errno() == Errno.ENOPROTOOPT) {
        return false;
      }
      throw e;
    }
    segmentation = true;
    return true;
  }

  /** Whether {@link #enableSegmentation()} turned the segmentation offloads on. */
  public boolean segmentation() {
    return segmentation;
  }

  /** The file descriptor, for a {@link dev.vpngw.io.sys.Poller}. */
  public int fd() {
    return fd;
  }

  /** Whether this is an IPv6 socket (and so sends only to IPv6 peers). */
  public boolean isIpv6() {
    return ipv6;
  }

  /** The bound port (the ephemeral one the kernel chose if opened with port 0). */
  public int localPort() {
    return localPort;
  }

  /** Closes the socket; a second close does nothing. */
  @Override
  public void close() throws NativeIOException {
    if (!closed) {
      closed = true;
      LibC.close(fd);
    }
  }
}
