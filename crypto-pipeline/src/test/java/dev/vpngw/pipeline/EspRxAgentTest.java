package dev.vpngw.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.OffloadCounters;
import dev.vpngw.counters.PipelineCounters;
import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.esp.DropReason;
import dev.vpngw.esp.EspCounters;
import dev.vpngw.fib.Fib;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.udp.UdpSocket;
import java.lang.foreign.Arena;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The UDP receive agent driven by hand over a real socket on loopback: RFC 3948 classification of
 * what arrives on the NAT-T port. ESP goes to the worker owning its SPI, IKE (behind the non-ESP
 * marker) to the control ring for the IKE thread with its sender and our port, NAT-keepalives are
 * counted and consumed.
 */
class EspRxAgentTest {
  private static final long WAIT_MILLIS = 10_000;

  private final CountersManager counters = CountersFile.inMemory(1 << 12);
  private final EspCounters esp = new EspCounters(counters, "rx");
  private final PipelineCounters pipeline = new PipelineCounters(counters, "rx");
  private final OffloadCounters coalesced =
      new OffloadCounters(counters, "rx", OffloadCounters.Kind.WAN_GRO);
  private final RingBuffer[] inboxes = {new ManyToOneRingBuffer(ring(1 << 16)), null};
  private UdpSocket socket;
  private EspRxAgent agent;

  @BeforeAll
  static void needsLibC() {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
  }

  private void open(InetAddress address, RingBuffer control, Int2IntHashMap spis) throws Exception {
    open(address, control, spis, false);
  }

  private void open(InetAddress address, RingBuffer control, Int2IntHashMap spis, boolean gro)
      throws Exception {
    inboxes[1] = new ManyToOneRingBuffer(ring(1 << 16));
    socket = UdpSocket.open(address, 0, false, true);
    if (gro) {
      assumeTrue(socket.enableSegmentation(), "the kernel has no UDP_GRO");
    }
    RoutingState state =
        new RoutingState(new Fib().snapshot(), new TunnelInfo[0], new int[0], spis);
    agent =
        EspRxAgent.udp(
            socket, () -> state, inboxes, control, new AgentCounters(esp, pipeline), coalesced);
  }

  @AfterEach
  void close() throws Exception {
    if (agent != null) {
      agent.onClose();
    }
    if (socket != null) {
      socket.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void ikeGoesToTheControlRingWithItsSenderAndOurPortTheMarkerStripped(String loopback)
      throws Exception {
    InetAddress lo = InetAddress.ofLiteral(loopback);
    RingBuffer control = new ManyToOneRingBuffer(ring(1 << 16));
    open(lo, control, new Int2IntHashMap(-1));
    byte[] ike = ikeMessage(300, 1);
    try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(lo, 0))) {
      send(peer, withMarker(ike), lo);
      List<byte[]> messages = new ArrayList<>();
      List<InetSocketAddress> senders = new ArrayList<>();
      List<Integer> ports = new ArrayList<>();
      await(
          () -> {
            control.read(
                (type, buffer, index, length) -> {
                  assertEquals(RingMessages.CONTROL_IN, type);
                  senders.add(RingMessages.peer(buffer, index));
                  ports.add(buffer.getInt(index + RingMessages.LOCAL_PORT_OFFSET));
                  byte[] m = new byte[length - RingMessages.CONTROL_HEADER_LENGTH];
                  buffer.getBytes(index + RingMessages.CONTROL_HEADER_LENGTH, m);
                  messages.add(m);
                });
            return !messages.isEmpty();
          });
      assertEquals(List.of(new InetSocketAddress(lo, peer.getLocalPort())), senders);
      assertEquals(List.of(socket.localPort()), ports);
      assertArrayEquals(ike, messages.get(0), "the IKE message, without the 4 zero bytes");
      assertEquals(0, esp.totalDrops(), "IKE is not a drop");
    }
  }

  @Test
  void natKeepalivesAreCountedEspGoesToItsOwnerAndUnknownSpisAreDropped() throws Exception {
    InetAddress lo = InetAddress.ofLiteral("127.0.0.1");
    RingBuffer control = new ManyToOneRingBuffer(ring(1 << 16));
    Int2IntHashMap spis = new Int2IntHashMap(-1);
    spis.put(0x1234, 1);
    open(lo, control, spis);
    try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(lo, 0))) {
      send(peer, new byte[] {(byte) 0xff}, lo);
      byte[] known = new byte[64];
      ByteBuffer.wrap(known).putInt(0x1234).putInt(1);
      send(peer, known, lo);
      byte[] unknown = new byte[64];
      ByteBuffer.wrap(unknown).putInt(0x9999).putInt(1);
      send(peer, unknown, lo);
      receive(3);
      assertEquals(1, esp.dropCount(DropReason.NAT_KEEPALIVE));
      assertEquals(1, esp.dropCount(DropReason.UNKNOWN_SPI));
      assertEquals(0, inboxes[0].read((type, buffer, index, length) -> {}), "not worker 0's");
      List<byte[]> toOwner = new ArrayList<>();
      inboxes[1].read(
          (type, buffer, index, length) -> {
            assertEquals(RingMessages.INBOUND_ESP, type);
            assertEquals(peer.getLocalPort(), buffer.getInt(index + RingMessages.PEER_PORT_OFFSET));
            byte[] m = new byte[length - RingMessages.PEER_LENGTH];
            buffer.getBytes(index + RingMessages.PEER_LENGTH, m);
            toOwner.add(m);
          });
      assertEquals(1, toOwner.size());
      assertArrayEquals(known, toOwner.get(0));
      assertEquals(0, control.size(), "no IKE arrived");
    }
  }

  /**
   * UDP's segmentation offloads end to end on loopback: an {@link EspSender} on a socket with
   * segmentation sends runs of same-sized ESP packets to one peer as one UDP_SEGMENT message each
   * (a longer packet, or another peer, starts a new run; a shorter one ends it), the agent's socket
   * with UDP_GRO receives each run whole, and every ESP packet still reaches its owner by itself,
   * in order and intact.
   */
  @Test
  void segmentedSendsArriveCoalescedAndAreCutBackIntoTheirDatagrams() throws Exception {
    InetAddress lo = InetAddress.ofLiteral("127.0.0.1");
    Int2IntHashMap spis = new Int2IntHashMap(-1);
    spis.put(0x1234, 1);
    open(lo, new ManyToOneRingBuffer(ring(1 << 16)), spis, true);
    OffloadCounters segmented = new OffloadCounters(counters, "tx", OffloadCounters.Kind.WAN_GSO);
    List<byte[]> expected = new ArrayList<>();
    try (UdpSocket tx = UdpSocket.open(lo, 0, false, true);
        Arena arena = Arena.ofConfined()) {
      assertTrue(tx.enableSegmentation());
      EspSender sender =
          new EspSender(arena, tx, null, new AgentCounters(new EspCounters(), pipeline), segmented);
      UnsafeBuffer message = new UnsafeBuffer(new byte[RingMessages.PEER_LENGTH + 2000]);
      // Five of 1000, one of 600 (ends the run), three of 1000, one of 1200 (a new run), two of
      // 1200: three runs of 6, 3 and 3 datagrams.
      int[] lengths = {1000, 1000, 1000, 1000, 1000, 600, 1000, 1000, 1000, 1200, 1200, 1200};
      for (int i = 0; i < lengths.length; i++) {
        byte[] esp = new byte[lengths[i]];
        ByteBuffer.wrap(esp).putInt(0x1234).putInt(i + 1);
        for (int k = 8; k < esp.length; k++) {
          esp[k] = (byte) (i * 31 + k);
        }
        expected.add(esp);
        // Behind an IPv4 address the ring's 16-byte field holds leftovers: they must not matter.
        message.setMemory(RingMessages.PEER_ADDRESS_OFFSET, 16, (byte) (i * 17 + 3));
        RingMessages.putPeer(message, 0, 4, socket.localPort(), lo.getAddress());
        message.putBytes(RingMessages.PEER_LENGTH, esp);
        sender.add(message, 0, RingMessages.PEER_LENGTH + esp.length);
      }
      sender.flush();
    }
    assertEquals(3, segmented.batches(), "three segmented sends");
    assertEquals(12, segmented.packets());
    List<byte[]> received = new ArrayList<>();
    await(
        () -> {
          inboxes[1].read(
              (type, buffer, index, length) -> {
                byte[] m = new byte[length - RingMessages.PEER_LENGTH];
                buffer.getBytes(index + RingMessages.PEER_LENGTH, m);
                received.add(m);
              });
          return received.size() >= expected.size();
        });
    assertEquals(expected.size(), received.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), received.get(i), "datagram " + i);
    }
    assertEquals(3, coalesced.batches(), "each run arrived in one receive");
    assertEquals(12, coalesced.packets());
    assertEquals(0, esp.totalDrops());
  }

  @Test
  void aFullControlRingDropsIkeAndCountsIt() throws Exception {
    InetAddress lo = InetAddress.ofLiteral("127.0.0.1");
    // 4 KiB: messages up to 512 bytes, seven 400-byte messages (+ headers) fill it.
    RingBuffer control = new ManyToOneRingBuffer(ring(4096));
    open(lo, control, new Int2IntHashMap(-1));
    int sent = 20;
    try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(lo, 0))) {
      for (int i = 0; i < sent; i++) {
        send(peer, withMarker(ikeMessage(400, i)), lo);
      }
      receive(sent);
      int queued = control.read((type, buffer, index, length) -> {}, sent);
      assertTrue(queued > 0 && queued < sent, queued + " queued");
      assertEquals(sent - queued, pipeline.dropCount(PipelineDropReason.CONTROL_RING_FULL));
    }
  }

  /** Runs the agent's duty cycle until {@code done}, failing after a deadline. */
  private void await(BooleanSupplier done) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out; drops " + esp.totalDrops());
      }
      if (agent.doWork() == 0) {
        Thread.onSpinWait();
      }
    }
  }

  /** Runs the agent's duty cycle until it has received {@code datagrams} in all. */
  private void receive(int datagrams) throws Exception {
    int[] received = {0};
    await(
        () -> {
          try {
            received[0] += agent.doWork();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return received[0] >= datagrams;
        });
    assertEquals(datagrams, received[0]);
  }

  private void send(DatagramSocket peer, byte[] payload, InetAddress lo) throws Exception {
    peer.send(new DatagramPacket(payload, payload.length, lo, socket.localPort()));
  }

  private static byte[] ikeMessage(int length, int seed) {
    byte[] m = new byte[length];
    for (int i = 0; i < length; i++) {
      m[i] = (byte) (seed * 13 + i * 7 + 1);
    }
    return m;
  }

  private static byte[] withMarker(byte[] ike) {
    byte[] d = new byte[4 + ike.length];
    System.arraycopy(ike, 0, d, 4, ike.length);
    return d;
  }

  private static UnsafeBuffer ring(int capacity) {
    return new UnsafeBuffer(
        ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH));
  }
}
