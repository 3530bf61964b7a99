package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-site (MISSION.md, issue 5): one route-based gateway of ours (gwA, VNet 10.1.0.0/24) with
 * three strongSwan sites up at once (gwB, gwC, gwD, each in front of its LAN 10.N.0.0/24), all
 * configured the cloud's way (a shared key per connection, nothing else), as in docs/CONFIG.md's
 * multi-site example. Every site reaches the VNet and back (ping, and a short iperf3 TCP run), and
 * sites reach each other through our gateway (transit): each site's device routes the other sites'
 * prefixes into its tunnel, as a device behind a cloud gateway does, and our gateway forwards from
 * one tunnel into the other.
 */
@Tag("system")
class MultiSiteSystemTest {
  static final Duration SETTLE = Duration.ofSeconds(45);
  static final List<String> SITES = List.of("B", "C", "D");
  private static final Pattern RECEIVED_BPS =
      Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.e+]+)");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  /** The number of a site's letter: B is 2, C 3, D 4 (its LAN 10.N.0.0/24, WAN 192.0.2.N). */
  static int number(String site) {
    return site.charAt(0) - 'A' + 1;
  }

  static String psk(String site) {
    return "multi-site key of site " + site;
  }

  /** Our gateway: the cloud-style multi-site configuration of docs/CONFIG.md. */
  String ourConfig() {
    StringBuilder sites = new StringBuilder();
    StringBuilder connections = new StringBuilder();
    for (String s : SITES) {
      int n = number(s);
      sites.append(
          "  - {name: site-%s, gatewayAddress: 192.0.2.%d, addressPrefixes: [10.%d.0.0/24]}\n"
              .formatted(s.toLowerCase(), n, n));
      connections.append(
          "  - {name: to-%s, localNetworkGateway: site-%s, sharedKey: \"%s\"}\n"
              .formatted(s.toLowerCase(), s.toLowerCase(), psk(s)));
    }
    return """
        gateway:
          name: ours
          publicAddress: 192.0.2.1
          vnetPrefixes: [10.1.0.0/24]
          runDirectory: %s
          workers: 1
          sku: VpnGw1
        localNetworkGateways:
        %sconnections:
        %s"""
        .formatted(dir.resolve("run"), sites, connections);
  }

  /**
   * Charon at site {@code s}: its LAN on one side, on the other the VNet and every other site's
   * LAN, which kernel-libipsec then routes into its tunnel (the other sites are reached through the
   * hub). Our gateway initiates; charon waits.
   */
  static SwanctlConf siteConf(String s) {
    int n = number(s);
    String remote =
        "10.1.0.0/24,"
            + SITES.stream()
                .filter(o -> !o.equals(s))
                .map(o -> "10." + number(o) + ".0.0/24")
                .collect(Collectors.joining(","));
    String self = "192.0.2." + n;
    return new SwanctlConf()
        .connection(
            new Connection("s2s")
                .localAddrs(self)
                .remoteAddrs("192.0.2.1")
                .proposals("aes256-sha256-modp1024")
                .localPsk(self)
                .remotePsk("192.0.2.1")
                .child(
                    new Child("net")
                        .localTs("10." + n + ".0.0/24")
                        .remoteTs(remote)
                        .espProposals("aes256gcm16")
                        .startAction("none")))
        .ikeSecret(psk(s), self, "192.0.2.1");
  }

  @Test
  void threeSitesUpAtOnceWithTrafficToTheVnetAndTransitBetweenSites() throws Exception {
    try (Topology t = Topology.sites(4)) {
      Map<String, StrongSwan> peers = new LinkedHashMap<>();
      try {
        for (String s : SITES) {
          peers.put(
              s,
              StrongSwan.start(
                  t.ns("gw" + s),
                  dir.resolve("charon-" + s),
                  siteConf(s).render(),
                  StrongSwan.Options.defaults()));
        }
        try (GatewayProcess ours = GatewayProcess.start(t.ns("gwA"), dir, "ours", ourConfig())) {
          for (String s : SITES) {
            assertTrue(
                peers.get(s).waitFor(Interop.established("s2s", "net"), SETTLE),
                "site " + s + " has no tunnel" + Interop.why(ours, peers.get(s)));
          }
          Shell.await(
              SETTLE,
              () -> OurSide.ourChildren(ours).size() == SITES.size(),
              () ->
                  "we do not hold three child SAs: "
                      + OurSide.ourChildren(ours)
                      + why(ours, peers));
          String routes = t.exec("gwA", Duration.ofSeconds(10), "ip", "route", "show").output();
          for (String s : SITES) {
            assertTrue(
                routes.contains("10." + number(s) + ".0.0/24 dev vpngw0"),
                "site " + s + "'s prefix is not routed into the tunnel device:\n" + routes);
          }

          // Every site and the VNet, both ways, all three tunnels up at once.
          for (String s : SITES) {
            String lan = "10." + number(s) + ".0.2";
            assertTrue(t.ping("lanA", lan, 3), "lanA -> lan" + s + why(ours, peers));
            assertTrue(t.ping("lan" + s, "10.1.0.2", 3), "lan" + s + " -> lanA" + why(ours, peers));
          }
          for (String s : SITES) {
            double mbps = iperf(t, "lanA", "lan" + s, "10." + number(s) + ".0.2");
            System.out.printf("MultiSiteSystemTest: VNet -> site %s: %.1f Mbit/s%n", s, mbps);
            assertTrue(mbps > 1, "iperf3 to site " + s + " carried " + mbps + " Mbit/s");
          }

          // Transit: site B's host reaches site C's through the hub, and site D's site B's.
          assertTransit(t, ours, peers, "B", "C");
          assertTransit(t, ours, peers, "D", "B");
          assertEquals(3, OurSide.ourChildren(ours).size(), "no SA came or went during the test");
        }
      } finally {
        for (StrongSwan p : peers.values()) {
          p.close();
        }
      }
    }
  }

  /**
   * Five pings from site {@code from}'s host to site {@code to}'s, all answered; both sites' child
   * SAs counted them: out of {@code from}'s tunnel and into {@code to}'s (and the replies back).
   */
  private static void assertTransit(
      Topology t, GatewayProcess ours, Map<String, StrongSwan> peers, String from, String to)
      throws IOException {
    ChildSaInfo fromBefore = child(peers.get(from));
    ChildSaInfo toBefore = child(peers.get(to));
    String target = "10." + number(to) + ".0.2";
    assertTrue(
        t.ping("lan" + from, target, 5),
        "site " + from + " -> site " + to + " through the hub" + why(ours, peers));
    ChildSaInfo fromAfter = child(peers.get(from));
    ChildSaInfo toAfter = child(peers.get(to));
    System.out.printf(
        "MultiSiteSystemTest: transit %s -> %s: site %s's SA out %d -> %d, in %d -> %d;"
            + " site %s's SA in %d -> %d, out %d -> %d%n",
        from,
        to,
        from,
        fromBefore.packetsOut(),
        fromAfter.packetsOut(),
        fromBefore.packetsIn(),
        fromAfter.packetsIn(),
        to,
        toBefore.packetsIn(),
        toAfter.packetsIn(),
        toBefore.packetsOut(),
        toAfter.packetsOut());
    assertTrue(fromAfter.packetsOut() >= fromBefore.packetsOut() + 5, fromAfter.toString());
    assertTrue(fromAfter.packetsIn() >= fromBefore.packetsIn() + 5, fromAfter.toString());
    assertTrue(toAfter.packetsIn() >= toBefore.packetsIn() + 5, toAfter.toString());
    assertTrue(toAfter.packetsOut() >= toBefore.packetsOut() + 5, toAfter.toString());
  }

  private static ChildSaInfo child(StrongSwan peer) throws IOException {
    return Interop.onlySa(peer, "s2s").installed("net").get(0);
  }

  /** A 3-second iperf3 TCP run from {@code client} to {@code address}; the Mbit/s received. */
  static double iperf(Topology t, String client, String server, String address) throws IOException {
    Iperf.startServer(t, server);
    Shell.Result r =
        t.exec(client, Duration.ofSeconds(60), "iperf3", "-c", address, "-t", "3", "-O", "1", "-J");
    assertTrue(r.ok(), r.describe());
    Matcher m = RECEIVED_BPS.matcher(r.output());
    assertTrue(m.find(), r.output());
    return Double.parseDouble(m.group(1)) / 1e6;
  }

  private static String why(GatewayProcess ours, Map<String, StrongSwan> peers) {
    List<String> parts = new ArrayList<>();
    parts.add("\n===== our gateway\n" + ours.log());
    peers.forEach((s, p) -> parts.add("\n===== charon of site " + s + "\n" + p.log()));
    return String.join("", parts);
  }
}
