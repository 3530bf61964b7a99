package dev.vpngw.ikev2.crypto;

/**
 * One side of one Diffie-Hellman exchange (RFC 7296 1.2, 3.4): a fresh private value, the public
 * value that goes into the KE payload, and the shared secret g^ir computed from the peer's KE data.
 * Not thread-safe; use once and {@link #destroy()}.
 */
public interface KeyExchange {
  /** The group this exchange runs in. */
  DhGroup group();

  /** The KE payload's key exchange data, exactly {@link DhGroup#publicValueLength()} bytes. */
  byte[] publicValue();

  /**
   * g^ir from the peer's KE data, after validating it (RFC 6989 for MODP and ECP, RFC 8031 for
   * Curve25519).
   *
   * @throws InvalidKeyExchangeException if the peer's value is malformed or unsafe
   */
  byte[] sharedSecret(byte[] peerPublicValue) throws InvalidKeyExchangeException;

  /** Forgets the private value; later calls to {@link #sharedSecret} throw. */
  void destroy();
}
