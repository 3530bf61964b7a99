package dev.vpngw.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpngw.ikev2.message.SkCipher;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * IKE SA key derivation (RFC 7296 2.14), IKE SA rekey (2.18) and child SA KEYMAT (2.17), checked
 * against what two strongSwan charons derived (see {@link StrongSwanVectors}).
 */
class IkeKeysTest {
  private static final HexFormat HEX = HexFormat.of();

  static Stream<StrongSwanVectors.Suite> suites() {
    return Stream.of(
        StrongSwanVectors.CBC_SHA256_ECP256,
        StrongSwanVectors.GCM16_PRF384_MODP2048,
        StrongSwanVectors.CHACHA_PRF512_X25519);
  }

  private static IkeKeys derive(StrongSwanVectors.Suite s) {
    return IkeKeys.derive(
        s.prf(),
        s.encr(),
        s.encrKeyBits(),
        s.integ(),
        s.bytes("ni"),
        s.bytes("nr"),
        s.bytes("gir"),
        s.spi("spiI"),
        s.spi("spiR"));
  }

  private static void assertKeys(StrongSwanVectors.Suite s, String prefix, IkeKeys keys) {
    assertEquals(s.values().get(prefix + "skD"), HEX.formatHex(keys.skD()), "SK_d");
    assertEquals(s.values().getOrDefault(prefix + "skAi", ""), HEX.formatHex(keys.skAi()), "SK_ai");
    assertEquals(s.values().getOrDefault(prefix + "skAr", ""), HEX.formatHex(keys.skAr()), "SK_ar");
    assertEquals(s.values().get(prefix + "skEi"), HEX.formatHex(keys.skEi()), "SK_ei");
    assertEquals(s.values().get(prefix + "skEr"), HEX.formatHex(keys.skEr()), "SK_er");
    assertEquals(s.values().get(prefix + "skPi"), HEX.formatHex(keys.skPi()), "SK_pi");
    assertEquals(s.values().get(prefix + "skPr"), HEX.formatHex(keys.skPr()), "SK_pr");
  }

  @ParameterizedTest
  @MethodSource("suites")
  void deriveMatchesStrongSwan(StrongSwanVectors.Suite s) {
    assertKeys(s, "", derive(s));
  }

  @ParameterizedTest
  @MethodSource("suites")
  void skeyseedIsPrfOfTheNoncesOverTheSharedSecret(StrongSwanVectors.Suite s) {
    // The intermediate value strongSwan logged, recomputed from its definition.
    byte[] nonces = IkeKeys.concat(s.bytes("ni"), s.bytes("nr"));
    assertArrayEquals(s.bytes("skeyseed"), s.prf().compute(nonces, s.bytes("gir")));
  }

  @ParameterizedTest
  @MethodSource("suites")
  void rekeyMatchesStrongSwan(StrongSwanVectors.Suite s) {
    IkeKeys rekeyed =
        IkeKeys.rekey(
            s.prf(),
            s.bytes("skD"),
            s.prf(),
            s.encr(),
            s.encrKeyBits(),
            s.integ(),
            s.bytes("re_ni"),
            s.bytes("re_nr"),
            s.bytes("re_gir"),
            s.spi("re_spiI"),
            s.spi("re_spiR"));
    assertKeys(s, "re_", rekeyed);
    assertArrayEquals(
        s.bytes("re_skeyseed"),
        s.prf().compute(s.bytes("skD"), s.bytes("re_gir"), s.bytes("re_ni"), s.bytes("re_nr")));
  }

  @Test
  void rekeyUsesTheOldPrfForSkeyseedAndTheNewOneToExpand() throws Exception {
    byte[] oldSkD = HEX.parseHex("00112233445566778899aabbccddeeff00112233");
    byte[] gir = new byte[32];
    gir[0] = 9;
    byte[] ni = new byte[16];
    byte[] nr = new byte[16];
    nr[15] = 1;
    long spiI = 0x0102030405060708L;
    long spiR = 0x1112131415161718L;
    IkeKeys keys =
        IkeKeys.rekey(
            Prf.HMAC_SHA2_256,
            oldSkD,
            Prf.HMAC_SHA1,
            IkeEncryption.AES_GCM_16,
            128,
            IkeIntegrity.NONE,
            ni,
            nr,
            gir,
            spiI,
            spiR);
    // RFC 7296 2.18 by hand with the JDK: SKEYSEED = HMAC-SHA1(SK_d, g^ir | Ni | Nr), then
    // T1 = HMAC-SHA256(SKEYSEED, Ni | Nr | SPIi | SPIr | 0x01) starts SK_d of the new SA.
    Mac sha1 = Mac.getInstance("HmacSHA1");
    sha1.init(new SecretKeySpec(oldSkD, "HmacSHA1"));
    sha1.update(gir);
    sha1.update(ni);
    byte[] skeyseed = sha1.doFinal(nr);
    Mac sha256 = Mac.getInstance("HmacSHA256");
    sha256.init(new SecretKeySpec(skeyseed, "HmacSHA256"));
    sha256.update(ni);
    sha256.update(nr);
    sha256.update(ByteBuffer.allocate(16).putLong(spiI).putLong(spiR).array());
    byte[] t1 = sha256.doFinal(new byte[] {1});
    assertArrayEquals(t1, keys.skD());
    assertEquals(32, keys.skPi().length);
    assertEquals(20, keys.skEi().length);
    assertEquals(0, keys.skAi().length);
  }

  @ParameterizedTest
  @MethodSource("suites")
  void childKeymatMatchesStrongSwan(StrongSwanVectors.Suite s) {
    // The first child SA (ESP AES-GCM-16-128, no PFS) of the captured IKE_AUTH exchange.
    byte[] keymat =
        ChildKeys.keymat(s.prf(), s.bytes("skD"), null, s.bytes("ni"), s.bytes("nr"), 40);
    ChildKeys child = ChildKeys.split(keymat, 20, 0);
    assertArrayEquals(s.bytes("chdEi"), child.encrInitiatorToResponder());
    assertArrayEquals(s.bytes("chdEr"), child.encrResponderToInitiator());
    assertEquals(0, child.integInitiatorToResponder().length);
    assertEquals(0, child.integResponderToInitiator().length);
  }

  @Test
  void childKeymatWithPfsPutsTheNewSecretFirst() {
    Prf prf = Prf.HMAC_SHA2_256;
    byte[] skD = new byte[32];
    byte[] gir = HEX.parseHex("aabbcc");
    byte[] ni = HEX.parseHex("01");
    byte[] nr = HEX.parseHex("02");
    assertArrayEquals(
        prf.plus(skD, HEX.parseHex("aabbcc0102"), 64), ChildKeys.keymat(prf, skD, gir, ni, nr, 64));
    assertArrayEquals(
        prf.plus(skD, HEX.parseHex("0102"), 64), ChildKeys.keymat(prf, skD, null, ni, nr, 64));
  }

  @Test
  void splitTakesInitiatorToResponderEncryptionThenIntegrityFirst() {
    byte[] keymat = new byte[2 * (36 + 32) + 5];
    for (int i = 0; i < keymat.length; i++) {
      keymat[i] = (byte) i;
    }
    ChildKeys keys = ChildKeys.split(keymat, 36, 32);
    assertEquals(0, keys.encrInitiatorToResponder()[0]);
    assertEquals(36, keys.encrInitiatorToResponder().length);
    assertEquals(36, keys.integInitiatorToResponder()[0]);
    assertEquals(68, keys.encrResponderToInitiator()[0]);
    assertEquals(104, keys.integResponderToInitiator()[0]);
    assertEquals(32, keys.integResponderToInitiator().length);
    assertThrows(IllegalArgumentException.class, () -> ChildKeys.split(new byte[10], 4, 2));
  }

  @Test
  void keyLengthsFollowTheTransforms() {
    IkeKeys keys =
        IkeKeys.derive(
            Prf.HMAC_SHA2_512,
            IkeEncryption.TDES_CBC,
            0,
            IkeIntegrity.HMAC_SHA1_96,
            new byte[32],
            new byte[32],
            new byte[128],
            1,
            2);
    assertEquals(64, keys.skD().length);
    assertEquals(20, keys.skAi().length);
    assertEquals(24, keys.skEr().length);
    assertEquals(64, keys.skPr().length);
    assertEquals(Prf.HMAC_SHA2_512, keys.prf());
  }

  @Test
  void refusesAeadWithIntegrityAndCbcWithout() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            IkeKeys.derive(
                Prf.HMAC_SHA2_256,
                IkeEncryption.AES_GCM_16,
                128,
                IkeIntegrity.HMAC_SHA2_256_128,
                new byte[16],
                new byte[16],
                new byte[32],
                1,
                2));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            IkeKeys.derive(
                Prf.HMAC_SHA2_256,
                IkeEncryption.AES_CBC,
                128,
                IkeIntegrity.NONE,
                new byte[16],
                new byte[16],
                new byte[32],
                1,
                2));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            IkeKeys.derive(
                Prf.HMAC_SHA2_256,
                IkeEncryption.AES_CBC,
                100,
                IkeIntegrity.HMAC_SHA1_96,
                new byte[16],
                new byte[16],
                new byte[32],
                1,
                2));
  }

  @Test
  void ciphersAreMadeOnceAndDieWithTheKeys() {
    IkeKeys keys = derive(StrongSwanVectors.GCM16_PRF384_MODP2048);
    SkCipher initiator = keys.initiatorCipher();
    assertSame(initiator, keys.initiatorCipher());
    assertSame(keys.responderCipher(), keys.responderCipher());
    keys.destroy();
    assertThrows(IllegalStateException.class, keys::skD);
    assertThrows(IllegalStateException.class, keys::skEi);
    assertThrows(IllegalStateException.class, keys::initiatorCipher);
    byte[] message = new byte[32 + 8 + 4 + 16];
    assertThrows(IllegalStateException.class, () -> initiator.seal(message, 32, 4));
  }

  @Test
  void toStringShowsNoKeyBytes() {
    for (StrongSwanVectors.Suite s : suites().toList()) {
      IkeKeys keys = derive(s);
      String text = keys.toString().toLowerCase(Locale.ROOT);
      for (byte[] key :
          List.of(keys.skD(), keys.skEi(), keys.skEr(), keys.skPi(), keys.skPr(), keys.skAi())) {
        String hex = HEX.formatHex(key);
        for (int i = 0; i + 8 <= hex.length(); i += 2) {
          assertFalse(text.contains(hex.substring(i, i + 8)), text);
        }
      }
      assertFalse(keys.initiatorCipher().toString().matches(".*[0-9a-f]{8}.*"));
    }
  }

  @Test
  void encryptionTransformsDescribeTheirKeys() {
    assertEquals(24, IkeEncryption.TDES_CBC.keyMaterialLength(0));
    assertEquals(32, IkeEncryption.AES_CBC.keyMaterialLength(256));
    assertEquals(20, IkeEncryption.AES_GCM_8.keyMaterialLength(128));
    assertEquals(28, IkeEncryption.AES_GCM_12.keyMaterialLength(192));
    assertEquals(36, IkeEncryption.CHACHA20_POLY1305.keyMaterialLength(0));
    assertFalse(IkeEncryption.CHACHA20_POLY1305.legalKeyLength(256));
    assertFalse(IkeEncryption.TDES_CBC.legalKeyLength(192));
    assertFalse(IkeEncryption.AES_CBC.legalKeyLength(0));
    assertThrows(
        IllegalArgumentException.class, () -> IkeEncryption.AES_GCM_16.keyMaterialLength(0));
    int[] ids = {3, 12, 18, 19, 20, 28};
    for (int i = 0; i < ids.length; i++) {
      assertEquals(IkeEncryption.values()[i], IkeEncryption.byId(ids[i]));
    }
    assertEquals(8, IkeEncryption.AES_GCM_8.icvLength());
    assertEquals(16, IkeEncryption.AES_CBC.ivLength());
    assertEquals(8, IkeEncryption.TDES_CBC.ivLength());
    int[] integIds = {0, 2, 12, 13, 14};
    int[] icv = {0, 12, 16, 24, 32};
    for (int i = 0; i < integIds.length; i++) {
      assertEquals(IkeIntegrity.values()[i], IkeIntegrity.byId(integIds[i]));
      assertEquals(icv[i], IkeIntegrity.values()[i].icvLength());
    }
    assertEquals(null, IkeIntegrity.byId(5));
    assertEquals(null, IkeEncryption.byId(13));
  }
}
