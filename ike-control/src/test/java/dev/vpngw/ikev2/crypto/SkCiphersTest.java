package dev.vpngw.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ikev2.message.SkCipher;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SK payload protection (RFC 7296 3.14, RFC 5282, RFC 7634). */
class SkCiphersTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** IKE header (28) + SK payload header (4). */
  private static final int AAD = 32;

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static Stream<Arguments> suites() {
    return Stream.of(
        Arguments.of(IkeEncryption.AES_CBC, 128, IkeIntegrity.HMAC_SHA1_96),
        Arguments.of(IkeEncryption.AES_CBC, 192, IkeIntegrity.HMAC_SHA2_256_128),
        Arguments.of(IkeEncryption.AES_CBC, 256, IkeIntegrity.HMAC_SHA2_384_192),
        Arguments.of(IkeEncryption.AES_CBC, 256, IkeIntegrity.HMAC_SHA2_512_256),
        Arguments.of(IkeEncryption.TDES_CBC, 0, IkeIntegrity.HMAC_SHA1_96),
        Arguments.of(IkeEncryption.AES_GCM_8, 128, IkeIntegrity.NONE),
        Arguments.of(IkeEncryption.AES_GCM_12, 192, IkeIntegrity.NONE),
        Arguments.of(IkeEncryption.AES_GCM_16, 256, IkeIntegrity.NONE),
        Arguments.of(IkeEncryption.CHACHA20_POLY1305, 0, IkeIntegrity.NONE));
  }

  private static SkCipher cipher(IkeEncryption encr, int bits, IkeIntegrity integ) {
    return SkCiphers.create(
        encr, random(encr.keyMaterialLength(bits)), integ, random(integ.keyLength()), RANDOM);
  }

  /** A message with an IKE-header-like prefix and a padded plaintext in the SK layout. */
  private static byte[] layout(SkCipher c, int aad, byte[] plain) {
    byte[] message = new byte[aad + c.ivLength() + plain.length + c.icvLength()];
    for (int i = 0; i < aad; i++) {
      message[i] = (byte) (0xa0 + i);
    }
    System.arraycopy(plain, 0, message, aad + c.ivLength(), plain.length);
    return message;
  }

  private static byte[] padded(SkCipher c, int payloadLength) {
    int total = payloadLength + 1;
    int pad = (c.blockSize() - total % c.blockSize()) % c.blockSize();
    byte[] plain = new byte[total + pad];
    byte[] payload = random(payloadLength);
    System.arraycopy(payload, 0, plain, 0, payloadLength);
    plain[plain.length - 1] = (byte) pad;
    return plain;
  }

  @ParameterizedTest
  @MethodSource("suites")
  void sealThenOpenRestoresThePlaintext(IkeEncryption encr, int bits, IkeIntegrity integ) {
    byte[] keys = random(encr.keyMaterialLength(bits));
    byte[] integKey = random(integ.keyLength());
    SkCipher sender = SkCiphers.create(encr, keys, integ, integKey, RANDOM);
    SkCipher receiver = SkCiphers.create(encr, keys, integ, integKey, RANDOM);
    assertEquals(encr.ivLength(), sender.ivLength());
    assertEquals(encr.aead() ? encr.icvLength() : integ.icvLength(), sender.icvLength());
    assertEquals(encr == IkeEncryption.TDES_CBC ? 8 : encr.aead() ? 1 : 16, sender.blockSize());
    for (int aad : new int[] {AAD, 36}) { // SK and SKF (RFC 7383) headers
      for (int payload : new int[] {0, 1, 15, 16, 100, 1000}) {
        byte[] plain = padded(sender, payload);
        byte[] message = layout(sender, aad, plain);
        byte[] header = Arrays.copyOf(message, aad);
        sender.seal(message, aad, plain.length);
        assertArrayEquals(header, Arrays.copyOf(message, aad), "header untouched");
        int dataOffset = aad + sender.ivLength();
        if (plain.length >= 8) { // a 1-byte ciphertext may equal its plaintext by chance
          assertFalse(
              Arrays.equals(
                  plain, Arrays.copyOfRange(message, dataOffset, dataOffset + plain.length)),
              "encrypted");
        }
        assertTrue(receiver.open(message, aad, plain.length));
        assertArrayEquals(
            plain, Arrays.copyOfRange(message, dataOffset, dataOffset + plain.length));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("suites")
  void anyChangedByteFailsTheIcv(IkeEncryption encr, int bits, IkeIntegrity integ) {
    byte[] keys = random(encr.keyMaterialLength(bits));
    byte[] integKey = random(integ.keyLength());
    SkCipher sender = SkCiphers.create(encr, keys, integ, integKey, RANDOM);
    SkCipher receiver = SkCiphers.create(encr, keys, integ, integKey, RANDOM);
    byte[] plain = padded(sender, 40);
    byte[] sealed = layout(sender, AAD, plain);
    sender.seal(sealed, AAD, plain.length);
    // One position each in the header, the IV, the ciphertext and the ICV.
    int[] positions = {
      3, AAD + 1, AAD + sender.ivLength() + 5, sealed.length - 1,
    };
    for (int position : positions) {
      byte[] forged = sealed.clone();
      forged[position] ^= 0x40;
      byte[] before = forged.clone();
      assertFalse(receiver.open(forged, AAD, plain.length), "byte " + position);
      assertArrayEquals(before, forged, "a forged message is left as it was");
    }
    // A different key fails too.
    SkCipher stranger =
        SkCiphers.create(encr, random(keys.length), integ, random(integ.keyLength()), RANDOM);
    assertFalse(stranger.open(sealed.clone(), AAD, plain.length));
    assertTrue(receiver.open(sealed, AAD, plain.length));
  }

  @Test
  void cbcRefusesUnpaddedPlaintextAndRejectsPartialBlocks() {
    SkCipher c = cipher(IkeEncryption.AES_CBC, 128, IkeIntegrity.HMAC_SHA2_256_128);
    byte[] message = new byte[AAD + 16 + 17 + 16];
    assertThrows(IllegalArgumentException.class, () -> c.seal(message, AAD, 17));
    assertFalse(c.open(message, AAD, 17));
    assertFalse(c.open(new byte[AAD + 16 + 16], AAD, 0));
    assertThrows(IllegalArgumentException.class, () -> c.seal(new byte[AAD + 16 + 16], AAD, 16));
  }

  @Test
  void cbcIvsAreFreshAndTheIcvCoversTheWholeMessage() throws Exception {
    byte[] key = random(32);
    byte[] integKey = random(32);
    SkCipher c =
        SkCiphers.create(
            IkeEncryption.AES_CBC, key, IkeIntegrity.HMAC_SHA2_256_128, integKey, RANDOM);
    byte[] plain = new byte[32];
    byte[] first = layout(c, AAD, plain);
    byte[] second = layout(c, AAD, plain);
    c.seal(first, AAD, 32);
    c.seal(second, AAD, 32);
    assertFalse(Arrays.equals(first, second), "random IV per message");
    // Independent check of the RFC 7296 3.14 layout with the JDK directly.
    byte[] iv = Arrays.copyOfRange(first, AAD, AAD + 16);
    Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
    aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
    assertArrayEquals(aes.doFinal(plain), Arrays.copyOfRange(first, AAD + 16, AAD + 48));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(integKey, "HmacSHA256"));
    mac.update(first, 0, AAD + 48);
    assertArrayEquals(
        Arrays.copyOf(mac.doFinal(), 16), Arrays.copyOfRange(first, AAD + 48, AAD + 64));
  }

  @Test
  void gcmFollowsRfc5282AsTheJdkComputesIt() throws Exception {
    for (IkeEncryption encr :
        List.of(IkeEncryption.AES_GCM_8, IkeEncryption.AES_GCM_12, IkeEncryption.AES_GCM_16)) {
      for (int bits : new int[] {128, 192, 256}) {
        byte[] keyMaterial = random(bits / 8 + 4);
        SkCipher c = SkCiphers.create(encr, keyMaterial, IkeIntegrity.NONE, null, RANDOM);
        byte[] plain = "IDi AUTH SA TSi TSr, then pad length 0\0".getBytes(StandardCharsets.UTF_8);
        byte[] message = layout(c, AAD, plain);
        c.seal(message, AAD, plain.length);

        // RFC 5282: key || 4-byte salt; nonce = salt || explicit IV; AAD = header through SK hdr.
        byte[] key = Arrays.copyOf(keyMaterial, bits / 8);
        byte[] salt = Arrays.copyOfRange(keyMaterial, bits / 8, keyMaterial.length);
        byte[] iv = Arrays.copyOfRange(message, AAD, AAD + 8);
        byte[] nonce = new byte[12];
        System.arraycopy(salt, 0, nonce, 0, 4);
        System.arraycopy(iv, 0, nonce, 4, 8);
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        jdk.init(
            Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        jdk.updateAAD(message, 0, AAD);
        byte[] expected = jdk.doFinal(plain);
        // A shorter GCM tag is the full tag truncated (NIST SP 800-38D 7.1), so GCM_8 and GCM_12
        // can be checked against the JDK's 16-byte tag too.
        byte[] expectedWithIcv = Arrays.copyOf(expected, plain.length + encr.icvLength());
        assertArrayEquals(
            expectedWithIcv,
            Arrays.copyOfRange(message, AAD + 8, message.length),
            encr + "-" + bits);
      }
    }
  }

  @Test
  void aeadIvIsACounterThatNeverRepeats() {
    SkCipher c =
        SkCiphers.create(IkeEncryption.AES_GCM_16, random(20), IkeIntegrity.NONE, null, RANDOM);
    long previous = 0;
    for (int i = 0; i < 5; i++) {
      byte[] message = layout(c, AAD, new byte[4]);
      c.seal(message, AAD, 4);
      long iv = HexFormat.fromHexDigitsToLong(HEX.formatHex(message, AAD, AAD + 8));
      if (i > 0) {
        assertEquals(previous + 1, iv);
      }
      previous = iv;
    }
    SkCipher other =
        SkCiphers.create(IkeEncryption.AES_GCM_16, random(20), IkeIntegrity.NONE, null, RANDOM);
    byte[] message = layout(other, AAD, new byte[4]);
    other.seal(message, AAD, 4);
    assertNotEquals(
        previous + 1,
        HexFormat.fromHexDigitsToLong(HEX.formatHex(message, AAD, AAD + 8)),
        "each cipher starts its counter at a random point");
  }

  @Test
  void chachaPoly1305MatchesRfc7539Section282InTheRfc7634Layout() {
    // RFC 7539 2.8.2: key 80..9f; nonce = 07000000 (our salt) || 4041424344454647 (explicit IV);
    // its 12 AAD bytes stand in for the IKE header and SK payload header.
    byte[] keyMaterial = new byte[36];
    for (int i = 0; i < 32; i++) {
      keyMaterial[i] = (byte) (0x80 + i);
    }
    keyMaterial[32] = 0x07;
    byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
    byte[] plain =
        ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
                + "future, sunscreen would be it.")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] expected =
        HEX.parseHex(
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                + "3ff4def08e4b7a9de576d26586cec64b6116"
                + "1ae10b594f09e26a7e902ecbd0600691");
    AeadSkCipher c =
        new AeadSkCipher(IkeEncryption.CHACHA20_POLY1305, keyMaterial, 0x4041424344454647L);
    byte[] message = new byte[12 + 8 + plain.length + 16];
    System.arraycopy(aad, 0, message, 0, 12);
    System.arraycopy(plain, 0, message, 20, plain.length);
    c.seal(message, 12, plain.length);
    assertEquals("4041424344454647", HEX.formatHex(message, 12, 20));
    assertArrayEquals(expected, Arrays.copyOfRange(message, 20, message.length));

    AeadSkCipher receiver =
        new AeadSkCipher(IkeEncryption.CHACHA20_POLY1305, keyMaterial, RANDOM.nextLong());
    assertTrue(receiver.open(message, 12, plain.length));
    assertArrayEquals(plain, Arrays.copyOfRange(message, 20, 20 + plain.length));
  }

  @Test
  void createRefusesMismatchedAlgorithmsAndKeys() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SkCiphers.create(
                IkeEncryption.AES_GCM_16,
                random(20),
                IkeIntegrity.HMAC_SHA2_256_128,
                random(32),
                RANDOM));
    assertThrows(
        IllegalArgumentException.class,
        () -> SkCiphers.create(IkeEncryption.AES_CBC, random(16), IkeIntegrity.NONE, null, RANDOM));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SkCiphers.create(
                IkeEncryption.AES_CBC, random(20), IkeIntegrity.HMAC_SHA1_96, random(20), RANDOM));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SkCiphers.create(
                IkeEncryption.AES_CBC, random(16), IkeIntegrity.HMAC_SHA1_96, random(19), RANDOM));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SkCiphers.create(IkeEncryption.AES_GCM_8, random(16), IkeIntegrity.NONE, null, RANDOM));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SkCiphers.create(
                IkeEncryption.CHACHA20_POLY1305, random(20), IkeIntegrity.NONE, null, RANDOM));
  }

  @Test
  void aMessageTooShortForTheLayoutIsRefused() {
    SkCipher c = cipher(IkeEncryption.AES_GCM_16, 128, IkeIntegrity.NONE);
    assertThrows(IllegalArgumentException.class, () -> c.seal(new byte[AAD + 8 + 10], AAD, 10));
    assertThrows(IllegalArgumentException.class, () -> c.open(new byte[AAD + 8 + 10], AAD, 10));
  }

  /** The IKE_AUTH messages strongSwan sent, opened with the keys we derive. */
  @Test
  void opensMessagesStrongSwanSealed() {
    for (StrongSwanVectors.Suite suite :
        List.of(
            StrongSwanVectors.CBC_SHA256_ECP256,
            StrongSwanVectors.GCM16_PRF384_MODP2048,
            StrongSwanVectors.CHACHA_PRF512_X25519)) {
      IkeKeys keys =
          IkeKeys.derive(
              suite.prf(),
              suite.encr(),
              suite.encrKeyBits(),
              suite.integ(),
              suite.bytes("ni"),
              suite.bytes("nr"),
              suite.bytes("gir"),
              suite.spi("spiI"),
              suite.spi("spiR"));
      checkOpens(keys.initiatorCipher(), suite.bytes("authReq"), suite.bytes("authReqPlain"));
      checkOpens(keys.responderCipher(), suite.bytes("authResp"), suite.bytes("authRespPlain"));
      // The directions are not interchangeable.
      byte[] request = suite.bytes("authReq");
      SkCipher wrong = keys.responderCipher();
      assertFalse(
          wrong.open(request, AAD, request.length - AAD - wrong.ivLength() - wrong.icvLength()),
          suite.proposal());
    }
  }

  private static void checkOpens(SkCipher cipher, byte[] message, byte[] expectedPlain) {
    int ciphertextLength = message.length - AAD - cipher.ivLength() - cipher.icvLength();
    assertEquals(expectedPlain.length, ciphertextLength);
    assertTrue(cipher.open(message, AAD, ciphertextLength));
    int offset = AAD + cipher.ivLength();
    assertArrayEquals(
        expectedPlain, Arrays.copyOfRange(message, offset, offset + ciphertextLength));
  }
}
