package dev.vpngw.benchmarks;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.esp.EspCounters;
import dev.vpngw.esp.EspDecapsulator;
import dev.vpngw.esp.EspEncapsulator;
import dev.vpngw.esp.EspResult;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SaDatabase;
import dev.vpngw.sa.SecurityAssociation;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * ESP tunnel-mode encapsulation and decapsulation per engine, suite and packet size, one thread
 * (one core). Each operation handles one inner packet of the given size (IMIX cycles through its
 * pattern); the report converts ops/s to Gbps of inner packets.
 *
 * <p>Both operations include a copy of the packet into the working buffer (a memcpy of the packet,
 * as the receive path would write it): encryption and decryption work in place, so the buffer must
 * be restored each time. Decapsulation replays a ring of {@value #RING} packets sealed in setup,
 * with the replay check on; every time the ring wraps, the inbound SA is re-created (its window
 * would otherwise reject the replays), which adds one SA setup per {@value #RING} packets.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EspBenchmark {
  static final int RING = 1020; // a multiple of the IMIX pattern (12)
  private static final int SLOT = 2048;

  @Param({"openssl", "jdk"})
  public String engine;

  @Param({"AES_GCM_16_128"})
  public String suite;

  @Param({"64", "512", "1400", "IMIX"})
  public String size;

  private Arena arena;
  private CryptoEngine cryptoEngine;
  private PacketBuffer work;
  private UnsafeBuffer pristineInner;
  private UnsafeBuffer pristineOuter;
  private int[] sizes;
  private int[] outerOffsets;
  private int[] outerLengths;
  private int next;

  private SaConfig outboundConfig;
  private SaConfig inboundConfig;
  private SecurityAssociation outbound;
  private SecurityAssociation inbound;
  private final SaDatabase database = new SaDatabase();
  private final EspCounters counters = new EspCounters();
  private EspEncapsulator encapsulator;
  private EspDecapsulator decapsulator;
  private final EspResult result = new EspResult();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    cryptoEngine = CryptoEngines.byName(engine);
    EspSuite espSuite = BenchSuites.suite(suite);
    sizes = BenchSuites.sizes(size);
    arena = Arena.ofShared();
    work = PacketBuffer.allocate(arena, SLOT);
    pristineInner = offHeap(SLOT * sizes.length);
    pristineOuter = offHeap(SLOT * RING);
    Random random = new Random(42);
    byte[] encryptionKey = new byte[espSuite.encryption().keyMaterialLength()];
    byte[] integrityKey = new byte[espSuite.integrity().keyLength()];
    random.nextBytes(encryptionKey);
    random.nextBytes(integrityKey);
    InetAddress a = InetAddress.getByName("192.0.2.1");
    InetAddress b = InetAddress.getByName("192.0.2.2");
    outboundConfig =
        SaConfig.builder()
            .spi(0x1000_0001)
            .suite(espSuite)
            .encryptionKey(encryptionKey)
            .integrityKey(integrityKey)
            .tunnel(a, b)
            .udpEncapsulation(true)
            .allowLegacyCiphers(true)
            .build();
    inboundConfig = outboundConfig.toBuilder().tunnel(b, a).build();
    for (int i = 0; i < sizes.length; i++) {
      writeInnerIpv4(pristineInner, i * SLOT, sizes[i], random);
    }
    encapsulator = new EspEncapsulator(counters);
    decapsulator = new EspDecapsulator(database, counters);
    outbound = SecurityAssociation.outbound(outboundConfig, cryptoEngine);
    // The ring for decapsulation, sealed by a separate outbound SA with the same keys.
    outerOffsets = new int[RING];
    outerLengths = new int[RING];
    try (SecurityAssociation sealer = SecurityAssociation.outbound(outboundConfig, cryptoEngine)) {
      for (int i = 0; i < RING; i++) {
        int n = sizes[i % sizes.length];
        work.buffer()
            .putBytes(EspEncapsulator.HEADROOM, pristineInner, (i % sizes.length) * SLOT, n);
        int status = encapsulator.encapsulate(sealer, work, EspEncapsulator.HEADROOM, n, result);
        if (status != EspResult.OK) {
          throw new IllegalStateException("encapsulation failed in setup: " + status);
        }
        outerOffsets[i] = i * SLOT;
        outerLengths[i] = result.packetLength();
        pristineOuter.putBytes(
            i * SLOT, work.buffer(), result.packetOffset(), result.packetLength());
      }
    }
    newInbound();
  }

  private UnsafeBuffer offHeap(int bytes) {
    return new UnsafeBuffer(arena.allocate(bytes, 64).address(), bytes);
  }

  private void newInbound() {
    if (inbound != null) {
      database.remove(inbound.spi());
      inbound.close();
    }
    inbound = SecurityAssociation.inbound(inboundConfig, cryptoEngine);
    database.add(inbound);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    long drops = counters.totalDrops();
    outbound.close();
    inbound.close();
    arena.close();
    if (drops != 0) {
      throw new IllegalStateException(drops + " packets were dropped during the benchmark");
    }
  }

  /** Protects one inner packet: copy in, ESP, outer IPv4 + UDP headers. */
  @Benchmark
  public int encapsulate() {
    int i = next;
    next = i + 1 == sizes.length ? 0 : i + 1;
    int n = sizes[i];
    work.buffer().putBytes(EspEncapsulator.HEADROOM, pristineInner, i * SLOT, n);
    return encapsulator.encapsulate(outbound, work, EspEncapsulator.HEADROOM, n, result);
  }

  /** Checks one outer packet: copy in, parse, replay check, ICV + decrypt, window update. */
  @Benchmark
  public int decapsulate() {
    int i = next;
    if (i == RING) {
      newInbound();
      i = 0;
    }
    next = i + 1;
    work.buffer().putBytes(0, pristineOuter, outerOffsets[i], outerLengths[i]);
    return decapsulator.decapsulatePacket(work, 0, outerLengths[i], result);
  }

  private static void writeInnerIpv4(UnsafeBuffer b, int offset, int length, Random random) {
    byte[] packet = new byte[length];
    random.nextBytes(packet);
    packet[0] = 0x45;
    packet[1] = 0;
    packet[2] = (byte) (length >> 8);
    packet[3] = (byte) length;
    packet[9] = 17;
    b.putBytes(offset, packet);
  }
}
