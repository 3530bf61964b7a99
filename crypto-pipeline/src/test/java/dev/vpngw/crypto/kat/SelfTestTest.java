package dev.vpngw.crypto.kat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.CryptoPrimitives;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspCipher;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.crypto.jdk.JdkEngine;
import dev.vpngw.io.buffer.PacketBuffer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The power-on self-test passes on this machine's engines and says so readably; and when an engine
 * is broken or missing it fails, names what failed, and does not throw.
 */
class SelfTestTest {
  @Test
  void passesOnEveryAvailableEngineAndNamesEachOne() {
    Run run = run(CryptoEngines.all());
    assertTrue(run.passed, run.output);
    assertFalse(run.output.contains("FAILED"), run.output);
    assertFalse(CryptoEngines.available().isEmpty(), "no engine to test");
    int vectors = KnownAnswers.all().size();
    for (CryptoEngine engine : CryptoEngines.all()) {
      if (engine.isAvailable()) {
        assertTrue(
            run.hasLine(
                l ->
                    l.startsWith(engine.name() + " ")
                        && l.contains("known-answer vectors")
                        && l.contains(vectors + "/" + vectors + " passed")),
            run.output);
        assertTrue(
            run.hasLine(l -> l.startsWith(engine.name() + " ") && l.contains("ESP round trips")),
            run.output);
      } else {
        assertTrue(run.output.contains(engine.name()), run.output);
        assertTrue(run.output.contains(engine.unavailabilityCause()), run.output);
      }
    }
    if (CryptoEngines.available().size() > 1) {
      assertTrue(run.hasLine(l -> l.contains("ESP cross-engine")), run.output);
    }
  }

  @Test
  void noAvailableEngineIsAFailure() {
    Run run = run(List.of(new Unavailable("fake", "no such library")));
    assertFalse(run.passed, run.output);
    assertTrue(run.output.contains("fake"), run.output);
    assertTrue(run.output.contains("no such library"), run.output);
    assertTrue(run.output.contains("FAILED"), run.output);
  }

  @Test
  void aBrokenEngineFailsAndNamesTheVectorAndSuiteWithoutThrowing() {
    Run run = run(List.of(new Broken(), new JdkEngine()));
    assertFalse(run.passed, run.output);
    // The corrupted HMAC-SHA-256 fails its vectors and every suite built on it, sealed or opened
    // by the broken engine, and nothing else.
    assertTrue(
        run.hasLine(l -> l.contains("FAILED") && l.contains("RFC 4231 4.3 case 2 (SHA-256)")),
        run.output);
    assertFalse(run.hasLine(l -> l.contains("FAILED") && l.contains("(SHA-1)")), run.output);
    assertTrue(
        run.hasLine(
            l -> l.startsWith("broken ") && l.contains("FAILED") && l.contains("AES_GCM_16_256")),
        run.output);
    assertTrue(
        run.hasLine(
            l ->
                l.startsWith("broken -> jdk ")
                    && l.contains("FAILED")
                    && l.contains("AES_GCM_16_256")
                    && l.contains("IllegalStateException")),
        run.output);
    assertFalse(
        run.hasLine(l -> l.contains("FAILED") && l.contains("AES_GCM_16_128 ")), run.output);
    assertTrue(run.hasLine(l -> l.startsWith("jdk ") && l.contains("passed")), run.output);
    assertTrue(lastLine(run.output).startsWith("self-test FAILED"), run.output);
  }

  private static String lastLine(String output) {
    List<String> lines = output.lines().toList();
    return lines.get(lines.size() - 1);
  }

  private static Run run(List<CryptoEngine> engines) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean passed;
    try (PrintStream out = new PrintStream(bytes, true, UTF_8)) {
      passed = SelfTest.run(out, engines);
    }
    return new Run(passed, bytes.toString(UTF_8));
  }

  private record Run(boolean passed, String output) {
    boolean hasLine(Predicate<String> test) {
      return output.lines().anyMatch(test);
    }
  }

  /** An engine that is never available. */
  private record Unavailable(String name, String unavailabilityCause) implements CryptoEngine {
    @Override
    public boolean isAvailable() {
      return false;
    }

    @Override
    public boolean supports(EspSuite suite) {
      return false;
    }

    @Override
    public EspCipher newCipher(EspSuite suite, byte[] enc, byte[] integ, boolean outbound) {
      throw new IllegalStateException(unavailabilityCause);
    }
  }

  /**
   * The JDK engine with two faults: HMAC-SHA-256 answers one bit off, and AES-256-GCM ciphers
   * cannot be created at all.
   */
  private static final class Broken implements CryptoEngine, CryptoPrimitives {
    private final JdkEngine jdk = new JdkEngine();

    @Override
    public String name() {
      return "broken";
    }

    @Override
    public boolean isAvailable() {
      return true;
    }

    @Override
    public String unavailabilityCause() {
      return null;
    }

    @Override
    public boolean supports(EspSuite suite) {
      return true;
    }

    @Override
    public EspCipher newCipher(EspSuite suite, byte[] enc, byte[] integ, boolean outbound) {
      if (suite.encryption() == Encryption.AES_GCM_16_256) {
        throw new IllegalStateException("simulated context failure");
      }
      EspCipher cipher = jdk.newCipher(suite, enc, integ, outbound);
      return suite.integrity() == Integrity.HMAC_SHA2_256_128 ? new FlipsIcv(cipher) : cipher;
    }

    @Override
    public byte[] aeadSeal(Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] text) {
      return jdk.aeadSeal(aead, key, nonce, aad, text);
    }

    @Override
    public byte[] aeadOpen(Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] text) {
      return jdk.aeadOpen(aead, key, nonce, aad, text);
    }

    @Override
    public byte[] cbcEncrypt(Encryption cbc, byte[] key, byte[] iv, byte[] plaintext) {
      return jdk.cbcEncrypt(cbc, key, iv, plaintext);
    }

    @Override
    public byte[] cbcDecrypt(Encryption cbc, byte[] key, byte[] iv, byte[] ciphertext) {
      return jdk.cbcDecrypt(cbc, key, iv, ciphertext);
    }

    @Override
    public byte[] hmac(Integrity integrity, byte[] key, byte[] data) {
      byte[] mac = jdk.hmac(integrity, key, data);
      if (integrity == Integrity.HMAC_SHA2_256_128) {
        mac[mac.length - 1] ^= 1;
      }
      return mac;
    }
  }

  /** Seals with an ICV one bit off, as a wrong HMAC would. */
  private record FlipsIcv(EspCipher cipher) implements EspCipher {
    @Override
    public EspSuite suite() {
      return cipher.suite();
    }

    @Override
    public void seal(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
      cipher.seal(buf, espOffset, textLength, seq, esn);
      int lastIcvByte =
          espOffset + 8 + suite().encryption().ivLength() + textLength + suite().icvLength() - 1;
      buf.buffer().putByte(lastIcvByte, (byte) (buf.buffer().getByte(lastIcvByte) ^ 0x80));
    }

    @Override
    public boolean open(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
      return cipher.open(buf, espOffset, textLength, seq, esn);
    }

    @Override
    public void close() {
      cipher.close();
    }
  }
}
