package dev.vpngw.ikev2.config;

import dev.vpngw.ikev2.message.IdType;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * An IKE identity (RFC 7296 3.5): its type and data, written in the forms strongSwan's
 * configuration uses: an IP address, {@code @host.example.com} or {@code host.example.com} (FQDN),
 * {@code user@example.com} (RFC 822) or a distinguished name {@code C=CH, O=Example, CN=gw}. As in
 * strongSwan, a DN's RDNs are written in the order of its encoding, the first written being the
 * first in the DER (the order {@code openssl x509 -subject} prints); Java's {@link X500Principal}
 * reads and prints the reverse (RFC 2253), so DNs are turned around on the way in and out.
 *
 * @param type the ID type
 * @param data the identification data (address bytes, ASCII name, or DER of the DN)
 */
public record Identity(int type, byte[] data) {
  /** Copies the data. */
  public Identity {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** Parses the textual form; refuses an empty one. */
  public static Identity parse(String text) {
    String s = text == null ? "" : text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("identity is empty");
    }
    if (s.contains("=")) {
      try {
        return new Identity(IdType.ID_DER_ASN1_DN, reversed(new X500Principal(s).getEncoded()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("identity '" + s + "' is not a valid DN", e);
      }
    }
    if (s.startsWith("@")) {
      return new Identity(IdType.ID_FQDN, s.substring(1).getBytes(StandardCharsets.US_ASCII));
    }
    if (s.contains("@")) {
      return new Identity(IdType.ID_RFC822_ADDR, s.getBytes(StandardCharsets.US_ASCII));
    }
    if (isAddressLiteral(s)) {
      return of(parseLiteral(s));
    }
    return new Identity(IdType.ID_FQDN, s.getBytes(StandardCharsets.US_ASCII));
  }

  /** The identity of an address. */
  public static Identity of(InetAddress address) {
    byte[] a = address.getAddress();
    return new Identity(a.length == 4 ? IdType.ID_IPV4_ADDR : IdType.ID_IPV6_ADDR, a);
  }

  private static boolean isAddressLiteral(String s) {
    return s.matches("\\d{1,3}(\\.\\d{1,3}){3}")
        || (s.contains(":") && s.matches("[0-9a-fA-F:.]+"));
  }

  private static InetAddress parseLiteral(String s) {
    try {
      return InetAddress.getByName(s); // a literal: no name lookup happens
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("identity '" + s + "' is not a valid address", e);
    }
  }

  /** Whether another identity is the same (type and data). */
  public boolean matches(int otherType, byte[] otherData) {
    if (type == IdType.ID_DER_ASN1_DN && otherType == IdType.ID_DER_ASN1_DN) {
      try {
        return new X500Principal(data).equals(new X500Principal(otherData));
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    return type == otherType && Arrays.equals(data, otherData);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Identity i && matches(i.type, i.data);
  }

  @Override
  public int hashCode() {
    return type * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return describe(type, data);
  }

  /** A readable form of any identity, for logs. */
  public static String describe(int type, byte[] data) {
    try {
      return switch (type) {
        case IdType.ID_IPV4_ADDR, IdType.ID_IPV6_ADDR ->
            InetAddress.getByAddress(data).getHostAddress();
        case IdType.ID_FQDN, IdType.ID_RFC822_ADDR -> printable(data);
        case IdType.ID_DER_ASN1_DN ->
            new X500Principal(reversed(data)).getName(X500Principal.RFC1779);
        default -> "id-type-" + type + "(" + data.length + " bytes)";
      };
    } catch (java.net.UnknownHostException | IllegalArgumentException e) {
      return "id-type-" + type + "(malformed, " + data.length + " bytes)";
    }
  }

  /**
   * The DN with its RDNs in reverse order, each RDN's values left as encoded: the step between
   * strongSwan's written order and {@link X500Principal}'s.
   *
   * @throws IllegalArgumentException if {@code der} is not a DN
   */
  static byte[] reversed(byte[] der) {
    try {
      RDN[] rdns = X500Name.getInstance(der).getRDNs();
      RDN[] out = new RDN[rdns.length];
      for (int i = 0; i < rdns.length; i++) {
        out[i] = rdns[rdns.length - 1 - i];
      }
      return new X500Name(out).getEncoded();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a distinguished name", e);
    }
  }

  private static String printable(byte[] data) {
    StringBuilder sb = new StringBuilder();
    for (byte b : data) {
      sb.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
    }
    return sb.toString();
  }
}
