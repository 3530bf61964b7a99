package dev.vpngw.appliance.interop;

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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resource model live, the way an operator uses it: our gateway in gwA runs one IKEv2
 * connection to strongSwan in gwB with a ping crossing it every 10 ms; the {@code gateway} CLI (a
 * separate process, as an operator runs it) adds a second site, strongSwan in a namespace of its
 * own (gwC, joined to gwA by a second WAN link), whose tunnel comes up while the first one's IKE
 * and child SPIs stay the same and not one ping is lost; a change with an overlapping prefix is
 * refused with its field and reason and changes nothing; deleting the connection sends the peer a
 * Delete; the API refuses a request without the token; and after a restart the gateway comes back
 * with the configuration the API persisted.
 */
@Tag("system")
class ResourceApiSystemTest {
  static final String PSK_B = IkeInteropSystemTest.PSK;
  static final String PSK_C = "site-c-shared-key-of-decent-length";
  static final Duration SETTLE = Duration.ofSeconds(30);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  /**
   * A third namespace, site C: 198.51.100.2 on a link to gwA's wan1, its LAN 10.3.0.1 on a dummy.
   */
  static final class SiteC implements AutoCloseable {
    final String ns;

    SiteC(Topology t) throws IOException {
      ns = t.ns("gwC");
      String veth = ns.substring(0, ns.indexOf('-')) + "wc";
      Shell.check(Duration.ofSeconds(30), List.of("ip", "netns", "add", ns));
      try {
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "x");
        run("ip", "link", "set", veth, "netns", t.ns("gwA"));
        run("ip", "link", "set", veth + "x", "netns", ns);
        run("ip", "-n", t.ns("gwA"), "link", "set", veth, "name", "wan1");
        run("ip", "-n", ns, "link", "set", veth + "x", "name", "wan0");
        run("ip", "-n", t.ns("gwA"), "addr", "add", "198.51.100.1/24", "dev", "wan1");
        run("ip", "-n", t.ns("gwA"), "link", "set", "wan1", "up");
        run("ip", "-n", ns, "addr", "add", "198.51.100.2/24", "dev", "wan0");
        run("ip", "-n", ns, "link", "set", "wan0", "up");
        run("ip", "-n", ns, "route", "add", "192.0.2.0/24", "via", "198.51.100.1");
        // Site C's LAN is one address of its own (this kernel has no dummy devices).
        run("ip", "-n", ns, "addr", "add", "10.3.0.1/32", "dev", "lo");
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    private static void run(String... command) throws IOException {
      Shell.check(Duration.ofSeconds(30), List.of(command));
    }

    @Override
    public void close() throws IOException {
      Shell.run(Duration.ofSeconds(30), List.of("ip", "netns", "pids", ns))
          .output()
          .lines()
          .filter(l -> !l.isBlank())
          .forEach(
              pid -> {
                try {
                  Shell.run(Duration.ofSeconds(10), List.of("kill", "-9", pid.strip()));
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      // Deleting the namespace deletes the veth pair with it.
      Shell.run(Duration.ofSeconds(30), List.of("ip", "netns", "del", ns));
    }
  }

  static String ourConfig(Path dir) {
    return """
        gateway:
          name: ours
          publicAddress: 192.0.2.1
          vnetPrefixes: [10.1.0.0/24]
          runDirectory: %s
          workers: 1
          sku: VpnGw1
        localNetworkGateways:
          - name: site-b
            gatewayAddress: 192.0.2.2
            addressPrefixes: [10.2.0.0/24]
        connections:
          - name: to-b
            localNetworkGateway: site-b
            sharedKey: "%s"
            connectionMode: InitiatorOnly
            ike:
              ikeProposals: [aes256-sha256-modp2048]
              espProposals: [aes128gcm16]
        """
        .formatted(dir.resolve("run"), PSK_B);
  }

  static SwanctlConf siteC() {
    return new SwanctlConf()
        .connection(
            new Connection("s2s")
                .localAddrs("198.51.100.2")
                .remoteAddrs("192.0.2.1")
                .proposals("aes256-aes128-sha256-sha1-modp1024")
                .localPsk("198.51.100.2")
                .remotePsk("192.0.2.1")
                .child(
                    new Child("net")
                        .localTs("10.3.0.0/24")
                        .remoteTs("10.1.0.0/24")
                        .espProposals("aes256gcm16")
                        .startAction("none")))
        .ikeSecret(PSK_C, "198.51.100.2", "192.0.2.1");
  }

  /** Runs the {@code gateway} CLI in gwA as its own JVM, as an operator would. */
  Shell.Result cli(Topology t, String... args) throws IOException {
    List<String> command = new ArrayList<>(GatewayProcess.mainCommand(args));
    command.addAll(List.of("--run-directory", dir.resolve("run").toString()));
    return Shell.run(
        Duration.ofSeconds(60), Shell.inNamespace(t.ns("gwA"), command.toArray(String[]::new)));
  }

  static String spis(IkeSaInfo sa) {
    ChildSaInfo child = sa.installed("net").get(0);
    return sa.localSpi() + "/" + sa.remoteSpi() + " " + child.spiIn() + "/" + child.spiOut();
  }

  @Test
  void connectionsChangeLiveThroughTheCliAndSurviveARestart() throws Exception {
    try (Topology t = Topology.up(false);
        SiteC c = new SiteC(t);
        StrongSwan peerB =
            IkeInteropSystemTest.charon(
                t,
                dir,
                IkeInteropSystemTest.peerConf("aes256-sha256-modp2048", "aes128gcm16", "none"));
        StrongSwan peerC =
            StrongSwan.start(
                c.ns, dir.resolve("charon-c"), siteC().render(), StrongSwan.Options.defaults())) {
      GatewayProcess ours = GatewayProcess.start(t.ns("gwA"), dir, "ours", ourConfig(dir));
      try {
        assertTrue(
            peerB.waitFor(IkeInteropSystemTest.established("net"), SETTLE), why(ours, peerB));
        assertTrue(t.ping("lanA", "10.2.0.2", 3), "lanA -> lanB" + why(ours, peerB));
        String before = spis(peerB.listSas().get(0));

        // A ping every 10 ms across the whole change; its count is fixed so none is in flight
        // when it ends.
        Process ping =
            new ProcessBuilder(
                    Shell.inNamespace(
                        t.ns("lanA"),
                        "ping",
                        "-n",
                        "-q",
                        "-i",
                        "0.01",
                        "-c",
                        "4500",
                        "-W",
                        "1",
                        "10.2.0.2"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("ping.out").toFile())
                .start();
        Shell.Result site =
            cli(
                t,
                "local-gateway",
                "create",
                "--name",
                "site-c",
                "--gateway-ip-address",
                "198.51.100.2",
                "--local-address-prefixes",
                "10.3.0.0/24");
        assertTrue(site.ok(), site.describe());
        assertTrue(site.output().contains("name: site-c"), site.output());
        Shell.Result conn =
            cli(
                t,
                "vpn-connection",
                "create",
                "--name",
                "to-c",
                "--local-gateway2",
                "site-c",
                "--shared-key",
                PSK_C,
                "--routing-weight",
                "10");
        assertTrue(conn.ok(), conn.describe());
        assertTrue(conn.output().contains("routingWeight: 10"), conn.output());
        assertFalse(conn.output().contains(PSK_C), "the shared key was shown");
        assertTrue(
            peerC.waitFor(IkeInteropSystemTest.established("net"), SETTLE), why(ours, peerC));
        assertTrue(ping.isAlive(), "the ping ended before site C was up: it proves nothing");
        assertTrue(t.ping("lanA", "10.3.0.1", 3), "lanA -> site C" + why(ours, peerC));
        assertTrue(ping.waitFor(90, TimeUnit.SECONDS), "ping still running");
        String pings = Files.readString(dir.resolve("ping.out"));
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(pings);
        assertTrue(m.find(), pings);
        assertEquals("4500", m.group(1), pings);
        assertEquals(
            0, 4500 - Integer.parseInt(m.group(2)), "pings lost across the change: " + pings);
        assertEquals(before, spis(peerB.listSas().get(0)), "site B's SAs were touched");
        assertFalse(ours.log().contains(PSK_C), "the shared key reached the log");

        // Refused: site X overlaps site B. Nothing changes, not even the persisted file.
        Path applied = dir.resolve("run/applied-config.json");
        String persisted = Files.readString(applied);
        Shell.Result overlap =
            cli(
                t,
                "local-gateway",
                "create",
                "--name",
                "site-x",
                "--gateway-ip-address",
                "198.51.100.9",
                "--local-address-prefixes",
                "10.2.0.128/25");
        assertEquals(1, overlap.exit(), overlap.describe());
        assertTrue(
            overlap
                .errors()
                .contains(
                    "HTTP 400): localNetworkGateways[2].addressPrefixes: 10.2.0.128/25 overlaps"
                        + " 10.2.0.0/24 of site-b"),
            overlap.describe());
        assertEquals(persisted, Files.readString(applied));
        Shell.Result sites = cli(t, "local-gateway", "list");
        assertTrue(sites.ok(), sites.describe());
        assertEquals(3, sites.output().lines().count(), sites.output());
        assertTrue(sites.output().contains("site-c"), sites.output());

        // No token, no answer.
        Path wrong = dir.resolve("wrong-token");
        Files.writeString(wrong, "0123456789abcdef0123456789abcdef\n");
        Shell.Result denied = cli(t, "vpn-connection", "list", "--token-file", wrong.toString());
        assertEquals(1, denied.exit(), denied.describe());
        assertTrue(denied.errors().contains("HTTP 401"), denied.describe());

        // Delete: the peer is told at once (no DPD is configured at either end of C).
        Shell.Result delete = cli(t, "vpn-connection", "delete", "--name", "to-c");
        assertTrue(delete.ok(), delete.describe());
        assertTrue(peerC.waitFor(List::isEmpty, SETTLE), "charon C kept " + peerC.listSas());
        assertEquals(before, spis(peerB.listSas().get(0)), "site B's SAs were touched");
        assertTrue(t.ping("lanA", "10.2.0.2", 3), "lanA -> lanB after the delete");

        // Back again, then a restart: the persisted configuration comes back with both sites.
        Shell.Result again =
            cli(
                t,
                "vpn-connection",
                "create",
                "--name",
                "to-c",
                "--local-gateway2",
                "site-c",
                "--shared-key",
                PSK_C);
        assertTrue(again.ok(), again.describe());
        assertTrue(
            peerC.waitFor(IkeInteropSystemTest.established("net"), SETTLE), why(ours, peerC));

        // A changed connection restarts (new SAs at its peer, the old ones deleted); B stays.
        String cBefore = spis(peerC.listSas().get(0));
        Shell.Result update =
            cli(t, "vpn-connection", "update", "--name", "to-c", "--dpd-timeout", "30");
        assertTrue(update.ok(), update.describe());
        assertTrue(update.output().contains("dpdTimeoutSeconds: 30"), update.output());
        assertTrue(
            peerC.waitFor(
                sas ->
                    sas.size() == 1
                        && IkeInteropSystemTest.established("net").test(sas)
                        && !spis(sas.get(0)).equals(cBefore),
                SETTLE),
            "site C was not restarted: " + why(ours, peerC));
        assertEquals(before, spis(peerB.listSas().get(0)), "site B's SAs were touched");
        ours.close();
        assertTrue(peerB.waitFor(List::isEmpty, SETTLE), "charon B kept " + peerB.listSas());
        assertTrue(peerC.waitFor(List::isEmpty, SETTLE), "charon C kept " + peerC.listSas());
        ours = GatewayProcess.start(t.ns("gwA"), dir, "ours", ourConfig(dir));
        assertTrue(
            ours.log().contains("using the configuration applied through the API"), ours.log());
        assertTrue(
            peerB.waitFor(IkeInteropSystemTest.established("net"), SETTLE), why(ours, peerB));
        assertTrue(
            peerC.waitFor(IkeInteropSystemTest.established("net"), SETTLE), why(ours, peerC));
        assertTrue(t.ping("lanA", "10.3.0.1", 3), "lanA -> site C after the restart");
        Shell.Result list = cli(t, "vpn-connection", "list");
        assertTrue(list.output().lines().anyMatch(l -> l.startsWith("to-c ")), list.output());
      } finally {
        ours.close();
      }
    }
  }

  static String why(GatewayProcess ours, StrongSwan peer) {
    return IkeInteropSystemTest.why(ours, peer);
  }
}
