package dev.vpngw.appliance.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The {@code monitoring} section: defaults, a full section, and each mistake named by its field.
 */
class MonitoringConfigTest {
  private static GatewayConfig parse(String monitoring) throws ConfigException {
    return ConfigLoader.parse(ConfigLoaderTest.VALID + monitoring);
  }

  @Test
  void withoutASectionThereIsNoEndpointAndTheJournalIsInTheRunDirectory() throws Exception {
    MonitoringConfig m = ConfigLoader.parse(ConfigLoaderTest.VALID).monitoring();
    assertNull(m.metrics());
    assertEquals(Path.of("/run/vpngw/gw-a/events"), m.eventJournal());
    assertEquals(14, m.eventJournalDays());
  }

  @Test
  void aFullSectionLoads() throws Exception {
    MonitoringConfig m =
        parse(
                """
                monitoring:
                  metrics: {address: "::1", port: 9810}
                  eventJournal: false
                  eventJournalDays: 30
                """)
            .monitoring();
    assertEquals(30, m.eventJournalDays());
    assertEquals(InetAddress.getByName("::1"), m.metrics().address());
    assertEquals(9810, m.metrics().port());
    assertNull(m.eventJournal());
  }

  @Test
  void theMetricsAddressDefaultsToLoopback() throws Exception {
    MonitoringConfig m = parse("monitoring:\n  metrics: {port: 9810}\n").monitoring();
    assertEquals(InetAddress.getByName("127.0.0.1"), m.metrics().address());
  }

  @Test
  void anSnmpSectionLoadsAndNeverPrintsItsSecrets() throws Exception {
    MonitoringConfig.Snmp snmp =
        parse(
                """
                monitoring:
                  snmp:
                    port: 1161
                    community: s3cret-community
                    users: [{name: ops, authPassword: auth-secret-1, privPassword: priv-secret-2}]
                    trapTargets: ["192.0.2.9", "192.0.2.10:1162", "[2001:db8::9]:2162", "2001:db8::8"]
                """)
            .monitoring()
            .snmp();
    assertEquals(InetAddress.getByName("127.0.0.1"), snmp.address());
    assertEquals(1161, snmp.port());
    assertEquals("s3cret-community", snmp.community());
    assertEquals("auth-secret-1", snmp.users().get(0).authPassword());
    assertEquals(
        java.util.List.of(
            new java.net.InetSocketAddress("192.0.2.9", 162),
            new java.net.InetSocketAddress("192.0.2.10", 1162),
            new java.net.InetSocketAddress("2001:db8::9", 2162),
            new java.net.InetSocketAddress("2001:db8::8", 162)),
        snmp.trapTargets());
    String text = snmp.toString() + snmp.users();
    assertTrue(
        !text.contains("s3cret") && !text.contains("secret-1") && !text.contains("secret-2"), text);
  }

  @Test
  void snmpMistakesAreNamedByTheirField() {
    assertRefused("monitoring:\n  snmp: {port: 161}\n", "monitoring.snmp.community", "community");
    assertRefused(
        "monitoring:\n  snmp: {users: [{name: a, authPassword: short, privPassword: long-enough}]}\n",
        "monitoring.snmp.users[0].authPassword",
        "at least 8");
    assertRefused(
        "monitoring:\n  snmp: {users: [{name: a, authPassword: long-enough, privPassword: long-enough}],"
            + " trapTargets: [192.0.2.9]}\n",
        "monitoring.snmp.trapTargets",
        "need a community");
    assertRefused(
        "monitoring:\n  snmp: {community: c, trapTargets: [\"192.0.2.9:99999\"]}\n",
        "monitoring.snmp.trapTargets[0]",
        "outside");
    assertRefused(
        "monitoring:\n  snmp: {community: c, trapTargets: [nms.example]}\n",
        "monitoring.snmp.trapTargets[0]",
        "not an IP address");
  }

  @Test
  void mistakesAreNamedByTheirField() {
    assertRefused("monitoring:\n  metrics: {port: 0}\n", "monitoring.metrics.port", "outside");
    assertRefused("monitoring:\n  metrics: {}\n", "monitoring.metrics.port", "required");
    assertRefused(
        "monitoring:\n  metrics: {port: 9810, address: localhost}\n",
        "monitoring.metrics.address",
        "not an IP address");
    assertRefused("monitoring:\n  metric: {port: 9810}\n", "monitoring.metric", "unknown field");
    assertRefused("monitoring:\n  eventJournal: yes please\n", "monitoring.eventJournal", "true");
    assertRefused("monitoring:\n  eventJournalDays: 0\n", "monitoring.eventJournalDays", "outside");
  }

  private static void assertRefused(String section, String field, String why) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(section));
    assertTrue(e.getMessage().startsWith(field + ":"), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }
}
