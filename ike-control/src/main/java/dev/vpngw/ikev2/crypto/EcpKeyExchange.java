package dev.vpngw.ikev2.crypto;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;
import java.util.Arrays;
import javax.crypto.KeyAgreement;

/**
 * ECDH over the NIST prime curves with the JDK's constant-time implementation (RFC 5903). KE data
 * is x || y, each padded to the field size; the shared secret is the x-coordinate of the product
 * (RFC 5903 7). The peer's point is checked to be on the curve before use (RFC 6989 2.3); the
 * curves have cofactor 1, so every such point other than infinity (which x || y cannot encode) has
 * prime order.
 */
final class EcpKeyExchange implements KeyExchange {
  private static final ECParameterSpec P256 = load("secp256r1");
  private static final ECParameterSpec P384 = load("secp384r1");
  private static final ECParameterSpec P521 = load("secp521r1");

  private final DhGroup group;
  private final ECParameterSpec spec;
  private ECPrivateKey privateKey;
  private final byte[] publicValue;

  private EcpKeyExchange(DhGroup group, ECParameterSpec spec, ECPrivateKey key, ECPoint w) {
    this.group = group;
    this.spec = spec;
    this.privateKey = key;
    int n = coordinateLength(group);
    this.publicValue = new byte[2 * n];
    System.arraycopy(ModpKeyExchange.pad(w.getAffineX(), n), 0, publicValue, 0, n);
    System.arraycopy(ModpKeyExchange.pad(w.getAffineY(), n), 0, publicValue, n, n);
  }

  static EcpKeyExchange generate(DhGroup group, SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curveName(group)), random);
      KeyPair pair = generator.generateKeyPair();
      return new EcpKeyExchange(
          group,
          curve(group),
          (ECPrivateKey) pair.getPrivate(),
          ((ECPublicKey) pair.getPublic()).getW());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK cannot generate " + group + " keys", e);
    }
  }

  /** An exchange with a given private scalar and its public point; for published test vectors. */
  static EcpKeyExchange withKey(DhGroup group, BigInteger scalar, BigInteger x, BigInteger y) {
    try {
      ECParameterSpec spec = curve(group);
      ECPrivateKey key =
          (ECPrivateKey)
              KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(scalar, spec));
      return new EcpKeyExchange(group, spec, key, new ECPoint(x, y));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("bad " + group + " private key", e);
    }
  }

  @Override
  public DhGroup group() {
    return group;
  }

  @Override
  public byte[] publicValue() {
    return publicValue.clone();
  }

  @Override
  public byte[] sharedSecret(byte[] peerPublicValue) throws InvalidKeyExchangeException {
    ECPrivateKey key = privateKey;
    if (key == null) {
      throw new IllegalStateException("key exchange destroyed");
    }
    int n = coordinateLength(group);
    if (peerPublicValue.length != 2 * n) {
      throw new InvalidKeyExchangeException(
          group + " public value must be " + 2 * n + " bytes, got " + peerPublicValue.length);
    }
    BigInteger x = new BigInteger(1, Arrays.copyOfRange(peerPublicValue, 0, n));
    BigInteger y = new BigInteger(1, Arrays.copyOfRange(peerPublicValue, n, 2 * n));
    if (!onCurve(spec.getCurve(), x, y)) {
      throw new InvalidKeyExchangeException(group + " public value is not a point on the curve");
    }
    try {
      PublicKey peer =
          KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), spec));
      KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
      agreement.init(key);
      agreement.doPhase(peer, true);
      byte[] secret = agreement.generateSecret();
      if (secret.length != n) {
        throw new InvalidKeyExchangeException(group + " produced a shared secret of wrong size");
      }
      return secret;
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw new InvalidKeyExchangeException(group + " key agreement refused the peer's point", e);
    }
  }

  @Override
  public void destroy() {
    // The JDK's EC private keys cannot be wiped (destroy() is not implemented); drop the reference.
    privateKey = null;
  }

  @Override
  public String toString() {
    return "EcpKeyExchange[" + group + "]";
  }

  /** y^2 = x^3 + ax + b (mod p), with both coordinates reduced (RFC 6989 2.3, SEC1 3.2.2.1). */
  static boolean onCurve(EllipticCurve curve, BigInteger x, BigInteger y) {
    BigInteger p = ((ECFieldFp) curve.getField()).getP();
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger left = y.multiply(y).mod(p);
    BigInteger right = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
    return left.equals(right);
  }

  static int coordinateLength(DhGroup group) {
    return group.publicValueLength() / 2;
  }

  static ECParameterSpec curve(DhGroup group) {
    return switch (group) {
      case ECP_256 -> P256;
      case ECP_384 -> P384;
      case ECP_521 -> P521;
      default -> throw new IllegalArgumentException(group + " is not an ECP group");
    };
  }

  private static ECParameterSpec load(String name) {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec(name));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks curve " + name, e);
    }
  }

  private static String curveName(DhGroup group) {
    return switch (group) {
      case ECP_256 -> "secp256r1";
      case ECP_384 -> "secp384r1";
      case ECP_521 -> "secp521r1";
      default -> throw new IllegalArgumentException(group + " is not an ECP group");
    };
  }
}
