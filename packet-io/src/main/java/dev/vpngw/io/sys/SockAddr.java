package dev.vpngw.io.sys;

import static java.nio.ByteOrder.BIG_ENDIAN;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Layout of the socket addresses the kernel reads and writes ({@code <netinet/in.h>}), and
 * allocation-free accessors over them in a buffer. Family is in host byte order, port and address
 * in network byte order. A slot of {@link #STORAGE_LENGTH} bytes holds either kind.
 *
 * <pre>
 * struct sockaddr_in  (16 bytes)          struct sockaddr_in6 (28 bytes)
 *   0  sa_family_t sin_family (AF_INET)     0  sa_family_t sin6_family (AF_INET6)
 *   2  in_port_t   sin_port                 2  in_port_t   sin6_port
 *   4  in_addr     sin_addr (4 bytes)       4  uint32_t    sin6_flowinfo
 *   8  sin_zero (8 bytes)                   8  in6_addr    sin6_addr (16 bytes)
 *                                          24  uint32_t    sin6_scope_id
 * </pre>
 */
public final class SockAddr {
  /** Offset of the address family (16 bits, host order). */
  public static final int FAMILY_OFFSET = 0;

  /** Offset of the port (16 bits, network order); 0 on raw sockets. */
  public static final int PORT_OFFSET = 2;

  /** Offset of the IPv4 address in a sockaddr_in. */
  public static final int IPV4_ADDRESS_OFFSET = 4;

  /** Offset of the flow information in a sockaddr_in6. */
  public static final int IPV6_FLOWINFO_OFFSET = 4;

  /** Offset of the IPv6 address in a sockaddr_in6. */
  public static final int IPV6_ADDRESS_OFFSET = 8;

  /** Offset of the scope id (interface index of a link-local address) in a sockaddr_in6. */
  public static final int IPV6_SCOPE_ID_OFFSET = 24;

  /** {@code sizeof(struct sockaddr_in)}. */
  public static final int IPV4_LENGTH = 16;

  /** {@code sizeof(struct sockaddr_in6)}. */
  public static final int IPV6_LENGTH = 28;

  /** Bytes reserved per address: a sockaddr_in6, rounded up to 8 so slots stay aligned. */
  public static final int STORAGE_LENGTH = 32;

  private SockAddr() {}

  /** The address family at {@code offset}: {@link LibC#AF_INET}, {@link LibC#AF_INET6} or 0. */
  public static int family(DirectBuffer buffer, int offset) {
    return buffer.getShort(offset + FAMILY_OFFSET) & 0xffff;
  }

  /** The port at {@code offset}. */
  public static int port(DirectBuffer buffer, int offset) {
    return buffer.getShort(offset + PORT_OFFSET, BIG_ENDIAN) & 0xffff;
  }

  /** The sockaddr length the kernel expects for {@code family}, or 0 for an unset address. */
  public static int length(int family) {
    return family == LibC.AF_INET6 ? IPV6_LENGTH : family == LibC.AF_INET ? IPV4_LENGTH : 0;
  }

  /**
   * Copies the IP address at {@code offset} into {@code dst} (4 bytes for IPv4, 16 for IPv6) and
   * returns how many bytes it copied (0 for an unset address).
   */
  public static int copyAddress(
      DirectBuffer buffer, int offset, MutableDirectBuffer dst, int dstOffset) {
    int family = family(buffer, offset);
    if (family == LibC.AF_INET) {
      dst.putBytes(dstOffset, buffer, offset + IPV4_ADDRESS_OFFSET, 4);
      return 4;
    }
    if (family == LibC.AF_INET6) {
      dst.putBytes(dstOffset, buffer, offset + IPV6_ADDRESS_OFFSET, 16);
      return 16;
    }
    return 0;
  }

  /**
   * Writes a sockaddr for the {@code length}-byte (4 or 16) IP address at {@code src[srcOffset]}
   * and {@code port}, zeroing the rest of the {@link #STORAGE_LENGTH}-byte slot, and returns the
   * sockaddr's length.
   */
  public static int write(
      MutableDirectBuffer buffer,
      int offset,
      DirectBuffer src,
      int srcOffset,
      int length,
      int port) {
    buffer.setMemory(offset, STORAGE_LENGTH, (byte) 0);
    buffer.putShort(offset + PORT_OFFSET, (short) port, BIG_ENDIAN);
    if (length == 4) {
      buffer.putShort(offset + FAMILY_OFFSET, (short) LibC.AF_INET);
      buffer.putBytes(offset + IPV4_ADDRESS_OFFSET, src, srcOffset, 4);
      return IPV4_LENGTH;
    }
    if (length == 16) {
      buffer.putShort(offset + FAMILY_OFFSET, (short) LibC.AF_INET6);
      buffer.putBytes(offset + IPV6_ADDRESS_OFFSET, src, srcOffset, 16);
      return IPV6_LENGTH;
    }
    throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + length);
  }

  /** As {@link #write(MutableDirectBuffer, int, DirectBuffer, int, int, int)} from an array. */
  public static int write(MutableDirectBuffer buffer, int offset, byte[] address, int port) {
    buffer.setMemory(offset, STORAGE_LENGTH, (byte) 0);
    buffer.putShort(offset + PORT_OFFSET, (short) port, BIG_ENDIAN);
    if (address.length == 4) {
      buffer.putShort(offset + FAMILY_OFFSET, (short) LibC.AF_INET);
      buffer.putBytes(offset + IPV4_ADDRESS_OFFSET, address);
      return IPV4_LENGTH;
    }
    if (address.length == 16) {
      buffer.putShort(offset + FAMILY_OFFSET, (short) LibC.AF_INET6);
      buffer.putBytes(offset + IPV6_ADDRESS_OFFSET, address);
      return IPV6_LENGTH;
    }
    throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
  }

  /** Writes a sockaddr for an IPv4 address given as a big-endian int; returns its length. */
  public static int writeIpv4(MutableDirectBuffer buffer, int offset, int address, int port) {
    buffer.setMemory(offset, STORAGE_LENGTH, (byte) 0);
    buffer.putShort(offset + FAMILY_OFFSET, (short) LibC.AF_INET);
    buffer.putShort(offset + PORT_OFFSET, (short) port, BIG_ENDIAN);
    buffer.putInt(offset + IPV4_ADDRESS_OFFSET, address, BIG_ENDIAN);
    return IPV4_LENGTH;
  }

  /**
   * Writes a sockaddr for a JDK address (keeping an IPv6 scope id) and returns its length. Setup
   * and control-plane use; the data path passes raw bytes instead.
   */
  public static int write(MutableDirectBuffer buffer, int offset, InetAddress address, int port) {
    int length = write(buffer, offset, address.getAddress(), port);
    if (address instanceof Inet6Address v6) {
      buffer.putInt(offset + IPV6_SCOPE_ID_OFFSET, v6.getScopeId());
    }
    return length;
  }

  /** Reads the address at {@code offset} as a JDK address (allocates: not for the data path). */
  public static InetSocketAddress read(DirectBuffer buffer, int offset) {
    int family = family(buffer, offset);
    byte[] bytes;
    if (family == LibC.AF_INET) {
      bytes = new byte[4];
      buffer.getBytes(offset + IPV4_ADDRESS_OFFSET, bytes);
    } else if (family == LibC.AF_INET6) {
      bytes = new byte[16];
      buffer.getBytes(offset + IPV6_ADDRESS_OFFSET, bytes);
    } else {
      throw new IllegalStateException("no address stored (family " + family + ")");
    }
    try {
      int scope = family == LibC.AF_INET6 ? buffer.getInt(offset + IPV6_SCOPE_ID_OFFSET) : 0;
      InetAddress address =
          scope != 0
              ? Inet6Address.getByAddress(null, bytes, scope)
              : InetAddress.getByAddress(bytes);
      return new InetSocketAddress(address, port(buffer, offset));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
