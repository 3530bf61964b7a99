package dev.vpngw.crypto;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.io.buffer.PacketBuffer;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seal then open for every engine, suite and ESN setting, and every way a packet can be altered in
 * flight (RFC 4303 3.4.4: any change to the authenticated bytes must fail the ICV), plus the
 * cross-engine pairs: what one engine seals the other opens, so both implement the same RFCs and
 * not merely the same mistakes.
 */
class EspCipherRoundTripTest {
  /** An odd offset, so nothing depends on the ESP header being aligned. */
  private static final int ESP_OFFSET = 13;

  private static final int SPI = 0x1234_5678;

  /** Sequence number with a non-zero high half, so ESN handling is visible. */
  private static final long SEQ = 0x0000_0003_8000_0001L;

  private final Arena arena = Arena.ofConfined();

  @AfterEach
  void closeArena() {
    arena.close();
  }

  @ParameterizedTest(name = "{0} {1} esn={2}")
  @MethodSource("dev.vpngw.crypto.EspSuites#engineSuiteEsn")
  void sealThenOpenRestoresThePlaintext(CryptoEngine engine, EspSuite suite, boolean esn) {
    for (int textLength : new int[] {16, 64, 1392, 8192}) {
      roundTrip(engine, engine, suite, esn, textLength);
    }
  }

  @ParameterizedTest(name = "{0} seals, {1} opens: {2} esn={3}")
  @MethodSource("dev.vpngw.crypto.EspSuites#enginePairSuiteEsn")
  void whatOneEngineSealsTheOtherOpens(
      CryptoEngine sealer, CryptoEngine opener, EspSuite suite, boolean esn) {
    for (int textLength : new int[] {16, 1392}) {
      roundTrip(sealer, opener, suite, esn, textLength);
    }
  }

  @ParameterizedTest(name = "{0} {1} esn={2}")
  @MethodSource("dev.vpngw.crypto.EspSuites#engineSuiteEsn")
  void anyAlteredByteFailsTheIcv(CryptoEngine engine, EspSuite suite, boolean esn) {
    Keys keys = Keys.random(suite, 7);
    int textLength = 64;
    int ivLength = suite.encryption().ivLength();
    int packetLength = 8 + ivLength + textLength + suite.icvLength();
    PacketBuffer buf = PacketBuffer.allocate(arena, ESP_OFFSET + packetLength + 64);
    byte[] plaintext = randomBytes(textLength, 11);
    byte[] sealed;
    try (EspCipher out = engine.newCipher(suite, keys.encryption, keys.integrity, true)) {
      writePacket(buf, ivLength, plaintext);
      out.seal(buf, ESP_OFFSET, textLength, SEQ, esn);
      sealed = packetBytes(buf, packetLength);
    }
    try (EspCipher in = engine.newCipher(suite, keys.encryption, keys.integrity, false)) {
      // Every single-bit flip of the packet, from the SPI to the last ICV byte.
      for (int i = 0; i < packetLength; i++) {
        restore(buf, sealed);
        buf.buffer().putByte(ESP_OFFSET + i, (byte) (sealed[i] ^ (1 << (i % 8))));
        assertFalse(
            in.open(buf, ESP_OFFSET, textLength, SEQ, esn),
            "flipped bit in byte " + i + " of " + packetLength + " still verified");
      }
      // The untouched packet still verifies afterwards: failures leave the cipher usable.
      restore(buf, sealed);
      assertTrue(in.open(buf, ESP_OFFSET, textLength, SEQ, esn));
      // The high half of the sequence number is authenticated exactly when ESN is on.
      restore(buf, sealed);
      assertEquals(!esn, in.open(buf, ESP_OFFSET, textLength, SEQ ^ (1L << 40), esn));
      // A text length that disagrees with the sender's moves the ICV: never a match.
      restore(buf, sealed);
      assertFalse(in.open(buf, ESP_OFFSET, textLength - 16, SEQ, esn));
    }
  }

  @ParameterizedTest(name = "{0} {1} esn={2}")
  @MethodSource("dev.vpngw.crypto.EspSuites#engineSuiteEsn")
  void malformedLengthsAreRejectedNotThrown(CryptoEngine engine, EspSuite suite, boolean esn) {
    Keys keys = Keys.random(suite, 3);
    PacketBuffer buf = PacketBuffer.allocate(arena, 256);
    try (EspCipher in = engine.newCipher(suite, keys.encryption, keys.integrity, false)) {
      assertFalse(in.open(buf, 0, 100_000, SEQ, esn), "text beyond the buffer");
      assertFalse(in.open(buf, 0, -16, SEQ, esn), "negative text length");
      if (!suite.encryption().isCombined()) {
        assertFalse(in.open(buf, 0, 17, SEQ, esn), "CBC text not a whole number of blocks");
        assertFalse(in.open(buf, 0, 0, SEQ, esn), "CBC text of zero blocks");
      }
    }
  }

  @ParameterizedTest(name = "{0} {1} esn={2}")
  @MethodSource("dev.vpngw.crypto.EspSuites#engineSuiteEsn")
  void counterModesUseTheSequenceNumberAsIv(CryptoEngine engine, EspSuite suite, boolean esn) {
    Keys keys = Keys.random(suite, 5);
    PacketBuffer buf = PacketBuffer.allocate(arena, 256);
    try (EspCipher out = engine.newCipher(suite, keys.encryption, keys.integrity, true)) {
      writePacket(buf, suite.encryption().ivLength(), new byte[32]);
      out.seal(buf, ESP_OFFSET, 32, SEQ, esn);
      long iv = buf.buffer().getLong(ESP_OFFSET + 8, BIG_ENDIAN);
      if (suite.encryption().isCombined()) {
        assertEquals(SEQ, iv, "RFC 4106 3.1 / RFC 7634 2 / RFC 4543 3.1: IV = sequence number");
      } else {
        byte[] first = new byte[suite.encryption().ivLength()];
        buf.buffer().getBytes(ESP_OFFSET + 8, first);
        writePacket(buf, suite.encryption().ivLength(), new byte[32]);
        out.seal(buf, ESP_OFFSET, 32, SEQ + 1, esn);
        byte[] second = new byte[first.length];
        buf.buffer().getBytes(ESP_OFFSET + 8, second);
        assertFalse(Arrays.equals(first, second), "RFC 3602 2.3: CBC IVs are random, not reused");
      }
    }
  }

  @Test
  void closedCiphersRefuseWorkAndCloseTwiceIsHarmless() {
    EspSuite suite = new EspSuite(Encryption.AES_GCM_16_128, Integrity.NONE);
    Keys keys = Keys.random(suite, 1);
    PacketBuffer buf = PacketBuffer.allocate(arena, 256);
    for (CryptoEngine engine : CryptoEngines.available()) {
      EspCipher out = engine.newCipher(suite, keys.encryption, keys.integrity, true);
      out.close();
      out.close();
      assertThrows(IllegalStateException.class, () -> out.seal(buf, 0, 16, 1, false));
    }
  }

  @Test
  void wrongKeyLengthsNameTheExpectedLength() {
    for (CryptoEngine engine : CryptoEngines.available()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  engine.newCipher(
                      new EspSuite(Encryption.AES_GCM_16_128, Integrity.NONE),
                      new byte[16],
                      new byte[0],
                      true));
      assertTrue(e.getMessage().contains("20"), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  engine.newCipher(
                      new EspSuite(Encryption.AES_CBC_128, Integrity.HMAC_SHA2_256_128),
                      new byte[16],
                      new byte[20],
                      true));
      assertTrue(e.getMessage().contains("32"), e.getMessage());
    }
  }

  private void roundTrip(
      CryptoEngine sealer, CryptoEngine opener, EspSuite suite, boolean esn, int textLength) {
    Keys keys = Keys.random(suite, textLength);
    int ivLength = suite.encryption().ivLength();
    PacketBuffer buf =
        PacketBuffer.allocate(arena, ESP_OFFSET + 8 + ivLength + textLength + 32 + 64);
    byte[] plaintext = randomBytes(textLength, textLength + 1);
    try (EspCipher out = sealer.newCipher(suite, keys.encryption, keys.integrity, true);
        EspCipher in = opener.newCipher(suite, keys.encryption, keys.integrity, false)) {
      assertEquals(suite, out.suite());
      for (long seq = SEQ; seq < SEQ + 3; seq++) {
        writePacket(buf, ivLength, plaintext);
        buf.buffer().putInt(ESP_OFFSET + 4, (int) seq, BIG_ENDIAN);
        out.seal(buf, ESP_OFFSET, textLength, seq, esn);
        byte[] wire = new byte[textLength];
        buf.buffer().getBytes(ESP_OFFSET + 8 + ivLength, wire);
        if (suite.encryption().kind() == Encryption.Kind.GMAC) {
          assertArrayEquals(plaintext, wire, "GMAC encrypts nothing (RFC 4543 3)");
        } else {
          assertNotEquals(Hex.hex(plaintext), Hex.hex(wire), "text was not encrypted");
        }
        assertTrue(in.open(buf, ESP_OFFSET, textLength, seq, esn), "ICV did not verify");
        byte[] opened = new byte[textLength];
        buf.buffer().getBytes(ESP_OFFSET + 8 + ivLength, opened);
        assertArrayEquals(plaintext, opened);
        assertEquals(SPI, buf.buffer().getInt(ESP_OFFSET, BIG_ENDIAN), "SPI untouched");
      }
    }
  }

  private static void writePacket(PacketBuffer buf, int ivLength, byte[] plaintext) {
    buf.buffer().putInt(ESP_OFFSET, SPI, BIG_ENDIAN);
    buf.buffer().putInt(ESP_OFFSET + 4, (int) SEQ, BIG_ENDIAN);
    // The IV field is left as garbage: seal must write it.
    buf.buffer().setMemory(ESP_OFFSET + 8, ivLength, (byte) 0xee);
    buf.buffer().putBytes(ESP_OFFSET + 8 + ivLength, plaintext);
  }

  private static byte[] packetBytes(PacketBuffer buf, int length) {
    byte[] bytes = new byte[length];
    buf.buffer().getBytes(ESP_OFFSET, bytes);
    return bytes;
  }

  private static void restore(PacketBuffer buf, byte[] packet) {
    buf.buffer().putBytes(ESP_OFFSET, packet);
  }

  static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** Random keys of the right lengths for a suite. */
  record Keys(byte[] encryption, byte[] integrity) {
    static Keys random(EspSuite suite, long seed) {
      return new Keys(
          randomBytes(suite.encryption().keyMaterialLength(), seed),
          randomBytes(suite.integrity().keyLength(), seed + 1));
    }
  }
}
