package dev.vpngw.crypto;

import static dev.vpngw.crypto.Hex.bytes;
import static dev.vpngw.crypto.Hex.hex;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.crypto.jdk.JdkEngine;
import dev.vpngw.crypto.kat.KnownAnswers;
import dev.vpngw.io.buffer.PacketBuffer;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ESP packets checked byte for byte against the RFC constructions, for every engine, suite and ESN
 * setting.
 *
 * <p>First a published vector that is an ESP packet as it stands: RFC 8439 2.8.2's nonce (07000000
 * | 4041424344454647) and 12-byte AAD (50515253 | c0c1c2c3 | c4c5c6c7) are exactly RFC 7634's salt
 * | IV and SPI | seq high | seq low, so it is an ESN packet with SPI 0x50515253 and sequence number
 * 0xc0c1c2c3c4c5c6c7, and every engine must open it. The packet is cut from {@link
 * KnownAnswers#RFC_8439_2_8_2}, the one copy of the vector.
 *
 * <p>Then each sealed packet is recomputed here from the RFC text with one-shot javax.crypto
 * primitives (themselves checked by {@link KnownAnswerTest}): RFC 4106 5 / RFC 7634 2.1 for the
 * AEAD nonce and AAD, RFC 4543 3.1 and 5 for GMAC, RFC 4303 3.3.2.1 with RFC 2404 / RFC 4868 for
 * CBC + HMAC with the ESN high half appended. This pins the layout independently of both engines,
 * which cross-engine agreement alone would not.
 */
class EspKnownAnswerTest {
  private static final int ESP_OFFSET = 22;
  private static final int SPI = 0xcafe_0001;
  private static final long SEQ = 0x0000_0007_0000_0102L;

  private static final CryptoPrimitives REFERENCE = new JdkEngine();

  private final Arena arena = Arena.ofConfined();

  @AfterEach
  void closeArena() {
    arena.close();
  }

  static Stream<CryptoEngine> engines() {
    return CryptoEngines.available().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void rfc8439VectorOpensAsAnEsnPacket(CryptoEngine engine) {
    KnownAnswers.Aead v = KnownAnswers.RFC_8439_2_8_2;
    EspSuite suite = new EspSuite(v.encryption(), Integrity.NONE);
    byte[] nonce = v.nonce();
    byte[] aad = v.aad();
    byte[] ciphertext = v.ciphertext();
    // RFC 7634 2: key material = key | salt, nonce = salt | IV; AAD = SPI | seq high | seq low.
    byte[] keyMaterial = concat(v.key(), Arrays.copyOf(nonce, 4));
    byte[] packet =
        concat(
            Arrays.copyOf(aad, 4),
            Arrays.copyOfRange(aad, 8, 12),
            Arrays.copyOfRange(nonce, 4, 12),
            ciphertext,
            v.tag());
    long seq = ByteBuffer.wrap(aad, 4, 8).getLong();
    PacketBuffer buf = PacketBuffer.allocate(arena, ESP_OFFSET + packet.length);
    try (EspCipher in = engine.newCipher(suite, keyMaterial, new byte[0], false)) {
      buf.buffer().putBytes(ESP_OFFSET, packet);
      assertTrue(in.open(buf, ESP_OFFSET, ciphertext.length, seq, true));
      byte[] opened = new byte[ciphertext.length];
      buf.buffer().getBytes(ESP_OFFSET + 16, opened);
      assertEquals(new String(v.plaintext(), US_ASCII), new String(opened, US_ASCII));

      // Without ESN the AAD is SPI | seq low only: a different AAD, so the tag cannot match.
      buf.buffer().putBytes(ESP_OFFSET, packet);
      assertFalse(in.open(buf, ESP_OFFSET, ciphertext.length, seq, false));
      // With ESN but another high half, likewise.
      buf.buffer().putBytes(ESP_OFFSET, packet);
      assertFalse(in.open(buf, ESP_OFFSET, ciphertext.length, seq + (1L << 32), true));
    }
  }

  @ParameterizedTest(name = "{0} {1} esn={2}")
  @MethodSource("dev.vpngw.crypto.EspSuites#engineSuiteEsn")
  void sealedPacketsMatchTheRfcConstruction(CryptoEngine engine, EspSuite suite, boolean esn) {
    Encryption encryption = suite.encryption();
    byte[] keyMaterial = EspCipherRoundTripTest.randomBytes(encryption.keyMaterialLength(), 21);
    byte[] integrityKey = EspCipherRoundTripTest.randomBytes(suite.integrity().keyLength(), 22);
    byte[] key = Arrays.copyOf(keyMaterial, encryption.keyLength());
    byte[] salt =
        Arrays.copyOfRange(keyMaterial, encryption.keyLength(), encryption.keyMaterialLength());
    int textLength = 48;
    byte[] plaintext = EspCipherRoundTripTest.randomBytes(textLength, 23);
    int ivLength = encryption.ivLength();
    int icvLength = suite.icvLength();
    PacketBuffer buf = PacketBuffer.allocate(arena, 256);
    UnsafeBuffer packet = buf.buffer();
    packet.putInt(ESP_OFFSET, SPI, BIG_ENDIAN);
    packet.putInt(ESP_OFFSET + 4, (int) SEQ, BIG_ENDIAN);
    packet.putBytes(ESP_OFFSET + 8 + ivLength, plaintext);

    try (EspCipher out = engine.newCipher(suite, keyMaterial, integrityKey, true)) {
      out.seal(buf, ESP_OFFSET, textLength, SEQ, esn);
    }
    byte[] header = new byte[8];
    packet.getBytes(ESP_OFFSET, header);
    byte[] iv = new byte[ivLength];
    packet.getBytes(ESP_OFFSET + 8, iv);
    byte[] text = new byte[textLength];
    packet.getBytes(ESP_OFFSET + 8 + ivLength, text);
    byte[] icv = new byte[icvLength];
    packet.getBytes(ESP_OFFSET + 8 + ivLength + textLength, icv);
    byte[] spi = Arrays.copyOf(header, 4);
    byte[] seqLow = Arrays.copyOfRange(header, 4, 8);
    byte[] seqHigh = esn ? bytes(String.format("%08x", SEQ >>> 32)) : new byte[0];

    switch (encryption.kind()) {
      case AEAD -> {
        assertEquals(String.format("%016x", SEQ), hex(iv), "IV = sequence number");
        byte[] expected =
            REFERENCE.aeadSeal(
                encryption, key, concat(salt, iv), concat(spi, seqHigh, seqLow), plaintext);
        assertEquals(hex(expected), hex(concat(text, icv)));
      }
      case GMAC -> {
        assertEquals(String.format("%016x", SEQ), hex(iv), "IV = sequence number");
        assertArrayEquals(plaintext, text, "GMAC leaves the text in the clear");
        byte[] expected =
            REFERENCE.aeadSeal(
                encryption,
                key,
                concat(salt, iv),
                concat(spi, seqHigh, seqLow, iv, text),
                new byte[0]);
        assertEquals(hex(expected), hex(icv));
      }
      case CBC -> {
        assertEquals(hex(REFERENCE.cbcEncrypt(encryption, key, iv, plaintext)), hex(text));
        byte[] mac =
            REFERENCE.hmac(suite.integrity(), integrityKey, concat(header, iv, text, seqHigh));
        assertEquals(hex(Arrays.copyOf(mac, icvLength)), hex(icv));
      }
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
