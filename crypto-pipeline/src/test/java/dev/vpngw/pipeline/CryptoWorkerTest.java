package dev.vpngw.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.counters.CounterTypes;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.CountersSnapshot;
import dev.vpngw.counters.PipelineCounters;
import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.counters.SaCounters;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.esp.DropReason;
import dev.vpngw.esp.EspCounters;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SecurityAssociation;
import dev.vpngw.selector.SelectorSet;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One crypto worker driven by hand (its duty cycle called by the test, like Aeron's invoker mode):
 * two workers stand for the two gateways, wired back to back through their rings. Covers the
 * make-before-break rekey the control plane relies on: a new outbound SA takes over at once, the
 * old inbound SA keeps accepting until it is deleted, so no packet in flight is lost.
 */
class CryptoWorkerTest {
  private static final int TUNNEL = 0;
  private final CountersManager counters = CountersFile.inMemory(1 << 16);
  private Side a;
  private Side b;

  /** One gateway's worker with its inbox, outbox and command queue. */
  private final class Side {
    final RingBuffer inbox = new ManyToOneRingBuffer(ring());
    final RingBuffer outbox = new OneToOneRingBuffer(ring());
    final LateQueue commands = new LateQueue();
    final BandwidthLimiter outboundLimit = new BandwidthLimiter();
    final EspCounters esp;
    final PipelineCounters pipeline;
    final CryptoWorker worker;
    TunnelInfo tunnel;
    int generation = 1;

    Side(String name, String peer, String local, String remote) throws Exception {
      esp = new EspCounters(counters, name);
      pipeline = new PipelineCounters(counters, name);
      worker =
          new CryptoWorker(
              0,
              inbox,
              outbox,
              commands,
              new AgentCounters(esp, pipeline),
              outboundLimit,
              new BandwidthLimiter());
      tunnel =
          new TunnelInfo(
              TUNNEL,
              name,
              0,
              InetAddress.getByName(peer),
              4500,
              1400,
              true,
              SelectorSet.ofPrefixes(List.of(local), List.of(remote)));
      commands.offer(new WorkerCommand.AddTunnel(tunnel, generation));
      worker.doWork();
    }

    void install(int spi, byte[] key, boolean outbound) throws Exception {
      offerInstall(spi, key, outbound);
      worker.doWork();
    }

    /** Queues the command that installs an SA, without running the worker. */
    void offerInstall(int spi, byte[] key, boolean outbound) throws Exception {
      SaConfig config =
          SaConfig.builder()
              .spi(spi)
              .suite(new EspSuite(Encryption.AES_GCM_16_128, Integrity.NONE))
              .encryptionKey(key)
              .tunnel(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("192.0.2.2"))
              .udpEncapsulation(true)
              .build();
      SecurityAssociation sa =
          outbound
              ? SecurityAssociation.outbound(config, CryptoEngines.defaultEngine())
              : SecurityAssociation.inbound(config, CryptoEngines.defaultEngine());
      SaCounters saCounters =
          SaCounters.allocate(counters, tunnel.name(), TUNNEL, sa.direction(), spi, "peer");
      OwnedSa owned = new OwnedSa(sa, saCounters);
      commands.offer(
          outbound
              ? new WorkerCommand.InstallOutbound(TUNNEL, owned)
              : new WorkerCommand.InstallInbound(TUNNEL, owned));
    }

    /** Puts an inner IPv4 packet from {@code src} to {@code dst} in the inbox, as TunRx would. */
    void send(String src, String dst, int id) throws Exception {
      enqueue(src, dst, id, generation);
      worker.doWork();
    }

    /** Queues an inner packet routed when the tunnel had {@code routedGeneration}. */
    void enqueue(String src, String dst, int id, int routedGeneration) throws Exception {
      byte[] inner = new byte[100];
      ByteBuffer p = ByteBuffer.wrap(inner);
      p.put((byte) 0x45).put((byte) 0).putShort((short) inner.length).putShort((short) id);
      p.putShort((short) 0).put((byte) 64).put((byte) 17).putShort((short) 0);
      p.put(InetAddress.getByName(src).getAddress()).put(InetAddress.getByName(dst).getAddress());
      int claim =
          inbox.tryClaim(
              RingMessages.OUTBOUND_PLAIN, RingMessages.OUTBOUND_HEADER_LENGTH + inner.length);
      inbox.buffer().putInt(claim + RingMessages.TUNNEL_ID_OFFSET, TUNNEL);
      inbox.buffer().putInt(claim + RingMessages.GENERATION_OFFSET, routedGeneration);
      inbox.buffer().putBytes(claim + RingMessages.OUTBOUND_HEADER_LENGTH, inner);
      inbox.commit(claim);
    }
  }

  /**
   * A command queue that can stage the race between a worker and the control side: the commands in
   * {@link #late} reach the queue only when the worker's duty cycle has just found it empty, as if
   * the control side queued them (and published the routing that sent a packet to the worker)
   * between the worker's command drain and its inbox read.
   */
  private static final class LateQueue extends ManyToOneConcurrentArrayQueue<WorkerCommand> {
    final List<WorkerCommand> late = new ArrayList<>();

    LateQueue() {
      super(64);
    }

    @Override
    public int drain(Consumer<WorkerCommand> handler, int limit) {
      if (!late.isEmpty()) {
        late.forEach(this::offer);
        late.clear();
        return 0;
      }
      return super.drain(handler, limit);
    }
  }

  private static UnsafeBuffer ring() {
    return new UnsafeBuffer(
        ByteBuffer.allocateDirect((1 << 16) + RingBufferDescriptor.TRAILER_LENGTH));
  }

  /** Moves every ESP_OUT message of {@code from} into {@code to}'s inbox; returns their SPIs. */
  private static List<Integer> carry(Side from, Side to) {
    List<Integer> spis = new ArrayList<>();
    from.outbox.read(
        (type, buffer, index, length) -> {
          assertEquals(RingMessages.ESP_OUT, type);
          spis.add(buffer.getInt(index + RingMessages.PEER_LENGTH, ByteOrder.BIG_ENDIAN));
          int claim = to.inbox.tryClaim(RingMessages.INBOUND_ESP, length);
          to.inbox.buffer().putBytes(claim, buffer, index, length);
          to.inbox.commit(claim);
        });
    to.worker.doWork();
    return spis;
  }

  /** Counts the inner packets {@code side} delivered towards its TUN. */
  private static int delivered(Side side) {
    return side.outbox.read(
        (type, buffer, index, length) -> assertEquals(RingMessages.TUN_OUT, type));
  }

  @BeforeEach
  void wire() throws Exception {
    a = new Side("a", "192.0.2.2", "10.1.0.0/24", "10.2.0.0/24");
    b = new Side("b", "192.0.2.1", "10.2.0.0/24", "10.1.0.0/24");
  }

  @Test
  void aRekeyLosesNoPacketInFlight() throws Exception {
    byte[] oldKey = key(1);
    byte[] newKey = key(2);
    a.install(0x1001, oldKey, true);
    b.install(0x1001, oldKey, false);

    a.send("10.1.0.2", "10.2.0.2", 1);
    assertEquals(List.of(0x1001), carry(a, b));
    assertEquals(1, delivered(b));

    // Packets sealed under the old SA are still in flight when the rekey happens:
    a.send("10.1.0.2", "10.2.0.2", 2);
    // CREATE_CHILD_SA done: the responder installs the new inbound SA first, the initiator
    // switches its outbound SA; the old inbound SA stays.
    b.install(0x1002, newKey, false);
    a.install(0x1002, newKey, true);
    a.send("10.1.0.2", "10.2.0.2", 3);
    assertEquals(List.of(0x1001, 0x1002), carry(a, b), "old SA's packet, then the new SA's");
    assertEquals(2, delivered(b), "both arrive: nothing lost across the switch");

    // Only once the old SA is deleted do its packets become unknown.
    a.install(0x1001, oldKey, true); // a stale sender: the peer's old SA again
    b.commands.offer(new WorkerCommand.DeleteInbound(0x1001));
    b.worker.doWork();
    a.send("10.1.0.2", "10.2.0.2", 4);
    carry(a, b);
    assertEquals(0, delivered(b));
    assertEquals(1, b.esp.dropCount(DropReason.UNKNOWN_SPI));
  }

  @Test
  void inboundPacketsOutsideTheSelectorsAreDropped() throws Exception {
    a.install(0x2001, key(3), true);
    b.install(0x2001, key(3), false);
    a.send("10.9.0.2", "10.2.0.2", 1); // source outside b's remote selector 10.1.0.0/24
    carry(a, b);
    assertEquals(0, delivered(b));
    assertEquals(1, b.pipeline.dropCount(PipelineDropReason.SELECTOR_MISMATCH));
    assertEquals(0, b.esp.packetsIn(), "authentic, but dropped: not delivered");
    a.send("10.1.0.7", "10.2.0.9", 2);
    carry(a, b);
    assertEquals(1, delivered(b));
    assertEquals(1, b.esp.packetsIn());
  }

  /**
   * Over the bandwidth limit a tunnel's packets are policed: a full bucket goes, then only what the
   * rate refills; the rest is dropped and counted for the gateway and for the SA.
   */
  @Test
  void packetsOverTheBandwidthLimitAreDroppedAndCountedPerSa() throws Exception {
    a.install(0x9001, key(11), true);
    a.outboundLimit.limit(8_000); // 1,000 bytes a second, all of it this tunnel's
    long t0 = System.nanoTime();
    a.outboundLimit.allocate(t0);
    a.outboundLimit.allocate(t0 + BandwidthLimiter.ALLOCATION_INTERVAL_NANOS);
    int sent = 0;
    int out = 0;
    for (int chunk = 0; chunk < 10; chunk++) {
      for (int i = 0; i < 100; i++) {
        a.enqueue("10.1.0.2", "10.2.0.2", sent++, a.generation);
      }
      while (a.inbox.size() > 0) {
        a.worker.doWork();
      }
      out += a.outbox.read((type, buffer, index, length) -> {});
    }
    long dropped = a.pipeline.dropCount(PipelineDropReason.BANDWIDTH_LIMIT);
    assertEquals(sent, out + dropped, "every packet either went or was counted as policed");
    // 100-byte packets: the 64 KiB bucket lets about 655 go, the refill a handful more.
    assertTrue(out >= 600 && out < 800, out + " of " + sent + " went");
    // The worker publishes SA counters every 100 ms: wait for the publication.
    long saDrops = 0;
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (saDrops != dropped && System.nanoTime() < deadline) {
      Thread.sleep(20);
      a.worker.doWork();
      saDrops =
          CountersSnapshot.read(counters).securityAssociations().stream()
              .filter(s -> s.spi() == 0x9001 && s.direction() == CounterTypes.OUTBOUND)
              .mapToLong(
                  s -> s.dropsByReason().getOrDefault(PipelineDropReason.BANDWIDTH_LIMIT.id(), 0L))
              .sum();
    }
    assertEquals(dropped, saDrops, "the SA counts its policed packets");
  }

  /** Delivered means in the ring to the TUN writer: what a full ring refuses is a drop only. */
  @Test
  void onlyPacketsThatReachTheTransmitRingCountAsDelivered() throws Exception {
    a.install(0x6001, key(9), true);
    b.install(0x6001, key(9), false);
    int sent = 800;
    for (int i = 0; i < sent; i++) {
      a.send("10.1.0.2", "10.2.0.2", i);
      if (i % 100 == 99) {
        while (!carry(a, b).isEmpty()) {
          // a ring read stops where the ring wraps: carry until a's outbox is empty
        }
        while (b.worker.doWork() > 0) {
          // until b's inbox is empty; its outbox (the TUN writer's ring) is never drained
        }
      }
    }
    long refused = b.pipeline.dropCount(PipelineDropReason.RING_FULL);
    assertTrue(refused > 0, "the 64 KiB outbox must fill up");
    int inRing = delivered(b);
    assertEquals(inRing, b.esp.packetsIn());
    assertEquals(
        sent,
        b.esp.packetsIn() + refused,
        "a: "
            + a.esp.totalDrops()
            + " "
            + a.pipeline.dropCount(PipelineDropReason.RING_FULL)
            + " b: "
            + b.esp.totalDrops()
            + " replayed "
            + b.esp.dropCount(DropReason.REPLAYED));
  }

  @Test
  void aTunnelWithoutOutboundSaDropsAndCounts() throws Exception {
    a.send("10.1.0.2", "10.2.0.2", 1);
    assertEquals(1, a.pipeline.dropCount(PipelineDropReason.NO_SA));
    assertTrue(carry(a, b).isEmpty());
  }

  @Test
  void removingATunnelClosesItsSasFreesTheirCountersAndForgetsItsSpis() throws Exception {
    a.install(0x3001, key(4), true);
    b.install(0x3001, key(4), false);
    b.install(0x3002, key(5), false);
    a.send("10.1.0.2", "10.2.0.2", 1);
    carry(a, b);
    assertEquals(1, delivered(b));
    assertTrue(liveCounters("a out spi 0x00003001") > 0);
    assertTrue(liveCounters("b in spi 0x00003001") > 0);
    assertTrue(liveCounters("b in spi 0x00003002") > 0);

    b.commands.offer(new WorkerCommand.RemoveTunnel(TUNNEL));
    b.worker.doWork();
    assertEquals(0, liveCounters("b in spi 0x0000300"), "both inbound SAs' counters freed");
    a.send("10.1.0.2", "10.2.0.2", 2);
    carry(a, b);
    assertEquals(0, delivered(b));
    assertEquals(1, b.esp.dropCount(DropReason.UNKNOWN_SPI), "its SPIs are unknown now");

    a.commands.offer(new WorkerCommand.RemoveTunnel(TUNNEL));
    a.worker.doWork();
    assertEquals(0, liveCounters("a out spi 0x00003001"), "the outbound SA's counters freed");
    a.send("10.1.0.2", "10.2.0.2", 3);
    assertEquals(1, a.pipeline.dropCount(PipelineDropReason.NO_SA));
    assertTrue(carry(a, b).isEmpty());
  }

  /**
   * A tunnel id reused at once: packets routed to the removed tunnel, still in the worker's inbox
   * when the new tunnel (same id, another peer) and its SA arrive, must not leave through the new
   * tunnel's SA.
   */
  @Test
  void packetsQueuedForARemovedTunnelDoNotLeaveThroughTheTunnelThatReusesItsId() throws Exception {
    a.install(0x4001, key(6), true);
    a.enqueue("10.1.0.2", "10.2.0.2", 1, a.generation);
    a.enqueue("10.1.0.2", "10.2.0.2", 2, a.generation);
    a.commands.offer(new WorkerCommand.RemoveTunnel(TUNNEL));
    a.generation = 2;
    a.commands.offer(new WorkerCommand.AddTunnel(a.tunnel, a.generation));
    a.offerInstall(0x4002, key(7), true);
    a.worker.doWork(); // the commands first, then the two stale packets
    assertEquals(2, a.pipeline.dropCount(PipelineDropReason.NO_SA));
    assertEquals(0, a.outbox.read((type, buffer, index, length) -> {}));

    b.install(0x4002, key(7), false);
    a.send("10.1.0.2", "10.2.0.2", 3);
    assertEquals(List.of(0x4002), carry(a, b), "a packet of the new generation goes out");
    assertEquals(1, delivered(b));
  }

  @Test
  void afterAPeerUpdateEspGoesToTheNewAddressAndPort() throws Exception {
    a.install(0x5001, key(8), true);
    a.send("10.1.0.2", "10.2.0.2", 1);
    assertEquals(List.of("192.0.2.2:4500"), peers(a));

    TunnelInfo t = a.tunnel;
    a.commands.offer(
        new WorkerCommand.UpdatePeer(
            new TunnelInfo(
                t.id(),
                t.name(),
                t.worker(),
                InetAddress.getByName("2001:db8::7"),
                61_000,
                t.mtu(),
                t.clampMss(),
                t.selectors())));
    a.worker.doWork();
    a.send("10.1.0.2", "10.2.0.2", 2);
    assertEquals(List.of("2001:db8:0:0:0:0:0:7:61000"), peers(a));
  }

  @Test
  void anInboundPacketRoutedJustAfterTheWorkersCommandDrainFindsItsSa() throws Exception {
    a.install(0x8001, key(10), true);
    SaConfig config = config(0x8001, key(10));
    b.commands.late.add(
        new WorkerCommand.InstallInbound(
            TUNNEL,
            new OwnedSa(
                SecurityAssociation.inbound(config, CryptoEngines.defaultEngine()),
                SaCounters.allocate(
                    counters, "b", TUNNEL, SecurityAssociation.Direction.INBOUND, 0x8001, "p"))));
    a.send("10.1.0.2", "10.2.0.2", 1);
    carry(a, b); // b's duty cycle: no command yet, then the packet, then its command
    assertEquals(1, delivered(b), "delivered, not dropped as an unknown SPI");
    assertEquals(0, b.esp.dropCount(DropReason.UNKNOWN_SPI));
  }

  @Test
  void anOutboundPacketOfATunnelTheWorkerHasNotSeenYetGoesOutOnItsSa() throws Exception {
    a.install(0x9001, key(11), true);
    a.generation = 2;
    SaConfig config = config(0x9002, key(12));
    a.commands.late.addAll(
        List.of(
            new WorkerCommand.RemoveTunnel(TUNNEL),
            new WorkerCommand.AddTunnel(a.tunnel, a.generation),
            new WorkerCommand.InstallOutbound(
                TUNNEL,
                new OwnedSa(
                    SecurityAssociation.outbound(config, CryptoEngines.defaultEngine()),
                    SaCounters.allocate(
                        counters,
                        "a",
                        TUNNEL,
                        SecurityAssociation.Direction.OUTBOUND,
                        0x9002,
                        "p")))));
    a.send("10.1.0.2", "10.2.0.2", 1); // routed by the new tunnel's generation
    b.install(0x9002, key(12), false);
    assertEquals(List.of(0x9002), carry(a, b), "the new tunnel's SA, found by catching up");
    assertEquals(0, a.pipeline.dropCount(PipelineDropReason.NO_SA));
    assertEquals(1, delivered(b));
  }

  private static SaConfig config(int spi, byte[] key) throws Exception {
    return SaConfig.builder()
        .spi(spi)
        .suite(new EspSuite(Encryption.AES_GCM_16_128, Integrity.NONE))
        .encryptionKey(key)
        .tunnel(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("192.0.2.2"))
        .udpEncapsulation(true)
        .build();
  }

  /** The peers of the ESP_OUT messages in {@code side}'s outbox, as address:port; drains it. */
  private static List<String> peers(Side side) {
    List<String> peers = new ArrayList<>();
    side.outbox.read(
        (type, buffer, index, length) -> {
          InetSocketAddress peer = RingMessages.peer(buffer, index);
          peers.add(peer.getAddress().getHostAddress() + ":" + peer.getPort());
        });
    return peers;
  }

  /** How many allocated (not freed) counters have labels starting with {@code prefix}. */
  private int liveCounters(String prefix) {
    int[] n = {0};
    counters.forEach(
        (id, label) -> {
          if (label.startsWith(prefix)) {
            n[0]++;
          }
        });
    return n[0];
  }

  private static byte[] key(int seed) {
    byte[] k = new byte[20];
    new java.util.Random(seed).nextBytes(k);
    return k;
  }
}
