package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our IKEv2 against strongSwan 5.9 (charon with its user-space ESP) as the peer, in the namespaces
 * of scripts/topology.sh: our gateway in gwA in front of LAN A, charon in gwB in front of LAN B.
 * Each case proves a tunnel both sides agree on by carrying traffic through it and by what charon
 * itself lists and logs.
 */
@Tag("system")
class IkeInteropSystemTest {
  static final String PSK = "interop-psk-of-decent-length-42";
  static final Duration SETTLE = Duration.ofSeconds(30);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  static Predicate<List<IkeSaInfo>> established(String child) {
    return sas -> sas.stream().anyMatch(s -> s.established() && s.installed(child).size() == 1);
  }

  /** Our gateway A's configuration with one IKE connection to gwB; {@code ike} is the block. */
  static String ourConfig(Path dir, String ike) {
    return """
        gateway:
          name: ours
          publicAddress: 192.0.2.1
          vnetPrefixes: [10.1.0.0/24]
          runDirectory: %s
          keyLogDirectory: %s
          workers: 1
        localNetworkGateways:
          - name: site-b
            gatewayAddress: 192.0.2.2
            addressPrefixes: [10.2.0.0/24]
        connections:
          - name: to-b
            localNetworkGateway: site-b
            ike:
        %s
        """
        .formatted(
            dir.resolve("run"), dir.resolve("keys/wireshark"), ike.indent(6).stripTrailing());
  }

  static SwanctlConf peerConf(String ikeProposal, String espProposal, String startAction) {
    return new SwanctlConf()
        .connection(
            new Connection("s2s")
                .localAddrs("192.0.2.2")
                .remoteAddrs("192.0.2.1")
                .proposals(ikeProposal)
                .localPsk("192.0.2.2")
                .remotePsk("192.0.2.1")
                .child(
                    new Child("net")
                        .localTs("10.2.0.0/24")
                        .remoteTs("10.1.0.0/24")
                        .espProposals(espProposal)
                        .startAction(startAction)))
        .ikeSecret(PSK, "192.0.2.2", "192.0.2.1");
  }

  static String why(GatewayProcess ours, StrongSwan peer) {
    return "\n===== our gateway\n" + ours.log() + "\n===== charon\n" + peer.log();
  }

  @Test
  void pskWithStrongSwanInitiatingAndUsResponding() throws Exception {
    try (Topology t = Topology.up(false);
        GatewayProcess ours =
            GatewayProcess.start(
                t.ns("gwA"),
                dir,
                "ours",
                ourConfig(
                    dir,
                    """
                    sharedKey: "%s"
                    connectionMode: responderOnly
                    ikeProposals: [aes256-sha256-modp2048]
                    espProposals: [aes128gcm16]
                    """
                        .formatted(PSK)));
        StrongSwan peer =
            StrongSwan.start(
                t.ns("gwB"),
                dir.resolve("charon"),
                peerConf("aes256-sha256-modp2048", "aes128gcm16", "none").render(),
                StrongSwan.Options.defaults())) {
      peer.initiate("net");
      assertTrue(peer.waitFor(established("net"), SETTLE), why(ours, peer));
      assertTrue(t.ping("lanA", "10.2.0.2", 5), "lanA -> lanB" + why(ours, peer));
      assertTrue(t.ping("lanB", "10.1.0.2", 5), "lanB -> lanA" + why(ours, peer));
      IkeSaInfo sa = peer.listSas().get(0);
      assertEquals("AES_CBC-256", sa.encryption());
      ChildSaInfo child = sa.installed("net").get(0);
      assertEquals("AES_GCM_16-128", child.encryption());
      assertTrue(child.packetsIn() >= 10 && child.packetsOut() >= 10, child.toString());
      assertFalse(ours.events("ike_sa_established").isEmpty(), ours.log());
    }
  }
}
