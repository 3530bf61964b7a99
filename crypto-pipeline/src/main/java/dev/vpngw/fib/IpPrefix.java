package dev.vpngw.fib;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix: an address and a prefix length, with the host bits cleared (so {@code
 * 10.1.2.3/8} is {@code 10.0.0.0/8}, as strongSwan and most route configurations read it).
 * Immutable; used by the {@link FibBuilder} and by traffic selectors.
 *
 * <p>For the lookup structures the address is also kept as a 128-bit number in two longs, most
 * significant bit first: an IPv6 address as it is, an IPv4 address in the top 32 bits of {@link
 * #high()}. Both families then share one trie and one mask table.
 */
public final class IpPrefix {
  private final byte[] address;
  private final int length;
  private final long high;
  private final long low;

  private IpPrefix(byte[] address, int length) {
    this.address = address;
    this.length = length;
    long[] words = toWords(address);
    this.high = words[0] & maskHigh(length);
    this.low = words[1] & maskLow(length);
    writeWords(address, high, low);
  }

  /**
   * A prefix of {@code length} bits of {@code address} (4 or 16 bytes; copied).
   *
   * @throws IllegalArgumentException if the address is not 4 or 16 bytes or the length is not 0 to
   *     32 / 0 to 128
   */
  public static IpPrefix of(byte[] address, int length) {
    if (address.length != 4 && address.length != 16) {
      throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
    }
    if (length < 0 || length > address.length * 8) {
      throw new IllegalArgumentException(
          "prefix length " + length + " out of range for a " + address.length + "-byte address");
    }
    return new IpPrefix(address.clone(), length);
  }

  /** The prefix of {@code length} bits of an IPv4 address given as a big-endian int. */
  public static IpPrefix ipv4(int address, int length) {
    return of(
        new byte[] {
          (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
        },
        length);
  }

  /**
   * Parses CIDR notation: {@code 192.0.2.0/24}, {@code 2001:db8::/32}, or a bare address for a host
   * prefix (/32 or /128). IPv4 must be a dotted quad; nothing is ever resolved through DNS.
   *
   * @throws IllegalArgumentException naming the value when it is not a valid prefix
   */
  public static IpPrefix parse(String cidr) {
    String text = cidr.strip();
    int slash = text.indexOf('/');
    String addressText = slash < 0 ? text : text.substring(0, slash);
    byte[] address = parseAddress(addressText, cidr);
    int length = address.length * 8;
    if (slash >= 0) {
      String lengthText = text.substring(slash + 1);
      if (lengthText.isEmpty() || lengthText.length() > 3 || !isDigits(lengthText)) {
        throw new IllegalArgumentException("bad prefix length in '" + cidr + "'");
      }
      length = Integer.parseInt(lengthText);
      if (length > address.length * 8) {
        throw new IllegalArgumentException("prefix length too long in '" + cidr + "'");
      }
    }
    return new IpPrefix(address, length);
  }

  /**
   * Parses an address literal: a dotted-quad IPv4 address or an IPv6 address (an IPv4-mapped IPv6
   * literal stays a 16-byte IPv6 address).
   *
   * @param text the literal
   * @param context the whole value, for the error message
   * @throws IllegalArgumentException naming {@code context} when it is not an address
   */
  private static byte[] parseAddress(String text, String context) {
    if (text.indexOf(':') >= 0) {
      try {
        InetAddress parsed = Inet6Address.ofLiteral(text);
        if (parsed instanceof Inet4Address mapped) {
          byte[] v6 = new byte[16];
          v6[10] = (byte) 0xff;
          v6[11] = (byte) 0xff;
          System.arraycopy(mapped.getAddress(), 0, v6, 12, 4);
          return v6;
        }
        return parsed.getAddress();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad IPv6 address in '" + context + "'", e);
      }
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("bad IPv4 address in '" + context + "'");
    }
    byte[] v4 = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3 || !isDigits(part)) {
        throw new IllegalArgumentException("bad IPv4 address in '" + context + "'");
      }
      int value = Integer.parseInt(part);
      if (value > 255) {
        throw new IllegalArgumentException("bad IPv4 address in '" + context + "'");
      }
      v4[i] = (byte) value;
    }
    return v4;
  }

  private static boolean isDigits(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** True for an IPv6 prefix. */
  public boolean isIpv6() {
    return address.length == 16;
  }

  /** The prefix length in bits. */
  public int length() {
    return length;
  }

  /** The network address (host bits zero), 4 or 16 bytes; a copy. */
  public byte[] address() {
    return address.clone();
  }

  /** The 128-bit form's top 64 bits (an IPv4 address sits in the top 32 of them). */
  public long high() {
    return high;
  }

  /** The 128-bit form's low 64 bits (zero for IPv4). */
  public long low() {
    return low;
  }

  /**
   * The last address the prefix covers, in the 128-bit form: high word. The prefix length is the
   * same number on that scale for both families, since IPv4 is aligned to the top.
   */
  public long lastHigh() {
    long host = ~maskHigh(length);
    return isIpv6() ? high | host : high | (host & 0xffff_ffff_0000_0000L);
  }

  /** The last address the prefix covers, in the 128-bit form: low word. */
  public long lastLow() {
    return isIpv6() ? low | ~maskLow(length) : 0;
  }

  /** A mask of the top {@code bits} bits (0 to 128) of a 128-bit number, high word. */
  static long maskHigh(int bits) {
    return bits == 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
  }

  /** A mask of the top {@code bits} bits (0 to 128) of a 128-bit number, low word. */
  static long maskLow(int bits) {
    return bits <= 64 ? 0 : bits == 128 ? -1L : -1L << (128 - bits);
  }

  private static long[] toWords(byte[] address) {
    long high = 0;
    long low = 0;
    for (int i = 0; i < address.length; i++) {
      long b = address[i] & 0xffL;
      if (i < 8) {
        high |= b << (56 - 8 * i);
      } else {
        low |= b << (56 - 8 * (i - 8));
      }
    }
    return new long[] {high, low};
  }

  private static void writeWords(byte[] address, long high, long low) {
    for (int i = 0; i < address.length; i++) {
      address[i] = (byte) (i < 8 ? high >>> (56 - 8 * i) : low >>> (56 - 8 * (i - 8)));
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IpPrefix that
        && length == that.length
        && Arrays.equals(address, that.address);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(address) + length;
  }

  /** CIDR notation of the network address. */
  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(address).getHostAddress() + "/" + length;
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
    }
  }
}
