package dev.vpngw.ikev2.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 key exchange for IKEv2 (RFC 8031) on the JDK's XDH. KE data and shared secret are both
 * 32-byte little-endian strings (RFC 7748 5). Per RFC 8031 2 and RFC 7748 6.1 the all-zero shared
 * secret, which a small-order peer point produces, is refused.
 */
final class X25519KeyExchange implements KeyExchange {
  private static final int LENGTH = 32;

  private PrivateKey privateKey;
  private final byte[] publicValue;

  private X25519KeyExchange(PrivateKey privateKey, byte[] publicValue) {
    this.privateKey = privateKey;
    this.publicValue = publicValue;
  }

  static X25519KeyExchange generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("X25519");
      generator.initialize(NamedParameterSpec.X25519, random);
      KeyPair pair = generator.generateKeyPair();
      byte[] u = encodeU(((XECPublicKey) pair.getPublic()).getU());
      return new X25519KeyExchange(pair.getPrivate(), u);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK cannot generate X25519 keys", e);
    }
  }

  /** An exchange with a given 32-byte scalar; for published test vectors. */
  static X25519KeyExchange withScalar(byte[] scalar) {
    try {
      PrivateKey key =
          KeyFactory.getInstance("XDH")
              .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar.clone()));
      // The public value is X25519(k, 9) (RFC 7748 6.1): the agreement with the base point.
      byte[] basePoint = new byte[LENGTH];
      basePoint[0] = 9;
      return new X25519KeyExchange(key, agree(key, basePoint));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("bad X25519 scalar", e);
    }
  }

  @Override
  public DhGroup group() {
    return DhGroup.CURVE25519;
  }

  @Override
  public byte[] publicValue() {
    return publicValue.clone();
  }

  @Override
  public byte[] sharedSecret(byte[] peerPublicValue) throws InvalidKeyExchangeException {
    PrivateKey key = privateKey;
    if (key == null) {
      throw new IllegalStateException("key exchange destroyed");
    }
    if (peerPublicValue.length != LENGTH) {
      throw new InvalidKeyExchangeException(
          "CURVE25519 public value must be 32 bytes, got " + peerPublicValue.length);
    }
    byte[] secret;
    try {
      secret = agree(key, peerPublicValue);
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw new InvalidKeyExchangeException("X25519 refused the peer's value", e);
    }
    int any = 0;
    for (byte b : secret) {
      any |= b;
    }
    if (any == 0 || secret.length != LENGTH) {
      throw new InvalidKeyExchangeException("X25519 shared secret is all zero (small-order point)");
    }
    return secret;
  }

  @Override
  public void destroy() {
    // The JDK's XDH private keys cannot be wiped; dropping the reference is all we can do.
    privateKey = null;
  }

  @Override
  public String toString() {
    return "X25519KeyExchange";
  }

  private static byte[] agree(PrivateKey key, byte[] peerU) throws GeneralSecurityException {
    KeyAgreement agreement = KeyAgreement.getInstance("XDH");
    agreement.init(key);
    agreement.doPhase(
        KeyFactory.getInstance("XDH")
            .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(peerU))),
        true);
    return agreement.generateSecret();
  }

  /** Little-endian u with the top bit masked, as RFC 7748 5 requires of receivers. */
  static BigInteger decodeU(byte[] u) {
    byte[] bigEndian = new byte[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      bigEndian[i] = u[LENGTH - 1 - i];
    }
    bigEndian[0] &= 0x7f;
    return new BigInteger(1, bigEndian);
  }

  static byte[] encodeU(BigInteger u) {
    byte[] bigEndian = ModpKeyExchange.pad(u, LENGTH);
    byte[] out = new byte[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      out[i] = bigEndian[LENGTH - 1 - i];
    }
    return out;
  }
}
