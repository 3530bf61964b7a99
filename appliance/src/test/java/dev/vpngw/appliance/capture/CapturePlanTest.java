package dev.vpngw.appliance.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.GatewayConfig;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The capture's device and kernel filter per side, and the key log lines of one peer. */
class CapturePlanTest {
  @Test
  void outerIsThePeersEspAndIkeInnerTheSitesPrefixesOnTheTun() throws Exception {
    GatewayConfig c =
        ConfigLoader.parse(
            """
            gateway: {name: gw-a, publicAddress: 192.0.2.1, vnetPrefixes: [10.1.0.0/16]}
            localNetworkGateways:
              - {name: site-b, gatewayAddress: 192.0.2.2, addressPrefixes: [10.2.0.0/16, "2001:db8:2::/48"]}
            connections:
              - name: a-to-b
                localNetworkGateway: site-b
                ike: {sharedKey: "a long enough key"}
            """);
    GatewayConfig.Connection conn = c.connections().get(0);
    assertEquals(
        new CapturePlan(
            "wan0",
            "host 192.0.2.2 and (ip proto 50 or ip6 proto 50 or udp port 500 or udp port 4500)"),
        CapturePlan.outer(conn, "wan0"));
    assertEquals(
        new CapturePlan("vpngw0", "net 10.2.0.0/16 or net 2001:db8:2:0:0:0:0:0/48"),
        CapturePlan.inner(c, conn));
  }

  @Test
  void keepsOnlyThePeersEspSaLines() throws Exception {
    List<String> log =
        List.of(
            "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0xc0000001\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x00\",\"NULL\",\"\"",
            "\"IPv4\",\"192.0.2.2\",\"192.0.2.1\",\"0xc0000002\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x01\",\"NULL\",\"\"",
            "\"IPv4\",\"192.0.2.1\",\"192.0.2.3\",\"0xc0000003\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x02\",\"NULL\",\"\"",
            "# 0xc0000004 CHACHA20: Wireshark 4.0 cannot decrypt it");
    assertEquals(
        log.subList(0, 2), CapturePlan.espSaLines(log, InetAddress.getByName("192.0.2.2")));
  }
}
