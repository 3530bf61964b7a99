package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy-based (issue 5): a PolicyBased gateway of the Basic SKU, configured the cloud's way with
 * {@code usePolicyBasedTrafficSelectors}, two VNet prefixes (10.1.0.0/25, 10.1.0.128/25) and a site
 * with two (10.2.0.0/25, 10.2.0.128/25), negotiates with strongSwan one child SA per pair of a
 * local and a remote prefix, four under one IKE SA, each with exactly that pair as its traffic
 * selectors ({@code swanctl --list-sas}); a ping between hosts of each pair goes through that
 * pair's child SA, whose counters move.
 */
@Tag("system")
class PolicyBasedSystemTest {
  static final Duration SETTLE = Duration.ofSeconds(45);
  static final String PSK = "policy-based key of site b";
  static final List<String> VNET = List.of("10.1.0.0/25", "10.1.0.128/25");
  static final List<String> SITE = List.of("10.2.0.0/25", "10.2.0.128/25");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  String ourConfig() {
    return """
        gateway:
          name: ours
          publicAddress: 192.0.2.1
          vnetPrefixes: [%s]
          runDirectory: %s
          workers: 1
          vpnType: PolicyBased
          sku: Basic
        localNetworkGateways:
          - {name: site-b, gatewayAddress: 192.0.2.2, addressPrefixes: [%s]}
        connections:
          - name: to-b
            localNetworkGateway: site-b
            sharedKey: "%s"
            usePolicyBasedTrafficSelectors: true
            connectionMode: InitiatorOnly
        """
        .formatted(String.join(", ", VNET), dir.resolve("run"), String.join(", ", SITE), PSK);
  }

  /** Charon's side: one child per pair, named by the halves ("p01": its low half, our high). */
  static SwanctlConf peer() {
    Connection c =
        new Connection("s2s")
            .localAddrs(Interop.PEER_ADDRESS)
            .remoteAddrs(Interop.OUR_ADDRESS)
            .proposals("aes256-sha256-modp1024")
            .localPsk(Interop.PEER_ADDRESS)
            .remotePsk(Interop.OUR_ADDRESS);
    for (int s = 0; s < 2; s++) {
      for (int v = 0; v < 2; v++) {
        c.child(
            new Child("p" + s + v)
                .localTs(SITE.get(s))
                .remoteTs(VNET.get(v))
                .espProposals("aes256gcm16")
                .startAction("none"));
      }
    }
    return new SwanctlConf()
        .connection(c)
        .ikeSecret(PSK, Interop.PEER_ADDRESS, Interop.OUR_ADDRESS);
  }

  @Test
  void oneChildSaPerPairOfPrefixesWithExactlyThoseSelectors() throws Exception {
    try (Topology t = Topology.up(false)) {
      // A host in each half of both LANs; charon's routes need a source in each local selector.
      run(t, "lanA", "ip", "addr", "add", "10.1.0.130/24", "dev", "lan0");
      run(t, "lanB", "ip", "addr", "add", "10.2.0.130/24", "dev", "lan0");
      run(t, "gwB", "ip", "addr", "add", "10.2.0.129/24", "dev", "lan0");
      try (StrongSwan charon =
              StrongSwan.start(
                  t.ns("gwB"),
                  dir.resolve("charon"),
                  peer().render(),
                  StrongSwan.Options.defaults());
          GatewayProcess ours = GatewayProcess.start(t.ns("gwA"), dir, "ours", ourConfig())) {
        OurSide.awaitPairs(ours, charon, 4);
        // What swanctl --list-sas shows (SaListing parses it): each child's selectors.
        IkeSaInfo sa = Interop.onlySa(charon, "s2s");
        Set<String> pairs = new TreeSet<>();
        for (ChildSaInfo c : sa.children()) {
          assertTrue(c.installed(), c.toString());
          String expected =
              SITE.get(c.name().charAt(1) - '0') + " <=> " + VNET.get(c.name().charAt(2) - '0');
          assertEquals(
              expected,
              String.join(",", c.localTs()) + " <=> " + String.join(",", c.remoteTs()),
              c.toString());
          pairs.add(expected);
        }
        assertEquals(4, pairs.size(), "not one child SA per pair: " + sa);
        // Each pair's traffic goes through its own child SA.
        String[] lanA = {"10.1.0.2", "10.1.0.130"};
        String[] lanB = {"10.2.0.2", "10.2.0.130"};
        for (int s = 0; s < 2; s++) {
          for (int v = 0; v < 2; v++) {
            String child = "p" + s + v;
            ChildSaInfo before = Interop.onlySa(charon, "s2s").installed(child).get(0);
            Shell.Result ping =
                t.exec(
                    "lanA",
                    Duration.ofSeconds(15),
                    "ping",
                    "-n",
                    "-q",
                    "-c",
                    "3",
                    "-i",
                    "0.2",
                    "-w",
                    "6",
                    "-I",
                    lanA[v],
                    lanB[s]);
            assertTrue(
                ping.ok(),
                lanA[v] + " -> " + lanB[s] + ": " + ping.describe() + Interop.why(ours, charon));
            ChildSaInfo after = Interop.onlySa(charon, "s2s").installed(child).get(0);
            assertTrue(
                after.packetsIn() >= before.packetsIn() + 3
                    && after.packetsOut() >= before.packetsOut() + 3,
                child
                    + " did not carry "
                    + lanA[v]
                    + " <=> "
                    + lanB[s]
                    + ": "
                    + before
                    + " -> "
                    + after);
          }
        }
        List<String> ours4 = new ArrayList<>();
        OurSide.ourChildren(ours).forEach(c -> ours4.add(c.localTs() + " <=> " + c.remoteTs()));
        System.out.println("PolicyBasedSystemTest: our child SAs " + ours4);
      }
    }
  }

  private static void run(Topology t, String role, String... command) throws IOException {
    Shell.check(Duration.ofSeconds(10), Shell.inNamespace(t.ns(role), command));
  }
}
