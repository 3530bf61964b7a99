package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's proof: our active-standby pair (gwA and gwA2 on one GatewaySubnet bridge, sharing the
 * public address 192.0.2.1 and the VNet next hop 10.1.0.1) in front of LAN A, strongSwan in gwB as
 * the peer. A 10 ms ping and an iperf3 TCP stream run through the tunnel while the active is killed
 * with SIGKILL; the peer must keep its IKE and child SAs (same SPIs, no new IKE_SA_INIT, no replay
 * or ICV failure), no (SPI, sequence number) may appear twice in the ESP both nodes sent, and a
 * rekey and DPD must work after the takeover.
 */
@Tag("system")
class HaFailoverSystemTest {
  private static final String PSK = "ha-interop-psk-of-decent-length-42";
  private static final String HA_KEY =
      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final String VIP = "192.0.2.1";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  /** Node N's configuration: the same gateway, its own {@code ha} section. */
  private String nodeConfig(int node) {
    int other = 3 - node;
    return """
        gateway:
          name: ours
          publicAddress: %s
          vnetPrefixes: [10.1.0.0/24]
          runDirectory: %s
          workers: 1
        localNetworkGateways:
          - name: site-b
            gatewayAddress: 192.0.2.2
            addressPrefixes: [10.2.0.0/24]
        connections:
          - name: to-b
            localNetworkGateway: site-b
            ike:
              sharedKey: "%s"
              connectionMode: responderOnly
              dpdDelay: 1s
              ikeProposals: [aes256-sha256-modp2048]
              espProposals: [aes128gcm16]
        ha:
          nodeId: %d
          priority: %d
          key: "%s"
          haLink: {local: "10.255.0.%d:7400", peer: "10.255.0.%d:7400"}
          public: {local: "192.0.2.1%d:7401", peer: "192.0.2.1%d:7401"}
          publicInterface: wan0
          virtualAddress: %s/24
          replication: {local: "10.255.0.%d:7402", peer: "10.255.0.%d:7402"}
          vnetInterface: lan0
          vnetVirtualAddress: 10.1.0.1/24
        """
        .formatted(
            VIP,
            run(node),
            PSK,
            node,
            node == 1 ? 200 : 100,
            HA_KEY,
            node,
            other,
            node,
            other,
            VIP,
            node,
            other);
  }

  private Path run(int node) {
    return dir.resolve("run-" + node);
  }

  private static String ns(int node) {
    return node == 1 ? "gwA" : "gwA2";
  }

  private GatewayProcess start(Topology t, int node) throws IOException {
    return GatewayProcess.start(t.ns(ns(node)), dir, "node" + node, nodeConfig(node));
  }

  private static SwanctlConf peerConf() {
    return new SwanctlConf()
        .connection(
            new Connection("s2s")
                .localAddrs("192.0.2.2")
                .remoteAddrs(VIP)
                .proposals("aes256-sha256-modp2048")
                .localPsk("192.0.2.2")
                .remotePsk(VIP)
                .dpdDelay(Duration.ofSeconds(2))
                .child(
                    new Child("net")
                        .localTs("10.2.0.0/24")
                        .remoteTs("10.1.0.0/24")
                        .espProposals("aes128gcm16")
                        .startAction("none")))
        .ikeSecret(PSK, "192.0.2.2", VIP);
  }

  /** Whether node N holds the virtual public address. */
  private static boolean holdsVip(Topology t, int node) {
    try {
      return t.exec(ns(node), Duration.ofSeconds(5), "ip", "-4", "addr", "show", "dev", "wan0")
          .output()
          .contains(" " + VIP + "/");
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code gateway ha status --json} of node N, run in its namespace (the API is on loopback). */
  private Map<?, ?> status(Topology t, int node) throws IOException {
    // GET /ha with curl, not a JVM per poll: the polling must not load the busy machine it
    // measures (the CLI itself is used by haCli below).
    String token = Files.readString(run(node).resolve("api-token")).strip();
    Shell.Result r =
        Shell.run(
            Duration.ofSeconds(30),
            Shell.inNamespace(
                t.ns(ns(node)),
                "curl",
                "-sf",
                "-m",
                "5",
                "-H",
                "Authorization: Bearer " + token,
                Files.readString(run(node).resolve("api-url")).strip() + "/ha"));
    if (!r.ok()) {
      return Map.of("error", r.output() + r.errors());
    }
    try {
      return (Map<?, ?>) ConfigLoader.read(r.output());
    } catch (dev.vpngw.appliance.config.ConfigException e) {
      throw new IOException(e.getMessage());
    }
  }

  private boolean synced(Topology t, int node, int children) {
    try {
      Map<?, ?> s = status(t, node);
      return "STANDBY".equals(String.valueOf(s.get("role")))
          && Boolean.TRUE.equals(s.get("synced"))
          && ((Number) s.get("childSas")).intValue() >= children;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private boolean active(Topology t, int node) {
    try {
      return "ACTIVE".equals(String.valueOf(status(t, node).get("role"))) && holdsVip(t, node);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Waits (bounded) until a few pings from LAN A to LAN B all get through: right after a takeover
   * the dead node's kernel may still answer for the addresses for up to the lease, and ping gives
   * up at the first "unreachable" it sends back.
   */
  private static void awaitTraffic(Topology t, String why) {
    Shell.await(
        Duration.ofSeconds(15),
        () -> {
          try {
            return t.ping("lanA", "10.2.0.2", 3);
          } catch (IOException e) {
            return false;
          }
        },
        () -> why);
  }

  /** A 10 ms ping from LAN A to LAN B with each reply's timestamp. */
  private static final class Ping implements AutoCloseable {
    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+\\.\\d+)\\] .*icmp_seq=(\\d+) ");
    private static final Pattern SUMMARY =
        Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    final Process process;
    final Path out;

    Ping(Topology t, Path out, int seconds) throws IOException {
      this.out = out;
      this.process =
          new ProcessBuilder(
                  Shell.inNamespace(
                      t.ns("lanA"),
                      "ping",
                      "-D",
                      "-n",
                      "-i",
                      "0.01",
                      // a count, not a deadline: with -w, ping gives up at the first ICMP error
                      "-c",
                      Integer.toString(seconds * 100),
                      "10.2.0.2"))
              .redirectInput(Shell.NO_INPUT)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
    }

    List<double[]> replies() throws IOException {
      List<double[]> r = new ArrayList<>();
      for (String l : Files.readAllLines(out)) {
        Matcher m = REPLY.matcher(l);
        if (m.find()) {
          r.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
        }
      }
      return r;
    }

    /** The longest time between two replies, in ms. */
    double gapMillis() throws IOException {
      List<double[]> r = replies();
      double worst = 0;
      for (int i = 1; i < r.size(); i++) {
        worst = Math.max(worst, (r.get(i)[0] - r.get(i - 1)[0]) * 1000);
      }
      return worst;
    }

    long[] summary() throws IOException {
      Matcher m = SUMMARY.matcher(Files.readString(out));
      if (!m.find()) {
        throw new IOException("no ping summary in " + Files.readString(out));
      }
      return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    void await() throws InterruptedException {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  /** An iperf3 TCP stream from LAN A to LAN B; the exit status says whether it survived. */
  private static Process iperfTcp(Topology t, int seconds, Path out) throws IOException {
    Iperf.startServer(t, "lanB");
    return new ProcessBuilder(
            Shell.inNamespace(
                t.ns("lanA"),
                "iperf3",
                "-c",
                "10.2.0.2",
                "-t",
                Integer.toString(seconds),
                "-b",
                "50M",
                "-i",
                "1",
                "-f",
                "m"))
        .redirectInput(Shell.NO_INPUT)
        .redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .start();
  }

  /** (SPI, sequence number) pairs of every ESP frame from the pair's address, with repeats. */
  private static List<String> repeatedSpiSeq(Capture c, Path dir) throws IOException {
    List<String> frames =
        c.tshark(dir.resolve("no-keys"), "esp && ip.src == " + VIP, "esp.spi", "esp.sequence");
    Set<String> seen = new HashSet<>();
    List<String> repeated = new ArrayList<>();
    for (String f : frames) {
      if (!seen.add(f)) {
        repeated.add(f);
      }
    }
    System.out.println(
        "ESP frames from " + VIP + ": " + frames.size() + ", repeated: " + repeated.size());
    return repeated;
  }

  private static String spis(StrongSwan peer) throws IOException {
    StringBuilder b = new StringBuilder();
    for (IkeSaInfo sa : peer.listSas()) {
      b.append(sa.state()).append(' ').append(sa.localSpi()).append('_').append(sa.remoteSpi());
      for (ChildSaInfo c : sa.installed("net")) {
        b.append(" child ").append(c.spiIn()).append('/').append(c.spiOut());
      }
      b.append(';');
    }
    return b.toString();
  }

  private static String why(StrongSwan peer, GatewayProcess... nodes) {
    StringBuilder b = new StringBuilder();
    for (GatewayProcess n : nodes) {
      b.append("\n===== node\n").append(n.log());
    }
    return b.append("\n===== charon\n").append(peer.log()).toString();
  }

  private static String tail(String s, int from) {
    return s.length() > from ? s.substring(from) : "";
  }

  @Test
  void killTheActiveUnderLoadAndThePeerNeverNotices() throws Exception {
    try (Topology t = Topology.upPair();
        StrongSwan peer =
            StrongSwan.start(
                t.ns("gwB"),
                dir.resolve("charon"),
                peerConf().render(),
                StrongSwan.Options.defaults());
        GatewayProcess node1 = start(t, 1)) {
      Shell.await(
          SETTLE, () -> holdsVip(t, 1), () -> "node 1 never took the address" + node1.log());
      GatewayProcess node2 = start(t, 2);
      GatewayProcess node1again = null;
      try {
        Shell.await(SETTLE, () -> synced(t, 2, 0), () -> "node 2 never synced" + node2.log());
        peer.initiate("net");
        assertTrue(
            peer.waitFor(IkeInteropSystemTest.established("net"), SETTLE), why(peer, node1, node2));
        Shell.await(SETTLE, () -> synced(t, 2, 1), () -> "node 2 has no child SA" + node2.log());
        assertTrue(
            t.ping("lanA", "10.2.0.2", 3), "tunnel carries nothing" + why(peer, node1, node2));
        String before = spis(peer);

        Path pingOut = dir.resolve("ping.txt");
        Path iperfOut = dir.resolve("iperf.txt");
        Map<String, Object> measured = new HashMap<>();
        Capture espCapture;
        try (Capture capture =
                Capture.start(
                    t.ns("gwB"), "wan0", dir.resolve("esp.pcap"), "udp port 4500 or esp");
            Ping ping = new Ping(t, pingOut, 16)) {
          espCapture = capture;
          Process iperf = iperfTcp(t, 12, iperfOut);
          Shell.await(
              Duration.ofSeconds(20),
              () -> {
                try {
                  return ping.replies().size() >= 300;
                } catch (IOException e) {
                  return false;
                }
              },
              () -> "the ping does not get through before the kill");
          int logMark = peer.log().length();
          long killed = System.nanoTime();
          node1.kill();
          Shell.await(
              Duration.ofSeconds(10),
              () -> holdsVip(t, 2),
              () -> "node 2 never took over" + node2.log());
          double takeoverMillis = (System.nanoTime() - killed) / 1e6;
          ping.await();
          assertTrue(iperf.waitFor(60, TimeUnit.SECONDS), "iperf3 hangs");
          double gap = ping.gapMillis();
          long[] sum = ping.summary();
          System.out.printf(
              "HA kill -9: address on node 2 after %.0f ms; longest ping gap %.0f ms; ping %d sent %d"
                  + " received; iperf3 exit %d%n",
              takeoverMillis, gap, sum[0], sum[1], iperf.exitValue());
          System.out.println(Files.readString(iperfOut));
          measured.put("gap", gap);
          assertEquals(
              0, iperf.exitValue(), "the TCP stream broke:\n" + Files.readString(iperfOut));
          String charonTail = tail(peer.log(), logMark);
          assertFalse(charonTail.contains("IKE_SA_INIT"), "the peer renegotiated:\n" + charonTail);
          assertFalse(
              charonTail.contains("verification failed"), "replay or ICV failures:\n" + charonTail);
          assertEquals(before, spis(peer), "the peer's SAs changed" + why(peer, node1, node2));
          capture.awaitFrames("esp && ip.src == " + VIP, 500);
        }
        assertEquals(
            List.of(), repeatedSpiSeq(espCapture, dir), "an (SPI, sequence number) was sent twice");
        assertTrue(
            (double) measured.get("gap") < 1000,
            "the gap " + measured.get("gap") + " ms is not under 1 s");

        // Rekey after the failover: the carried-over message ids must be right for it to work.
        peer.rekeyChild("net");
        Shell.await(
            SETTLE,
            () -> {
              try {
                String now = spis(peer);
                return !now.equals(before)
                    && now.startsWith("ESTABLISHED")
                    && now.contains("child");
              } catch (IOException e) {
                return false;
              }
            },
            () -> "no rekey after the failover" + why(peer, node2));
        awaitTraffic(t, "no traffic after the rekey" + why(peer, node2));

        // DPD after the failover: idle, charon asks (dpd_delay 2 s), node 2 answers.
        int dpdMark = peer.log().length();
        Shell.await(
            SETTLE,
            () ->
                tail(peer.log(), dpdMark).contains("parsed INFORMATIONAL request")
                    // our liveness check (dpdDelay 1 s) with the message id carried over, answered
                    && node2.events("exchange_completed").stream()
                        .anyMatch(l -> l.contains("exchange=dpd") && l.contains("role=initiator")),
            () -> "no DPD exchange after the failover" + why(peer, node2));
        String afterRekey = spis(peer);
        assertFalse(
            tail(peer.log(), dpdMark).contains("retransmit"), "DPD unanswered" + why(peer, node2));

        // The old active comes back: it joins as standby, syncs, and can take over again.
        node1again = start(t, 1);
        GatewayProcess back = node1again;
        Shell.await(
            SETTLE, () -> synced(t, 1, 1), () -> "node 1 did not rejoin as standby" + back.log());
        assertTrue(holdsVip(t, 2), "node 1 took the address back");
        int mark = peer.log().length();
        node2.kill();
        Shell.await(
            Duration.ofSeconds(10),
            () -> active(t, 1),
            () -> "node 1 never took over" + back.log());
        awaitTraffic(t, "no traffic after the second takeover" + why(peer, back));
        assertEquals(afterRekey, spis(peer), "the peer's SAs changed at the second takeover");
        assertFalse(
            tail(peer.log(), mark).contains("IKE_SA_INIT"), "renegotiated at the second takeover");
      } finally {
        node2.close();
        if (node1again != null) {
          node1again.close();
        }
      }
    }
  }

  /** Node N's command line tool in its namespace: {@code gateway ha VERB}. */
  private Shell.Result ha(Topology t, int node, String verb) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(GatewayProcess.jvmFlags());
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.vpngw.appliance.Main",
            "ha",
            verb,
            "--run-directory",
            run(node).toString()));
    return Shell.run(
        Duration.ofSeconds(60), Shell.inNamespace(t.ns(ns(node)), command.toArray(String[]::new)));
  }

  /** The pair up (node 1 active, node 2 synced) with the peer's tunnel established through it. */
  private void pairUp(Topology t, StrongSwan peer, GatewayProcess node1, GatewayProcess node2)
      throws IOException {
    Shell.await(SETTLE, () -> synced(t, 2, 0), () -> "node 2 never synced" + node2.log());
    peer.initiate("net");
    assertTrue(
        peer.waitFor(IkeInteropSystemTest.established("net"), SETTLE), why(peer, node1, node2));
    Shell.await(SETTLE, () -> synced(t, 2, 1), () -> "node 2 has no child SA" + node2.log());
    awaitTraffic(t, "the tunnel carries nothing" + why(peer, node1, node2));
  }

  @Test
  void plannedSwitchoverLosesNoPing() throws Exception {
    try (Topology t = Topology.upPair();
        StrongSwan peer =
            StrongSwan.start(
                t.ns("gwB"),
                dir.resolve("charon"),
                peerConf().render(),
                StrongSwan.Options.defaults());
        GatewayProcess node1 = start(t, 1)) {
      Shell.await(SETTLE, () -> active(t, 1), () -> "node 1 never became active" + node1.log());
      try (GatewayProcess node2 = start(t, 2)) {
        pairUp(t, peer, node1, node2);
        String before = spis(peer);
        int logMark = peer.log().length();
        try (Ping ping = new Ping(t, dir.resolve("ping-switchover.txt"), 10)) {
          Shell.await(
              Duration.ofSeconds(20),
              () -> {
                try {
                  return ping.replies().size() >= 200;
                } catch (IOException e) {
                  return false;
                }
              },
              () -> "the ping does not get through");
          Shell.Result r = ha(t, 1, "switchover");
          assertTrue(r.ok(), "gateway ha switchover: " + r.output() + r.errors());
          Shell.await(
              Duration.ofSeconds(10),
              () -> active(t, 2),
              () -> "node 2 never took over" + why(peer, node1, node2));
          ping.await();
          long[] sum = ping.summary();
          System.out.printf(
              "HA planned switchover: ping %d sent %d received, longest gap %.0f ms%n",
              sum[0], sum[1], ping.gapMillis());
          assertEquals(sum[0], sum[1], "pings lost in a planned switchover");
        }
        Shell.Result cli = ha(t, 1, "status");
        assertTrue(
            cli.ok() && cli.output().contains("STANDBY"), "gateway ha status: " + cli.output());
        assertFalse(holdsVip(t, 1), "node 1 kept the address");
        assertEquals(before, spis(peer), "the peer's SAs changed");
        String charonTail = tail(peer.log(), logMark);
        assertFalse(charonTail.contains("IKE_SA_INIT"), "the peer renegotiated:\n" + charonTail);
        assertFalse(charonTail.contains("verification failed"), "replay or ICV failures");
      }
    }
  }

  /**
   * Cutting only the HA link changes nothing (heartbeats still arrive on the public side): node 1
   * stays the only one sending ESP; when the link heals the standby resyncs to the same lsn.
   */
  @Test
  void cuttingOnlyTheHaLinkKeepsOneActiveAndHealingConverges() throws Exception {
    try (Topology t = Topology.upPair();
        StrongSwan peer =
            StrongSwan.start(
                t.ns("gwB"),
                dir.resolve("charon"),
                peerConf().render(),
                StrongSwan.Options.defaults());
        GatewayProcess node1 = start(t, 1)) {
      Shell.await(SETTLE, () -> active(t, 1), () -> "node 1 never became active" + node1.log());
      try (GatewayProcess node2 = start(t, 2)) {
        pairUp(t, peer, node1, node2);
        String before = spis(peer);
        String mac1 = mac(t, "gwA");
        Capture capture;
        try (Capture c =
            Capture.start(t.ns("gwB"), "wan0", dir.resolve("split.pcap"), "udp port 4500 or esp")) {
          capture = c;
          Shell.check(
              Duration.ofSeconds(10),
              Shell.inNamespace(t.ns("gwA"), "ip", "link", "set", "ha0", "down"));
          // Ten times the failure time: roles must not move (heartbeats still cross the public
          // side).
          long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
          while (System.nanoTime() < until) {
            assertTrue(active(t, 1), "node 1 lost the active role" + why(peer, node1, node2));
            assertEquals("STANDBY", String.valueOf(status(t, 2).get("role")), "node 2 took over");
            assertFalse(holdsVip(t, 2), "node 2 took the address");
            // Each check starts processes (curl, ip): pace them so the polling does not load the
            // machine whose heartbeats it watches.
            Thread.sleep(150);
          }
          assertTrue(t.ping("lanA", "10.2.0.2", 10), "traffic stopped" + why(peer, node1, node2));
          c.awaitFrames("esp && ip.src == " + VIP, 10);
          // The journal stream runs on the HA link: the active's journal (IKE liveness checks
          // every second while idle) moves on without the standby.
          Shell.await(
              SETTLE,
              () -> {
                try {
                  return ((Number) status(t, 1).get("lsn")).longValue()
                      > ((Number) status(t, 2).get("lsn")).longValue();
                } catch (IOException | RuntimeException e) {
                  return false;
                }
              },
              () -> "the active's journal did not move during the cut" + node1.log());
        }
        List<String> senders =
            capture.tshark(dir.resolve("no-keys"), "esp && ip.src == " + VIP, "eth.src");
        assertEquals(
            Set.of(mac1), new HashSet<>(senders), "ESP from 192.0.2.1 came from more than node 1");
        Shell.check(
            Duration.ofSeconds(10),
            Shell.inNamespace(t.ns("gwA"), "ip", "link", "set", "ha0", "up"));
        Shell.await(
            SETTLE,
            () -> {
              try {
                Map<?, ?> s1 = status(t, 1);
                Map<?, ?> s2 = status(t, 2);
                return Boolean.TRUE.equals(s2.get("synced"))
                    // node 2 is read after node 1: caught up means at least node 1's lsn then
                    && ((Number) s2.get("lsn")).longValue() >= ((Number) s1.get("lsn")).longValue();
              } catch (IOException e) {
                return false;
              }
            },
            () -> "the standby did not converge after the heal" + node2.log());
        assertTrue(active(t, 1), "node 1 is no longer active after the heal");
        assertEquals(before, spis(peer), "the peer's SAs changed");
      }
    }
  }

  private static String mac(Topology t, String role) throws IOException {
    String out = t.exec(role, Duration.ofSeconds(5), "ip", "link", "show", "dev", "wan0").output();
    Matcher m = Pattern.compile("link/ether ([0-9a-f:]+)").matcher(out);
    assertTrue(m.find(), out);
    return m.group(1);
  }
}
