package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site given by FQDN moves to a new address while our gateway runs (issue 5): the name ({@code
 * vpn.site-b.test}, in a hosts file the gateway's JVM reads instead of DNS, with no address cache)
 * first points at charon's 192.0.2.2; then charon's gateway takes 192.0.2.22 and loses 192.0.2.2,
 * and the name is changed to match. Our dead-peer detection fails (IKE failure), which makes the
 * gateway resolve the name again at once; it restarts that connection towards the new address, and
 * LAN A reaches LAN B again, without a restart of the gateway.
 */
@Tag("system")
class FqdnSiteSystemTest {
  static final Duration SETTLE = Duration.ofSeconds(60);
  static final String NAME = "vpn.site-b.test";

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
        localNetworkGateways:
          - {name: site-b, fqdn: %s, addressPrefixes: [10.2.0.0/24]}
        connections:
          - name: to-b
            localNetworkGateway: site-b
            sharedKey: "%s"
            dpdTimeoutSeconds: 9
            ike: {dpdDelay: 2s}
        """
        .formatted(dir.resolve("run"), NAME, IkeChildInteropSystemTest.PSK);
  }

  /** Charon answers on any of its addresses; a new IKE SA from us replaces the old one. */
  static SwanctlConf peer() {
    return new SwanctlConf()
        .connection(
            new Connection("s2s")
                .localAddrs("%any")
                .remoteAddrs(Interop.OUR_ADDRESS)
                .proposals("aes256-sha256-modp1024")
                .localPsk(Interop.PEER_ADDRESS)
                .remotePsk(Interop.OUR_ADDRESS)
                .set("unique", "replace")
                .child(
                    new Child("net")
                        .localTs(Interop.LAN_B)
                        .remoteTs(Interop.LAN_A)
                        .espProposals("aes256gcm16")
                        .startAction("none")))
        .ikeSecret(IkeChildInteropSystemTest.PSK, Interop.PEER_ADDRESS, Interop.OUR_ADDRESS);
  }

  @Test
  void aSiteThatMovesIsFollowedWithoutARestart() throws Exception {
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, "192.0.2.2 " + NAME + "\n");
    try (Topology t = Topology.up(false);
        StrongSwan charon =
            StrongSwan.start(
                t.ns("gwB"),
                dir.resolve("charon"),
                peer().render(),
                StrongSwan.Options.defaults());
        GatewayProcess ours =
            GatewayProcess.start(
                t.ns("gwA"),
                dir,
                "ours",
                ourConfig(),
                List.of("-Djdk.net.hosts.file=" + hosts, "-Dsun.net.inetaddr.ttl=0"))) {
      Shell.await(
          SETTLE, () -> ping(t), () -> "no tunnel to 192.0.2.2" + Interop.why(ours, charon));

      // The site's device moves to 192.0.2.22; its name follows. (192.0.2.22 is a secondary
      // address of the same subnet, which the kernel deletes with the primary unless promoted.)
      Shell.check(
          Duration.ofSeconds(10),
          Shell.inNamespace(
              t.ns("gwB"), "sysctl", "-qw", "net.ipv4.conf.wan0.promote_secondaries=1"));
      Shell.check(
          Duration.ofSeconds(10),
          Shell.inNamespace(t.ns("gwB"), "ip", "addr", "add", "192.0.2.22/24", "dev", "wan0"));
      Files.writeString(hosts, "192.0.2.22 " + NAME + "\n");
      Shell.check(
          Duration.ofSeconds(10),
          Shell.inNamespace(t.ns("gwB"), "ip", "addr", "del", "192.0.2.2/24", "dev", "wan0"));
      long moved = System.nanoTime();

      Shell.await(
          SETTLE,
          () -> ours.log().contains("now resolves to [192.0.2.22], was 192.0.2.2"),
          () -> "the gateway did not notice the new address" + Interop.why(ours, charon));
      Shell.await(
          SETTLE, () -> ping(t), () -> "no tunnel to the new address" + Interop.why(ours, charon));
      System.out.printf(
          "FqdnSiteSystemTest: traffic again %.1f s after the move%n",
          (System.nanoTime() - moved) / 1e9);
      assertTrue(ours.log().contains("restarted [to-b]"), "to-b was not restarted" + ours.log());
      assertTrue(
          charon.listSas().stream()
              .anyMatch(s -> s.established() && s.toString().contains("192.0.2.22")),
          "charon has no IKE SA on its new address: " + charon.listSas());
      assertTrue(ours.alive(), "the gateway restarted");
    }
  }

  private static boolean ping(Topology t) {
    try {
      return t.ping("lanA", "10.2.0.2", 2);
    } catch (IOException e) {
      return false;
    }
  }
}
