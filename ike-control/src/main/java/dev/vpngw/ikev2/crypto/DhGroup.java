package dev.vpngw.ikev2.crypto;

import java.security.SecureRandom;

/**
 * IKEv2 key exchange methods (transform type 4, RFC 7296 3.3.2) and the encoding of their KE
 * payload data: MODP groups as a big-endian integer padded to the prime's length (RFC 7296 3.4;
 * primes from RFC 2409 6.2, RFC 3526 and RFC 5114 2.3), NIST curves as x || y without the SEC1 0x04
 * prefix (RFC 5903 7), Curve25519 as the 32-byte little-endian u-coordinate (RFC 8031 2).
 */
public enum DhGroup {
  /** 1024-bit MODP group (RFC 2409 6.2); weak, kept because some peers still default to it. */
  MODP_1024(2, 128),
  /** 2048-bit MODP group (RFC 3526 3). */
  MODP_2048(14, 256),
  /** 3072-bit MODP group (RFC 3526 4). */
  MODP_3072(15, 384),
  /** 4096-bit MODP group (RFC 3526 5). */
  MODP_4096(16, 512),
  /** NIST P-256 (RFC 5903). */
  ECP_256(19, 64),
  /** NIST P-384 (RFC 5903). */
  ECP_384(20, 96),
  /** NIST P-521 (RFC 5903): 66-byte coordinates. */
  ECP_521(21, 132),
  /** 2048-bit MODP group with a 256-bit prime-order subgroup (RFC 5114 2.3). */
  MODP_2048_256(24, 256),
  /** Curve25519 (RFC 8031). */
  CURVE25519(31, 32);

  private final int id;
  private final int publicValueLength;

  DhGroup(int id, int publicValueLength) {
    this.id = id;
    this.publicValueLength = publicValueLength;
  }

  /** The IANA transform id (also the DH Group Num of the KE payload). */
  public int id() {
    return id;
  }

  /** The group with IANA transform id {@code id}, or null if we do not implement it. */
  public static DhGroup byId(int id) {
    for (DhGroup group : values()) {
      if (group.id == id) {
        return group;
      }
    }
    return null;
  }

  /** Length in bytes of the KE payload's key exchange data for this group. */
  public int publicValueLength() {
    return publicValueLength;
  }

  /** Starts one exchange with a fresh private value drawn from {@code random}. */
  public KeyExchange newKeyExchange(SecureRandom random) {
    return switch (this) {
      case MODP_1024, MODP_2048, MODP_3072, MODP_4096, MODP_2048_256 ->
          ModpKeyExchange.generate(this, random);
      case ECP_256, ECP_384, ECP_521 -> EcpKeyExchange.generate(this, random);
      case CURVE25519 -> X25519KeyExchange.generate(random);
    };
  }
}
