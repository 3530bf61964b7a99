package dev.vpngw.appliance.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ha.HaConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@code ha} section: a valid one gives the node's settings; each mistake names its field. */
class HaSectionTest {
  private static final String HA =
      """
      ha:
        nodeId: 2
        key: "%s"
        haLink: {local: "10.255.0.2:7400", peer: "10.255.0.1:7400"}
        public: {local: "192.0.2.12:7401", peer: "192.0.2.11:7401"}
        publicInterface: wan0
        virtualAddress: 192.0.2.1/24
        replication: {local: "10.255.0.2:7402", peer: "10.255.0.1:7402"}
      """
          .formatted("ab".repeat(32));

  private static HaSection parse(String yaml) throws ConfigException {
    Object tree = ConfigLoader.read(yaml);
    return HaSection.parse(tree, ConfigLoader.parse(tree).gateway());
  }

  private static void refused(String yaml, String field, String reasonPart) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().contains(reasonPart), e.getMessage());
  }

  @Test
  void aValidSectionGivesTheNodesSettingsAndDefaults() throws Exception {
    HaSection s = parse(ConfigLoaderTest.VALID + HA);
    HaConfig c = s.node();
    assertEquals(2, c.nodeId());
    assertEquals(100, c.priority());
    assertEquals(HaConfig.DEFAULT_INTERVAL_MILLIS, c.intervalMillis());
    assertEquals(HaConfig.DEFAULT_MISSES, c.misses());
    assertEquals("192.0.2.1", c.vip().getHostAddress());
    assertEquals(24, c.vipPrefixLength());
    assertEquals(2, c.paths().size());
    assertEquals("ha-link", c.paths().get(0).name());
    assertEquals(7402, c.peerReplication().getPort());
    assertEquals(Path.of("/run/vpngw/gw-a/ha"), c.stateDirectory());
    assertNull(s.vnetVirtualAddress());
    assertTrue(!c.toString().contains("abab"), "the key is never printed: " + c);
  }

  @Test
  void noSectionIsNoPair() throws Exception {
    assertNull(parse(ConfigLoaderTest.VALID));
  }

  @Test
  void mistakesNameTheirField() {
    String ok = ConfigLoaderTest.VALID + HA;
    refused(ok.replace("192.0.2.1/24", "192.0.2.9/24"), "ha.virtualAddress", "publicAddress");
    refused(ok.replace("192.0.2.1/24", "192.0.2.1"), "ha.virtualAddress", "address/prefix");
    refused(ok.replace("\"" + "ab".repeat(32) + "\"", "\"abcd\""), "ha.key", "16 bytes");
    refused(ok.replace("\"" + "ab".repeat(32) + "\"", "\"xyz\""), "ha.key", "hexadecimal");
    refused(ok.replace("10.255.0.1:7400", "10.255.0.1"), "ha.haLink.peer", "address:port");
    refused(ok.replace("nodeId: 2", "nodeId: 0"), "ha.nodeId", "outside");
    refused(ok + "  interval: 5ms\n", "ha.interval", "outside");
    refused(ok + "  vnetInterface: lan0\n", "ha.vnetVirtualAddress", "required");
    refused(ok + "  colour: blue\n", "ha.colour", "");
  }
}
