package dev.vpngw.pipeline;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.PipelineCounters;
import dev.vpngw.counters.SaCounters;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.esp.EspCounters;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SecurityAssociation;
import dev.vpngw.selector.SelectorSet;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.CountersManager;
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
 * How the crypto stage scales with workers: each JMH thread is one {@link CryptoWorker} with its
 * own tunnel, SA, inbox and outbox (as the dataplane gives each worker its own), and one operation
 * is one inner packet through it: handed in through the inbox ring, encapsulated, handed out
 * through the outbox ring. Run with {@code -t 1} and {@code -t 2}: with SAs spread over workers and
 * nothing shared between them, the aggregate rate should rise with the worker count until the cores
 * run out. Receive and transmit system calls are not in it (the end-to-end harness has them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WorkerScalingBenchmark {
  private static final int GENERATION = 1;

  @Param({"1400"})
  public int size;

  private RingBuffer inbox;
  private RingBuffer outbox;
  private CryptoWorker worker;
  private final byte[] packet = new byte[65_536];
  private final UnsafeBuffer packetBuffer = new UnsafeBuffer(packet);
  private CountersManager counters;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    counters = CountersFile.inMemory(1 << 16);
    inbox = new ManyToOneRingBuffer(ring());
    outbox = new OneToOneRingBuffer(ring());
    ManyToOneConcurrentArrayQueue<WorkerCommand> commands = new ManyToOneConcurrentArrayQueue<>(8);
    worker =
        new CryptoWorker(
            0,
            inbox,
            outbox,
            commands,
            new AgentCounters(
                new EspCounters(counters, "bench"), new PipelineCounters(counters, "bench")),
            new BandwidthLimiter(),
            new BandwidthLimiter());
    TunnelInfo tunnel =
        new TunnelInfo(
            0,
            "bench",
            0,
            InetAddress.getByName("192.0.2.2"),
            4500,
            9000,
            false,
            SelectorSet.ofPrefixes(List.of("10.1.0.0/16"), List.of("10.2.0.0/16")));
    byte[] key = new byte[20];
    new java.util.Random(Thread.currentThread().threadId()).nextBytes(key);
    SecurityAssociation sa =
        SecurityAssociation.outbound(
            SaConfig.builder()
                .spi(0x1000 + (int) Thread.currentThread().threadId())
                .suite(new EspSuite(Encryption.AES_GCM_16_128, Integrity.NONE))
                .encryptionKey(key)
                .tunnel(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("192.0.2.2"))
                .udpEncapsulation(true)
                .esn(true)
                .build(),
            CryptoEngines.defaultEngine());
    commands.offer(new WorkerCommand.AddTunnel(tunnel, GENERATION));
    commands.offer(
        new WorkerCommand.InstallOutbound(
            0,
            new OwnedSa(
                sa, SaCounters.allocate(counters, "bench", 0, sa.direction(), sa.spi(), "peer"))));
    worker.doWork();
    ByteBuffer p = ByteBuffer.wrap(packet);
    p.put((byte) 0x45).put((byte) 0).putShort((short) size).putInt(0).put((byte) 64);
    p.put((byte) 17).putShort((short) 0).putInt(0x0a010002).putInt(0x0a020002);
  }

  private static UnsafeBuffer ring() {
    return new UnsafeBuffer(
        ByteBuffer.allocateDirect((1 << 20) + RingBufferDescriptor.TRAILER_LENGTH));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    worker.onClose();
  }

  /** One inner packet: into the inbox, through the worker, out of the outbox. */
  @Benchmark
  public int packetThroughWorker() {
    int claim =
        inbox.tryClaim(RingMessages.OUTBOUND_PLAIN, RingMessages.OUTBOUND_HEADER_LENGTH + size);
    inbox.buffer().putInt(claim + RingMessages.TUNNEL_ID_OFFSET, 0);
    inbox.buffer().putInt(claim + RingMessages.GENERATION_OFFSET, GENERATION);
    inbox.buffer().putBytes(claim + RingMessages.OUTBOUND_HEADER_LENGTH, packetBuffer, 0, size);
    inbox.commit(claim);
    worker.doWork();
    return outbox.read((type, buffer, index, length) -> {});
  }
}
