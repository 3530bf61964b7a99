package dev.vpngw.ikev2.message;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One traffic selector of a TS payload (RFC 7296 3.13.1): an IP protocol (0 = any), a port range
 * and an address range, IPv4 or IPv6. Only the two address-range types exist here: the decoder
 * leaves selectors of other types out, as RFC 7296 3.13.1 has receivers ignore them.
 *
 * <pre>
 * |   TS Type     |IP Protocol ID*|       Selector Length         |
 * |           Start Port*         |           End Port*           |
 * ~                         Starting Address*                     ~
 * ~                         Ending Address*                       ~
 * </pre>
 */
public record TrafficSelectorEntry(
    int tsType,
    int ipProtocol,
    int startPort,
    int endPort,
    byte[] startAddress,
    byte[] endAddress) {
  /** An IPv4 address range: 4-byte addresses, selector length 16. */
  public static final int TS_IPV4_ADDR_RANGE = 7;

  /** An IPv6 address range: 16-byte addresses, selector length 40. */
  public static final int TS_IPV6_ADDR_RANGE = 8;

  private static final int HEADER_LENGTH = 8;

  /** Checks the type, the field widths and that both addresses have the type's length. */
  public TrafficSelectorEntry {
    int addressLength = addressLength(tsType);
    if (addressLength < 0) {
      throw new IllegalArgumentException("unsupported traffic selector type " + tsType);
    }
    Fields.u8(ipProtocol, "ip protocol");
    Fields.u16(startPort, "start port");
    Fields.u16(endPort, "end port");
    startAddress = Fields.copy(startAddress, "start address");
    endAddress = Fields.copy(endAddress, "end address");
    if (startAddress.length != addressLength || endAddress.length != addressLength) {
      throw new IllegalArgumentException("addresses must have " + addressLength + " bytes");
    }
  }

  /**
   * A selector for the addresses {@code start..end} (both of one family), the IP protocol (0 for
   * any) and the ports {@code startPort..endPort}.
   */
  public static TrafficSelectorEntry range(
      InetAddress start, InetAddress end, int ipProtocol, int startPort, int endPort) {
    byte[] s = start.getAddress();
    int type = s.length == 4 ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE;
    return new TrafficSelectorEntry(type, ipProtocol, startPort, endPort, s, end.getAddress());
  }

  /** A copy of the first address of the range. */
  @Override
  public byte[] startAddress() {
    return startAddress.clone();
  }

  /** A copy of the last address of the range. */
  @Override
  public byte[] endAddress() {
    return endAddress.clone();
  }

  private static int addressLength(int tsType) {
    return switch (tsType) {
      case TS_IPV4_ADDR_RANGE -> 4;
      case TS_IPV6_ADDR_RANGE -> 16;
      default -> -1;
    };
  }

  /** Decodes one selector, or returns null for a type we do not know (skipped by its length). */
  static TrafficSelectorEntry decode(WireReader r) throws IkeParseException {
    int tsType = r.u8("ts type");
    int ipProtocol = r.u8("ts ip protocol");
    int length = r.u16("ts selector length");
    if (length < 4) {
      throw IkeParseException.malformed("selector length " + length);
    }
    WireReader s = r.slice(length - 4, "traffic selector");
    int addressLength = addressLength(tsType);
    if (addressLength < 0) {
      return null;
    }
    if (length != HEADER_LENGTH + 2 * addressLength) {
      throw IkeParseException.malformed("selector of type " + tsType + " with length " + length);
    }
    int startPort = s.u16("ts start port");
    int endPort = s.u16("ts end port");
    byte[] start = s.bytes(addressLength, "ts start address");
    byte[] end = s.bytes(addressLength, "ts end address");
    return new TrafficSelectorEntry(tsType, ipProtocol, startPort, endPort, start, end);
  }

  void encode(WireWriter w) {
    w.u8(tsType).u8(ipProtocol).u16(HEADER_LENGTH + 2 * startAddress.length);
    w.u16(startPort).u16(endPort).bytes(startAddress).bytes(endAddress);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrafficSelectorEntry t
        && tsType == t.tsType
        && ipProtocol == t.ipProtocol
        && startPort == t.startPort
        && endPort == t.endPort
        && Arrays.equals(startAddress, t.startAddress)
        && Arrays.equals(endAddress, t.endAddress);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        tsType,
        ipProtocol,
        startPort,
        endPort,
        Arrays.hashCode(startAddress),
        Arrays.hashCode(endAddress));
  }

  /** Addresses are not secret, and a selector is unreadable without them. */
  @Override
  public String toString() {
    return address(startAddress)
        + ".."
        + address(endAddress)
        + " proto "
        + ipProtocol
        + " ports "
        + startPort
        + ".."
        + endPort;
  }

  static String address(byte[] b) {
    if (b.length != 4 && b.length != 16) {
      return Fields.len(b);
    }
    try {
      return InetAddress.getByAddress(b).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4- or 16-byte address rejected", e);
    }
  }
}
