package dev.vpngw.appliance.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 prefix in CIDR notation, normalised (host bits must be zero, as a route's are).
 *
 * @param address the network address
 * @param length the prefix length
 */
public record IpPrefix(InetAddress address, int length) {
  /**
   * Parses {@code a.b.c.d/n} or {@code x::y/n}; throws IllegalArgumentException naming the value.
   */
  public static IpPrefix parse(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + cidr + "' is not a prefix (address/length)");
    }
    String host = cidr.substring(0, slash);
    if (!host.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("'" + cidr + "': not an IP address (no host names here)");
    }
    InetAddress address;
    int length;
    try {
      address = InetAddress.getByName(host);
      length = Integer.parseInt(cidr.substring(slash + 1));
    } catch (UnknownHostException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + cidr + "' is not a prefix: " + e.getMessage());
    }
    int bits = address.getAddress().length * 8;
    if (length < 0 || length > bits) {
      throw new IllegalArgumentException("'" + cidr + "': length must be 0.." + bits);
    }
    byte[] b = address.getAddress();
    for (int i = length; i < bits; i++) {
      if ((b[i / 8] & (0x80 >>> (i % 8))) != 0) {
        throw new IllegalArgumentException("'" + cidr + "': host bits set after /" + length);
      }
    }
    return new IpPrefix(address, length);
  }

  /** Whether the two prefixes share any address. */
  public boolean overlaps(IpPrefix other) {
    byte[] a = address.getAddress();
    byte[] b = other.address.getAddress();
    if (a.length != b.length) {
      return false;
    }
    int common = Math.min(length, other.length);
    for (int i = 0; i < common; i++) {
      int mask = 0x80 >>> (i % 8);
      if ((a[i / 8] & mask) != (b[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return address.getHostAddress() + "/" + length;
  }
}
