package dev.vpngw.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Key exchange: RFC 5903 section 8 (ECP), RFC 7748 section 6.1 (X25519), and MODP group sanity and
 * peer-value validation (RFC 6989, RFC 8031).
 */
class DhGroupTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final SecureRandom RANDOM = new SecureRandom();

  private static BigInteger big(String hex) {
    return new BigInteger(1, HEX.parseHex(hex));
  }

  private static byte[] bytes(String hex) {
    return HEX.parseHex(hex);
  }

  /** One side of an RFC 5903 section 8 example: private scalar and public point. */
  private record EcSide(String scalar, String x, String y) {}

  private static void checkRfc5903(DhGroup group, EcSide i, EcSide r, String girx)
      throws Exception {
    KeyExchange initiator = EcpKeyExchange.withKey(group, big(i.scalar), big(i.x), big(i.y));
    KeyExchange responder = EcpKeyExchange.withKey(group, big(r.scalar), big(r.x), big(r.y));
    // KE data is x || y without the 0x04 point-format octet (RFC 5903 7).
    assertArrayEquals(bytes(i.x + i.y), initiator.publicValue());
    assertEquals(group.publicValueLength(), initiator.publicValue().length);
    assertArrayEquals(bytes(girx), initiator.sharedSecret(responder.publicValue()));
    assertArrayEquals(bytes(girx), responder.sharedSecret(initiator.publicValue()));
  }

  @Test
  void ecp256MatchesRfc5903Section81() throws Exception {
    checkRfc5903(
        DhGroup.ECP_256,
        new EcSide(
            "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
            "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180",
            "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3"),
        new EcSide(
            "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
            "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63",
            "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB"),
        "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE");
  }

  @Test
  void ecp384MatchesRfc5903Section82() throws Exception {
    checkRfc5903(
        DhGroup.ECP_384,
        new EcSide(
            "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
                + "E35B538041E649EE3FAEF896783AB194",
            "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
                + "DE3AC808ACB4BDB4C88732AEE95F41AA",
            "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38E"
                + "EB9FCFF3C2C947DAE69B4C634573A81C"),
        new EcSide(
            "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942"
                + "E0308312916B8ED2960E4BD55A7448FC",
            "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
                + "0D1AC43A0336DEF96FDA41D0774A3571",
            "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FF"
                + "F83FA40142209DFF5EAAD96DB9E6386C"),
        "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
            + "D603135569B9E9D09CF5D4A270F59746");
  }

  @Test
  void ecp521MatchesRfc5903Section83() throws Exception {
    checkRfc5903(
        DhGroup.ECP_521,
        new EcSide(
            "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A0"
                + "95AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D4A52",
            "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBE"
                + "E1E3BF42E00B8E380AEAE57C2D107564941885942AF5A7F4601723C4195D176CED3E",
            "017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4A10A"
                + "D8A788015AC405D7799DC75E7B7D5B6CF2261A6A7F1507438BF01BEB6CA3926F9582"),
        new EcSide(
            "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E"
                + "9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB151685EB9",
            "00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A21"
                + "9B97C356436ADC6E95BB0352F6BE64A6C2912D4EF2D0433CED2B6171640012D9460F",
            "015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077B87"
                + "220B6536C5C408A1D2AEBB8E86D678AE49CB57091F4732296579AB44FCD17F0FC56A"),
        "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04"
            + "D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3DDEA");
  }

  @Test
  void x25519MatchesRfc7748Section61() throws Exception {
    KeyExchange alice =
        X25519KeyExchange.withScalar(
            bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    KeyExchange bob =
        X25519KeyExchange.withScalar(
            bytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    assertArrayEquals(
        bytes("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
        alice.publicValue());
    assertArrayEquals(
        bytes("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"),
        bob.publicValue());
    byte[] shared = bytes("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    assertArrayEquals(shared, alice.sharedSecret(bob.publicValue()));
    assertArrayEquals(shared, bob.sharedSecret(alice.publicValue()));
  }

  @Test
  void x25519RefusesSmallOrderPointsAndWrongLengths() {
    KeyExchange exchange = DhGroup.CURVE25519.newKeyExchange(RANDOM);
    byte[] zero = new byte[32];
    byte[] one = new byte[32];
    one[0] = 1;
    // u = 0 and u = 1 have small order: X25519 yields all zeros (RFC 7748 6.1, RFC 8031 2).
    assertThrows(InvalidKeyExchangeException.class, () -> exchange.sharedSecret(zero));
    assertThrows(InvalidKeyExchangeException.class, () -> exchange.sharedSecret(one));
    assertThrows(InvalidKeyExchangeException.class, () -> exchange.sharedSecret(new byte[31]));
    assertThrows(InvalidKeyExchangeException.class, () -> exchange.sharedSecret(new byte[33]));
  }

  @ParameterizedTest
  @EnumSource(DhGroup.class)
  void bothSidesDeriveTheSameSecret(DhGroup group) throws Exception {
    KeyExchange a = group.newKeyExchange(RANDOM);
    KeyExchange b = group.newKeyExchange(RANDOM);
    assertEquals(group, a.group());
    assertEquals(group.publicValueLength(), a.publicValue().length);
    byte[] ab = a.sharedSecret(b.publicValue());
    byte[] ba = b.sharedSecret(a.publicValue());
    assertArrayEquals(ab, ba);
    int expectedLength =
        switch (group) {
          case ECP_256, ECP_384, ECP_521 -> group.publicValueLength() / 2;
          default -> group.publicValueLength();
        };
    assertEquals(expectedLength, ab.length);
    assertNotEquals(Arrays.toString(a.publicValue()), Arrays.toString(b.publicValue()));
    assertEquals(group, DhGroup.byId(group.id()));
  }

  @ParameterizedTest
  @EnumSource(DhGroup.class)
  void destroyedExchangeRefusesToCompute(DhGroup group) {
    KeyExchange a = group.newKeyExchange(RANDOM);
    byte[] peer = group.newKeyExchange(RANDOM).publicValue();
    a.destroy();
    assertThrows(IllegalStateException.class, () -> a.sharedSecret(peer));
  }

  @Test
  void idsAndLengthsAreTheRegistryOnes() {
    int[][] expected = {
      {2, 128}, {14, 256}, {15, 384}, {16, 512}, {19, 64}, {20, 96}, {21, 132}, {24, 256}, {31, 32}
    };
    DhGroup[] groups = DhGroup.values();
    assertEquals(expected.length, groups.length);
    for (int i = 0; i < groups.length; i++) {
      assertEquals(expected[i][0], groups[i].id(), groups[i].name());
      assertEquals(expected[i][1], groups[i].publicValueLength(), groups[i].name());
    }
    assertNull(DhGroup.byId(1));
    assertNull(DhGroup.byId(22));
  }

  @ParameterizedTest
  @EnumSource(
      value = DhGroup.class,
      names = {"MODP_1024", "MODP_2048", "MODP_3072", "MODP_4096"})
  void rfc3526PrimesAreTheSafePrimesBuiltFromPi(DhGroup group) {
    ModpKeyExchange.Params params = ModpKeyExchange.params(group);
    BigInteger p = params.p();
    assertEquals(group.publicValueLength() * 8, p.bitLength());
    // RFC 2409 6.2 / RFC 3526: p = 2^N - 2^(N-64) - 1 + 2^64 * (floor(2^(N-130) pi) + k), so the
    // top and bottom 64 bits are ones and the next word holds the first digits of pi (C90FDAA2).
    BigInteger ones64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    assertEquals(ones64, p.shiftRight(p.bitLength() - 64));
    assertEquals(ones64, p.and(ones64));
    assertEquals(0xC90FDAA2L, p.shiftRight(p.bitLength() - 96).longValue() & 0xffffffffL);
    assertEquals(BigInteger.TWO, params.g());
    assertTrue(p.isProbablePrime(64));
    assertTrue(p.subtract(BigInteger.ONE).shiftRight(1).isProbablePrime(64), "safe prime");
  }

  @Test
  void rfc5114Group24HasAPrimeOrderSubgroupGeneratedByG() {
    ModpKeyExchange.Params params = ModpKeyExchange.params(DhGroup.MODP_2048_256);
    BigInteger p = params.p();
    BigInteger q = params.q();
    assertEquals(2048, p.bitLength());
    assertEquals(256, q.bitLength());
    assertTrue(p.isProbablePrime(64));
    assertTrue(q.isProbablePrime(64));
    assertEquals(BigInteger.ZERO, p.subtract(BigInteger.ONE).mod(q));
    assertEquals(BigInteger.ONE, params.g().modPow(q, p));
    assertNotEquals(BigInteger.ONE, params.g());
  }

  @ParameterizedTest
  @EnumSource(
      value = DhGroup.class,
      names = {"MODP_1024", "MODP_2048", "MODP_2048_256"})
  void modpRefusesDegenerateValues(DhGroup group) {
    KeyExchange exchange = group.newKeyExchange(RANDOM);
    BigInteger p = ModpKeyExchange.params(group).p();
    int n = group.publicValueLength();
    for (BigInteger bad :
        new BigInteger[] {BigInteger.ZERO, BigInteger.ONE, p.subtract(BigInteger.ONE), p}) {
      byte[] value = ModpKeyExchange.pad(bad, n);
      assertThrows(
          InvalidKeyExchangeException.class, () -> exchange.sharedSecret(value), bad.toString(16));
    }
    byte[] allOnes = new byte[n];
    Arrays.fill(allOnes, (byte) 0xff);
    assertThrows(InvalidKeyExchangeException.class, () -> exchange.sharedSecret(allOnes));
    assertThrows(InvalidKeyExchangeException.class, () -> exchange.sharedSecret(new byte[n - 1]));
    assertThrows(InvalidKeyExchangeException.class, () -> exchange.sharedSecret(new byte[n + 1]));
  }

  @Test
  void group24RefusesAnElementOutsideTheSubgroup() throws Exception {
    ModpKeyExchange.Params params = ModpKeyExchange.params(DhGroup.MODP_2048_256);
    BigInteger outside = BigInteger.TWO;
    // Precondition: 2 is not in the order-q subgroup, so only the subgroup check can catch it.
    assertNotEquals(BigInteger.ONE, outside.modPow(params.q(), params.p()));
    KeyExchange exchange = DhGroup.MODP_2048_256.newKeyExchange(RANDOM);
    assertThrows(
        InvalidKeyExchangeException.class,
        () -> exchange.sharedSecret(ModpKeyExchange.pad(outside, 256)));
    // An element of the subgroup that is not g itself is accepted.
    BigInteger inside = params.g().modPow(BigInteger.valueOf(12345), params.p());
    assertEquals(256, exchange.sharedSecret(ModpKeyExchange.pad(inside, 256)).length);
  }

  @Test
  void modpSecretIsLeftPaddedToThePrimeLength() throws Exception {
    // With y = g and x = 1 the secret is g itself: 0x02, padded to 256 bytes.
    ModpKeyExchange one = ModpKeyExchange.withExponent(DhGroup.MODP_2048, BigInteger.ONE);
    byte[] expected = new byte[256];
    expected[255] = 2;
    assertArrayEquals(expected, one.publicValue());
    KeyExchange other = DhGroup.MODP_2048.newKeyExchange(RANDOM);
    byte[] peer = other.publicValue();
    assertArrayEquals(peer, one.sharedSecret(peer));
  }

  @ParameterizedTest
  @EnumSource(
      value = DhGroup.class,
      names = {"ECP_256", "ECP_384", "ECP_521"})
  void ecpRefusesPointsOffTheCurveAndWrongLengths(DhGroup group) throws Exception {
    KeyExchange exchange = group.newKeyExchange(RANDOM);
    byte[] good = group.newKeyExchange(RANDOM).publicValue();
    byte[] offCurve = good.clone();
    offCurve[offCurve.length - 1] ^= 1;
    assertThrows(InvalidKeyExchangeException.class, () -> exchange.sharedSecret(offCurve));
    // x || y = 0 || 0 would be the usual stand-in for infinity; it is not on these curves.
    assertThrows(
        InvalidKeyExchangeException.class, () -> exchange.sharedSecret(new byte[good.length]));
    assertThrows(
        InvalidKeyExchangeException.class,
        () -> exchange.sharedSecret(Arrays.copyOf(good, good.length - 1)));
    byte[] withPrefix = new byte[good.length + 1];
    withPrefix[0] = 4;
    System.arraycopy(good, 0, withPrefix, 1, good.length);
    assertThrows(InvalidKeyExchangeException.class, () -> exchange.sharedSecret(withPrefix));
    // A coordinate equal to p + x names the same field element but is not reduced: refused.
    int n = good.length / 2;
    BigInteger p =
        ((java.security.spec.ECFieldFp) EcpKeyExchange.curve(group).getCurve().getField()).getP();
    BigInteger x = new BigInteger(1, Arrays.copyOf(good, n));
    if (x.add(p).bitLength() <= n * 8) {
      byte[] unreduced = good.clone();
      System.arraycopy(ModpKeyExchange.pad(x.add(p), n), 0, unreduced, 0, n);
      assertThrows(InvalidKeyExchangeException.class, () -> exchange.sharedSecret(unreduced));
    }
    assertFalse(Arrays.equals(good, exchange.publicValue()));
  }
}
