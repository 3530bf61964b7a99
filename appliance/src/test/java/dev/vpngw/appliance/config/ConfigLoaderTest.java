package dev.vpngw.appliance.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.Integrity;
import org.junit.jupiter.api.Test;

/** The YAML config: a valid file loads; each kind of mistake is refused naming its field. */
class ConfigLoaderTest {
  static final String VALID =
      """
      gateway:
        name: gw-a
        publicAddress: 192.0.2.1
        vnetPrefixes: [10.1.0.0/16]
        workers: 1
      localNetworkGateways:
        - name: site-b
          gatewayAddress: 192.0.2.2
          addressPrefixes: [10.2.0.0/16, "2001:db8:2::/48"]
      connections:
        - name: a-to-b
          localNetworkGateway: site-b
          encapsulation: udp
          manualKeys:
            esn: true
            replayWindow: 1024
            outbound: {spi: 0x1001, encryption: aes128gcm16, key: 0x000102030405060708090a0b0c0d0e0f10111213}
            inbound:  {spi: 0x2001, encryption: aes256-sha256, key: 0x%s, integrityKey: 0x%s}
      """
          .formatted("11".repeat(32), "22".repeat(32));

  @Test
  void aValidFileLoads() throws Exception {
    GatewayConfig c = ConfigLoader.parse(VALID);
    assertEquals("gw-a", c.gateway().name());
    assertEquals("vpngw0", c.gateway().tunnelInterface());
    assertEquals(1500, c.gateway().wanMtu());
    assertEquals(java.time.Duration.ofSeconds(20), c.gateway().natKeepalive());
    assertEquals(
        java.time.Duration.ofSeconds(2),
        ConfigLoader.parse(VALID.replace("workers: 1", "workers: 1\n  natKeepalive: 2s"))
            .gateway()
            .natKeepalive());
    assertEquals(1, c.connections().size());
    GatewayConfig.Connection conn = c.connections().get(0);
    assertTrue(conn.udpEncapsulation());
    assertEquals(0x1001, conn.manualKeys().outbound().spi());
    assertEquals(Encryption.AES_GCM_16_128, conn.manualKeys().outbound().suite().encryption());
    assertEquals(Integrity.HMAC_SHA2_256_128, conn.manualKeys().inbound().suite().integrity());
    assertTrue(conn.manualKeys().esn());
    assertEquals(1024, conn.manualKeys().replayWindow());
    assertEquals(2, conn.localNetworkGateway().addressPrefixes().size());
  }

  @Test
  void keysNeverAppearInToString() throws Exception {
    GatewayConfig c = ConfigLoader.parse(VALID);
    String text = c.toString();
    assertFalse(text.contains("0a0b0c"), text);
    assertFalse(text.toLowerCase().contains("1111111111"), text);
  }

  private static void refused(String yaml, String field, String reasonPart) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.reason().contains(reasonPart), e.getMessage());
  }

  @Test
  void eachMistakeIsRefusedNamingItsField() {
    refused(VALID.replace("workers: 1", "workrs: 1"), "gateway.workrs", "unknown field");
    refused(
        VALID.replace("publicAddress: 192.0.2.1", "publicAddress: gw.example"),
        "gateway.publicAddress",
        "not an IP address");
    refused(
        VALID.replace("[10.2.0.0/16,", "[10.1.2.0/24,"),
        "localNetworkGateways[0].addressPrefixes",
        "overlaps");
    refused(
        VALID.replace("10.2.0.0/16,", "10.2.0.1/16,"),
        "localNetworkGateways[0].addressPrefixes",
        "host bits");
    refused(
        VALID.replace("localNetworkGateway: site-b", "localNetworkGateway: site-c"),
        "connections[0].localNetworkGateway",
        "no local network gateway named site-c");
    refused(
        VALID.replace("encryption: aes128gcm16", "encryption: aes128gcm8"),
        "connections[0].manualKeys.outbound.encryption",
        "unknown encryption");
    refused(
        VALID.replace("0x000102030405060708090a0b0c0d0e0f10111213", "0x0001"),
        "connections[0].manualKeys.outbound.key",
        "20");
    refused(
        VALID.replace("encapsulation: udp", "encapsulation: gre"),
        "connections[0].encapsulation",
        "udp");
    refused(
        VALID.replace("replayWindow: 1024", "replayWindow: 16"),
        "connections[0].manualKeys.replayWindow",
        "outside");
    refused(
        VALID.replace("workers: 1", "workers: 1\n  natKeepalive: 0s"),
        "gateway.natKeepalive",
        "between 1s and 1h");
    refused(
        VALID.replace("workers: 1", "workers: 1\n  natKeepalive: often"),
        "gateway.natKeepalive",
        "duration");
    refused("gateway: [1, 2]", "gateway", "mapping");
    refused("gateway: {name: a", "(document)", "YAML");
  }
}
