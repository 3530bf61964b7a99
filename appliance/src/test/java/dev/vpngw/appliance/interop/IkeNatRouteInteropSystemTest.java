package dev.vpngw.appliance.interop;

import static dev.vpngw.appliance.interop.IkeChildInteropSystemTest.PSK;
import static dev.vpngw.appliance.interop.IkeChildInteropSystemTest.ike;
import static dev.vpngw.appliance.interop.IkeChildInteropSystemTest.ourConfig;
import static dev.vpngw.appliance.interop.Interop.why;
import static dev.vpngw.appliance.interop.OurSide.awaitPairs;
import static dev.vpngw.appliance.interop.OurSide.ourChildren;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our gateway against strongSwan 5.9 (charon with kernel-libipsec) where the addressing is the
 * point: our side behind a NAT, sending NAT-keepalives (RFC 3948 4) and surviving the loss of its
 * mapping; and route-based connections, whose child SA covers 0.0.0.0/0 and ::/0 while the routes
 * decide what enters the tunnel.
 */
@Tag("system")
class IkeNatRouteInteropSystemTest {
  static final Duration SETTLE = Duration.ofSeconds(30);

  /** A NAT-keepalive on the wire: UDP to 4500 whose whole payload is the byte 0xFF. */
  static final String KEEPALIVE =
      "ip.src == 192.0.2.2 && udp.dstport == 4500 && udp.length == 9 && udpencap.nat_keepalive";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  // ---- 5: our side behind the NAT ----

  /**
   * RFC 7296 2.23 and RFC 3948 from the side behind the NAT: our gateway runs in gwB (172.16.0.2)
   * behind the masquerading namespace (192.0.2.2, random ports) and initiates to charon in gwA. We
   * find ourselves behind the NAT, move to 4500, send ESP in UDP and a NAT-keepalive every 2 s
   * (gateway.natKeepalive), seen on the outside of the NAT. When the NAT forgets every mapping
   * (conntrack -F), our next keepalive opens a new one and our next IKE message (DPD) shows charon
   * the new port, so traffic from charon's side reaches us again.
   */
  @Test
  void behindTheNatWeSendKeepalivesAndSurviveAMappingFlush() throws Exception {
    try (Topology t = Topology.up(true)) {
      // Our gateway sends runs of ESP as one UDP_SEGMENT packet, which the veths and the NAT pass
      // whole; cut it where it leaves gwB, so the capture on the far side sees each datagram.
      Shell.check(
          Duration.ofSeconds(10),
          Shell.inNamespace(t.ns("gwB"), "ip", "link", "set", "dev", "wan0", "gso_max_segs", "1"));
      Capture capture;
      double flushedAt;
      try (Capture c = Capture.start(t.ns("gwA"), "wan0", dir.resolve("wan.pcap"), "udp");
          StrongSwan peer =
              StrongSwan.start(
                  t.ns("gwA"),
                  dir.resolve("charon"),
                  new SwanctlConf()
                      .connection(
                          new Connection("s2s")
                              .localAddrs("192.0.2.1")
                              .remoteAddrs("%any")
                              .proposals("aes256-sha256-modp2048")
                              .localPsk("192.0.2.1")
                              .remotePsk("172.16.0.2")
                              .child(
                                  new Child("net")
                                      .localTs(Interop.LAN_A)
                                      .remoteTs(Interop.LAN_B)
                                      .espProposals("aes128gcm16")
                                      .startAction("none")))
                      .ikeSecret(PSK, "192.0.2.1", "172.16.0.2")
                      .render(),
                  StrongSwan.Options.defaults());
          GatewayProcess ours =
              GatewayProcess.start(
                  t.ns("gwB"),
                  dir,
                  "ours",
                  ourConfig(
                      dir,
                      "172.16.0.2",
                      Interop.LAN_B,
                      "192.0.2.1",
                      Interop.LAN_A,
                      ike(
                          "aes128gcm16",
                          """
                          connectionMode: initiatorOnly
                          dpdDelay: 2s
                          dpdTimeout: 20s"""),
                      "natKeepalive: 2s"))) {
        capture = c;
        awaitPairs(ours, peer, 1);
        assertTrue(
            ours.events("nat_detected").stream()
                .anyMatch(l -> "true".equals(Interop.field(l, "local_behind_nat"))),
            "we did not find ourselves behind the NAT" + why(ours, peer));
        IkeSaInfo sa = Interop.onlySa(peer, "s2s");
        assertEquals("192.0.2.2", sa.remoteHost(), sa.toString());
        assertTrue(sa.installed("net").get(0).encap(), sa.toString());
        assertTrue(t.ping("lanB", "10.1.0.2", 5), "lanB -> lanA" + why(ours, peer));
        assertTrue(t.ping("lanA", "10.2.0.2", 5), "lanA -> lanB" + why(ours, peer));
        c.awaitFrames("ip.src == 192.0.2.2 && udp.dstport == 4500 && esp", 10);
        c.awaitFrames(KEEPALIVE, 4);

        Assumptions.assumeTrue(
            Files.isExecutable(Path.of("/usr/sbin/conntrack")),
            "the mapping-flush part needs conntrack (Debian package conntrack,"
                + " scripts/install-test-deps.sh installs it)");
        int portBefore = sa.remotePort();
        flushedAt = System.currentTimeMillis() / 1000.0;
        Shell.check(Duration.ofSeconds(10), Shell.inNamespace(t.ns("nat"), "conntrack", "-F"));
        // Charon's next packets to the old mapping die in the NAT until it learns the new one.
        Shell.await(
            SETTLE,
            () -> {
              try {
                return t.ping("lanA", "10.2.0.2", 2);
              } catch (IOException e) {
                return false;
              }
            },
            () -> "no traffic from charon's side after the NAT flush" + why(ours, peer));
        assertTrue(t.ping("lanB", "10.1.0.2", 3), "lanB -> lanA after the flush" + why(ours, peer));
        IkeSaInfo after = Interop.onlySa(peer, "s2s");
        assertEquals(sa.localSpi(), after.localSpi(), "the same IKE SA carried on");
        String conntrack =
            Shell.check(
                    Duration.ofSeconds(10),
                    Shell.inNamespace(t.ns("nat"), "conntrack", "-L", "-p", "udp"))
                .output();
        assertTrue(
            conntrack.contains("sport=4500") && conntrack.contains("src=172.16.0.2"),
            "no new mapping of our 4500 flow: " + conntrack);
        System.out.printf(
            "NAT mapping of our 4500 flow: port %d before the flush, %d after%n",
            portBefore, after.remotePort());
        // Enough keepalives to see their rhythm, some of them after the flush.
        c.awaitFrames(KEEPALIVE, 7);
      }
      List<String> keepalives = capture.tshark(dir, KEEPALIVE, "frame.time_epoch", "udp.payload");
      assertTrue(
          keepalives.stream().allMatch(l -> l.endsWith("\tff")),
          "a keepalive is the one byte 0xFF: " + keepalives);
      List<Double> times =
          keepalives.stream().map(l -> Double.parseDouble(l.split("\t")[0])).toList();
      List<Double> gaps = new ArrayList<>();
      for (int i = 1; i < times.size(); i++) {
        gaps.add(times.get(i) - times.get(i - 1));
      }
      assertTrue(gaps.size() >= 6, "keepalives: " + times);
      assertTrue(
          gaps.stream().allMatch(g -> g > 1.5 && g < 3.0),
          "keepalives not every 2 s: gaps " + gaps);
      double flushed = flushedAt;
      assertTrue(
          times.stream().filter(x -> x > flushed).count() >= 2,
          "no keepalive after the flush: " + times);
    }
  }

  // ---- 6: route-based connections ----

  /** Charon's route-based connection: every address on both sides, IPv4 and IPv6. */
  private static SwanctlConf routeBasedPeer() {
    return IkeChildInteropSystemTest.peerConf(
        IkeChildInteropSystemTest.peerConnection()
            .child(
                new Child("net")
                    .localTs("0.0.0.0/0,::/0")
                    .remoteTs("0.0.0.0/0,::/0")
                    .espProposals("aes128gcm16")
                    .startAction("none")));
  }

  /**
   * Charon's side of a route-based tunnel, routed as its operator would: kernel-libipsec routes
   * 0.0.0.0/0 (its remote selector) into ipsec0 from its table 220, which is consulted before the
   * main table, excluding only the IKE peer, so LAN B's prefixes go into table 220 too or LAN B
   * would be sent into the tunnel as well. For ::/0 this charon (5.9, IPv4 endpoints) installs no
   * route at all (its log ends at "getting a local address in traffic selector ::/0 ... using host
   * %any6"), so IPv6 is routed into ipsec0 here, the way a route-based peer routes anyway.
   */
  private static void routeCharonsSide(Topology t) throws IOException {
    for (String[] route :
        List.of(
            new String[] {"-4", "10.2.0.0/24", "dev", "lan0"},
            new String[] {"-6", "fd00:2::/64", "dev", "lan0"},
            new String[] {"-6", "default", "dev", "ipsec0"})) {
      Shell.check(
          Duration.ofSeconds(10),
          Shell.inNamespace(
              t.ns("gwB"),
              "ip",
              route[0],
              "route",
              "add",
              route[1],
              route[2],
              route[3],
              "table",
              "220"));
    }
  }

  private GatewayProcess routeBasedOurs(Topology t, String mode) throws IOException {
    return GatewayProcess.start(
        t.ns("gwA"),
        dir,
        "ours",
        ourConfig(
            dir,
            Interop.OUR_ADDRESS,
            Interop.LAN_A + ", fd00:1::/64",
            Interop.PEER_ADDRESS,
            Interop.LAN_B + ", fd00:2::/64",
            ike("aes128gcm16", "trafficSelectors: any\nconnectionMode: " + mode),
            ""));
  }

  @Test
  void routeBasedWithUsInitiating() throws Exception {
    try (Topology t = Topology.up(false)) {
      try (StrongSwan peer =
              IkeChildInteropSystemTest.charon(
                  t, dir, routeBasedPeer(), StrongSwan.Options.defaults());
          GatewayProcess ours = routeBasedOurs(t, "initiatorOnly")) {
        routeCharonsSide(t);
        assertRouteBased(t, ours, peer);
      }
    }
  }

  @Test
  void routeBasedWithStrongSwanInitiating() throws Exception {
    try (Topology t = Topology.up(false)) {
      try (GatewayProcess ours = routeBasedOurs(t, "responderOnly");
          StrongSwan peer =
              IkeChildInteropSystemTest.charon(
                  t, dir, routeBasedPeer(), StrongSwan.Options.defaults())) {
        routeCharonsSide(t);
        peer.initiate("net");
        assertRouteBased(t, ours, peer);
      }
    }
  }

  /**
   * Both sides' child SA covers 0.0.0.0/0 and ::/0; LAN A reaches LAN B and back over IPv4 and
   * IPv6; our kernel routes only the site's prefixes into the tunnel, so the WAN still goes out of
   * wan0.
   */
  private static void assertRouteBased(Topology t, GatewayProcess ours, StrongSwan peer)
      throws IOException {
    awaitPairs(ours, peer, 1);
    ChildSaInfo child = Interop.onlySa(peer, "s2s").installed("net").get(0);
    assertEquals(List.of("0.0.0.0/0", "::/0"), child.localTs(), child.toString());
    assertEquals(List.of("0.0.0.0/0", "::/0"), child.remoteTs(), child.toString());
    OurSide.OurChild mine = ourChildren(ours).get(0);
    for (String ts : List.of(mine.localTs(), mine.remoteTs())) {
      assertTrue(
          ts.contains("0.0.0.0-255.255.255.255")
              && ts.contains("0:0:0:0:0:0:0:0-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
              && ts.split(",").length == 2,
          "our child SA is not 0.0.0.0/0 and ::/0 on both sides: " + mine.line());
    }

    assertTrue(t.ping("lanA", "10.2.0.2", 5), "lanA -> lanB" + why(ours, peer));
    assertTrue(t.ping("lanB", "10.1.0.2", 5), "lanB -> lanA" + why(ours, peer));
    assertTrue(t.ping("lanA", "fd00:2::2", 5), "lanA -> lanB over IPv6" + why(ours, peer));
    assertTrue(t.ping("lanB", "fd00:1::2", 5), "lanB -> lanA over IPv6" + why(ours, peer));
    ChildSaInfo after = Interop.onlySa(peer, "s2s").installed("net").get(0);
    assertTrue(after.packetsIn() >= 20 && after.packetsOut() >= 20, after.toString());

    String routes =
        t.exec("gwA", Duration.ofSeconds(10), "ip", "route", "show").output()
            + t.exec("gwA", Duration.ofSeconds(10), "ip", "-6", "route", "show").output();
    assertFalse(routes.contains("default"), "a default route appeared on our side:\n" + routes);
    assertTrue(
        routes.contains("10.2.0.0/24 dev vpngw0") && routes.contains("fd00:2::/64 dev vpngw0"),
        "the site's prefixes are not routed into the tunnel:\n" + routes);
    String wan = t.exec("gwA", Duration.ofSeconds(10), "ip", "route", "get", "192.0.2.2").output();
    assertTrue(wan.contains("dev wan0"), "the peer is no longer reached over the WAN: " + wan);
    // The WAN itself still carries plain traffic next to the tunnel.
    assertTrue(t.ping("gwA", "192.0.2.2", 2), "plain ping across the WAN" + why(ours, peer));
  }
}
