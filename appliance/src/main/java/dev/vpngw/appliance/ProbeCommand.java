package dev.vpngw.appliance;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.crypto.kat.SelfTest;
import dev.vpngw.esp.EspCounters;
import dev.vpngw.esp.EspDecapsulator;
import dev.vpngw.esp.EspEncapsulator;
import dev.vpngw.esp.EspResult;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SaDatabase;
import dev.vpngw.sa.SecurityAssociation;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gateway probe}: the crypto self-test, then packets pushed through one ESP SA pair
 * (AES-128-GCM, ESP-in-UDP) per engine for a moment, and the rate: what the codec alone does on
 * this machine, without namespaces or root. The tunnel demo is {@code gateway demo}.
 */
@Command(name = "probe", description = "Self-test, then an ESP throughput probe per engine.")
final class ProbeCommand implements Callable<Integer> {
  @Option(
      names = "--seconds",
      defaultValue = "1",
      description = "Probe duration per engine and direction (default ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--size",
      defaultValue = "1400",
      description = "Inner packet size in bytes (default ${DEFAULT-VALUE}).")
  int size;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (!SelfTest.run(out)) {
      return 1;
    }
    out.printf(
        "%nESP throughput probe: AES-128-GCM, ESP-in-UDP over IPv4, %d-byte inner packets,"
            + " one thread%n",
        size);
    for (CryptoEngine engine : CryptoEngines.available()) {
      probe(engine, out);
    }
    out.println("\n(benchmarks/run-jmh.sh measures this properly; see benchmarks/RESULTS.md)");
    return 0;
  }

  private void probe(CryptoEngine engine, PrintStream out) throws Exception {
    byte[] key = new byte[20];
    new SecureRandom().nextBytes(key);
    SaConfig outbound =
        SaConfig.builder()
            .spi(0xC0FFEE01)
            .suite(new EspSuite(Encryption.AES_GCM_16_128, Integrity.NONE))
            .encryptionKey(key)
            .tunnel(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("192.0.2.2"))
            .udpEncapsulation(true)
            .esn(true)
            .build();
    SaConfig inbound =
        outbound.toBuilder()
            .tunnel(InetAddress.getByName("192.0.2.2"), InetAddress.getByName("192.0.2.1"))
            .build();
    EspCounters counters = new EspCounters();
    SaDatabase database = new SaDatabase();
    EspEncapsulator encapsulator = new EspEncapsulator(counters);
    EspDecapsulator decapsulator = new EspDecapsulator(database, counters);
    EspResult result = new EspResult();
    try (Arena arena = Arena.ofConfined();
        SecurityAssociation tx = SecurityAssociation.outbound(outbound, engine);
        SecurityAssociation rx = SecurityAssociation.inbound(inbound, engine)) {
      database.add(rx);
      PacketBuffer buf = PacketBuffer.allocate(arena, 4096);
      long packets = 0;
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      long start = System.nanoTime();
      while (System.nanoTime() < deadline) {
        for (int i = 0; i < 256; i++) {
          writeInner(buf, EspEncapsulator.HEADROOM, size);
          if (encapsulator.encapsulate(tx, buf, EspEncapsulator.HEADROOM, size, result)
                  != EspResult.OK
              || decapsulator.decapsulatePacket(
                      buf, result.packetOffset(), result.packetLength(), result)
                  != EspResult.OK) {
            out.printf(
                "  %-8s dropped a packet (%d drops)%n", engine.name(), counters.totalDrops());
            return;
          }
        }
        packets += 256;
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      out.printf(
          "  %-8s %8.0f packets/s  %6.2f Gbps (encapsulate + decapsulate on one core)%n",
          engine.name(), packets / elapsed, packets * size * 8 / elapsed / 1e9);
    }
  }

  private static void writeInner(PacketBuffer buf, int offset, int length) {
    var b = buf.buffer();
    b.putByte(offset, (byte) 0x45);
    b.putByte(offset + 1, (byte) 0);
    b.putShort(offset + 2, (short) length, java.nio.ByteOrder.BIG_ENDIAN);
    b.putByte(offset + 9, (byte) 17);
  }
}
