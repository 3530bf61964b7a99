package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forced tunneling (issue 5; the cloud's {@code GatewayDefaultSite}): our route-based gateway (gwA,
 * VNet 10.1.0.0/24) has two strongSwan sites, B and C, and sends the virtual network's default
 * route to site B, whose device is the VNet's way to the internet: it negotiates 0.0.0.0/0 as its
 * side of the tunnel and routes an "internet" address (198.18.0.1, on a host behind it) itself. The
 * VNet host reaches that address, which nothing else routes (checked before our gateway starts),
 * through site B's SA only; site C's prefixes still go to site C; the gateway's own traffic does
 * not take the default; and the policy rules are gone when the gateway stops, even the ones a
 * killed run left behind, which the gateway takes over at start.
 */
@Tag("system")
class ForcedTunnelingSystemTest {
  static final Duration SETTLE = Duration.ofSeconds(45);
  static final String INTERNET = "198.18.0.1";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  String ourConfig() {
    return """
        gateway:
          name: ours
          publicAddress: 192.0.2.1
          vnetPrefixes: [10.1.0.0/24]
          runDirectory: %s
          workers: 1
          gatewayDefaultSite: site-b
        localNetworkGateways:
          - {name: site-b, gatewayAddress: 192.0.2.2, addressPrefixes: [10.2.0.0/24]}
          - {name: site-c, gatewayAddress: 192.0.2.3, addressPrefixes: [10.3.0.0/24]}
        connections:
          - {name: to-b, localNetworkGateway: site-b, sharedKey: "%s"}
          - {name: to-c, localNetworkGateway: site-c, sharedKey: "%s"}
        """
        .formatted(dir.resolve("run"), MultiSiteSystemTest.psk("B"), MultiSiteSystemTest.psk("C"));
  }

  /** Charon at site {@code s}, offering {@code localTs} as its side of the tunnel. */
  static SwanctlConf site(String s, String localTs) {
    String self = "192.0.2." + MultiSiteSystemTest.number(s);
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
                        .localTs(localTs)
                        .remoteTs("10.1.0.0/24")
                        .espProposals("aes256gcm16")
                        .startAction("none")))
        .ikeSecret(MultiSiteSystemTest.psk(s), self, "192.0.2.1");
  }

  @Test
  void theVnetReachesTheInternetOnlyThroughTheDefaultSite() throws Exception {
    try (Topology t = Topology.sites(3)) {
      // The "internet": an address on a host behind site B, routed there by site B's gateway.
      run(t, "lanB", "ip", "addr", "add", INTERNET + "/32", "dev", "lo");
      run(t, "gwB", "ip", "route", "add", INTERNET + "/32", "via", "10.2.0.2");
      assertFalse(
          t.exec("lanA", Duration.ofSeconds(10), "ping", "-n", "-c", "1", "-W", "1", INTERNET).ok(),
          "the internet address is reachable without any tunnel");
      try (StrongSwan b =
              StrongSwan.start(
                  t.ns("gwB"),
                  dir.resolve("charon-B"),
                  site("B", "0.0.0.0/0").render(),
                  StrongSwan.Options.defaults());
          StrongSwan c =
              StrongSwan.start(
                  t.ns("gwC"),
                  dir.resolve("charon-C"),
                  site("C", "10.3.0.0/24").render(),
                  StrongSwan.Options.defaults())) {
        // What a gateway killed outright leaves behind: its policy rules (its routes go with its
        // TUN device). The next start takes them over instead of failing on "File exists".
        run(
            t,
            "gwA",
            "ip",
            "-4",
            "rule",
            "add",
            "priority",
            "5400",
            "from",
            "10.1.0.0/24",
            "lookup",
            "5400");
        run(
            t,
            "gwA",
            "ip",
            "-4",
            "rule",
            "add",
            "priority",
            "5390",
            "lookup",
            "main",
            "suppress_prefixlength",
            "0");
        try (GatewayProcess ours = GatewayProcess.start(t.ns("gwA"), dir, "ours", ourConfig())) {
          for (StrongSwan p : List.of(b, c)) {
            assertTrue(
                p.waitFor(Interop.established("s2s", "net"), SETTLE),
                "a site has no tunnel" + Interop.why(ours, p));
          }
          Shell.await(
              SETTLE,
              () -> OurSide.ourChildren(ours).size() == 2,
              () -> "we do not hold two child SAs" + Interop.why(ours, b) + c.log());
          ChildSaInfo siteB = child(b);
          assertEquals(List.of("0.0.0.0/0"), siteB.localTs(), "site B's side: " + siteB);

          // The sites' own prefixes still go to each site: more specific than the default.
          assertTrue(t.ping("lanA", "10.2.0.2", 3), "lanA -> lanB" + Interop.why(ours, b));
          assertTrue(t.ping("lanA", "10.3.0.2", 3), "lanA -> lanC" + Interop.why(ours, c));

          ChildSaInfo bBefore = child(b);
          ChildSaInfo cBefore = child(c);
          assertTrue(t.ping("lanA", INTERNET, 5), "lanA -> the internet" + Interop.why(ours, b));
          ChildSaInfo bAfter = child(b);
          ChildSaInfo cAfter = child(c);
          System.out.printf(
              "ForcedTunnelingSystemTest: 5 pings to %s: site B's SA in %d -> %d, out %d -> %d;"
                  + " site C's in %d -> %d, out %d -> %d%n",
              INTERNET,
              bBefore.packetsIn(),
              bAfter.packetsIn(),
              bBefore.packetsOut(),
              bAfter.packetsOut(),
              cBefore.packetsIn(),
              cAfter.packetsIn(),
              cBefore.packetsOut(),
              cAfter.packetsOut());
          assertTrue(bAfter.packetsIn() >= bBefore.packetsIn() + 5, bAfter.toString());
          assertTrue(bAfter.packetsOut() >= bBefore.packetsOut() + 5, bAfter.toString());
          assertEquals(cBefore.packetsIn(), cAfter.packetsIn(), "site C carried internet traffic");

          // Only the virtual network's packets take the default: the gateway's own do not.
          String fromVnet =
              t.exec(
                      "gwA",
                      Duration.ofSeconds(10),
                      "ip",
                      "route",
                      "get",
                      INTERNET,
                      "from",
                      "10.1.0.2",
                      "iif",
                      "lan0")
                  .output();
          assertTrue(fromVnet.contains("dev vpngw0"), "from the VNet: " + fromVnet);
          Shell.Result own = t.exec("gwA", Duration.ofSeconds(10), "ip", "route", "get", INTERNET);
          assertFalse(own.ok() && own.output().contains("vpngw0"), "the gateway's own: " + own);
        }
        String rules = t.exec("gwA", Duration.ofSeconds(10), "ip", "rule", "show").output();
        assertFalse(
            rules.contains("5400") || rules.contains("suppress_prefixlength"),
            "forced-tunneling rules left after the gateway stopped:\n" + rules);
      }
    }
  }

  private static ChildSaInfo child(StrongSwan peer) throws IOException {
    return Interop.onlySa(peer, "s2s").installed("net").get(0);
  }

  private static void run(Topology t, String role, String... command) throws IOException {
    Shell.check(Duration.ofSeconds(10), Shell.inNamespace(t.ns(role), command));
  }
}
