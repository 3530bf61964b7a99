package dev.vpngw.ikev2.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.bouncycastle.crypto.agreement.DHStandardGroups;
import org.bouncycastle.crypto.params.DHParameters;

/**
 * Finite-field Diffie-Hellman over the MODP groups (RFC 2409 6.2, RFC 3526, RFC 5114 2.3) with
 * plain {@link BigInteger} arithmetic. The peer's value is checked as RFC 6989 2.1 asks: 1 &lt; y
 * &lt; p-1, and for the RFC 5114 group, whose prime is not safe, y^q = 1 mod p so that y lies in
 * the prime-order subgroup (otherwise a small-subgroup attack leaks bits of our exponent).
 */
final class ModpKeyExchange implements KeyExchange {

  /** Prime, generator, subgroup order (null for safe primes) and private exponent size. */
  record Params(BigInteger p, BigInteger g, BigInteger q, int exponentBits) {}

  // RFC 5114 2.3 (2048-bit MODP Group with 256-bit Prime Order Subgroup). Bouncy Castle dropped
  // its copy of the RFC 5114 groups, so the values live here; the test proves p and q prime and
  // g of order q, which catches any transcription error.
  private static final BigInteger RFC5114_2048_256_P =
      hex(
          "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00"
              + "E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C"
              + "209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B"
              + "6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76"
              + "B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8E"
              + "F6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026"
              + "C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103"
              + "A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597");
  private static final BigInteger RFC5114_2048_256_G =
      hex(
          "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA125"
              + "10DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62"
              + "901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B"
              + "777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193"
              + "B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0A"
              + "DB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915"
              + "B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C3"
              + "2F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659");
  private static final BigInteger RFC5114_2048_256_Q =
      hex("8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3");

  private final DhGroup group;
  private final Params params;
  private BigInteger exponent;
  private final byte[] publicValue;

  private ModpKeyExchange(DhGroup group, Params params, BigInteger exponent) {
    this.group = group;
    this.params = params;
    this.exponent = exponent;
    this.publicValue = pad(params.g().modPow(exponent, params.p()), group.publicValueLength());
  }

  static ModpKeyExchange generate(DhGroup group, SecureRandom random) {
    Params params = params(group);
    return new ModpKeyExchange(group, params, randomExponent(params, random));
  }

  /** An exchange with a given private exponent; for tests that need fixed values. */
  static ModpKeyExchange withExponent(DhGroup group, BigInteger exponent) {
    return new ModpKeyExchange(group, params(group), exponent);
  }

  /**
   * Group parameters. Private exponents are twice the group's estimated strength in bits (RFC 3526
   * 8, the "exponent size" column, rounded up), at least 256 bits: a full-length exponent would
   * cost four to eight times as much for no gain. For the RFC 5114 group it is any value below q.
   */
  static Params params(DhGroup group) {
    return switch (group) {
      case MODP_1024 -> fromBc(DHStandardGroups.rfc2409_1024, 256);
      case MODP_2048 -> fromBc(DHStandardGroups.rfc3526_2048, 384);
      case MODP_3072 -> fromBc(DHStandardGroups.rfc3526_3072, 384);
      case MODP_4096 -> fromBc(DHStandardGroups.rfc3526_4096, 512);
      case MODP_2048_256 ->
          new Params(RFC5114_2048_256_P, RFC5114_2048_256_G, RFC5114_2048_256_Q, 256);
      default -> throw new IllegalArgumentException(group + " is not a MODP group");
    };
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
    BigInteger x = exponent;
    if (x == null) {
      throw new IllegalStateException("key exchange destroyed");
    }
    if (peerPublicValue.length != group.publicValueLength()) {
      throw new InvalidKeyExchangeException(
          group
              + " public value must be "
              + group.publicValueLength()
              + " bytes, got "
              + peerPublicValue.length);
    }
    BigInteger p = params.p();
    BigInteger y = new BigInteger(1, peerPublicValue);
    if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(p.subtract(BigInteger.ONE)) >= 0) {
      throw new InvalidKeyExchangeException(group + " public value outside 1 < y < p-1");
    }
    if (params.q() != null && !y.modPow(params.q(), p).equals(BigInteger.ONE)) {
      throw new InvalidKeyExchangeException(group + " public value not in the order-q subgroup");
    }
    return pad(y.modPow(x, p), group.publicValueLength());
  }

  @Override
  public void destroy() {
    // BigInteger is immutable and cannot be wiped; dropping the reference is all we can do.
    exponent = null;
  }

  @Override
  public String toString() {
    return "ModpKeyExchange[" + group + "]";
  }

  private static BigInteger randomExponent(Params params, SecureRandom random) {
    if (params.q() != null) {
      BigInteger x;
      do {
        x = new BigInteger(params.q().bitLength(), random);
      } while (x.signum() == 0 || x.compareTo(params.q()) >= 0);
      return x;
    }
    BigInteger x;
    do {
      x = new BigInteger(params.exponentBits(), random);
    } while (x.compareTo(BigInteger.TWO) < 0);
    return x;
  }

  /** Big-endian, left-padded with zeros to {@code length} bytes (RFC 7296 3.4). */
  static byte[] pad(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[length];
    int skip = raw.length > length ? raw.length - length : 0;
    System.arraycopy(raw, skip, out, length - (raw.length - skip), raw.length - skip);
    return out;
  }

  private static Params fromBc(DHParameters bc, int exponentBits) {
    return new Params(bc.getP(), bc.getG(), null, exponentBits);
  }

  private static BigInteger hex(String digits) {
    return new BigInteger(1, HexFormat.of().parseHex(digits));
  }
}
