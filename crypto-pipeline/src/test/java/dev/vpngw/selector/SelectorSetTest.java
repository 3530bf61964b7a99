package dev.vpngw.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.fib.IpPrefix;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class SelectorSetTest {
  private static final int ICMP = 1;
  private static final int TCP = 6;
  private static final int UDP = 17;
  private static final int GRE = 47;
  private static final int ICMPV6 = 58;

  /**
   * Site-to-site: our LAN 10.1.0.0/16 and 2001:db8:1::/48, the peer's 10.2.0.0/16, 2001:db8:2::/48.
   */
  private static final SelectorSet SITE =
      SelectorSet.ofPrefixes(
          List.of("10.1.0.0/16", "2001:db8:1::/48"), List.of("10.2.0.0/16", "2001:db8:2::/48"));

  private static byte[] address(String literal) {
    return IpPrefix.parse(literal).address();
  }

  /** An IPv4 packet with {@code transport} as its payload. */
  static byte[] v4(
      String source, String destination, int protocol, int fragment, byte[] transport) {
    ByteBuffer b = ByteBuffer.allocate(20 + transport.length);
    b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + transport.length));
    b.putShort((short) 1).putShort((short) fragment).put((byte) 64).put((byte) protocol);
    b.putShort((short) 0).put(address(source)).put(address(destination)).put(transport);
    return b.array();
  }

  static byte[] v6(String source, String destination, int nextHeader, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
    b.putInt(0x6000_0000).putShort((short) payload.length).put((byte) nextHeader).put((byte) 64);
    b.put(address(source)).put(address(destination)).put(payload);
    return b.array();
  }

  static byte[] ports(int source, int destination) {
    return ByteBuffer.allocate(20).putShort((short) source).putShort((short) destination).array();
  }

  private static boolean inbound(SelectorSet set, byte[] packet) {
    return set.matchesInbound(new UnsafeBuffer(packet), 0, packet.length);
  }

  private static boolean outbound(SelectorSet set, byte[] packet) {
    return set.matchesOutbound(new UnsafeBuffer(packet), 0, packet.length);
  }

  @Test
  void inboundNeedsRemoteSourceAndLocalDestination() {
    assertTrue(inbound(SITE, v4("10.2.0.5", "10.1.0.9", TCP, 0, ports(40000, 443))));
    assertFalse(inbound(SITE, v4("10.1.0.9", "10.2.0.5", TCP, 0, ports(443, 40000))));
    assertFalse(inbound(SITE, v4("10.3.0.5", "10.1.0.9", TCP, 0, ports(40000, 443))));
    assertFalse(inbound(SITE, v4("10.2.0.5", "10.3.0.9", TCP, 0, ports(40000, 443))));
    assertTrue(inbound(SITE, v6("2001:db8:2::5", "2001:db8:1::9", UDP, ports(5353, 53))));
    assertFalse(inbound(SITE, v6("2001:db8:3::5", "2001:db8:1::9", UDP, ports(5353, 53))));
  }

  @Test
  void outboundIsTheMirrorImage() {
    assertTrue(outbound(SITE, v4("10.1.0.9", "10.2.0.5", TCP, 0, ports(443, 40000))));
    assertFalse(outbound(SITE, v4("10.2.0.5", "10.1.0.9", TCP, 0, ports(40000, 443))));
    assertTrue(outbound(SITE, v6("2001:db8:1::9", "2001:db8:2::5", UDP, ports(53, 5353))));
  }

  @Test
  void familiesDoNotMix() {
    SelectorSet v4Only = SelectorSet.ofPrefixes(List.of("0.0.0.0/0"), List.of("0.0.0.0/0"));
    assertFalse(inbound(v4Only, v6("::1", "::2", UDP, ports(1, 2))));
    // IPv4 10.2.0.5 and IPv6 a02:5:: share their top bits; the families still must not meet.
    assertFalse(inbound(SITE, v6("a02:5::", "a01:9::", UDP, ports(1, 2))));
  }

  @Test
  void anyMatchesEveryProtocolBothWays() {
    SelectorSet any = SelectorSet.any();
    assertTrue(inbound(any, v4("192.0.2.1", "198.51.100.1", GRE, 0, new byte[8])));
    assertTrue(outbound(any, v4("0.0.0.0", "255.255.255.255", UDP, 0, ports(1, 2))));
    assertTrue(inbound(any, v6("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", TCP, ports(1, 2))));
    assertTrue(inbound(any, v4("192.0.2.1", "198.51.100.1", TCP, 0x0100, new byte[8])));
    assertEquals(2, any.local().size());
    assertEquals(2, any.remote().size());
  }

  @Test
  void protocolAndPortRangesApplyPerSide() {
    IpPrefix lan = IpPrefix.parse("10.1.0.0/16");
    IpPrefix peer = IpPrefix.parse("10.2.0.0/16");
    // The peer may reach our web servers (TCP 443 on our side) from any port of theirs.
    SelectorSet web =
        SelectorSet.of(
            List.of(TrafficSelector.of(lan, TCP, 443, 443)),
            List.of(TrafficSelector.of(peer, TCP, 0, 65535)));
    assertTrue(inbound(web, v4("10.2.0.5", "10.1.0.9", TCP, 0, ports(51000, 443))));
    assertFalse(inbound(web, v4("10.2.0.5", "10.1.0.9", TCP, 0, ports(51000, 80))));
    assertFalse(inbound(web, v4("10.2.0.5", "10.1.0.9", UDP, 0, ports(51000, 443))));
    assertTrue(outbound(web, v4("10.1.0.9", "10.2.0.5", TCP, 0, ports(443, 51000))));
    assertFalse(outbound(web, v4("10.1.0.9", "10.2.0.5", TCP, 0, ports(444, 51000))));
    // A non-initial fragment has no ports: it cannot match a port range.
    assertFalse(inbound(web, v4("10.2.0.5", "10.1.0.9", TCP, 0x0010, new byte[8])));
  }

  @Test
  void opaquePortsMatchOnlyPacketsWithoutPorts() {
    IpPrefix all = IpPrefix.parse("0.0.0.0/0");
    SelectorSet opaque =
        SelectorSet.of(
            List.of(TrafficSelector.of(all, UDP, 65535, 0)),
            List.of(TrafficSelector.of(all, UDP, 65535, 0)));
    assertFalse(inbound(opaque, v4("10.2.0.5", "10.1.0.9", UDP, 0, ports(1, 2))));
    assertTrue(inbound(opaque, v4("10.2.0.5", "10.1.0.9", UDP, 0x00b9, new byte[8])));
    assertTrue(TrafficSelector.of(all, UDP, 65535, 0).isOpaquePort());
  }

  @Test
  void icmpMatchesOnTypeAndCode() {
    IpPrefix lan = IpPrefix.parse("10.1.0.0/16");
    IpPrefix peer = IpPrefix.parse("10.2.0.0/16");
    // Only echo requests (type 8, any code: 0x0800-0x08ff) from the peer.
    SelectorSet echo =
        SelectorSet.of(
            List.of(TrafficSelector.of(lan, ICMP, 0x0800, 0x08ff)),
            List.of(TrafficSelector.of(peer, ICMP, 0, 65535)));
    byte[] request = {8, 0, 0, 0, 0, 1, 0, 1};
    byte[] reply = {0, 0, 0, 0, 0, 1, 0, 1};
    assertTrue(inbound(echo, v4("10.2.0.5", "10.1.0.9", ICMP, 0, request)));
    assertFalse(inbound(echo, v4("10.2.0.5", "10.1.0.9", ICMP, 0, reply)));
    assertTrue(
        inbound(
            SITE, v6("2001:db8:2::5", "2001:db8:1::9", ICMPV6, new byte[] {(byte) 128, 0, 0, 0})));
  }

  @Test
  void theProtocolIsTheOneAfterIpv6ExtensionHeaders() {
    SelectorSet tcpOnly =
        SelectorSet.of(
            List.of(TrafficSelector.of(IpPrefix.parse("::/0"), TCP, 0, 65535)),
            List.of(TrafficSelector.of(IpPrefix.parse("::/0"), TCP, 0, 65535)));
    byte[] hopByHop = {60, 0, 1, 4, 0, 0, 0, 0};
    byte[] destinationOptions = {TCP, 0, 1, 4, 0, 0, 0, 0};
    byte[] segment = ports(40000, 443);
    byte[] payload =
        ByteBuffer.allocate(36).put(hopByHop).put(destinationOptions).put(segment).array();
    assertTrue(inbound(tcpOnly, v6("2001:db8:2::5", "2001:db8:1::9", 0, payload)));
    // A first fragment still has its ports; a later one has none.
    byte[] first =
        ByteBuffer.allocate(28).put(new byte[] {TCP, 0, 0, 1, 0, 0, 0, 7}).put(segment).array();
    assertTrue(inbound(tcpOnly, v6("2001:db8:2::5", "2001:db8:1::9", 44, first)));
    SelectorSet https =
        SelectorSet.of(
            List.of(TrafficSelector.of(IpPrefix.parse("::/0"), TCP, 443, 443)),
            List.of(TrafficSelector.of(IpPrefix.parse("::/0"), TCP, 0, 65535)));
    assertTrue(inbound(https, v6("2001:db8:2::5", "2001:db8:1::9", 44, first)));
    byte[] later =
        ByteBuffer.allocate(28)
            .put(new byte[] {TCP, 0, 0x05, (byte) 0xa8, 0, 0, 0, 7})
            .put(segment)
            .array();
    assertFalse(inbound(https, v6("2001:db8:2::5", "2001:db8:1::9", 44, later)));
    assertTrue(inbound(tcpOnly, v6("2001:db8:2::5", "2001:db8:1::9", 44, later)));
  }

  @Test
  void shortAndMalformedPacketsAreFalseNeverAnException() {
    byte[] good = v4("10.2.0.5", "10.1.0.9", TCP, 0, ports(40000, 443));
    UnsafeBuffer buffer = new UnsafeBuffer(good);
    assertTrue(SITE.matchesInbound(buffer, 0, good.length));
    assertFalse(SITE.matchesInbound(buffer, 0, 19));
    assertFalse(SITE.matchesInbound(buffer, 0, good.length - 1)); // total length > length
    assertFalse(SITE.matchesInbound(buffer, -1, good.length));
    assertFalse(SITE.matchesInbound(buffer, 1, good.length)); // past the buffer
    byte[] noPorts = v4("10.2.0.5", "10.1.0.9", TCP, 0, new byte[3]);
    assertFalse(inbound(SITE, noPorts));
    byte[] badIhl = good.clone();
    badIhl[0] = 0x44;
    assertFalse(inbound(SITE, badIhl));
    byte[] v5 = good.clone();
    v5[0] = 0x55;
    assertFalse(inbound(SITE, v5));
    byte[] chainPastTheEnd =
        v6("2001:db8:2::5", "2001:db8:1::9", 0, new byte[] {GRE, 9, 0, 0, 0, 0, 0, 0});
    assertFalse(inbound(SelectorSet.any(), chainPastTheEnd));

    Random random = new Random(4301);
    byte[] data = new byte[200];
    UnsafeBuffer fuzz = new UnsafeBuffer(data);
    for (int i = 0; i < 100_000; i++) {
      random.nextBytes(data);
      data[0] = (byte) (random.nextBoolean() ? 0x40 | random.nextInt(16) : 0x60);
      SelectorSet.any().matchesInbound(fuzz, random.nextInt(10), random.nextInt(200));
      SITE.matchesOutbound(fuzz, random.nextInt(10), random.nextInt(200));
    }
  }

  @Test
  void matchingAllocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported());
    threads.setThreadAllocatedMemoryEnabled(true);
    UnsafeBuffer v4 = new UnsafeBuffer(v4("10.2.0.5", "10.1.0.9", TCP, 0, ports(40000, 443)));
    UnsafeBuffer v6 = new UnsafeBuffer(v6("2001:db8:2::5", "2001:db8:1::9", UDP, ports(1, 53)));
    int hits = 0;
    // Best of the later rounds: a per-call allocation would show in every round.
    long best = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 100_000; i++) {
        hits += SITE.matchesInbound(v4, 0, v4.capacity()) ? 1 : 0;
        hits += SITE.matchesInbound(v6, 0, v6.capacity()) ? 1 : 0;
      }
      if (round >= 2) {
        best = Math.min(best, threads.getCurrentThreadAllocatedBytes() - before);
      }
    }
    assertEquals(1_000_000, hits, "every packet matches");
    assertEquals(0, best, "bytes allocated in the best steady-state round of 200k matches");
  }

  @Test
  void badInputIsRejectedWithTheValueNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SelectorSet.ofPrefixes(List.of("10.1.0.0/16"), List.of("10.2.0.0/33")));
    assertTrue(e.getMessage().contains("10.2.0.0/33"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> SelectorSet.ofPrefixes(List.of(), List.of("::/0")));
    IpPrefix any = IpPrefix.parse("0.0.0.0/0");
    assertThrows(IllegalArgumentException.class, () -> TrafficSelector.of(any, 256, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> TrafficSelector.of(any, 6, 10, 9));
    assertThrows(IllegalArgumentException.class, () -> TrafficSelector.of(any, 6, 0, 65536));
    assertThrows(
        IllegalArgumentException.class,
        () -> TrafficSelector.range(address("10.0.0.9"), address("10.0.0.1"), 0, 0, 65535));
    assertThrows(
        IllegalArgumentException.class,
        () -> TrafficSelector.range(address("10.0.0.1"), address("::1"), 0, 0, 65535));
  }

  @Test
  void rangesAreInclusiveAndNeedNotBePrefixes() {
    TrafficSelector range =
        TrafficSelector.range(address("10.2.0.5"), address("10.2.0.7"), 0, 0, 65535);
    SelectorSet set = SelectorSet.of(List.of(TrafficSelector.parse("10.1.0.0/16")), List.of(range));
    assertFalse(inbound(set, v4("10.2.0.4", "10.1.0.9", UDP, 0, ports(1, 2))));
    assertTrue(inbound(set, v4("10.2.0.5", "10.1.0.9", UDP, 0, ports(1, 2))));
    assertTrue(inbound(set, v4("10.2.0.7", "10.1.0.9", UDP, 0, ports(1, 2))));
    assertFalse(inbound(set, v4("10.2.0.8", "10.1.0.9", UDP, 0, ports(1, 2))));
    assertEquals(TrafficSelector.TS_IPV4_ADDR_RANGE, range.type());
    assertEquals("10.2.0.5-10.2.0.7", range.toString());
    assertEquals(
        range, TrafficSelector.range(address("10.2.0.5"), address("10.2.0.7"), 0, 0, 65535));
    TrafficSelector v6 = TrafficSelector.parse("2001:db8::/127");
    assertEquals(TrafficSelector.TS_IPV6_ADDR_RANGE, v6.type());
    assertEquals(16, v6.endAddress().length);
    assertEquals(1, v6.endAddress()[15]);
  }
}
