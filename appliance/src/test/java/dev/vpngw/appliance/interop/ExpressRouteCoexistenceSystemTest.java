package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * ExpressRoute coexistence: a private circuit preferred, the Site-to-Site VPN as failover.
 *
 * <p>What stands for what: gwA is the virtual network's gateway subnet, and its kernel routing
 * table the VNet's router; two of our gateways run there, the VPN gateway ({@code gatewayType:
 * Vpn}, tunnel {@code to-b} to charon in gwB, its route to 10.2.0.0/24 into vpngw0 at metric 100)
 * and the ExpressRoute gateway ({@code gatewayType: ExpressRoute}, its circuit's route to
 * 10.2.0.0/24 via 169.254.10.2 on er0 at metric 50 while its echo probe finds the circuit alive).
 * The circuit is a veth er0 between gwA (169.254.10.1/30) and gwB (169.254.10.2/30). gwB is the
 * on-premises edge: charon (the VPN device) and the circuit's far end, whose echo function (what a
 * BFD echo partner does: send the probe straight back) is a five-line Python UDP responder on port
 * 3785. gwB's return path has the same preference, set up here as its operator would with static
 * routes: a rule sends 10.1.0.0/24 to a table holding the circuit route (metric 50) and a route
 * into charon's ipsec0 (metric 100), ahead of charon's own table 220. LAN A (10.1.0.2) pings LAN B
 * (10.2.0.2) every 10 ms throughout.
 *
 * <p>Two failures: the circuit's link goes down (gwB's end set down: our side loses carrier; gwB's
 * kernel drops its circuit route with the link), and a silent one, with the link up: gwB's nftables
 * drops everything that arrives over the circuit, probes included (a one-way black hole: gwB's
 * replies still come back over it). Each time the gap in the ping replies is measured and printed
 * and must stay under 1 s, the VPN must carry the pings (our ESP counters of {@code to-b} grow,
 * nftables' count of echo requests leaving gwA over er0 stands still), and once the circuit is
 * repaired the pings must go back to it (the reverse).
 */
@Tag("system")
class ExpressRouteCoexistenceSystemTest {
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final String OUR_CIRCUIT = "169.254.10.1";
  private static final String ONPREM_CIRCUIT = "169.254.10.2";

  /** The on-premises echo function: every datagram back to its sender, unchanged. */
  private static final String ECHO =
      "import socket,sys\n"
          + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
          + "s.bind((sys.argv[1],int(sys.argv[2])))\n"
          + "while True:\n"
          + "  d,a=s.recvfrom(2048)\n"
          + "  s.sendto(d,a)\n";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void theCircuitIsPreferredAndTheVpnTakesOverWithinASecondBothWays() throws Exception {
    try (Topology t = Topology.up(false)) {
      circuit(t);
      Process echo = null;
      Process ping = null;
      try (StrongSwan peer = charon(t);
          GatewayProcess vpn =
              IkeChildInteropSystemTest.ours(
                  t,
                  dir,
                  IkeChildInteropSystemTest.ike("aes128gcm16", "connectionMode: initiatorOnly"));
          GatewayProcess er = GatewayProcess.start(t.ns("gwA"), dir, "er", erConfig())) {
        Interop.awaitOurTunnel(vpn, peer, SETTLE);
        onPremRoutes(t);
        echo =
            new ProcessBuilder(
                    Shell.inNamespace(
                        t.ns("gwB"), "/usr/bin/python3", "-c", ECHO, ONPREM_CIRCUIT, "3785"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("echo.log").toFile())
                .start();
        awaitLog(er, "event=circuit_up", 1);
        Path pings = dir.resolve("ping.log");
        ping =
            new ProcessBuilder(
                    Shell.inNamespace(
                        t.ns("lanA"),
                        "stdbuf",
                        "-oL",
                        "ping",
                        "-n",
                        "-D",
                        "-i",
                        "0.01",
                        "10.2.0.2"))
                .redirectErrorStream(true)
                .redirectOutput(pings.toFile())
                .start();
        assertCarrier(t, vpn, "circuit", true);

        // 1: the link goes down.
        double linkDown = now();
        run("ip", "-n", t.ns("gwB"), "link", "set", "er0", "down");
        awaitLog(er, "event=circuit_down", 1);
        assertTrue(er.log().contains("reason=link"), er.log());
        assertCarrier(t, vpn, "VPN after the link went down", false);
        double linkBack = now();
        run("ip", "-n", t.ns("gwB"), "link", "set", "er0", "up");
        circuitRoute(t, "add");
        awaitLog(er, "event=circuit_up", 2);
        assertCarrier(t, vpn, "circuit after the link came back", true);

        // 2: silent: the link stays up, everything from the circuit into gwB is dropped.
        double blackHole = now();
        run(
            "ip",
            "netns",
            "exec",
            t.ns("gwB"),
            "nft",
            "add table inet circuitfail; add chain inet circuitfail in"
                + " { type filter hook prerouting priority -300; policy accept; };"
                + " add rule inet circuitfail in iifname er0 drop");
        awaitLog(er, "event=circuit_down", 2);
        assertTrue(er.log().contains("reason=probes"), er.log());
        assertCarrier(t, vpn, "VPN after the silent failure", false);
        double repaired = now();
        run("ip", "netns", "exec", t.ns("gwB"), "nft", "delete table inet circuitfail");
        awaitLog(er, "event=circuit_up", 3);
        assertCarrier(t, vpn, "circuit after the repair", true);
        double end = now();
        ping.destroy();
        ping.waitFor();

        List<double[]> replies = replies(Files.readString(pings));
        double[] gaps = {
          gap(replies, linkDown, linkBack),
          gap(replies, linkBack, blackHole),
          gap(replies, blackHole, repaired),
          gap(replies, repaired, end)
        };
        System.out.printf(
            "ExpressRoute failover, 10 ms pings lanA -> lanB (%d replies): link down -> VPN: gap"
                + " %.0f ms; link back -> circuit: gap %.0f ms; silent failure (probes dropped) ->"
                + " VPN: gap %.0f ms; repaired -> circuit: gap %.0f ms%n",
            replies.size(), gaps[0], gaps[1], gaps[2], gaps[3]);
        System.out.println(
            er.log()
                .lines()
                .filter(l -> l.startsWith("event="))
                .reduce("", (a, b) -> a + b + "\n"));
        String[] what = {"link down", "link back", "silent failure", "repair"};
        for (int i = 0; i < gaps.length; i++) {
          assertTrue(gaps[i] < 1000, what[i] + ": a gap of " + gaps[i] + " ms in the pings");
        }

        // A crashed ExpressRoute gateway leaves its route; the next one, started while the
        // circuit is silently broken, withdraws it before anything else; a clean stop does too.
        er.kill();
        assertTrue(circuitRouteShown(t), "the crash took the route with it: nothing to test");
        run(
            "ip",
            "netns",
            "exec",
            t.ns("gwB"),
            "nft",
            "add table inet circuitfail; add chain inet circuitfail in"
                + " { type filter hook prerouting priority -300; policy accept; };"
                + " add rule inet circuitfail in iifname er0 drop");
        try (GatewayProcess again =
            GatewayProcess.start(t.ns("gwA"), dir, "er-again", erConfig())) {
          assertFalse(circuitRouteShown(t), "the stale circuit route outlived the restart");
          run("ip", "netns", "exec", t.ns("gwB"), "nft", "delete table inet circuitfail");
          awaitLog(again, "event=circuit_up", 1);
          assertTrue(circuitRouteShown(t), "no circuit route once it answered");
        }
        assertFalse(circuitRouteShown(t), "the circuit route outlived a clean stop");
      } finally {
        if (ping != null) {
          ping.destroyForcibly();
        }
        if (echo != null) {
          echo.destroyForcibly();
        }
      }
    }
  }

  /**
   * The circuit: a veth er0 between gwA and gwB, and a counter of echo requests gwA sends on it.
   */
  private static void circuit(Topology t) throws IOException {
    String gwA = t.ns("gwA");
    String gwB = t.ns("gwB");
    String tmp = gwA.substring(0, gwA.length() - "-gwA".length()) + "er";
    run(
        "ip", "link", "add", tmp, "netns", gwA, "type", "veth", "peer", "name", "er0", "netns",
        gwB);
    run("ip", "-n", gwA, "link", "set", tmp, "name", "er0");
    run("ip", "-n", gwA, "addr", "add", OUR_CIRCUIT + "/30", "dev", "er0");
    run("ip", "-n", gwB, "addr", "add", ONPREM_CIRCUIT + "/30", "dev", "er0");
    run("ip", "-n", gwA, "link", "set", "er0", "up");
    run("ip", "-n", gwB, "link", "set", "er0", "up");
    run(
        "ip",
        "netns",
        "exec",
        gwA,
        "nft",
        "add table inet count; add counter inet count circuit_pings;"
            + " add chain inet count out { type filter hook postrouting priority 0; };"
            + " add rule inet count out oifname er0 icmp type echo-request counter name"
            + " circuit_pings");
  }

  /** gwB's return path: the circuit (metric 50) before the VPN (metric 100), ahead of table 220. */
  private static void onPremRoutes(Topology t) throws IOException {
    String gwB = t.ns("gwB");
    run("ip", "-n", gwB, "rule", "add", "pref", "100", "to", Interop.LAN_A, "lookup", "100");
    run(
        "ip",
        "-n",
        gwB,
        "route",
        "add",
        Interop.LAN_A,
        "dev",
        "ipsec0",
        "metric",
        "100",
        "table",
        "100");
    circuitRoute(t, "add");
  }

  private static void circuitRoute(Topology t, String verb) throws IOException {
    run(
        "ip",
        "-n",
        t.ns("gwB"),
        "route",
        verb,
        Interop.LAN_A,
        "via",
        OUR_CIRCUIT,
        "dev",
        "er0",
        "metric",
        "50",
        "table",
        "100");
  }

  /** Charon in gwB: LAN B <=> LAN A, waiting for our VPN gateway to initiate. */
  private StrongSwan charon(Topology t) throws IOException {
    return IkeChildInteropSystemTest.charon(
        t,
        dir,
        IkeChildInteropSystemTest.peerConf(
            IkeChildInteropSystemTest.peerConnection()
                .child(
                    new SwanctlConf.Child("net")
                        .localTs(Interop.LAN_B)
                        .remoteTs(Interop.LAN_A)
                        .espProposals("aes128gcm16")
                        .startAction("none"))),
        StrongSwan.Options.defaults());
  }

  private String erConfig() {
    return """
        gateway:
          name: er
          gatewayType: ExpressRoute
          publicAddress: %s
          vnetPrefixes: [%s]
          runDirectory: %s
        expressRouteCircuits:
          - name: circuit-1
            interface: er0
            peerAddress: %s
            addressPrefixes: [%s]
            liveness: {interval: 100ms, multiplier: 3}
        """
        .formatted(
            Interop.OUR_ADDRESS,
            Interop.LAN_A,
            dir.resolve("er-run"),
            ONPREM_CIRCUIT,
            Interop.LAN_B);
  }

  /**
   * Waits until the pings are carried by {@code circuit} (true) or by the VPN: over one second the
   * echo requests leaving gwA over er0 and our ESP packets of {@code to-b} grow on the one side (at
   * least 30 of the 100 pings) and stand still on the other.
   */
  private void assertCarrier(Topology t, GatewayProcess vpn, String what, boolean circuit) {
    Shell.await(
        SETTLE,
        () -> {
          try {
            long er0 = circuitPings(t);
            long esp = espOut();
            Thread.sleep(1000);
            long er0Grew = circuitPings(t) - er0;
            long espGrew = espOut() - esp;
            return circuit ? er0Grew >= 30 && espGrew == 0 : espGrew >= 30 && er0Grew == 0;
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        },
        () -> {
          try {
            return "the pings are not on the "
                + what
                + ": er0 echo requests "
                + circuitPings(t)
                + ", to-b ESP out "
                + espOut()
                + "\n"
                + t.exec("gwA", Duration.ofSeconds(10), "ip", "route").output()
                + vpn.log();
          } catch (IOException e) {
            return e.toString();
          }
        });
  }

  /** Whether gwA's kernel has the ExpressRoute gateway's route to LAN B over the circuit. */
  private static boolean circuitRouteShown(Topology t) throws IOException {
    return t.exec("gwA", Duration.ofSeconds(10), "ip", "route", "show", Interop.LAN_B)
        .output()
        .contains("via " + ONPREM_CIRCUIT + " dev er0");
  }

  private static long circuitPings(Topology t) throws IOException {
    String out =
        t.exec(
                "gwA",
                Duration.ofSeconds(10),
                "nft",
                "list",
                "counter",
                "inet",
                "count",
                "circuit_pings")
            .output();
    Matcher m = Pattern.compile("packets (\\d+)").matcher(out);
    if (!m.find()) {
      throw new IOException("no packet count in: " + out);
    }
    return Long.parseLong(m.group(1));
  }

  private long espOut() throws IOException {
    return OurSide.outboundPackets(dir).values().stream().mapToLong(Long::longValue).sum();
  }

  private static void awaitLog(GatewayProcess g, String event, int count) {
    Shell.await(
        SETTLE,
        () -> g.log().lines().filter(l -> l.startsWith(event + " ")).count() >= count,
        () -> "no " + count + " x " + event + ":\n" + g.log());
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  private static final Pattern REPLY =
      Pattern.compile("^\\[(\\d+\\.\\d+)\\] \\d+ bytes from .*icmp_seq=(\\d+)");

  /** Each reply's {time, sequence}, from ping -D's lines. */
  private static List<double[]> replies(String output) {
    List<double[]> out = new ArrayList<>();
    for (String line : output.split("\n")) {
      Matcher m = REPLY.matcher(line);
      if (m.find()) {
        out.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
      }
    }
    return out;
  }

  /** The longest time in ms between two replies received one after the other in [from, to]. */
  private static double gap(List<double[]> replies, double from, double to) {
    double longest = 0;
    double previous = Double.NaN;
    for (double[] r : replies) {
      if (r[0] < from - 0.2) {
        previous = r[0];
        continue;
      }
      if (r[0] > to) {
        break;
      }
      if (!Double.isNaN(previous)) {
        longest = Math.max(longest, (r[0] - previous) * 1000);
      }
      previous = r[0];
    }
    return longest;
  }

  private static void run(String... command) throws IOException {
    Shell.check(Duration.ofSeconds(10), List.of(command));
  }
}
