package dev.vpngw.crypto.kat;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.CryptoPrimitives;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspCipher;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.io.buffer.PacketBuffer;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The power-on self-test the appliance runs before it carries traffic, in the spirit of FIPS 140-3
 * pre-operational and conditional algorithm self-tests: on every available crypto engine, every
 * published vector in {@link KnownAnswers} through the engine's {@link CryptoPrimitives}, then an
 * ESP seal/open round trip of every suite through its {@link EspCipher}s (RFC 4303 2, with and
 * without ESN), a packet with one ICV bit flipped must be refused (RFC 4303 3.4.4), and, when two
 * engines are present, what one seals the other must open. The vectors pin each algorithm; the
 * round trips pin the ESP layout the engines build around them, which the vectors cannot reach.
 *
 * <p>Nothing here throws on a crypto failure: each check catches what the engine throws and reports
 * it as that check's failure, so one broken transform names itself instead of hiding the rest.
 * Round-trip keys come from {@link SecureRandom}, are never printed and are wiped after use.
 */
public final class SelfTest {
  /** Where ESP starts in an ESP-in-UDP frame (Ethernet 14 + IPv4 20 + UDP 8), as on the wire. */
  private static final int ESP_OFFSET = 42;

  private static final int SPI = 0x5e1f_7e57;

  /** A non-zero high half, so that ESN changes what is authenticated (RFC 4303 2.2.1). */
  private static final long SEQ = 0x0000_0002_0000_0001L;

  /** A whole number of blocks for every CBC cipher (16 for AES, 8 for 3DES). */
  private static final int TEXT_LENGTH = 64;

  /** SPI and the low half of the sequence number (RFC 4303 2). */
  private static final int ESP_HEADER_LENGTH = 8;

  /** Room for the header, the longest IV (16) and ICV (32) with the text. */
  private static final int BUFFER_LENGTH = ESP_OFFSET + ESP_HEADER_LENGTH + 16 + TEXT_LENGTH + 32;

  private static final String LABEL_FORMAT = "%-14s %-22s %s%n";

  private SelfTest() {}

  /**
   * Runs the self-test on every engine in {@link CryptoEngines#all()} and prints one line per
   * engine and group of checks, plus a FAILED line naming each failed vector or suite.
   *
   * @return true only if at least one engine is available and every check passed
   */
  public static boolean run(PrintStream out) {
    return run(out, CryptoEngines.all());
  }

  /** The self-test over the given engines; tests pass deliberately broken ones. */
  static boolean run(PrintStream out, List<CryptoEngine> engines) {
    long start = System.nanoTime();
    SecureRandom random = new SecureRandom();
    List<CryptoEngine> available = new ArrayList<>();
    boolean passed = true;
    out.printf(
        "crypto self-test: %d published vectors; %d ESP suites sealed and opened, ESN off and on,"
            + " one flipped ICV bit refused%n",
        KnownAnswers.all().size(), EspSuite.all().size());
    try (Arena arena = Arena.ofConfined()) {
      PacketBuffer buf = PacketBuffer.allocate(arena, BUFFER_LENGTH);
      for (CryptoEngine engine : engines) {
        if (!engine.isAvailable()) {
          out.printf("%-14s unavailable: %s%n", engine.name(), engine.unavailabilityCause());
          continue;
        }
        out.printf("%-14s available%n", engine.name());
        available.add(engine);
        passed &= knownAnswers(engine, out);
        passed &= roundTrips(engine, engine, engine.name(), "ESP round trips", buf, random, out);
      }
      // Both directions: a sealer and an opener that agree only on their own mistakes would pass
      // every round trip above, and only the vectors would catch it.
      for (CryptoEngine sealer : available) {
        for (CryptoEngine opener : available) {
          if (sealer != opener) {
            String label = sealer.name() + " -> " + opener.name();
            passed &= roundTrips(sealer, opener, label, "ESP cross-engine", buf, random, out);
          }
        }
      }
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (available.isEmpty()) {
      out.println("self-test FAILED: no crypto engine is available");
      return false;
    }
    List<String> names = available.stream().map(CryptoEngine::name).toList();
    out.printf(
        "self-test %s on %s (%d ms)%n",
        passed ? "passed" : "FAILED", String.join(", ", names), millis);
    return passed;
  }

  private static boolean knownAnswers(CryptoEngine engine, PrintStream out) {
    String group = "known-answer vectors";
    if (!(engine instanceof CryptoPrimitives primitives)) {
      // An engine whose algorithms cannot be checked against the vectors must not carry traffic.
      out.printf(LABEL_FORMAT, engine.name(), group, "FAILED: exposes no CryptoPrimitives");
      return false;
    }
    List<KnownAnswers.Vector> vectors = KnownAnswers.all();
    int passed = 0;
    for (KnownAnswers.Vector vector : vectors) {
      String failure;
      try {
        failure = check(primitives, vector);
      } catch (RuntimeException | LinkageError e) {
        failure = "threw " + describe(e);
      }
      if (failure == null) {
        passed++;
      } else {
        out.printf(LABEL_FORMAT, engine.name(), "FAILED", "vector \"" + vector + "\": " + failure);
      }
    }
    summary(out, engine.name(), group, passed, vectors.size(), "passed");
    return passed == vectors.size();
  }

  /** Checks one vector; returns null if it passed, else what went wrong. */
  private static String check(CryptoPrimitives engine, KnownAnswers.Vector vector) {
    return switch (vector) {
      case KnownAnswers.Aead v -> checkAead(engine, v);
      case KnownAnswers.Cbc v -> checkCbc(engine, v);
      case KnownAnswers.Hmac v -> checkHmac(engine, v);
    };
  }

  private static String checkAead(CryptoPrimitives engine, KnownAnswers.Aead v) {
    Encryption aead = v.encryption();
    byte[] sealed = engine.aeadSeal(aead, v.key(), v.nonce(), v.aad(), v.plaintext());
    if (!Arrays.equals(sealed, concat(v.ciphertext(), v.tag()))) {
      return "seal gave the wrong ciphertext or tag";
    }
    if (!Arrays.equals(v.plaintext(), engine.aeadOpen(aead, v.key(), v.nonce(), v.aad(), sealed))) {
      return "open did not restore the plaintext";
    }
    // The first byte (ciphertext, or tag when there is no text) and the last tag byte: a forgery
    // anywhere must be refused, not decrypted.
    for (int i : new int[] {0, sealed.length - 1}) {
      byte[] forged = sealed.clone();
      forged[i] ^= 0x40;
      if (engine.aeadOpen(aead, v.key(), v.nonce(), v.aad(), forged) != null) {
        return "open accepted a forgery (byte " + i + " altered)";
      }
    }
    byte[] otherAad = v.aad();
    if (otherAad.length > 0) {
      otherAad[0] ^= 1;
      if (engine.aeadOpen(aead, v.key(), v.nonce(), otherAad, sealed) != null) {
        return "open accepted an altered AAD";
      }
    }
    return null;
  }

  private static String checkCbc(CryptoPrimitives engine, KnownAnswers.Cbc v) {
    if (!Arrays.equals(
        v.ciphertext(), engine.cbcEncrypt(v.encryption(), v.key(), v.iv(), v.plaintext()))) {
      return "encrypt gave the wrong ciphertext";
    }
    if (!Arrays.equals(
        v.plaintext(), engine.cbcDecrypt(v.encryption(), v.key(), v.iv(), v.ciphertext()))) {
      return "decrypt gave the wrong plaintext";
    }
    return null;
  }

  private static String checkHmac(CryptoPrimitives engine, KnownAnswers.Hmac v) {
    return Arrays.equals(v.mac(), engine.hmac(v.integrity(), v.key(), v.data()))
        ? null
        : "wrong HMAC";
  }

  private static boolean roundTrips(
      CryptoEngine sealer,
      CryptoEngine opener,
      String label,
      String group,
      PacketBuffer buf,
      SecureRandom random,
      PrintStream out) {
    int passed = 0;
    int supported = 0;
    for (EspSuite suite : EspSuite.all()) {
      if (!sealer.supports(suite) || !opener.supports(suite)) {
        continue;
      }
      supported++;
      boolean suitePassed = true;
      for (boolean esn : new boolean[] {false, true}) {
        String failure;
        try {
          failure = roundTrip(sealer, opener, suite, esn, buf, random);
        } catch (RuntimeException | LinkageError e) {
          failure = "threw " + describe(e);
        }
        if (failure != null) {
          suitePassed = false;
          out.printf(
              LABEL_FORMAT, label, "FAILED", "suite " + suite + " esn=" + esn + ": " + failure);
        }
      }
      if (suitePassed) {
        passed++;
      }
    }
    int unsupported = EspSuite.all().size() - supported;
    String note = "suites passed" + (unsupported > 0 ? " (" + unsupported + " unsupported)" : "");
    summary(out, label, group, passed, supported, note);
    return passed == supported;
  }

  /**
   * Seals a packet of random text with random keys, then checks that the opener refuses it with one
   * ICV bit flipped, refuses it under a wrong ESN high half, and opens it intact to the same text.
   * Returns null if all held, else what went wrong.
   */
  private static String roundTrip(
      CryptoEngine sealer,
      CryptoEngine opener,
      EspSuite suite,
      boolean esn,
      PacketBuffer buf,
      SecureRandom random) {
    byte[] encryptionKey = new byte[suite.encryption().keyMaterialLength()];
    byte[] integrityKey = new byte[suite.integrity().keyLength()];
    byte[] plaintext = new byte[TEXT_LENGTH];
    random.nextBytes(encryptionKey);
    random.nextBytes(integrityKey);
    random.nextBytes(plaintext);
    int textOffset = ESP_OFFSET + ESP_HEADER_LENGTH + suite.encryption().ivLength();
    int icvOffset = textOffset + TEXT_LENGTH;
    int packetLength = icvOffset + suite.icvLength() - ESP_OFFSET;
    UnsafeBuffer packet = buf.buffer();
    packet.setMemory(0, buf.capacity(), (byte) 0);
    packet.putInt(ESP_OFFSET, SPI, BIG_ENDIAN);
    packet.putInt(ESP_OFFSET + 4, (int) SEQ, BIG_ENDIAN);
    packet.putBytes(textOffset, plaintext);
    try (EspCipher out = sealer.newCipher(suite, encryptionKey, integrityKey, true);
        EspCipher in = opener.newCipher(suite, encryptionKey, integrityKey, false)) {
      out.seal(buf, ESP_OFFSET, TEXT_LENGTH, SEQ, esn);
      byte[] sealed = new byte[packetLength];
      packet.getBytes(ESP_OFFSET, sealed);
      byte[] wire = Arrays.copyOfRange(sealed, textOffset - ESP_OFFSET, icvOffset - ESP_OFFSET);
      // GMAC authenticates without encrypting (RFC 4543 3); everything else must hide the text.
      boolean gmac = suite.encryption().kind() == Encryption.Kind.GMAC;
      if (Arrays.equals(plaintext, wire) != gmac) {
        return gmac ? "GMAC altered the text" : "the text went out unencrypted";
      }

      int lastIcvByte = ESP_OFFSET + packetLength - 1;
      packet.putByte(lastIcvByte, (byte) (packet.getByte(lastIcvByte) ^ 1));
      if (in.open(buf, ESP_OFFSET, TEXT_LENGTH, SEQ, esn)) {
        return "a packet with one ICV bit flipped verified";
      }
      if (esn) {
        packet.putBytes(ESP_OFFSET, sealed);
        if (in.open(buf, ESP_OFFSET, TEXT_LENGTH, SEQ + (1L << 32), true)) {
          return "a packet verified under the wrong ESN high half";
        }
      }

      packet.putBytes(ESP_OFFSET, sealed);
      if (!in.open(buf, ESP_OFFSET, TEXT_LENGTH, SEQ, esn)) {
        return "the ICV of an intact packet did not verify";
      }
      byte[] opened = new byte[TEXT_LENGTH];
      packet.getBytes(textOffset, opened);
      if (!Arrays.equals(plaintext, opened)) {
        return "open did not restore the text";
      }
      return null;
    } finally {
      Arrays.fill(encryptionKey, (byte) 0);
      Arrays.fill(integrityKey, (byte) 0);
      packet.setMemory(0, buf.capacity(), (byte) 0);
    }
  }

  private static void summary(
      PrintStream out, String label, String group, int passed, int total, String what) {
    String verdict = passed + "/" + total + " " + what + (passed == total ? "" : "  FAILED");
    out.printf(LABEL_FORMAT, label, group, verdict);
  }

  /** An exception as "Type: message"; engine messages name lengths and algorithms, never keys. */
  private static String describe(Throwable e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }
}
