package dev.vpngw.appliance.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.TestPki;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  /** The difference between two documents, each validated as the reconfigurer does. */
  static ConfigDiff diff(ConfigDocument before, ConfigDocument after) throws ConfigException {
    return ConfigDiff.of(before, before.validate(), after, after.validate());
  }

  @Test
  void nothingChangedTouchesNothing() throws Exception {
    ConfigDiff d = diff(doc(BASE), doc(BASE));
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
    ConfigDiff d = diff(before, after);
    assertEquals(List.of("to-d"), d.added());
    assertEquals(List.of(), d.removed());
    assertEquals(List.of(), d.changed());
    assertEquals(List.of("to-b", "to-c"), d.unchanged());
  }

  @Test
  void aRemovedConnectionStopsOnlyThatConnection() throws Exception {
    ConfigDocument before = doc(BASE);
    ConfigDiff d = diff(before, before.remove(ConfigDocument.CONNECTIONS, "to-c"));
    assertEquals(List.of("to-c"), d.removed());
    assertEquals(List.of("to-b"), d.unchanged());
    assertTrue(d.added().isEmpty() && d.changed().isEmpty());
  }

  @Test
  void aChangedConnectionOrItsSiteRestartsOnlyIt() throws Exception {
    ConfigDocument before = doc(BASE);
    Map<String, Object> c = before.find(ConfigDocument.CONNECTIONS, "to-c");
    c.put("routingWeight", 7);
    ConfigDiff d = diff(before, before.put(ConfigDocument.CONNECTIONS, "to-c", c));
    assertEquals(List.of("to-c"), d.changed());
    assertEquals(List.of("to-b"), d.unchanged());
    Map<String, Object> s = before.find(ConfigDocument.SITES, "site-b");
    s.put("addressPrefixes", List.of("10.2.0.0/16", "10.22.0.0/16"));
    d = diff(before, before.put(ConfigDocument.SITES, "site-b", s));
    assertEquals(List.of("to-b"), d.changed());
    assertEquals(List.of("to-c"), d.unchanged());
  }

  @Test
  void aNewSharedKeyRestartsButLeavingItOutKeepsIt() throws Exception {
    ConfigDocument before = doc(BASE);
    Map<String, Object> shown =
        ConfigDocument.redact(before.find(ConfigDocument.CONNECTIONS, "to-b"));
    ConfigDiff same = diff(before, before.put(ConfigDocument.CONNECTIONS, "to-b", shown));
    assertEquals(List.of(), same.changed());
    shown.put("sharedKey", "a-brand-new-shared-key");
    ConfigDiff d = diff(before, before.put(ConfigDocument.CONNECTIONS, "to-b", shown));
    assertEquals(List.of("to-b"), d.changed());
  }

  @Test
  void theVirtualNetworkRestartsEveryConnectionButTheSkuNone() throws Exception {
    ConfigDocument before = doc(BASE);
    Map<String, Object> g = before.gateway();
    g.put("sku", "VpnGw2");
    assertTrue(diff(before, before.withGateway(g)).touchesNoConnection());
    g.put("vnetPrefixes", List.of("10.1.0.0/16", "10.11.0.0/16"));
    assertEquals(List.of("to-b", "to-c"), diff(before, before.withGateway(g)).changed());
  }

  @Test
  void movingTheDefaultSiteRestartsTheOldAndTheNewDefaultSitesConnectionsOnly() throws Exception {
    ConfigDocument before = doc(BASE);
    Map<String, Object> g = before.gateway();
    g.put("gatewayDefaultSite", "site-b");
    ConfigDocument forced = before.withGateway(g);
    assertEquals(List.of("to-b"), diff(before, forced).changed());
    assertEquals(List.of("to-c"), diff(before, forced).unchanged());
    g.put("gatewayDefaultSite", "site-c");
    ConfigDiff moved = diff(forced, forced.withGateway(g));
    assertEquals(List.of("to-b", "to-c"), moved.changed());
  }

  /**
   * A certificate file rewritten under the same path (a renewed certificate and key) changes no
   * field of the document, yet the connection restarts; the other connection does not.
   */
  @Test
  void aCertificateRewrittenInPlaceRestartsItsConnection(@TempDir Path dir) throws Exception {
    TestPki pki = TestPki.create("ca", "C=CH, O=Test, CN=Test CA", TestPki.KeyType.ECDSA_P256);
    Path cert = dir.resolve("gw.crt");
    Path key = dir.resolve("gw.key");
    Path ca = dir.resolve("ca.crt");
    TestPki.writeCertificates(ca, pki.ca());
    TestPki.Credential first =
        pki.issue("gw", "C=CH, O=Test, CN=gw-a", TestPki.KeyType.ECDSA_P256, List.of());
    TestPki.writeCertificates(cert, first);
    TestPki.writePrivateKey(key, first);
    String yaml =
        ModelValidationTest.yaml(
            "",
            ModelValidationTest.ONE_SITE
                + ModelValidationTest.site("site-c", "192.0.2.3", "10.3.0.0/16"),
            """
            - name: to-b
              localNetworkGateway: site-b
              ike:
                certificate: {file: %s, key: %s, ca: %s}
            """
                    .formatted(cert, key, ca)
                + ModelValidationTest.conn("to-c", "site-c", ""));
    ConfigDocument before = doc(yaml);
    GatewayConfig running = before.validate();
    assertTrue(ConfigDiff.of(before, running, before, before.validate()).touchesNoConnection());

    TestPki.Credential renewed =
        pki.issue("gw", "C=CH, O=Test, CN=gw-a", TestPki.KeyType.ECDSA_P256, List.of());
    TestPki.writeCertificates(cert, renewed);
    TestPki.writePrivateKey(key, renewed);
    ConfigDocument same = doc(yaml);
    ConfigDiff d = ConfigDiff.of(before, running, same, same.validate());
    assertEquals(List.of("to-b"), d.changed());
    assertEquals(List.of("to-c"), d.unchanged());

    // A new CA file (the peer's certificates now chain elsewhere) restarts it as well.
    TestPki other = TestPki.create("ca2", "C=CH, O=Test, CN=Other CA", TestPki.KeyType.ECDSA_P256);
    TestPki.writeCertificates(ca, other.ca());
    GatewayConfig withOtherCa = same.validate();
    TestPki.writeCertificates(ca, pki.ca());
    assertEquals(
        List.of("to-b"), ConfigDiff.of(same, withOtherCa, same, same.validate()).changed());
  }
}
