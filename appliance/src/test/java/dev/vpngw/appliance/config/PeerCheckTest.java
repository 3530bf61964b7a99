package dev.vpngw.appliance.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Two of our gateways joined VNet-to-VNet: both ends checked against each other. */
class PeerCheckTest {
  static String gateway(
      String name, String self, String vnet, String peer, String peerVnet, String extra) {
    return """
        gateway: {name: %s, publicAddress: %s, vnetPrefixes: [%s], workers: 1}
        localNetworkGateways:
          - {name: other, gatewayAddress: %s, addressPrefixes: [%s]}
        connections:
          - name: v2v
            localNetworkGateway: other
            connectionType: Vnet2Vnet
            sharedKey: "vnet-to-vnet-key-1"
        %s
        """
        .formatted(name, self, vnet, peer, peerVnet, extra.indent(4).stripTrailing());
  }

  static void check(String a, String b) throws ConfigException {
    PeerCheck.check(ConfigLoader.parse(a), ConfigLoader.parse(b));
  }

  static final String A = gateway("a", "192.0.2.1", "10.1.0.0/16", "192.0.2.2", "10.2.0.0/16", "");
  static final String B = gateway("b", "192.0.2.2", "10.2.0.0/16", "192.0.2.1", "10.1.0.0/16", "");

  static void refused(String a, String b, String field, String reason) {
    ConfigException e = assertThrows(ConfigException.class, () -> check(a, b));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.reason().contains(reason), e.getMessage());
  }

  @Test
  void matchingEndsPass() throws Exception {
    check(A, B);
    check(B, A);
  }

  @Test
  void noProposalInCommonIsRefusedOnOurSide() {
    String b =
        gateway(
            "b",
            "192.0.2.2",
            "10.2.0.0/16",
            "192.0.2.1",
            "10.1.0.0/16",
            """
            ipsecPolicies:
              - {saLifeTimeSeconds: 3600, saDataSizeKilobytes: 102400000,
                 ipsecEncryption: GCMAES128, ipsecIntegrity: GCMAES128,
                 ikeEncryption: GCMAES128, ikeIntegrity: SHA256, dhGroup: ECP256, pfsGroup: None}
            """);
    refused(A, b, "connections[0].ikeProposals", "no IKE proposal in common with b's v2v");
    String espOnly =
        gateway(
            "b",
            "192.0.2.2",
            "10.2.0.0/16",
            "192.0.2.1",
            "10.1.0.0/16",
            """
            ipsecPolicies:
              - {saLifeTimeSeconds: 3600, saDataSizeKilobytes: 102400000,
                 ipsecEncryption: GCMAES128, ipsecIntegrity: GCMAES128,
                 ikeEncryption: AES256, ikeIntegrity: SHA256, dhGroup: DHGroup2, pfsGroup: ECP256}
            """);
    refused(A, espOnly, "connections[0].espProposals", "no ESP proposal");
  }

  @Test
  void differentKeysAndUncoveredPrefixesAreRefused() {
    refused(
        A,
        B.replace("vnet-to-vnet-key-1", "vnet-to-vnet-key-2"),
        "connections[0].sharedKey",
        "differs");
    refused(
        A,
        B.replace("vnetPrefixes: [10.2.0.0/16]", "vnetPrefixes: [10.2.0.0/16, 10.22.0.0/16]"),
        "localNetworkGateways[0].addressPrefixes",
        "do not cover 10.22.0.0/16");
    refused(
        A,
        B.replace("gatewayAddress: 192.0.2.1", "gatewayAddress: 192.0.2.7"),
        "connections[0]",
        "no connection back");
  }
}
