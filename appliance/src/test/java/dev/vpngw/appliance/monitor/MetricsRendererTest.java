package dev.vpngw.appliance.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.CountersSnapshot;
import dev.vpngw.counters.PipelineCounters;
import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.counters.SaCounters;
import dev.vpngw.esp.DropReason;
import dev.vpngw.esp.EspCounters;
import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.sa.SecurityAssociation.Direction;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

/**
 * The text format's rules that promtool checks on a live scrape (the system test), here on known
 * inputs: every sample belongs to a family announced once with HELP and TYPE, counters end in
 * {@code _total}, label values are escaped, and the values are the counters'.
 */
class MetricsRendererTest {
  private final CountersManager manager = CountersFile.inMemory(512);

  private String render(List<IkeSaView> ikeSas, IkeEventStats stats) {
    return MetricsRenderer.render(
        new MetricsRenderer.Inputs(
            "gw-a",
            "0.1.0",
            1_700_000_000_000L,
            List.of(
                new MetricsRenderer.ConnectionInfo("to-b", "ike", "192.0.2.2"),
                new MetricsRenderer.ConnectionInfo("odd \"name\\", "manual", "192.0.2.3")),
            new ConnectionTotals().update(CountersSnapshot.read(manager)),
            ikeSas,
            stats.snapshot(),
            0,
            java.util.Map.of("crypto-worker-0", 1.5, "vpngw-io", 0.25)));
  }

  @Test
  void countersIkeStateAndEventsAppearWithTheirLabels() {
    try (SaCounters in =
            SaCounters.allocate(manager, "to-b", 2, Direction.INBOUND, 0xc001, "192.0.2.2");
        SaCounters out =
            SaCounters.allocate(manager, "to-b", 2, Direction.OUTBOUND, 0xd001, "192.0.2.2");
        EspCounters esp = new EspCounters(manager, "worker-0");
        PipelineCounters pipeline = new PipelineCounters(manager, "tun-rx")) {
      in.packets(7, 7000);
      in.drop(DropReason.BAD_ICV);
      out.packets(5, 6000);
      esp.delivered(1000);
      pipeline.drop(PipelineDropReason.NO_ROUTE);
      IkeEventStats stats = new IkeEventStats();
      stats.accept(event("exchange_completed", "type", "IKE_AUTH", "role", "responder"));
      stats.accept(
          event("exchange_failed", "type", "CREATE_CHILD_SA", "notify", "NO_PROPOSAL_CHOSEN"));
      stats.accept(event("child_sa_rekeyed"));
      stats.accept(event("dpd_sent"));
      String text =
          render(
              List.of(
                  new IkeSaView(
                      "to-b",
                      0x1122334455667788L,
                      0x99aabbccddeeff00L,
                      "ESTABLISHED",
                      12.5,
                      List.of(new IkeSaView.Child(0xc001, 0xd001, "INSTALLED", 3.25)))),
              stats);
      assertLine(
          text,
          "vpngw_sa_packets_total{connection=\"to-b\",direction=\"in\",spi=\"0x0000c001\"} 7");
      assertLine(
          text,
          "vpngw_sa_bytes_total{connection=\"to-b\",direction=\"out\",spi=\"0x0000d001\"} 6000");
      assertLine(
          text,
          "vpngw_sa_drops_total{connection=\"to-b\",direction=\"in\",spi=\"0x0000c001\",reason=\"bad_icv\"} 1");
      assertLine(text, "vpngw_connection_packets_total{connection=\"to-b\",direction=\"in\"} 7");
      assertLine(text, "vpngw_connection_bytes_total{connection=\"to-b\",direction=\"out\"} 6000");
      assertLine(text, "vpngw_connection_up{connection=\"to-b\"} 1");
      assertLine(text, "vpngw_connection_up{connection=\"odd \\\"name\\\\\"} 0");
      assertLine(text, "vpngw_drops_total{reason=\"no_route\"} 1");
      assertLine(text, "vpngw_esp_bytes_total{direction=\"in\"} 1000");
      assertLine(
          text,
          "vpngw_ike_sa_state{connection=\"to-b\",spi_i=\"1122334455667788\",spi_r=\"99aabbccddeeff00\",state=\"ESTABLISHED\"} 1");
      assertLine(
          text,
          "vpngw_child_sa_age_seconds{connection=\"to-b\",spi_in=\"0x0000c001\",spi_out=\"0x0000d001\"} 3.250");
      assertLine(
          text,
          "vpngw_ike_exchanges_total{connection=\"to-b\",exchange=\"IKE_AUTH\",role=\"responder\"} 1");
      assertLine(
          text,
          "vpngw_ike_exchange_failures_total{connection=\"to-b\",exchange=\"CREATE_CHILD_SA\",notify=\"NO_PROPOSAL_CHOSEN\"} 1");
      assertLine(text, "vpngw_child_sa_rekeys_total{connection=\"to-b\"} 1");
      assertLine(text, "vpngw_dpd_checks_total{connection=\"to-b\"} 1");
      assertLine(text, "vpngw_dpd_dead_peers_total{connection=\"to-b\"} 0");
      assertLine(text, "vpngw_ha_role{role=\"standalone\"} 1");
      assertLine(text, "vpngw_ike_state_available 1");
      assertLine(text, "vpngw_thread_cpu_seconds_total{thread=\"crypto-worker-0\"} 1.500");
      assertWellFormed(text);
    }
  }

  @Test
  void withoutAnAnswerFromTheIkeThreadStateMetricsAreLeftOutAndSaidSo() {
    String text = render(null, new IkeEventStats());
    assertLine(text, "vpngw_ike_state_available 0");
    assertFalse(text.contains("vpngw_ike_sa_state{"), text);
    assertWellFormed(text);
  }

  @Test
  @SuppressWarnings("try") // SAs allocated only to be there while the body runs
  void everyMetricTheGrafanaDashboardQueriesExists() throws Exception {
    String dashboard =
        java.nio.file.Files.readString(
            java.nio.file.Path.of("..", "monitoring", "grafana-dashboard.json"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("vpngw_[a-z_]+").matcher(dashboard);
    String text;
    try (SaCounters in =
        SaCounters.allocate(manager, "to-b", 2, Direction.INBOUND, 0xc001, "192.0.2.2")) {
      text =
          render(
              List.of(
                  new IkeSaView(
                      "to-b",
                      1,
                      2,
                      "ESTABLISHED",
                      1,
                      List.of(new IkeSaView.Child(1, 2, "INSTALLED", 1)))),
              new IkeEventStats());
    }
    int found = 0;
    while (m.find()) {
      found++;
      assertTrue(text.contains("# TYPE " + m.group() + " "), "dashboard queries " + m.group());
    }
    assertTrue(found >= 10, "the dashboard names metrics: " + found);
  }

  private static IkeLog.Event event(String name, String... fields) {
    return new IkeLog.Event(Instant.now(), name, "to-b", List.of(fields));
  }

  private static void assertLine(String text, String line) {
    assertTrue(text.lines().anyMatch(line::equals), "no line\n" + line + "\nin\n" + text);
  }

  /** Each family announced once, before its samples; counters named _total; no sample orphaned. */
  private static void assertWellFormed(String text) {
    Set<String> announced = new HashSet<>();
    String help = null;
    String family = null;
    for (String line : text.lines().toList()) {
      if (line.startsWith("# HELP ")) {
        help = line.split(" ")[2];
        assertTrue(announced.add(help), "family twice: " + help);
      } else if (line.startsWith("# TYPE ")) {
        String[] p = line.split(" ");
        assertEquals(help, p[2], "TYPE without its HELP: " + line);
        family = p[2];
        if (p[3].equals("counter")) {
          assertTrue(family.endsWith("_total"), "counter without _total: " + family);
        } else {
          assertEquals("gauge", p[3], line);
        }
      } else {
        String name = line.split("[{ ]")[0];
        assertEquals(family, name, "sample outside its family: " + line);
      }
    }
  }
}
