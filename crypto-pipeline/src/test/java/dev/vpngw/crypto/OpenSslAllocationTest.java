package dev.vpngw.crypto;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.crypto.openssl.OpenSslEngine;
import dev.vpngw.io.buffer.PacketBuffer;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OpenSSL engine's seal and open allocate nothing on the Java heap in steady state, for every
 * suite, at 64 and 1400 bytes. Measured with the current thread's allocation counter over many
 * calls after a warm-up (so class loading, lazy initialisation and JIT compilation are done), best
 * of three rounds, and asserted far below one byte per call: one allocated object per packet would
 * be 16 bytes or more. An allocation check, not a timing check.
 */
class OpenSslAllocationTest {
  private static final int WARMUP = 10_000;
  private static final int MEASURED = 10_000;

  /**
   * Every suite but the 3DES ones after the first: 3DES runs through the same code as AES-CBC and
   * is slow enough (a few MB/s) that four copies would dominate the test's run time.
   */
  static Stream<EspSuite> suites() {
    return EspSuite.all().stream()
        .filter(
            s -> s.encryption() != Encryption.TDES_CBC || s.integrity() == Integrity.HMAC_SHA1_96);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("suites")
  void sealAndOpenAllocateNothingInSteadyState(EspSuite suite) {
    OpenSslEngine engine = new OpenSslEngine();
    assumeTrue(engine.isAvailable(), engine::unavailabilityCause);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported());
    threads.setThreadAllocatedMemoryEnabled(true);

    byte[] key = EspCipherRoundTripTest.randomBytes(suite.encryption().keyMaterialLength(), 1);
    byte[] integrityKey = EspCipherRoundTripTest.randomBytes(suite.integrity().keyLength(), 2);
    try (Arena arena = Arena.ofConfined();
        EspCipher out = engine.newCipher(suite, key, integrityKey, true);
        EspCipher in = engine.newCipher(suite, key, integrityKey, false)) {
      PacketBuffer buf = PacketBuffer.allocate(arena, 2048);
      for (int textLength : new int[] {64, 1392}) {
        run(out, in, buf, textLength, WARMUP);
        long tid = Thread.currentThread().threadId();
        // The best of a few rounds: a JIT recompilation landing inside one round is not the
        // steady state this test is about.
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 3 && allocated > 0; round++) {
          long before = threads.getThreadAllocatedBytes(tid);
          run(out, in, buf, textLength, MEASURED);
          allocated = Math.min(allocated, threads.getThreadAllocatedBytes(tid) - before);
        }
        double perCall = (double) allocated / (2.0 * MEASURED);
        assertTrue(
            perCall < 0.1,
            suite
                + " at "
                + textLength
                + " B allocated "
                + allocated
                + " bytes over "
                + 2 * MEASURED
                + " calls ("
                + perCall
                + " B/call)");
      }
    }
  }

  private static void run(EspCipher out, EspCipher in, PacketBuffer buf, int textLength, int n) {
    long seq = 1;
    for (int i = 0; i < n; i++) {
      buf.buffer().putInt(0, 0x1000, BIG_ENDIAN);
      buf.buffer().putInt(4, (int) seq, BIG_ENDIAN);
      out.seal(buf, 0, textLength, seq, true);
      if (!in.open(buf, 0, textLength, seq, true)) {
        throw new AssertionError("packet " + seq + " did not verify");
      }
      seq++;
    }
  }
}
