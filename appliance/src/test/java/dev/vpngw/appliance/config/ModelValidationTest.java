package dev.vpngw.appliance.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ikev2.config.ConnectionMode;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.proposal.ProposalParser;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The resource model's rules, one test each: a configuration that breaks a rule is refused naming
 * the field and the reason; the cloud-style connection fields mean what the cloud's do.
 */
class ModelValidationTest {
  static final String PSK = "a-shared-key-of-some-length";

  /** A route-based gateway with one PSK site; {@code gatewayExtra} lines go under gateway. */
  static String yaml(String gatewayExtra, String sites, String connections) {
    return """
        gateway:
          name: gw-a
          publicAddress: 192.0.2.1
          vnetPrefixes: [10.1.0.0/16]
          workers: 1
        %s
        localNetworkGateways:
        %s
        connections:
        %s
        """
        .formatted(gatewayExtra.indent(2).stripTrailing(), sites.indent(2), connections.indent(2));
  }

  static String site(String name, String address, String prefixes) {
    return """
        - name: %s
          gatewayAddress: %s
          addressPrefixes: [%s]
        """
        .formatted(name, address, prefixes);
  }

  static String conn(String name, String site, String extra) {
    return """
        - name: %s
          localNetworkGateway: %s
          sharedKey: "%s"
        %s
        """
        .formatted(name, site, PSK, extra.indent(2).stripTrailing());
  }

  static final String ONE_SITE = site("site-b", "192.0.2.2", "10.2.0.0/16");

  static GatewayConfig valid(String gatewayExtra, String sites, String connections)
      throws ConfigException {
    return ConfigLoader.parse(yaml(gatewayExtra, sites, connections));
  }

  static void refused(String yaml, String field, String reasonPart) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.reason().contains(reasonPart), e.getMessage());
    assertTrue(!e.getMessage().contains(PSK), "the shared key leaked: " + e.getMessage());
  }

  @Test
  void defaultsAreARouteBasedVpnGatewayHeldToNoSkuUnlessOneIsGiven() throws Exception {
    GatewayConfig c = valid("", ONE_SITE, conn("to-b", "site-b", ""));
    assertEquals(GatewayConfig.GatewayType.Vpn, c.gateway().gatewayType());
    assertEquals(GatewayConfig.VpnType.RouteBased, c.gateway().vpnType());
    assertNull(c.gateway().sku());
    assertEquals(Sku.VpnGw1, valid("sku: VpnGw1", ONE_SITE, "[]").gateway().sku());
    assertEquals(650, Sku.VpnGw1.bandwidthMbps());
    assertEquals(30, Sku.VpnGw1.s2sTunnels());
    assertEquals(100, Sku.VpnGw5.s2sTunnels());
    assertEquals(10_000_000_000L, Sku.VpnGw5.bandwidthBitsPerSecond());
    assertEquals(ConfigLoader.DEFAULT_API_PORT, c.gateway().api().port());
    assertTrue(c.gateway().api().address().isLoopbackAddress());
    assertEquals(GatewayConfig.ConnectionType.IPsec, c.connections().get(0).connectionType());
    assertInstanceOf(IkeConnectionConfig.Psk.class, c.connections().get(0).ike().localAuth());
  }

  @Test
  void aSiteMayNotOverlapTheVirtualNetwork() {
    refused(
        yaml("", site("site-b", "192.0.2.2", "10.1.128.0/24"), conn("to-b", "site-b", "")),
        "localNetworkGateways[0].addressPrefixes",
        "overlaps the virtual network");
  }

  @Test
  void twoSitesMayNotOverlap() {
    refused(
        yaml(
            "",
            ONE_SITE + site("site-c", "192.0.2.3", "10.3.0.0/16, 10.2.4.0/24"),
            conn("to-b", "site-b", "")),
        "localNetworkGateways[1].addressPrefixes",
        "10.2.4.0/24 overlaps 10.2.0.0/16 of site-b");
  }

  /**
   * Two sites announcing the same prefix exactly are two paths to one network, chosen between by
   * the connections' routingWeight; only a partial overlap is a mistake.
   */
  @Test
  void twoSitesMayShareAPrefixExactlyAsRedundantPaths() throws ConfigException {
    GatewayConfig c =
        valid(
            "",
            ONE_SITE + site("site-c", "192.0.2.3", "10.2.0.0/16"),
            conn("to-b", "site-b", "routingWeight: 20")
                + conn("to-c", "site-c", "routingWeight: 10"));
    assertEquals(20, c.connections().get(0).routingWeight());
    assertEquals(10, c.connections().get(1).routingWeight());
    refused(
        yaml(
            "",
            ONE_SITE + site("site-c", "192.0.2.3", "10.2.0.0/16, 10.2.0.0/17"),
            conn("to-b", "site-b", "")),
        "localNetworkGateways[1].addressPrefixes",
        "10.2.0.0/17 overlaps 10.2.0.0/16 of site-b");
  }

  @Test
  void aConnectionMustNameAnExistingSite() {
    refused(
        yaml("", ONE_SITE, conn("to-c", "site-c", "")),
        "connections[0].localNetworkGateway",
        "no local network gateway named site-c");
  }

  @Test
  void theSkuLimitsTheTunnels() throws Exception {
    StringBuilder sites = new StringBuilder();
    StringBuilder conns = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      sites.append(site("s" + i, "192.0.2." + (10 + i), "10." + (100 + i) + ".0.0/16"));
      conns.append(conn("c" + i, "s" + i, ""));
    }
    assertEquals(11, valid("sku: VpnGw1", sites.toString(), conns.toString()).connections().size());
    // Without a SKU (configurations from before SKUs, the benchmarks' hundreds of tunnels): no
    // limit.
    assertEquals(11, valid("", sites.toString(), conns.toString()).connections().size());
    refused(
        yaml("sku: Basic", sites.toString(), conns.toString()),
        "connections[10]",
        "the Basic SKU carries at most 10 Site-to-Site tunnels");
  }

  @Test
  void aPolicyBasedGatewayHasOneSite() throws Exception {
    valid("vpnType: PolicyBased", ONE_SITE, conn("to-b", "site-b", ""));
    refused(
        yaml(
            "vpnType: PolicyBased",
            ONE_SITE + site("site-c", "192.0.2.3", "10.3.0.0/16"),
            conn("to-b", "site-b", "") + conn("to-c", "site-c", "")),
        "connections[1]",
        "a PolicyBased gateway carries one Site-to-Site connection");
  }

  @Test
  void policyBasedOnlyWithTheBasicSku() throws Exception {
    valid("vpnType: PolicyBased\nsku: Basic", ONE_SITE, conn("to-b", "site-b", ""));
    for (Sku sku : Sku.values()) {
      if (sku != Sku.Basic) {
        refused(
            yaml("vpnType: PolicyBased\nsku: " + sku, ONE_SITE, conn("to-b", "site-b", "")),
            "gateway.vpnType",
            "PolicyBased is offered only with the Basic SKU (the cloud's rule), not with " + sku);
      }
    }
    // A route-based gateway of any SKU takes a policy-based device's connection instead.
    valid("sku: VpnGw2", ONE_SITE, conn("to-b", "site-b", "usePolicyBasedTrafficSelectors: true"));
  }

  @Test
  void aPolicyBasedGatewayNegotiatesItsPrefixesNotAny() {
    refused(
        yaml(
            "vpnType: PolicyBased",
            ONE_SITE,
            """
            - name: to-b
              localNetworkGateway: site-b
              ike: {sharedKey: "%s", trafficSelectors: any}
            """
                .formatted(PSK)),
        "connections[0].ike.trafficSelectors",
        "PolicyBased");
  }

  @Test
  void aCustomPolicyBecomesOneIkeAndOneEspProposal() throws Exception {
    GatewayConfig c =
        valid(
            "",
            ONE_SITE,
            conn(
                "to-b",
                "site-b",
                """
                ipsecPolicies:
                  - {saLifeTimeSeconds: 3600, saDataSizeKilobytes: 102400000,
                     ipsecEncryption: GCMAES256, ipsecIntegrity: GCMAES256,
                     ikeEncryption: AES256, ikeIntegrity: SHA256, dhGroup: DHGroup14,
                     pfsGroup: ECP384}
                """));
    IkeConnectionConfig ike = c.connections().get(0).ike();
    assertEquals(List.of(ProposalParser.ike("aes256-sha256-modp2048")), ike.ikeProposals());
    assertEquals(List.of(ProposalParser.esp("aes256gcm16-ecp384")), ike.espProposals());
    assertEquals(Duration.ofSeconds(3600), ike.lifetimes().child());
    assertEquals(102_400_000L, ike.lifetimes().childKilobytes());
    GatewayConfig gcm =
        valid(
            "",
            ONE_SITE,
            conn(
                "to-b",
                "site-b",
                """
                ipsecPolicies:
                  - {saLifeTimeSeconds: 27000, saDataSizeKilobytes: 1024,
                     ipsecEncryption: AES128, ipsecIntegrity: SHA1,
                     ikeEncryption: GCMAES256, ikeIntegrity: SHA384, dhGroup: ECP384,
                     pfsGroup: None}
                """));
    assertEquals(
        List.of(ProposalParser.ike("aes256gcm16-prfsha384-ecp384")),
        gcm.connections().get(0).ike().ikeProposals());
    assertEquals(
        List.of(ProposalParser.esp("aes128-sha1")), gcm.connections().get(0).ike().espProposals());
  }

  /** A policy no peer can satisfy: the cloud's own consistency rules. */
  @Test
  void aCustomPolicyNoPeerCanSatisfyIsRefused() {
    String policy =
        """
        ipsecPolicies:
          - {saLifeTimeSeconds: 3600, saDataSizeKilobytes: 102400000,
             ipsecEncryption: %s, ipsecIntegrity: %s,
             ikeEncryption: %s, ikeIntegrity: SHA256, dhGroup: %s, pfsGroup: None}
        """;
    refused(
        yaml(
            "",
            ONE_SITE,
            conn("to-b", "site-b", policy.formatted("GCMAES256", "SHA256", "AES256", "DHGroup14"))),
        "connections[0].ipsecPolicies[0].ipsecIntegrity",
        "the same GCM");
    refused(
        yaml(
            "",
            ONE_SITE,
            conn("to-b", "site-b", policy.formatted("AES256", "GCMAES128", "AES256", "DHGroup14"))),
        "connections[0].ipsecPolicies[0].ipsecIntegrity",
        "GCM integrity goes only with");
    refused(
        yaml(
            "",
            ONE_SITE,
            conn("to-b", "site-b", policy.formatted("AES256", "SHA1", "DES", "DHGroup14"))),
        "connections[0].ipsecPolicies[0].ikeEncryption",
        "not supported");
    refused(
        yaml(
            "",
            ONE_SITE,
            conn("to-b", "site-b", policy.formatted("AES256", "SHA1", "AES256", "None"))),
        "connections[0].ipsecPolicies[0].dhGroup",
        "not supported");
    refused(
        yaml(
            "",
            ONE_SITE,
            conn("to-b", "site-b", policy.formatted("AES256", "SHA1", "AES256", "DHGroup99"))),
        "connections[0].ipsecPolicies[0].dhGroup",
        "not one of");
    refused(
        yaml(
            "",
            ONE_SITE,
            conn(
                "to-b",
                "site-b",
                policy.formatted("AES256", "SHA1", "AES256", "DHGroup14").replace("3600", "60"))),
        "connections[0].ipsecPolicies[0].saLifeTimeSeconds",
        "outside 300..");
    refused(
        yaml(
            "",
            ONE_SITE,
            conn("to-b", "site-b", policy.formatted("DES3", "SHA1", "AES256", "DHGroup14"))),
        "connections[0].ipsecPolicies",
        "3DES is legacy");
    refused(
        yaml("", ONE_SITE, conn("to-b", "site-b", "ipsecPolicies: []")),
        "connections[0].ipsecPolicies",
        "exactly one policy");
  }

  @Test
  void aSettingIsGivenInOnePlaceOnly() {
    refused(
        yaml(
            "",
            ONE_SITE,
            conn("to-b", "site-b", "ike: {espProposals: [aes128gcm16]}\nipsecPolicies: []")),
        "connections[0].ipsecPolicies",
        "also given as connections[0].ike.espProposals");
    refused(
        yaml("", ONE_SITE, conn("to-b", "site-b", "ike: {sharedKey: \"" + PSK + "\"}")),
        "connections[0].sharedKey",
        "one place only");
  }

  @Test
  void ikeV1IsRefusedAsNotSupportedYet() {
    refused(
        yaml("", ONE_SITE, conn("to-b", "site-b", "ikeVersion: IKEv1")),
        "connections[0].ikeVersion",
        "IKEv1 is not supported yet");
    refused(
        yaml(
            "",
            ONE_SITE,
            """
            - name: to-b
              localNetworkGateway: site-b
              ike: {sharedKey: "%s", version: 1}
            """
                .formatted(PSK)),
        "connections[0].ike.version",
        "IKEv1 is not supported yet");
  }

  @Test
  void cloudStyleConnectionFieldsMapOntoTheIkeSettings() throws Exception {
    GatewayConfig c =
        valid(
            "",
            ONE_SITE,
            conn(
                "to-b",
                "site-b",
                """
                ikeVersion: IKEv2
                connectionMode: ResponderOnly
                dpdTimeoutSeconds: 30
                usePolicyBasedTrafficSelectors: true
                routingWeight: 10
                """));
    GatewayConfig.Connection conn = c.connections().get(0);
    assertEquals(ConnectionMode.RESPONDER_ONLY, conn.ike().mode());
    assertEquals(Duration.ofSeconds(30), conn.ike().dpdTimeout());
    assertTrue(conn.ike().childPerPair());
    assertEquals(10, conn.routingWeight());
    refused(
        yaml("", ONE_SITE, conn("to-b", "site-b", "connectionMode: Sometimes")),
        "connections[0].connectionMode",
        "Default, InitiatorOnly or ResponderOnly");
    refused(
        yaml("", ONE_SITE, conn("to-b", "site-b", "routingWeight: 32001")),
        "connections[0].routingWeight",
        "outside 0..32000");
    refused(
        yaml("", ONE_SITE, conn("to-b", "site-b", "dpdTimeoutSeconds: 5")),
        "connections[0].dpdTimeoutSeconds",
        "outside 9..3600");
  }

  /**
   * Written the cloud's way, a route-based gateway's connection negotiates 0.0.0.0/0 and ::/0 on
   * both sides (the cloud's any-to-any, what lets sites reach each other through the gateway);
   * usePolicyBasedTrafficSelectors makes it the prefix pairs; a policy-based gateway and the ike
   * block's own spelling keep the prefixes.
   */
  @Test
  void cloudStyleConnectionsOfARouteBasedGatewayAreAnyToAny() throws Exception {
    List<dev.vpngw.selector.TrafficSelector> any = ts("0.0.0.0/0", "::/0");
    String sites = ONE_SITE + site("site-c", "192.0.2.3", "10.3.0.0/16");
    GatewayConfig c =
        valid(
            "",
            sites,
            conn("to-b", "site-b", "")
                + conn("to-c", "site-c", "usePolicyBasedTrafficSelectors: false"));
    for (GatewayConfig.Connection conn : c.connections()) {
      assertEquals(any, (conn.ike().localTs()), conn.name());
      assertEquals(any, (conn.ike().remoteTs()), conn.name());
      assertTrue(!conn.ike().childPerPair());
    }
    GatewayConfig pairs =
        valid("", ONE_SITE, conn("to-b", "site-b", "usePolicyBasedTrafficSelectors: true"));
    assertEquals(ts("10.1.0.0/16"), (pairs.connections().get(0).ike().localTs()));
    assertEquals(ts("10.2.0.0/16"), (pairs.connections().get(0).ike().remoteTs()));
    GatewayConfig policyBased = valid("vpnType: PolicyBased", ONE_SITE, conn("to-b", "site-b", ""));
    assertEquals(ts("10.2.0.0/16"), (policyBased.connections().get(0).ike().remoteTs()));
    GatewayConfig ikeBlock =
        valid(
            "",
            ONE_SITE,
            """
            - name: to-b
              localNetworkGateway: site-b
              ike: {sharedKey: "%s"}
            """
                .formatted(PSK));
    assertEquals(ts("10.2.0.0/16"), (ikeBlock.connections().get(0).ike().remoteTs()));
  }

  private static List<dev.vpngw.selector.TrafficSelector> ts(String... cidrs) {
    return java.util.Arrays.stream(cidrs).map(dev.vpngw.selector.TrafficSelector::parse).toList();
  }

  /**
   * Forced tunneling: {@code gatewayDefaultSite} names an existing site that a connection reaches
   * with any-to-any selectors, on a route-based gateway; each refusal names the field.
   */
  @Test
  void theDefaultSiteIsAnExistingSiteReachedAnyToAny() throws Exception {
    String sites = ONE_SITE + site("site-c", "192.0.2.3", "10.3.0.0/16");
    String conns = conn("to-b", "site-b", "") + conn("to-c", "site-c", "");
    assertEquals(
        "site-b", valid("gatewayDefaultSite: site-b", sites, conns).gateway().gatewayDefaultSite());
    refused(
        yaml("gatewayDefaultSite: site-x", sites, conns),
        "gateway.gatewayDefaultSite",
        "no local network gateway named site-x");
    refused(
        yaml("gatewayDefaultSite: site-c", sites, conn("to-b", "site-b", "")),
        "gateway.gatewayDefaultSite",
        "no connection reaches site-c");
    refused(
        yaml(
            "gatewayDefaultSite: site-b\nvpnType: PolicyBased",
            ONE_SITE,
            conn("to-b", "site-b", "")),
        "gateway.gatewayDefaultSite",
        "needs a RouteBased gateway");
    refused(
        yaml(
            "gatewayDefaultSite: site-c",
            sites,
            conn("to-b", "site-b", "")
                + conn("to-c", "site-c", "usePolicyBasedTrafficSelectors: true")),
        "connections[1]",
        "must negotiate any-to-any selectors");
  }

  @Test
  void aConnectionNeedsKeys() {
    refused(
        yaml(
            "",
            ONE_SITE,
            """
            - name: to-b
              localNetworkGateway: site-b
            """),
        "connections[0].sharedKey",
        "give sharedKey");
  }

  @Test
  void activeActiveNeedsASecondAddressAndABiggerSkuThanBasic() throws Exception {
    GatewayConfig c =
        valid("activeActive: true\nsecondaryPublicAddress: 192.0.2.9", ONE_SITE, "[]");
    assertTrue(c.gateway().activeActive());
    refused(
        yaml("activeActive: true\nsecondaryPublicAddress: 192.0.2.9\nsku: Basic", ONE_SITE, "[]"),
        "gateway.activeActive",
        "Basic SKU");
    refused(
        yaml("activeActive: true", ONE_SITE, "[]"), "gateway.secondaryPublicAddress", "second VM");
    refused(
        yaml("secondaryPublicAddress: 192.0.2.9", ONE_SITE, "[]"),
        "gateway.secondaryPublicAddress",
        "only with activeActive");
  }

  @Test
  void theGatewaySubnetLiesInTheVirtualNetwork() throws Exception {
    assertEquals(
        "10.1.255.0/27",
        valid("gatewaySubnet: 10.1.255.0/27", ONE_SITE, "[]").gateway().gatewaySubnet().toString());
    refused(
        yaml("gatewaySubnet: 10.9.0.0/27", ONE_SITE, "[]"),
        "gateway.gatewaySubnet",
        "not inside the virtual network");
  }

  @Test
  void enumsAreSpeltAsTheCloudSpellsThem() {
    refused(yaml("sku: VpnGw9", ONE_SITE, "[]"), "gateway.sku", "not one of [Basic, VpnGw1");
    refused(yaml("vpnType: routebased", ONE_SITE, "[]"), "gateway.vpnType", "not one of");
  }

  @Test
  void expressRouteCircuitsBelongToAnExpressRouteGateway() throws ConfigException {
    refused(
        yaml("", ONE_SITE, conn("to-b", "site-b", "connectionType: ExpressRoute")),
        "connections[0].connectionType",
        "in its expressRouteCircuits");
    refused(
        yaml("gatewayType: ExpressRoute", ONE_SITE, conn("to-b", "site-b", "")),
        "connections[0].connectionType",
        "an ExpressRoute gateway carries no IPsec connection");
    String circuit =
        """
        expressRouteCircuits:
          - name: circuit-1
            interface: er0
            peerAddress: 169.254.10.2
            addressPrefixes: [10.2.0.0/24]
        %s
        """;
    GatewayConfig er =
        ConfigLoader.parse(
            yaml("gatewayType: ExpressRoute", "[]", "[]")
                + circuit.formatted("    liveness: {interval: 50ms, multiplier: 4}"));
    GatewayConfig.ExpressRouteCircuit c = er.expressRouteCircuits().get(0);
    assertEquals("er0", c.device());
    assertEquals("169.254.10.2", c.peerAddress().getHostAddress());
    assertEquals(java.time.Duration.ofMillis(50), c.liveness().interval());
    assertEquals(4, c.liveness().multiplier());
    assertEquals(3785, c.liveness().port(), "BFD echo's port by default");
    assertEquals(
        java.time.Duration.ofMillis(100),
        ConfigLoader.parse(yaml("gatewayType: ExpressRoute", "[]", "[]") + circuit.formatted(""))
            .expressRouteCircuits()
            .get(0)
            .liveness()
            .interval());
    refused(
        yaml("", "[]", "[]") + circuit.formatted(""),
        "expressRouteCircuits[0]",
        "only an ExpressRoute gateway");
    refused(
        yaml("gatewayType: ExpressRoute", "[]", "[]")
            + circuit.formatted("").replace("10.2.0.0/24", "10.1.0.0/25"),
        "expressRouteCircuits[0].addressPrefixes",
        "overlaps the virtual network's 10.1.0.0/16");
    refused(
        yaml("gatewayType: ExpressRoute", "[]", "[]")
            + circuit.formatted("    liveness: {interval: 5ms}"),
        "expressRouteCircuits[0].liveness.interval",
        "between 10ms and 10s");
    refused(
        yaml("gatewayType: ExpressRoute", "[]", "[]")
            + circuit.formatted("    liveness: {interval: 100}"),
        "expressRouteCircuits[0].liveness.interval",
        "a duration such as 100ms");
  }

  @Test
  void vnetToVnetNegotiatesItsKeys() {
    refused(
        yaml(
            "",
            ONE_SITE,
            """
            - name: to-b
              localNetworkGateway: site-b
              connectionType: Vnet2Vnet
              manualKeys:
                outbound: {spi: 0x1001, encryption: aes128gcm16, key: 0x000102030405060708090a0b0c0d0e0f10111213}
                inbound:  {spi: 0x2001, encryption: aes128gcm16, key: 0x000102030405060708090a0b0c0d0e0f10111213}
            """),
        "connections[0].manualKeys",
        "Vnet2Vnet");
  }

  @Test
  void aSiteIsAnAddressOrAResolvableNameWithOptionalBgp() throws Exception {
    GatewayConfig c =
        valid(
            "",
            """
            - name: site-b
              fqdn: localhost
              addressPrefixes: [10.2.0.0/16]
              bgpSettings: {asn: 65010, peeringAddress: 10.2.0.254}
            """,
            "[]");
    GatewayConfig.LocalNetworkGateway s = c.localNetworkGateways().get(0);
    assertTrue(s.gatewayAddress().isLoopbackAddress());
    assertEquals("localhost", s.fqdn());
    assertEquals(65010, s.bgpSettings().asn());
    assertNull(valid("", ONE_SITE, "[]").localNetworkGateways().get(0).bgpSettings());
    refused(
        yaml(
            "",
            """
            - name: site-b
              gatewayAddress: 192.0.2.2
              fqdn: vpn.example
              addressPrefixes: [10.2.0.0/16]
            """,
            "[]"),
        "localNetworkGateways[0].gatewayAddress",
        "either gatewayAddress");
    refused(
        yaml(
            "",
            """
            - name: site-b
              fqdn: no-such-host.invalid
              addressPrefixes: [10.2.0.0/16]
            """,
            "[]"),
        "localNetworkGateways[0].fqdn",
        "cannot resolve");
    refused(
        yaml(
            "",
            """
            - name: site-b
              gatewayAddress: 192.0.2.2
              addressPrefixes: [10.2.0.0/16]
              bgpSettings: {asn: 23456, peeringAddress: 10.2.0.254}
            """,
            "[]"),
        "localNetworkGateways[0].bgpSettings.asn",
        "AS_TRANS");
  }
}
