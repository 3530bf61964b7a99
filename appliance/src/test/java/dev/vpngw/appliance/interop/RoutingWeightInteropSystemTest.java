package dev.vpngw.appliance.interop;

import static dev.vpngw.appliance.interop.IkeChildInteropSystemTest.PSK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two on-premises VPN devices announce the same prefix, 10.2.0.0/24: charon in gwB (192.0.2.2,
 * connection {@code to-b}, routingWeight 20) and charon in a second site gwC (192.0.3.2, reached
 * over a second WAN link of gwA, connection {@code to-c}, routingWeight 10), each with a LAN host
 * 10.2.0.2 behind it (lanB, lanC). Our gateway A sends LAN A's traffic for 10.2.0.0/24 to the
 * tunnel of the highest routing weight that is up: to-b; when charon B stops (its Delete), to-c
 * takes the prefix; when charon B comes back (it initiates again), to-b takes it back; when site B
 * then falls silent (nftables drops all it receives), our DPD declares it dead and to-c takes the
 * prefix again. Which tunnel carries the pings is read from our ESP counters per connection, and
 * which LAN answers from the LAN hosts' interface counters.
 */
@Tag("system")
class RoutingWeightInteropSystemTest {
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final String SITE_C_ADDRESS = "192.0.3.2";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void theHighestWeightTunnelUpCarriesThePrefixAndFailsOverAndBack() throws Exception {
    try (Topology t = Topology.up(false);
        SiteC c = SiteC.add(t)) {
      // Ours first: the charons initiate as soon as they load their configuration.
      GatewayProcess ours = GatewayProcess.start(t.ns("gwA"), dir, "ours", ourConfig());
      try (ours;
          StrongSwan peerC = charon(c.gw, dir.resolve("charon-c"), SITE_C_ADDRESS);
          StrongSwan peerB = charon(t.ns("gwB"), dir.resolve("charon-b"), Interop.PEER_ADDRESS)) {
        awaitConnections(ours, List.of("to-b", "to-c"));

        Map<String, Long> before = outboundPackets();
        long lanB = icmpIn(t.ns("lanB"));
        long lanC = icmpIn(c.lan);
        assertTrue(t.ping("lanA", "10.2.0.2", 5), "lanA -> 10.2.0.2 over to-b" + why(ours, peerB));
        Map<String, Long> after = outboundPackets();
        assertTrue(grew(before, after, "to-b") >= 5, "to-b carries it: " + before + " " + after);
        assertEquals(0, grew(before, after, "to-c"), "to-c idle: " + before + " " + after);
        assertTrue(icmpIn(t.ns("lanB")) - lanB >= 5, "lanB answered");
        assertEquals(lanC, icmpIn(c.lan), "lanC saw nothing");

        long stopped = System.nanoTime();
        peerB.close();
        Shell.await(
            SETTLE,
            () -> !outboundPackets().containsKey("to-b"),
            () -> "our to-b tunnel outlived charon B" + why(ours, peerB));
        System.out.printf(
            "charon B stopped: our to-b tunnel gone after %d ms%n",
            (System.nanoTime() - stopped) / 1_000_000);
        assertTrue(
            ours.events("ike_sa_deleted_by_peer").stream()
                .anyMatch(l -> "to-b".equals(Interop.field(l, "connection"))),
            "charon B's Delete took the tunnel down:\n" + ours.log());
        before = outboundPackets();
        lanC = icmpIn(c.lan);
        assertTrue(t.ping("lanA", "10.2.0.2", 5), "lanA -> 10.2.0.2 over to-c" + why(ours, peerC));
        after = outboundPackets();
        assertTrue(grew(before, after, "to-c") >= 5, "to-c took over: " + before + " " + after);
        assertTrue(icmpIn(c.lan) - lanC >= 5, "lanC answered");

        try (StrongSwan again =
            charon(t.ns("gwB"), dir.resolve("charon-b-again"), Interop.PEER_ADDRESS)) {
          awaitConnections(ours, List.of("to-b", "to-c"));
          before = outboundPackets();
          lanB = icmpIn(t.ns("lanB"));
          lanC = icmpIn(c.lan);
          assertTrue(
              t.ping("lanA", "10.2.0.2", 5), "lanA -> 10.2.0.2 over to-b again" + why(ours, again));
          after = outboundPackets();
          assertTrue(grew(before, after, "to-b") >= 5, "to-b back: " + before + " " + after);
          assertEquals(0, grew(before, after, "to-c"), "to-c idle again: " + before + " " + after);
          assertTrue(icmpIn(t.ns("lanB")) - lanB >= 5, "lanB answered again");
          assertEquals(lanC, icmpIn(c.lan), "lanC saw nothing after the return");

          // Site B falls silent (its WAN drops everything): our DPD declares it dead.
          long silent = System.nanoTime();
          Shell.check(
              Duration.ofSeconds(10),
              Shell.inNamespace(
                  t.ns("gwB"),
                  "nft",
                  "add table inet silent; add chain inet silent in { type filter hook prerouting"
                      + " priority -300; policy accept; }; add rule inet silent in iifname wan0"
                      + " drop"));
          Shell.await(
              SETTLE,
              () -> !outboundPackets().containsKey("to-b"),
              () -> "DPD never declared site B dead: " + outboundPackets() + "\n" + ours.log());
          System.out.printf(
              "site B silent: our DPD (2 s delay, 10 s timeout) took to-b down after %d ms%n",
              (System.nanoTime() - silent) / 1_000_000);
          before = outboundPackets();
          lanC = icmpIn(c.lan);
          assertTrue(
              t.ping("lanA", "10.2.0.2", 5),
              "lanA -> 10.2.0.2 over to-c after DPD" + why(ours, peerC));
          after = outboundPackets();
          assertTrue(grew(before, after, "to-c") >= 5, "to-c after DPD: " + before + " " + after);
          assertTrue(icmpIn(c.lan) - lanC >= 5, "lanC answered after DPD");
        }
      }
    }
  }

  /** Charon at one site: it initiates (as the cloud's on-premises devices usually do). */
  private static StrongSwan charon(String namespace, Path stateDir, String address)
      throws IOException {
    return StrongSwan.start(
        namespace,
        stateDir,
        new SwanctlConf()
            .connection(
                new Connection("s2s")
                    .localAddrs(address)
                    .remoteAddrs(Interop.OUR_ADDRESS)
                    .proposals("aes256-sha256-modp2048")
                    .localPsk(address)
                    .remotePsk(Interop.OUR_ADDRESS)
                    .child(
                        new Child("net")
                            .localTs(Interop.LAN_B)
                            .remoteTs(Interop.LAN_A)
                            .espProposals("aes128gcm16")
                            .startAction("start")))
            .ikeSecret(PSK, address, Interop.OUR_ADDRESS)
            .render(),
        StrongSwan.Options.defaults());
  }

  private String ourConfig() {
    String ike =
        """
        ike:
          sharedKey: "%s"
          ikeProposals: [aes256-sha256-modp2048]
          espProposals: [aes128gcm16]
          connectionMode: responderOnly
          dpdDelay: 2s
          dpdTimeout: 10s"""
            .formatted(PSK);
    return """
        gateway:
          name: ours
          publicAddress: %s
          vnetPrefixes: [%s]
          runDirectory: %s
          workers: 1
        localNetworkGateways:
          - {name: site-b, gatewayAddress: %s, addressPrefixes: [%s]}
          - {name: site-c, gatewayAddress: %s, addressPrefixes: [%s]}
        connections:
          - name: to-b
            localNetworkGateway: site-b
            routingWeight: 20
        %s
          - name: to-c
            localNetworkGateway: site-c
            routingWeight: 10
        %s
        """
        .formatted(
            Interop.OUR_ADDRESS,
            Interop.LAN_A,
            dir.resolve("run"),
            Interop.PEER_ADDRESS,
            Interop.LAN_B,
            SITE_C_ADDRESS,
            Interop.LAN_B,
            ike.indent(4).stripTrailing(),
            ike.indent(4).stripTrailing());
  }

  private static final Pattern OUT_SA =
      Pattern.compile(
          "\"description\":\"([A-Za-z0-9_.-]+) out spi 0x[0-9a-f]{8} peer [^\"]*\",\"packets\":(\\d+)");

  /** Our outbound ESP packets per connection (the SAs installed now), from gateway status. */
  private Map<String, Long> outboundPackets() {
    Map<String, Long> out = new HashMap<>();
    try {
      Matcher m = OUT_SA.matcher(GatewayProcess.statusJson(dir.resolve("run/counters.dat")));
      while (m.find()) {
        out.merge(m.group(1), Long.parseLong(m.group(2)), Long::sum);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  private static long grew(Map<String, Long> before, Map<String, Long> after, String connection) {
    return after.getOrDefault(connection, 0L) - before.getOrDefault(connection, 0L);
  }

  private void awaitConnections(GatewayProcess ours, List<String> connections) {
    Shell.await(
        SETTLE,
        () -> outboundPackets().keySet().containsAll(connections),
        () -> "not all of " + connections + " up: " + outboundPackets() + "\n" + ours.log());
  }

  /** ICMP echo requests the LAN host of {@code namespace} received (its kernel's own count). */
  private static long icmpIn(String namespace) throws IOException {
    String snmp =
        Shell.check(Duration.ofSeconds(10), Shell.inNamespace(namespace, "cat", "/proc/net/snmp"))
            .output();
    String[] lines = snmp.split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].startsWith("Icmp:") && lines[i + 1].startsWith("Icmp:")) {
        List<String> names = List.of(lines[i].trim().split("\\s+"));
        String[] values = lines[i + 1].trim().split("\\s+");
        return Long.parseLong(values[names.indexOf("InEchos")]);
      }
    }
    throw new IOException("no Icmp lines in /proc/net/snmp of " + namespace + ":\n" + snmp);
  }

  private static String why(GatewayProcess ours, StrongSwan peer) {
    return Interop.why(ours, peer);
  }

  /**
   * The second site, beside scripts/topology.sh's namespaces and deleted with its own: gwC
   * (192.0.3.2 on a second WAN link to gwA's wan1, 192.0.3.1; 10.2.0.1 on its LAN) and lanC
   * (10.2.0.2), the same addresses as site B's LAN: one prefix, two networks that answer for it.
   */
  private record SiteC(String gw, String lan) implements AutoCloseable {
    static SiteC add(Topology t) throws IOException {
      String p = t.ns("gwA").substring(0, t.ns("gwA").length() - "-gwA".length());
      SiteC c = new SiteC(p + "-gwC", p + "-lanC");
      try {
        String gwA = t.ns("gwA");
        run("ip", "netns", "add", c.gw);
        run("ip", "netns", "add", c.lan);
        run("ip", "-n", c.gw, "link", "set", "lo", "up");
        run("ip", "-n", c.lan, "link", "set", "lo", "up");
        run(
            "ip", "link", "add", p + "wc", "netns", gwA, "type", "veth", "peer", "name", "wan0",
            "netns", c.gw);
        run("ip", "-n", gwA, "link", "set", p + "wc", "name", "wan1");
        run(
            "ip", "link", "add", p + "lc", "netns", c.gw, "type", "veth", "peer", "name", "lan0",
            "netns", c.lan);
        run("ip", "-n", c.gw, "link", "set", p + "lc", "name", "lan0");
        for (String[] link :
            List.of(
                new String[] {gwA, "wan1"},
                new String[] {c.gw, "wan0"},
                new String[] {c.gw, "lan0"},
                new String[] {c.lan, "lan0"})) {
          run("ip", "-n", link[0], "link", "set", link[1], "up");
        }
        run("ip", "-n", gwA, "addr", "add", "192.0.3.1/24", "dev", "wan1");
        run("ip", "-n", c.gw, "addr", "add", SITE_C_ADDRESS + "/24", "dev", "wan0");
        run("ip", "-n", c.gw, "route", "add", "192.0.2.0/24", "via", "192.0.3.1");
        run("ip", "-n", c.gw, "addr", "add", "10.2.0.1/24", "dev", "lan0");
        run("ip", "-n", c.lan, "addr", "add", "10.2.0.2/24", "dev", "lan0");
        run("ip", "-n", c.lan, "route", "add", "default", "via", "10.2.0.1");
        run(
            "ip",
            "netns",
            "exec",
            c.gw,
            "sysctl",
            "-qw",
            "net.ipv4.ip_forward=1",
            "net.ipv4.conf.all.rp_filter=0",
            "net.ipv4.conf.default.rp_filter=0");
      } catch (IOException | RuntimeException e) {
        c.close();
        throw e;
      }
      return c;
    }

    private static void run(String... command) throws IOException {
      Shell.check(Duration.ofSeconds(10), List.of(command));
    }

    @Override
    public void close() throws IOException {
      for (String ns : List.of(gw, lan)) {
        Shell.run(
            Duration.ofSeconds(10),
            List.of("sh", "-c", "ip netns pids \"$0\" | xargs -r kill -9", ns));
        Shell.run(Duration.ofSeconds(10), List.of("ip", "netns", "del", ns));
      }
    }
  }
}
