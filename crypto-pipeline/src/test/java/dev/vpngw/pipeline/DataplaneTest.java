package dev.vpngw.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.fib.Fib;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.udp.UdpSocket;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.selector.SelectorSet;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A running dataplane without a TUN device (so no CAP_NET_ADMIN is needed), its UDP sockets on
 * loopback: the control API the IKE thread uses. IKE through the NAT-T socket both ways, tunnel
 * removal and reuse, peer updates.
 */
class DataplaneTest {
  private static final long WAIT_MILLIS = 10_000;
  private static final InetAddress LO4 = InetAddress.ofLiteral("127.0.0.1");
  private static final InetAddress LO6 = InetAddress.ofLiteral("::1");

  private final CountersManager counters = CountersFile.inMemory(1 << 12);
  private final List<AutoCloseable> resources = new ArrayList<>();
  private UdpSocket udp4;
  private UdpSocket udp6;

  @BeforeAll
  static void needsLibC() {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
  }

  @AfterEach
  void close() {
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    java.util.Collections.reverse(reversed);
    CloseHelper.closeAll(reversed);
  }

  private Dataplane start(boolean withIpv6) throws Exception {
    udp4 = UdpSocket.open(LO4, 0, false, true);
    resources.add(udp4);
    if (withIpv6) {
      udp6 = UdpSocket.open(LO6, 0, false, true);
      resources.add(udp6);
    }
    Dataplane dataplane =
        Dataplane.start(
            new Dataplane.Options(
                1, ThreadingMode.DEDICATED, 1 << 20, false, CryptoEngines.defaultEngine()),
            new Dataplane.Ports(null, udp4, udp6, null, null, 0, null),
            counters);
    resources.add(dataplane);
    return dataplane;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void ikeComesInThroughPollControlAndGoesOutBehindTheMarker(String loopback) throws Exception {
    InetAddress lo = InetAddress.ofLiteral(loopback);
    Dataplane dataplane = start(true);
    UdpSocket natT = lo.getAddress().length == 4 ? udp4 : udp6;
    try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(lo, 0))) {
      peer.setSoTimeout((int) WAIT_MILLIS);
      byte[] request = message(120, 3);
      byte[] datagram = new byte[4 + request.length];
      System.arraycopy(request, 0, datagram, 4, request.length);
      peer.send(new DatagramPacket(datagram, datagram.length, lo, natT.localPort()));

      List<InetSocketAddress> from = new ArrayList<>();
      List<Integer> localPorts = new ArrayList<>();
      List<byte[]> messages = new ArrayList<>();
      await(
          () ->
              dataplane.pollControl(
                      (sender, localPort, buffer, offset, length) -> {
                        from.add(sender);
                        localPorts.add(localPort);
                        byte[] m = new byte[length];
                        buffer.getBytes(offset, m);
                        messages.add(m);
                      },
                      10)
                  > 0);
      InetSocketAddress sender = new InetSocketAddress(lo, peer.getLocalPort());
      assertEquals(List.of(sender), from);
      assertEquals(List.of(natT.localPort()), localPorts);
      assertArrayEquals(request, messages.get(0));

      byte[] response = message(200, 4);
      byte[] framed = new byte[response.length + 8];
      System.arraycopy(response, 0, framed, 8, response.length);
      assertTrue(dataplane.sendControl(sender, framed, 8, response.length));
      byte[] got = receive(peer);
      assertEquals(4 + response.length, got.length);
      assertArrayEquals(new byte[4], Arrays.copyOf(got, 4), "the non-ESP marker");
      assertArrayEquals(response, Arrays.copyOfRange(got, 4, got.length));

      assertTrue(dataplane.sendNatKeepalive(sender));
      assertArrayEquals(new byte[] {(byte) 0xff}, receive(peer));
    }
  }

  @Test
  void withoutASocketOfThePeersFamilyIkeCannotBeSent() throws Exception {
    Dataplane dataplane = start(false);
    assertTrue(dataplane.hasUdp(4));
    assertFalse(dataplane.hasUdp(6));
    InetSocketAddress v6Peer = new InetSocketAddress(LO6, 4500);
    IOException e =
        assertThrows(IOException.class, () -> dataplane.sendControl(v6Peer, new byte[40], 0, 40));
    assertEquals("no IPv6 UDP socket on the NAT-T port to send to " + v6Peer, e.getMessage());
    assertThrows(IOException.class, () -> dataplane.sendNatKeepalive(v6Peer));
    assertThrows(IllegalArgumentException.class, () -> dataplane.hasUdp(5));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            dataplane.sendControl(
                new InetSocketAddress(LO4, 4500),
                new byte[Dataplane.MAX_CONTROL_MESSAGE + 1],
                0,
                Dataplane.MAX_CONTROL_MESSAGE + 1));
  }

  @Test
  void aRemovedTunnelLeavesNoRouteNoSpiNoCountersAndItsIdCanBeReused() throws Exception {
    Dataplane dataplane = start(false);
    TunnelInfo tunnel = tunnel(7, "site-x", LO4);
    dataplane.addTunnel(tunnel, List.of(IpPrefix.parse("10.2.0.0/24")));
    dataplane.installInbound(7, sa(0x7001));
    dataplane.installOutbound(7, sa(0x7002));
    RoutingState routed = dataplane.routing();
    assertEquals(7, routed.fib.lookupIpv4(0x0a020009));
    assertEquals(0, routed.workerForSpi(0x7001));
    assertSame(tunnel, routed.tunnel(7));
    await(() -> saCounters("site-x") > 0);

    dataplane.removeTunnel(7);
    RoutingState removed = dataplane.routing();
    assertEquals(Fib.NO_ROUTE, removed.fib.lookupIpv4(0x0a020009));
    assertEquals(-1, removed.workerForSpi(0x7001));
    assertNull(removed.tunnel(7));
    await(() -> saCounters("site-x") == 0);
    assertThrows(IllegalArgumentException.class, () -> dataplane.removeTunnel(7));

    TunnelInfo again = tunnel(7, "site-y", LO4);
    dataplane.addTunnel(again, List.of(IpPrefix.parse("10.3.0.0/24")));
    dataplane.installInbound(7, sa(0x7001)); // the SPI is free again
    RoutingState reused = dataplane.routing();
    assertEquals(7, reused.fib.lookupIpv4(0x0a030001));
    assertEquals(Fib.NO_ROUTE, reused.fib.lookupIpv4(0x0a020009));
    assertTrue(reused.generation(7) != routed.generation(7), "a new generation");
    await(() -> saCounters("site-y in spi 0x00007001") > 0);
  }

  /**
   * Several tunnels carry one prefix (two sites announcing it): the one of lowest weight routes it
   * while it exists (ties: the lower id); removing it (its SA deleted, its peer dead) hands the
   * prefix to the next in the same routing update, and its return takes the prefix back. A narrower
   * prefix of another tunnel still wins by longest match whatever the weights.
   */
  @Test
  void aSharedPrefixGoesToTheTunnelOfLowestWeightAndFailsOverInOrder() throws Exception {
    Dataplane dataplane = start(false);
    IpPrefix shared = IpPrefix.parse("10.2.0.0/16");
    int inShared = 0x0a020009;
    int inNarrow = 0x0a020109;
    dataplane.addTunnel(tunnel(1, "weight-10", LO4), List.of(shared), -10);
    assertEquals(1, dataplane.routing().fib.lookupIpv4(inShared));
    dataplane.addTunnel(tunnel(2, "weight-20", LO4), List.of(shared), -20);
    assertEquals(2, dataplane.routing().fib.lookupIpv4(inShared), "the higher routing weight");
    dataplane.addTunnel(tunnel(3, "weight-20-too", LO4), List.of(shared), -20);
    assertEquals(2, dataplane.routing().fib.lookupIpv4(inShared), "a tie goes to the lower id");
    dataplane.addTunnel(
        tunnel(4, "narrow-weight-0", LO4), List.of(IpPrefix.parse("10.2.1.0/24")), 0);
    assertEquals(4, dataplane.routing().fib.lookupIpv4(inNarrow), "longest match first");
    assertEquals(2, dataplane.routing().fib.lookupIpv4(inShared));

    dataplane.removeTunnel(2);
    assertEquals(3, dataplane.routing().fib.lookupIpv4(inShared));
    dataplane.removeTunnel(3);
    assertEquals(1, dataplane.routing().fib.lookupIpv4(inShared));
    dataplane.addTunnel(tunnel(2, "weight-20-back", LO4), List.of(shared), -20);
    assertEquals(2, dataplane.routing().fib.lookupIpv4(inShared), "back to the preferred one");
    dataplane.removeTunnel(2);
    dataplane.removeTunnel(1);
    assertEquals(Fib.NO_ROUTE, dataplane.routing().fib.lookupIpv4(inShared));
    assertEquals(4, dataplane.routing().fib.lookupIpv4(inNarrow));
  }

  @Test
  void aPeerUpdateIsPublishedAndNeedsASocketForTheNewPeer() throws Exception {
    Dataplane dataplane = start(false);
    dataplane.addTunnel(tunnel(2, "nat", LO4), List.of(IpPrefix.parse("10.4.0.0/24")));
    InetAddress natted = InetAddress.ofLiteral("127.0.0.9");
    dataplane.updateTunnelPeer(2, natted, 61_234);
    TunnelInfo t = dataplane.routing().tunnel(2);
    assertEquals(natted, t.peer());
    assertEquals(61_234, t.peerPort());
    assertEquals("nat", t.name());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> dataplane.updateTunnelPeer(2, LO6, 4500));
    assertEquals("tunnel nat: no UDP IPv6 socket to send to 0:0:0:0:0:0:0:1", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> dataplane.updateTunnelPeer(2, natted, 0),
        "no raw ESP socket");
    assertThrows(IllegalArgumentException.class, () -> dataplane.updateTunnelPeer(3, natted, 1));
  }

  @Test
  void aRingTooSmallForTheLargestMessageIsRefusedBeforeAnythingStarts() throws Exception {
    udp4 = UdpSocket.open(LO4, 0, false, true);
    resources.add(udp4);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Dataplane.start(
                    new Dataplane.Options(
                        1, ThreadingMode.DEDICATED, 1 << 16, false, CryptoEngines.defaultEngine()),
                    new Dataplane.Ports(null, udp4, null, null, null, 0, null),
                    counters));
    assertEquals(
        "ringCapacity 65536 takes messages of up to 8192 bytes, but a received ESP datagram of up"
            + " to 9216 bytes needs 9240: use a ringCapacity of at least 131072",
        e.getMessage());
    assertEquals(0, saCounters(""), "no counter allocated, so no agent made");
    try (Dataplane smallest =
        Dataplane.start(
            new Dataplane.Options(
                1, ThreadingMode.DEDICATED, 1 << 17, false, CryptoEngines.defaultEngine()),
            new Dataplane.Ports(null, udp4, null, null, null, 0, null),
            counters)) {
      assertTrue(smallest.hasUdp(4), "the size it asks for is enough");
    }
  }

  @Test
  void aTunnelMtuTooLargeForThePacketSlotsIsRefused() throws Exception {
    Dataplane dataplane = start(false);
    TunnelInfo jumbo =
        new TunnelInfo(
            1,
            "jumbo",
            0,
            LO4,
            4500,
            9200,
            true,
            SelectorSet.ofPrefixes(List.of("10.1.0.0/24"), List.of("10.9.0.0/24")));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> dataplane.addTunnel(jumbo, List.of()));
    assertEquals(
        "tunnel jumbo: MTU 9200 makes ESP packets of up to 9288 bytes, more than the dataplane's"
            + " 9216-byte packet slots: the largest tunnel MTU is 9128",
        e.getMessage());
    // A WAN MTU of 9000 (jumbo frames) leaves a tunnel MTU under 9000: that fits.
    dataplane.addTunnel(
        new TunnelInfo(
            1,
            "jumbo",
            0,
            LO4,
            4500,
            8900,
            true,
            SelectorSet.ofPrefixes(List.of("10.1.0.0/24"), List.of("10.9.0.0/24"))),
        List.of());
  }

  @Test
  void controlCallsFailOnceClosed() throws Exception {
    Dataplane dataplane = start(false);
    dataplane.close();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> dataplane.addTunnel(tunnel(1, "late", LO4), List.of()));
    assertEquals("the dataplane is closed", e.getMessage());
    dataplane.close(); // twice is fine
  }

  private static TunnelInfo tunnel(int id, String name, InetAddress peer) {
    return new TunnelInfo(
        id,
        name,
        0,
        peer,
        4500,
        1400,
        true,
        SelectorSet.ofPrefixes(List.of("10.1.0.0/24"), List.of("10.2.0.0/16")));
  }

  private static SaConfig sa(int spi) {
    return SaConfig.builder()
        .spi(spi)
        .suite(new EspSuite(Encryption.AES_GCM_16_128, Integrity.NONE))
        .encryptionKey(new byte[20])
        .tunnel(LO4, LO4)
        .udpEncapsulation(true)
        .build();
  }

  /** Allocated counters whose labels start with {@code prefix}. */
  private int saCounters(String prefix) {
    int[] n = {0};
    counters.forEach(
        (id, label) -> {
          if (label.startsWith(prefix)) {
            n[0]++;
          }
        });
    return n[0];
  }

  private static byte[] receive(DatagramSocket peer) throws IOException {
    DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
    peer.receive(p);
    return Arrays.copyOf(p.getData(), p.getLength());
  }

  private static byte[] message(int length, int seed) {
    byte[] m = new byte[length];
    for (int i = 0; i < length; i++) {
      m[i] = (byte) (seed + i * 11);
    }
    return m;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("condition not met within " + WAIT_MILLIS + " ms");
      }
      Thread.sleep(5);
    }
  }
}
