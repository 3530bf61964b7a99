package dev.vpngw.appliance.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which connections a change starts, stops, restarts and leaves alone. */
class ConfigDiffTest {
  static final String BASE =
      ModelValidationTest.yaml(
          "",
          ModelValidationTest.ONE_SITE
              + ModelValidationTest.site("site-c", "192.0.2.3", "10.3.0.0/16"),
          ModelValidationTest.conn("to-b", "site-b", "")
              + ModelValidationTest.conn("to-c", "site-c", "routingWeight: 5"));

  static ConfigDocument doc(String yaml) throws ConfigException {
    return ConfigDocument.of(ConfigLoader.read(yaml));
  }

  @Test
  void nothingChangedTouchesNothing() throws Exception {
    ConfigDiff d = ConfigDiff.of(doc(BASE), doc(BASE));
    assertTrue(d.touchesNoConnection());
    assertEquals(List.of("to-b", "to-c"), d.unchanged());
  }

  @Test
  void anAddedSiteAndConnectionStartOnlyThatConnection() throws Exception {
    ConfigDocument before = doc(BASE);
    ConfigDocument after =
        before
            .put(
                ConfigDocument.SITES,
                "site-d",
                Map.of("gatewayAddress", "192.0.2.4", "addressPrefixes", List.of("10.4.0.0/16")))
            .put(
                ConfigDocument.CONNECTIONS,
                "to-d",
                Map.of("localNetworkGateway", "site-d", "sharedKey", "another-key-42"));
    after.validate();
    ConfigDiff d = ConfigDiff.of(before, after);
    assertEquals(List.of("to-d"), d.added());
    assertEquals(List.of(), d.removed());
    assertEquals(List.of(), d.changed());
    assertEquals(List.of("to-b", "to-c"), d.unchanged());
  }

  @Test
  void aRemovedConnectionStopsOnlyThatConnection() throws Exception {
    ConfigDocument before = doc(BASE);
    ConfigDiff d = ConfigDiff.of(before, before.remove(ConfigDocument.CONNECTIONS, "to-c"));
    assertEquals(List.of("to-c"), d.removed());
    assertEquals(List.of("to-b"), d.unchanged());
    assertTrue(d.added().isEmpty() && d.changed().isEmpty());
  }

  @Test
  void aChangedConnectionOrItsSiteRestartsOnlyIt() throws Exception {
    ConfigDocument before = doc(BASE);
    Map<String, Object> c = before.find(ConfigDocument.CONNECTIONS, "to-c");
    c.put("routingWeight", 7);
    ConfigDiff d = ConfigDiff.of(before, before.put(ConfigDocument.CONNECTIONS, "to-c", c));
    assertEquals(List.of("to-c"), d.changed());
    assertEquals(List.of("to-b"), d.unchanged());
    Map<String, Object> s = before.find(ConfigDocument.SITES, "site-b");
    s.put("addressPrefixes", List.of("10.2.0.0/16", "10.22.0.0/16"));
    d = ConfigDiff.of(before, before.put(ConfigDocument.SITES, "site-b", s));
    assertEquals(List.of("to-b"), d.changed());
    assertEquals(List.of("to-c"), d.unchanged());
  }

  @Test
  void aNewSharedKeyRestartsButLeavingItOutKeepsIt() throws Exception {
    ConfigDocument before = doc(BASE);
    Map<String, Object> shown =
        ConfigDocument.redact(before.find(ConfigDocument.CONNECTIONS, "to-b"));
    ConfigDiff same = ConfigDiff.of(before, before.put(ConfigDocument.CONNECTIONS, "to-b", shown));
    assertEquals(List.of(), same.changed());
    shown.put("sharedKey", "a-brand-new-shared-key");
    ConfigDiff d = ConfigDiff.of(before, before.put(ConfigDocument.CONNECTIONS, "to-b", shown));
    assertEquals(List.of("to-b"), d.changed());
  }

  @Test
  void theVirtualNetworkRestartsEveryConnectionButTheSkuNone() throws Exception {
    ConfigDocument before = doc(BASE);
    Map<String, Object> g = before.gateway();
    g.put("sku", "VpnGw2");
    assertTrue(ConfigDiff.of(before, before.withGateway(g)).touchesNoConnection());
    g.put("vnetPrefixes", List.of("10.1.0.0/16", "10.11.0.0/16"));
    assertEquals(List.of("to-b", "to-c"), ConfigDiff.of(before, before.withGateway(g)).changed());
  }
}
