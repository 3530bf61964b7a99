package dev.vpngw.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** PRFs against RFC 4231 / RFC 2202 vectors, and prf+ (RFC 7296 2.13) against its definition. */
class PrfTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] repeat(int value, int count) {
    byte[] out = new byte[count];
    Arrays.fill(out, (byte) value);
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void hmacSha2MatchesRfc4231TestCases1And2And6() {
    byte[] key1 = repeat(0x0b, 20);
    byte[] data1 = ascii("Hi There");
    byte[] key2 = ascii("Jefe");
    byte[] data2 = ascii("what do ya want for nothing?");
    byte[] key6 = repeat(0xaa, 131);
    byte[] data6 = ascii("Test Using Larger Than Block-Size Key - Hash Key First");

    assertEquals(
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        HEX.formatHex(Prf.HMAC_SHA2_256.compute(key1, data1)));
    assertEquals(
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        HEX.formatHex(Prf.HMAC_SHA2_256.compute(key2, data2)));
    assertEquals(
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        HEX.formatHex(Prf.HMAC_SHA2_256.compute(key6, data6)));

    assertEquals(
        "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
            + "faea9ea9076ede7f4af152e8b2fa9cb6",
        HEX.formatHex(Prf.HMAC_SHA2_384.compute(key1, data1)));
    assertEquals(
        "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
            + "8e2240ca5e69e2c78b3239ecfab21649",
        HEX.formatHex(Prf.HMAC_SHA2_384.compute(key2, data2)));
    assertEquals(
        "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
            + "0c2ef6ab4030fe8296248df163f44952",
        HEX.formatHex(Prf.HMAC_SHA2_384.compute(key6, data6)));

    assertEquals(
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
            + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        HEX.formatHex(Prf.HMAC_SHA2_512.compute(key1, data1)));
    assertEquals(
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        HEX.formatHex(Prf.HMAC_SHA2_512.compute(key2, data2)));
    assertEquals(
        "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
            + "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
        HEX.formatHex(Prf.HMAC_SHA2_512.compute(key6, data6)));
  }

  @Test
  void hmacSha1MatchesRfc2202TestCases1And2() {
    assertEquals(
        "b617318655057264e28bc0b6fb378c8ef146be00",
        HEX.formatHex(Prf.HMAC_SHA1.compute(repeat(0x0b, 20), ascii("Hi There"))));
    assertEquals(
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
        HEX.formatHex(Prf.HMAC_SHA1.compute(ascii("Jefe"), ascii("what do ya want for nothing?"))));
  }

  @Test
  void computeConcatenatesItsDataArguments() {
    byte[] key = ascii("Jefe");
    assertArrayEquals(
        Prf.HMAC_SHA2_256.compute(key, ascii("what do ya want for nothing?")),
        Prf.HMAC_SHA2_256.compute(
            key, ascii("what do ya "), new byte[0], ascii("want for nothing?")));
  }

  @Test
  void emptyKeyIsTheZeroPaddedKeyOfHmac() {
    // RFC 2104: the key is zero-padded to the block size, so "" and {0} are the same key.
    assertArrayEquals(
        Prf.HMAC_SHA2_256.compute(new byte[1], ascii("x")),
        Prf.HMAC_SHA2_256.compute(new byte[0], ascii("x")));
  }

  @Test
  void idsLengthsAndLookup() {
    assertEquals(2, Prf.HMAC_SHA1.id());
    assertEquals(5, Prf.HMAC_SHA2_256.id());
    assertEquals(6, Prf.HMAC_SHA2_384.id());
    assertEquals(7, Prf.HMAC_SHA2_512.id());
    for (Prf prf : Prf.values()) {
      assertEquals(prf, Prf.byId(prf.id()));
      assertEquals(prf.outputLength(), prf.compute(new byte[3], new byte[3]).length);
      assertEquals(prf.outputLength(), prf.preferredKeyLength());
    }
    assertEquals(20, Prf.HMAC_SHA1.outputLength());
    assertEquals(64, Prf.HMAC_SHA2_512.outputLength());
    assertNull(Prf.byId(4)); // PRF_AES128_XCBC: not offered
    assertNull(Prf.byId(0));
  }

  /** prf+ written straight from RFC 7296 2.13, independent of the implementation under test. */
  private static byte[] referencePrfPlus(String jdkHash, byte[] key, byte[] seed, int length)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] t = new byte[0];
    for (int n = 1; out.size() < length; n++) {
      ByteArrayOutputStream input = new ByteArrayOutputStream();
      input.write(t);
      input.write(seed);
      input.write(n);
      t = referenceHmac(jdkHash, key, input.toByteArray());
      out.write(t);
    }
    return Arrays.copyOf(out.toByteArray(), length);
  }

  /** HMAC from RFC 2104 over a plain MessageDigest. */
  private static byte[] referenceHmac(String hash, byte[] key, byte[] data) throws Exception {
    MessageDigest md = MessageDigest.getInstance(hash);
    int block = hash.equals("SHA-384") || hash.equals("SHA-512") ? 128 : 64;
    byte[] k = key.length > block ? md.digest(key) : key;
    byte[] padded = Arrays.copyOf(k, block);
    byte[] ipad = new byte[block];
    byte[] opad = new byte[block];
    for (int i = 0; i < block; i++) {
      ipad[i] = (byte) (padded[i] ^ 0x36);
      opad[i] = (byte) (padded[i] ^ 0x5c);
    }
    md.update(ipad);
    byte[] inner = md.digest(data);
    md.update(opad);
    return md.digest(inner);
  }

  @Test
  void prfPlusMatchesAStraightforwardImplementation() throws Exception {
    byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    byte[] seed = ascii("Ni | Nr | SPIi | SPIr stand-in seed");
    String[][] cases = {
      {"HMAC_SHA1", "SHA-1"},
      {"HMAC_SHA2_256", "SHA-256"},
      {"HMAC_SHA2_384", "SHA-384"},
      {"HMAC_SHA2_512", "SHA-512"}
    };
    for (String[] c : cases) {
      Prf prf = Prf.valueOf(c[0]);
      for (int length :
          new int[] {
            0,
            1,
            prf.outputLength() - 1,
            prf.outputLength(),
            prf.outputLength() + 1,
            3 * prf.outputLength() + 5,
            255 * prf.outputLength()
          }) {
        assertArrayEquals(
            referencePrfPlus(c[1], key, seed, length),
            prf.plus(key, seed, length),
            prf + " length " + length);
      }
    }
  }

  @Test
  void prfPlusRefusesMoreThan255Blocks() {
    for (Prf prf : Prf.values()) {
      assertThrows(
          IllegalArgumentException.class,
          () -> prf.plus(new byte[16], new byte[16], 255 * prf.outputLength() + 1));
      assertThrows(IllegalArgumentException.class, () -> prf.plus(new byte[16], new byte[16], -1));
    }
  }

  @Test
  void prfPlusIsAPrefixFamily() {
    byte[] key = repeat(7, 32);
    byte[] seed = repeat(9, 40);
    byte[] longer = Prf.HMAC_SHA2_256.plus(key, seed, 100);
    assertArrayEquals(Arrays.copyOf(longer, 50), Prf.HMAC_SHA2_256.plus(key, seed, 50));
  }
}
