package dev.vpngw.io.raw;

import dev.vpngw.io.batch.PacketBatch;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.sys.Errno;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.sys.NativeIOException;
import dev.vpngw.io.sys.SockAddr;
import dev.vpngw.io.sys.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A raw IP socket for one IP protocol ({@code socket(AF_INET or AF_INET6, SOCK_RAW, protocol)}):
 * plain ESP (protocol 50, RFC 4303) when no NAT is in the way. Opening one needs CAP_NET_RAW.
 *
 * <p>What a receive delivers depends on the family, and callers must know which (see {@link
 * #deliversIpHeader()}): an IPv4 raw socket delivers the whole datagram, IPv4 header first (raw(7):
 * the header is always included on receive), so the ESP header starts at the header's IHL; an IPv6
 * raw socket delivers only the payload after the IPv6 header and its extension headers (RFC 3542 3:
 * "the entire IPv6 header is never passed"), so the ESP header is at the start. On send the kernel
 * builds the IP header in both families ({@code IP_HDRINCL} is not set), and the data is the
 * protocol's payload only. The peer of a received packet has port 0.
 *
 * <p>Receives never block ({@code MSG_DONTWAIT}); wait in a {@link dev.vpngw.io.sys.Poller}. The
 * kernel hands a raw socket a copy of every matching packet of its namespace, whatever else handles
 * it; this kernel has no ESP of its own, so the copy is the only one. Driven by one thread.
 */
public final class RawIpSocket implements AutoCloseable {
  private final int fd;
  private final boolean ipv6;
  private final int protocol;
  // Destination of sendTo, written per call; the field keeps the automatic arena's memory alive.
  private final MemorySegment destination;
  private final UnsafeBuffer destinationBuffer;
  private boolean closed;

  private RawIpSocket(int fd, boolean ipv6, int protocol) {
    this.fd = fd;
    this.ipv6 = ipv6;
    this.protocol = protocol;
    this.destination = Arena.ofAuto().allocate(SockAddr.STORAGE_LENGTH, 8);
    this.destinationBuffer = new UnsafeBuffer(destination.address(), SockAddr.STORAGE_LENGTH);
  }

  /**
   * Opens a raw socket for {@code protocol} in the family of {@code localAddress}, bound to it (the
   * wildcard address receives for every local address).
   */
  public static RawIpSocket open(InetAddress localAddress, int protocol, boolean nonBlocking)
      throws NativeIOException {
    int family = Sockets.family(localAddress);
    int fd;
    try {
      fd = Sockets.open(family, LibC.SOCK_RAW, protocol, nonBlocking);
    } catch (NativeIOException e) {
      throw e.errno() == Errno.EPERM ? e.withHint("raw IP sockets need root or CAP_NET_RAW") : e;
    }
    try {
      Sockets.bind(fd, localAddress, 0);
      return new RawIpSocket(fd, family == LibC.AF_INET6, protocol);
    } catch (NativeIOException | RuntimeException e) {
      Sockets.closeAfterFailure(fd, e);
      throw e;
    }
  }

  /**
   * Whether received packets start with the IP header: true for IPv4, false for IPv6 (where the
   * data starts at the protocol's own header).
   */
  public boolean deliversIpHeader() {
    return !ipv6;
  }

  /**
   * One {@code recvmmsg} of up to {@code batch.capacity()} packets; fills data, lengths and sender
   * addresses and returns the count, 0 when nothing is waiting.
   */
  public int receive(PacketBatch batch) throws NativeIOException {
    return batch.receive(fd);
  }

  /**
   * One {@code sendmmsg} of slots {@code from .. from + count - 1}, each to its slot's peer (the
   * port is ignored); returns how many went, with the same partial-send rules as {@link
   * dev.vpngw.io.udp.UdpSocket#send}.
   */
  public int send(PacketBatch batch, int from, int count) throws NativeIOException {
    return batch.send(fd, from, count);
  }

  /**
   * Sends {@code length} bytes at {@code offset} of {@code buffer} to the IP address at {@code
   * address[addressOffset]} (4 bytes on an IPv4 socket, 16 on IPv6), the kernel adding the IP
   * header. Returns false when a non-blocking socket cannot take it now.
   */
  public boolean sendTo(
      PacketBuffer buffer, int offset, int length, DirectBuffer address, int addressOffset)
      throws NativeIOException {
    int sockaddrLength =
        SockAddr.write(destinationBuffer, 0, address, addressOffset, ipv6 ? 16 : 4, 0);
    return LibC.sendto(
            fd, buffer.address() + offset, length, 0, destination.address(), sockaddrLength)
        > 0;
  }

  /** The file descriptor, for a {@link dev.vpngw.io.sys.Poller}. */
  public int fd() {
    return fd;
  }

  /** Whether this is an IPv6 raw socket. */
  public boolean isIpv6() {
    return ipv6;
  }

  /** The IP protocol number this socket carries. */
  public int protocol() {
    return protocol;
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
