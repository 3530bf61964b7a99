package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.PipelineDropReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway of the Basic SKU (100 Mbit/s aggregate) polices what its tunnels carry: an iperf3 TCP
 * stream from LAN A through two of our gateways ends at B within the SKU's rate, and B counts the
 * packets over it as bandwidth-limit drops. Gateway A has no SKU, so the limit met is B's.
 */
@Tag("system")
class SkuBandwidthSystemTest {
  private static final Pattern RECEIVED_BPS =
      Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.e+]+)");

  @TempDir Path dir;

  @Test
  void aBasicGatewayCarriesNoMoreThanItsSkuRateAndCountsWhatItPoliced() throws Exception {
    try (TwoSites sites = new TwoSites(dir, "udp", "aes128gcm16", 20, 0)) {
      sites.gatewayBSettings("  sku: Basic");
      sites.startGateways();
      TwoSites.await(
          Duration.ofSeconds(30),
          () -> ping(sites),
          () -> "no ping through the tunnel; gateway B:\n" + TwoSites.read(dir.resolve("gwB.log")));
      sites.inNs("lanB", Duration.ofSeconds(10), "iperf3", "-s", "-D", "-1", "-p", "5211");
      TwoSites.await(Duration.ofSeconds(10), () -> listening(sites), () -> "iperf3 -s not up");
      TwoSites.Result r =
          sites.inNs(
              "lanA",
              Duration.ofSeconds(60),
              "iperf3",
              "-c",
              "10.2.0.2",
              "-p",
              "5211",
              "-t",
              "8",
              "-O",
              "2",
              "-J");
      assertEquals(0, r.exit(), r.output() + r.errors());
      Matcher m = RECEIVED_BPS.matcher(r.output());
      assertTrue(m.find(), r.output());
      double mbps = Double.parseDouble(m.group(1)) / 1e6;
      System.out.printf("SkuBandwidthSystemTest: TCP through a Basic gateway: %.1f Mbit/s%n", mbps);
      // The limit counts inner IP bytes, iperf3 TCP payload: the goodput sits a little below it.
      assertTrue(mbps <= 100 * 1.05, "carried " + mbps + " Mbit/s through a 100 Mbit/s SKU");
      assertTrue(mbps >= 50, "carried only " + mbps + " Mbit/s: the policing starves TCP");
      long policed;
      try (CountersFile.Reader reader = CountersFile.openReadOnly(sites.counters("gwB"))) {
        policed =
            reader
                .snapshot()
                .dropsByReason()
                .getOrDefault(PipelineDropReason.BANDWIDTH_LIMIT.id(), 0L);
      }
      assertTrue(policed > 0, "gateway B counted no bandwidth-limit drop");
    }
  }

  private static boolean ping(TwoSites sites) {
    try {
      return sites
              .inNs("lanA", Duration.ofSeconds(10), "ping", "-c", "1", "-W", "2", "10.2.0.2")
              .exit()
          == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean listening(TwoSites sites) {
    try {
      return sites.inNs("lanB", Duration.ofSeconds(5), "ss", "-ltn").output().contains(":5211 ");
    } catch (Exception e) {
      return false;
    }
  }
}
