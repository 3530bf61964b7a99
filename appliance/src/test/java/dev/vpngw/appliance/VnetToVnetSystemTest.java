package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.GatewayProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * VNet-to-VNet (MISSION.md, issue 5): two of our gateways, each in front of its own virtual network
 * (LAN A 10.1.0.0/24 and fd00:1::/64, LAN B 10.2.0.0/24 and fd00:2::/64), joined by a {@code
 * Vnet2Vnet} connection written the cloud's way (a shared key, nothing else) and negotiated with
 * IKEv2 by the two gateways themselves, both free to initiate. {@code gateway validate
 * --peer-config} accepts the pair; ping over IPv4 and IPv6 and iperf3 go both ways; both gateways
 * show the child SA, and its packet counters moved in both directions on both sides.
 */
@Tag("system")
class VnetToVnetSystemTest {
  private static final String PSK = "vnet-to-vnet shared key 17";
  private static final Pattern RECEIVED_BPS =
      Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.e+]+)");
  private static final Pattern STATUS_SA =
      Pattern.compile(
          "\\{\"spi\":\"0x([0-9a-f]{8})\",\"direction\":\"(in|out)\",\"connectionId\":\\d+,"
              + "\"description\":\"(?:[^\"\\\\]|\\\\.)*\",\"packets\":(\\d+)");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void twoOfOurGatewaysJoinTheirVnetsWithIkev2() throws Exception {
    try (TwoSites sites = new TwoSites(dir, "udp", "aes128gcm16", 20, 0)) {
      sites.vnet2vnet(PSK);
      sites.startGateways();
      TwoSites.Result check =
          TwoSites.tryRun(
              GatewayProcess.mainCommand(
                  "validate",
                  "--config",
                  sites.configFile("A").toString(),
                  "--peer-config",
                  sites.configFile("B").toString()),
              Duration.ofSeconds(60));
      assertEquals(0, check.exit(), check.output() + check.errors());

      Path logA = dir.resolve("gwA.log");
      Path logB = dir.resolve("gwB.log");
      TwoSites.await(
          Duration.ofSeconds(45),
          () -> ping(sites, "lanA", "10.2.0.2") && ping(sites, "lanB", "10.1.0.2"),
          () -> "no ping through the Vnet2Vnet tunnel:\n" + logs(logA, logB));
      for (String[] p :
          List.of(
              new String[] {"lanA", "10.2.0.2"},
              new String[] {"lanB", "10.1.0.2"},
              new String[] {"lanA", "fd00:2::2"},
              new String[] {"lanB", "fd00:1::2"})) {
        TwoSites.Result r =
            sites.inNs(
                p[0],
                Duration.ofSeconds(20),
                "ping",
                "-n",
                "-q",
                "-c",
                "5",
                "-i",
                "0.2",
                "-w",
                "8",
                p[1]);
        assertEquals(0, r.exit(), p[0] + " -> " + p[1] + "\n" + r.output() + logs(logA, logB));
      }
      for (boolean reverse : List.of(false, true)) {
        double mbps = iperf(sites, reverse);
        System.out.printf(
            "VnetToVnetSystemTest: iperf3 TCP %s: %.1f Mbit/s%n",
            reverse ? "B -> A" : "A -> B", mbps);
        assertTrue(mbps > 1, "iperf3 carried " + mbps + " Mbit/s" + logs(logA, logB));
      }

      // Both sides negotiated it (an IKE SA and a child SA each) and show the child SA carrying
      // packets in both directions.
      for (Path log : List.of(logA, logB)) {
        String text = TwoSites.read(log);
        assertTrue(text.contains("event=ike_sa_established"), log + ":\n" + text);
        assertTrue(text.contains("event=child_sa_installed"), log + ":\n" + text);
      }
      Map<String, Map<String, Long>> bySide = new LinkedHashMap<>();
      for (String gateway : List.of("gwA", "gwB")) {
        Map<String, Long> packets = saPackets(sites.counters(gateway));
        bySide.put(gateway, packets);
        System.out.printf("VnetToVnetSystemTest: %s SAs %s%n", gateway, packets);
        assertTrue(
            packets.entrySet().stream().anyMatch(e -> e.getKey().endsWith("in") && e.getValue() > 0)
                && packets.entrySet().stream()
                    .anyMatch(e -> e.getKey().endsWith("out") && e.getValue() > 0),
            gateway + " shows no child SA carrying packets both ways: " + packets);
      }
      // One child SA pair, not one per initiator (both sides may start): A's inbound SPI is B's
      // outbound SPI and the other way round.
      List<String> a = new ArrayList<>(bySide.get("gwA").keySet());
      List<String> b = new ArrayList<>(bySide.get("gwB").keySet());
      assertEquals(2, a.size(), "gateway A's SAs: " + a);
      assertEquals(2, b.size(), "gateway B's SAs: " + b);
      for (String sa : a) {
        String spi = sa.split(" ")[0];
        String crossed = spi + (sa.endsWith(" in") ? " out" : " in");
        assertTrue(b.contains(crossed), "B has no " + crossed + ": A " + a + ", B " + b);
      }
    }
  }

  /** Packets per SA ("spi direction") in {@code gateway status --json} of one gateway. */
  private static Map<String, Long> saPackets(Path counters) throws Exception {
    Map<String, Long> out = new LinkedHashMap<>();
    Matcher m = STATUS_SA.matcher(GatewayProcess.statusJson(counters));
    while (m.find()) {
      out.put(m.group(1) + " " + m.group(2), Long.parseLong(m.group(3)));
    }
    return out;
  }

  /** A 3-second iperf3 TCP run from LAN A to LAN B ({@code reverse}: B sends); Mbit/s received. */
  private static double iperf(TwoSites sites, boolean reverse) throws Exception {
    sites.inNs("lanB", Duration.ofSeconds(10), "iperf3", "-s", "-D", "-1", "-p", "5212");
    TwoSites.await(
        Duration.ofSeconds(10),
        () -> {
          try {
            return sites
                .inNs("lanB", Duration.ofSeconds(5), "ss", "-ltn")
                .output()
                .contains(":5212 ");
          } catch (Exception e) {
            return false;
          }
        },
        () -> "iperf3 -s not up");
    List<String> command =
        new ArrayList<>(
            List.of("iperf3", "-c", "10.2.0.2", "-p", "5212", "-t", "3", "-O", "1", "-J"));
    if (reverse) {
      command.add("-R");
    }
    TwoSites.Result r = sites.inNs("lanA", Duration.ofSeconds(60), command.toArray(String[]::new));
    assertEquals(0, r.exit(), r.output() + r.errors());
    Matcher m = RECEIVED_BPS.matcher(r.output());
    assertTrue(m.find(), r.output());
    // The one-shot server exits after its run; wait so the next one can bind the port.
    TwoSites.await(
        Duration.ofSeconds(15),
        () -> {
          try {
            return !sites
                .inNs("lanB", Duration.ofSeconds(5), "ss", "-ltn")
                .output()
                .contains(":5212 ");
          } catch (Exception e) {
            return false;
          }
        },
        () -> "iperf3 -s still listening");
    return Double.parseDouble(m.group(1)) / 1e6;
  }

  private static boolean ping(TwoSites sites, String from, String to) {
    try {
      return sites.inNs(from, Duration.ofSeconds(10), "ping", "-c", "1", "-W", "2", to).exit() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static String logs(Path a, Path b) {
    return "\n===== gateway A\n" + TwoSites.read(a) + "\n===== gateway B\n" + TwoSites.read(b);
  }
}
