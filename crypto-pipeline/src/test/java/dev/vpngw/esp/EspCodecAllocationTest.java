package dev.vpngw.esp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SaDatabase;
import dev.vpngw.sa.SecurityAssociation;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The codec itself allocates nothing per packet: encapsulate, decapsulate, and the drop paths
 * (replay, bad ICV, unknown SPI), measured with the thread's allocation counter after a warm-up, on
 * the OpenSSL engine (the JDK engine allocates inside the JCE by design).
 */
class EspCodecAllocationTest {
  private static final int WARMUP = 20_000;
  private static final int MEASURED = 10_000;

  @ParameterizedTest(name = "{0}+{1} outer IPv{2} udp={3}")
  @CsvSource({
    "AES_GCM_16_128, NONE, 4, true",
    "AES_CBC_128, HMAC_SHA2_256_128, 6, false",
    "AES_GMAC_128, NONE, 6, true"
  })
  void steadyStateAllocatesNothing(
      Encryption encryption, Integrity integrity, int outerVersion, boolean udp) {
    CryptoEngine engine = CryptoEngines.all().getFirst();
    assumeTrue(engine.isAvailable() && engine.name().equals("openssl"), "needs libcrypto");
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported());
    threads.setThreadAllocatedMemoryEnabled(true);

    SaConfig config =
        EspTestSupport.config(
                new EspSuite(encryption, integrity), 0x7000, outerVersion, udp, true, new Random(1))
            .build();
    SaDatabase database = new SaDatabase();
    EspCounters counters = new EspCounters();
    EspEncapsulator encapsulator = new EspEncapsulator(counters);
    EspDecapsulator decapsulator = new EspDecapsulator(database, counters);
    EspResult result = new EspResult();
    try (Arena arena = Arena.ofConfined();
        SecurityAssociation out = SecurityAssociation.outbound(config, engine);
        SecurityAssociation in = SecurityAssociation.inbound(config, engine)) {
      database.add(in);
      PacketBuffer buf = PacketBuffer.allocate(arena, 2048);
      byte[] inner = new byte[400];
      EspTestSupport.writeInner(new UnsafeBuffer(inner), 0, 4, inner.length, 1);

      run(encapsulator, decapsulator, out, buf, inner, result, WARMUP);
      long tid = Thread.currentThread().threadId();
      long allocated = Long.MAX_VALUE;
      for (int round = 0; round < 3 && allocated > 0; round++) {
        long before = threads.getThreadAllocatedBytes(tid);
        run(encapsulator, decapsulator, out, buf, inner, result, MEASURED);
        allocated = Math.min(allocated, threads.getThreadAllocatedBytes(tid) - before);
      }
      double perPacket = (double) allocated / (5.0 * MEASURED);
      assertTrue(
          perPacket < 0.1, allocated + " bytes over " + 5 * MEASURED + " calls: " + perPacket);
    }
  }

  /** Per round: one packet out, in, replayed, forged (bad ICV) and with an unknown SPI. */
  private static void run(
      EspEncapsulator encapsulator,
      EspDecapsulator decapsulator,
      SecurityAssociation out,
      PacketBuffer buf,
      byte[] inner,
      EspResult result,
      int n) {
    UnsafeBuffer b = buf.buffer();
    for (int i = 0; i < n; i++) {
      b.putBytes(EspEncapsulator.HEADROOM, inner);
      assertEquals(
          EspResult.OK,
          encapsulator.encapsulate(out, buf, EspEncapsulator.HEADROOM, inner.length, result));
      int offset = result.packetOffset();
      int length = result.packetLength();
      int esp = result.espOffset();
      int espLength = result.espLength();
      b.putBytes(1024, b, offset, length);
      check(EspResult.OK, decapsulator.decapsulatePacket(buf, offset, length, result));
      b.putBytes(offset, b, 1024, length);
      check(DropReason.REPLAYED.id(), decapsulator.decapsulatePacket(buf, offset, length, result));
      int last = esp + espLength - 1;
      b.putByte(last, (byte) (b.getByte(last) ^ 1));
      b.putInt(esp + 4, (int) out.nextSequence());
      check(DropReason.BAD_ICV.id(), decapsulator.decapsulate(buf, esp, espLength, result));
      b.putInt(esp, 0x7001);
      check(DropReason.UNKNOWN_SPI.id(), decapsulator.decapsulate(buf, esp, espLength, result));
    }
  }

  private static void check(int expected, int status) {
    if (expected != status) {
      throw new AssertionError("expected " + expected + ", got " + status);
    }
  }
}
