package dev.vpngw.selector;

import dev.vpngw.fib.IpPrefix;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * One traffic selector of an IKEv2 TSi or TSr payload (RFC 7296 3.13.1): an IP protocol (0 for
 * any), an inclusive port range and an inclusive address range of one family. Immutable.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   TS Type     |IP Protocol ID*|       Selector Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Start Port*         |           End Port*           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ~                         Starting Address*                     ~
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ~                         Ending Address*                       ~
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The port range applies to whichever side of a packet the selector is matched against: the source
 * port for the side a packet comes from, the destination port for the side it goes to. For ICMP and
 * ICMPv6 the "port" is the type in the high byte and the code in the low one (RFC 7296 3.13.1; RFC
 * 4301 4.4.1.1 gives ICMP one 16-bit type/code selector in place of the two ports), checked against
 * both selectors of the pair. The OPAQUE range (start 65535, end 0) matches only packets whose
 * ports cannot be known, such as non-initial fragments; a packet without ports matches only
 * selectors whose range is all ports or OPAQUE (RFC 4301 4.4.1.1, "OPAQUE" and "ANY").
 *
 * <p>Addresses are kept in the 128-bit form of {@link IpPrefix} (IPv4 in the top 32 bits), so a
 * range check is two unsigned comparisons of two longs, with no allocation.
 */
public final class TrafficSelector {
  /** RFC 7296 3.13.1 TS type of an IPv4 address range. */
  public static final int TS_IPV4_ADDR_RANGE = 7;

  /** RFC 7296 3.13.1 TS type of an IPv6 address range. */
  public static final int TS_IPV6_ADDR_RANGE = 8;

  /** The IP protocol id that matches every protocol. */
  public static final int ANY_PROTOCOL = 0;

  /** The largest port number; {@code 0..MAX_PORT} is "any port". */
  public static final int MAX_PORT = 0xffff;

  private final boolean ipv6;
  private final int protocol;
  private final int startPort;
  private final int endPort;
  private final long startHigh;
  private final long startLow;
  private final long endHigh;
  private final long endLow;

  private TrafficSelector(
      boolean ipv6,
      int protocol,
      int startPort,
      int endPort,
      long startHigh,
      long startLow,
      long endHigh,
      long endLow) {
    this.ipv6 = ipv6;
    this.protocol = protocol;
    this.startPort = startPort;
    this.endPort = endPort;
    this.startHigh = startHigh;
    this.startLow = startLow;
    this.endHigh = endHigh;
    this.endLow = endLow;
  }

  /** All protocols and ports within {@code prefix}. */
  public static TrafficSelector of(IpPrefix prefix) {
    return of(prefix, ANY_PROTOCOL, 0, MAX_PORT);
  }

  /**
   * Parses a CIDR prefix (see {@link IpPrefix#parse}) into a selector for all protocols and ports.
   *
   * @throws IllegalArgumentException naming the value when it is not a valid prefix
   */
  public static TrafficSelector parse(String cidr) {
    return of(IpPrefix.parse(cidr));
  }

  /**
   * One protocol and port range within {@code prefix}.
   *
   * @param protocol IP protocol id, 0 for any
   * @param startPort first port, or 65535 with {@code endPort} 0 for OPAQUE
   * @param endPort last port
   * @throws IllegalArgumentException for values out of range or start after end
   */
  public static TrafficSelector of(IpPrefix prefix, int protocol, int startPort, int endPort) {
    checkProtocolAndPorts(protocol, startPort, endPort);
    return new TrafficSelector(
        prefix.isIpv6(),
        protocol,
        startPort,
        endPort,
        prefix.high(),
        prefix.low(),
        prefix.lastHigh(),
        prefix.lastLow());
  }

  /**
   * An address range as an IKEv2 peer sends it: {@code start} to {@code end} inclusive, both 4 or
   * both 16 bytes.
   *
   * @throws IllegalArgumentException for mixed families, start after end, or bad protocol/ports
   */
  public static TrafficSelector range(
      byte[] start, byte[] end, int protocol, int startPort, int endPort) {
    if (start.length != end.length || (start.length != 4 && start.length != 16)) {
      throw new IllegalArgumentException(
          "address range needs two IPv4 or two IPv6 addresses, got "
              + start.length
              + " and "
              + end.length
              + " bytes");
    }
    checkProtocolAndPorts(protocol, startPort, endPort);
    int bits = start.length * 8;
    IpPrefix first = IpPrefix.of(start, bits);
    IpPrefix last = IpPrefix.of(end, bits);
    if (compare(first.high(), first.low(), last.high(), last.low()) > 0) {
      throw new IllegalArgumentException(
          "address range starts after it ends: " + first + " - " + last);
    }
    return new TrafficSelector(
        start.length == 16,
        protocol,
        startPort,
        endPort,
        first.high(),
        first.low(),
        last.high(),
        last.low());
  }

  private static void checkProtocolAndPorts(int protocol, int startPort, int endPort) {
    if (protocol < 0 || protocol > 255) {
      throw new IllegalArgumentException("IP protocol id must be 0..255: " + protocol);
    }
    if (startPort < 0 || startPort > MAX_PORT || endPort < 0 || endPort > MAX_PORT) {
      throw new IllegalArgumentException("ports must be 0..65535: " + startPort + "-" + endPort);
    }
    if (startPort > endPort && !(startPort == MAX_PORT && endPort == 0)) {
      throw new IllegalArgumentException(
          "port range starts after it ends (only 65535-0, OPAQUE, may): "
              + startPort
              + "-"
              + endPort);
    }
  }

  /** True for an IPv6 selector (TS_IPV6_ADDR_RANGE). */
  public boolean isIpv6() {
    return ipv6;
  }

  /** The RFC 7296 TS type: {@link #TS_IPV4_ADDR_RANGE} or {@link #TS_IPV6_ADDR_RANGE}. */
  public int type() {
    return ipv6 ? TS_IPV6_ADDR_RANGE : TS_IPV4_ADDR_RANGE;
  }

  /** The IP protocol id, 0 for any. */
  public int protocol() {
    return protocol;
  }

  /** The first port of the range (65535 for OPAQUE). */
  public int startPort() {
    return startPort;
  }

  /** The last port of the range (0 for OPAQUE). */
  public int endPort() {
    return endPort;
  }

  /** The first address, 4 or 16 bytes. */
  public byte[] startAddress() {
    return bytes(startHigh, startLow);
  }

  /** The last address, 4 or 16 bytes. */
  public byte[] endAddress() {
    return bytes(endHigh, endLow);
  }

  /** True when the selector covers every port (0 to 65535). */
  public boolean isAnyPort() {
    return startPort == 0 && endPort == MAX_PORT;
  }

  /** True for the OPAQUE port range (65535 to 0). */
  public boolean isOpaquePort() {
    return startPort == MAX_PORT && endPort == 0;
  }

  /**
   * Whether a packet's side matches: its address (128-bit form) lies in the range, its protocol is
   * the selector's (or the selector's is any), and its port is in the range.
   *
   * @param port the side's port (or ICMP type/code), or -1 when the packet has no port to match
   */
  boolean matches(boolean packetIpv6, long high, long low, int packetProtocol, int port) {
    if (packetIpv6 != ipv6
        || (protocol != ANY_PROTOCOL && protocol != packetProtocol)
        || compare(high, low, startHigh, startLow) < 0
        || compare(high, low, endHigh, endLow) > 0) {
      return false;
    }
    if (port < 0) {
      return isAnyPort() || isOpaquePort();
    }
    return port >= startPort && port <= endPort;
  }

  private static int compare(long high1, long low1, long high2, long low2) {
    int c = Long.compareUnsigned(high1, high2);
    return c != 0 ? c : Long.compareUnsigned(low1, low2);
  }

  private byte[] bytes(long high, long low) {
    byte[] out = new byte[ipv6 ? 16 : 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (i < 8 ? high >>> (56 - 8 * i) : low >>> (56 - 8 * (i - 8)));
    }
    return out;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TrafficSelector that
        && ipv6 == that.ipv6
        && protocol == that.protocol
        && startPort == that.startPort
        && endPort == that.endPort
        && startHigh == that.startHigh
        && startLow == that.startLow
        && endHigh == that.endHigh
        && endLow == that.endLow;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(
        new long[] {
          ipv6 ? 1 : 0, protocol, startPort, endPort, startHigh, startLow, endHigh, endLow
        });
  }

  /** {@code start-end}, then {@code [protocol/startPort-endPort]} unless both are "any". */
  @Override
  public String toString() {
    String ports = isAnyPort() ? "" : isOpaquePort() ? "/OPAQUE" : "/" + startPort + "-" + endPort;
    String proto = protocol == ANY_PROTOCOL && ports.isEmpty() ? "" : "[" + protocol + ports + "]";
    return address(startAddress()) + "-" + address(endAddress()) + proto;
  }

  private static String address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
    }
  }
}
