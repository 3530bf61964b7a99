package dev.vpngw.ikev2.message;

/** Identification types of the ID payload (RFC 7296 3.5). */
public final class IdType {
  /** A single four-octet IPv4 address. */
  public static final int ID_IPV4_ADDR = 1;

  /** A fully-qualified domain name, ASCII, no terminator. */
  public static final int ID_FQDN = 2;

  /** An RFC 822 email address, ASCII, no terminator. */
  public static final int ID_RFC822_ADDR = 3;

  /** A single sixteen-octet IPv6 address. */
  public static final int ID_IPV6_ADDR = 5;

  /** The DER encoding of an ASN.1 X.500 Distinguished Name. */
  public static final int ID_DER_ASN1_DN = 9;

  /** An opaque octet string for vendor-specific identities. */
  public static final int ID_KEY_ID = 11;

  private IdType() {}
}
