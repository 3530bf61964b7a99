package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.CountersSnapshot;
import dev.vpngw.esp.DropReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two appliance processes in two network namespaces joined by a veth "internet", each with a LAN
 * namespace behind it (scripts/topology.sh), carry real traffic through a tunnel of manual keys:
 * ping (IPv4 and IPv6) and iperf3 (TCP both ways) between the LAN hosts. A capture of the WAN link
 * shows nothing but ESP, and tshark decrypts all of it with the configured keys. Captured ESP
 * replayed onto the WAN is dropped by the receiving gateway and counted as replayed.
 */
@Tag("system")
class TunnelSystemTest {
  @TempDir Path dir;

  static Stream<Arguments> tunnels() {
    return Stream.of(
        Arguments.of("udp", "aes128gcm16", 20, 0, "AES-GCM with 16 octet ICV [RFC4106]", "NULL"),
        Arguments.of(
            "esp", "aes256-sha256", 32, 32, "AES-CBC [RFC3602]", "HMAC-SHA-256-128 [RFC4868]"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("tunnels")
  void trafficFlowsThroughTheTunnelAndOnlyEspCrossesTheWan(
      String encapsulation,
      String proposal,
      int keyLength,
      int integrityLength,
      String tsharkEncryption,
      String tsharkIntegrity)
      throws Exception {
    try (TwoSites sites = new TwoSites(dir, encapsulation, proposal, keyLength, integrityLength)) {
      sites.segmentWanBeforeCapture();
      Path capture = dir.resolve("wan.pcap");
      Process tcpdump =
          sites.background(
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  sites.ns("gwA"),
                  "tcpdump",
                  "-i",
                  "wan0",
                  "-n",
                  "-U",
                  "-Z",
                  "root",
                  "-w",
                  capture.toString()),
              dir.resolve("tcpdump.log"));
      TwoSites.awaitLine(dir.resolve("tcpdump.log"), "listening on", tcpdump);
      sites.startGateways();

      // The first pings may race the SAs' installation; wait for the tunnel to carry one.
      TwoSites.await(
          Duration.ofSeconds(30),
          () -> ping(sites, "10.2.0.2", 1),
          () -> "no ping through the tunnel; gateway A:\n" + TwoSites.read(dir.resolve("gwA.log")));
      assertTrue(ping(sites, "10.2.0.2", 5), "IPv4 ping lost packets");
      assertTrue(ping(sites, "fd00:2::2", 5), "IPv6 ping lost packets");

      sites.inNs("lanB", Duration.ofSeconds(10), "iperf3", "-s", "-D", "-1", "-p", "5201");
      TwoSites.await(
          Duration.ofSeconds(10), () -> listening(sites, 5201), () -> "iperf3 -s not up");
      TwoSites.Result up =
          sites.inNs(
              "lanA",
              Duration.ofSeconds(60),
              "iperf3",
              "-c",
              "10.2.0.2",
              "-p",
              "5201",
              "-n",
              "8M",
              "-J");
      assertEquals(0, up.exit(), up.output() + up.errors());
      assertTrue(
          receivedBytes(up.output()) > 1_000_000, "iperf3 A->B moved too little: " + up.output());
      // The first one-off server may still be on its way out: the second listens on its own port.
      sites.inNs("lanB", Duration.ofSeconds(10), "iperf3", "-s", "-D", "-1", "-p", "5202");
      TwoSites.await(
          Duration.ofSeconds(10), () -> listening(sites, 5202), () -> "iperf3 -s not up");
      TwoSites.Result down =
          sites.inNs(
              "lanA",
              Duration.ofSeconds(60),
              "iperf3",
              "-c",
              "10.2.0.2",
              "-p",
              "5202",
              "-n",
              "8M",
              "-R",
              "-J");
      assertEquals(0, down.exit(), down.output() + down.errors());
      assertTrue(receivedBytes(down.output()) > 1_000_000, "iperf3 B->A moved too little");

      tcpdump.destroy();
      tcpdump.waitFor();
      checkCapture(sites, capture, tsharkEncryption, tsharkIntegrity);
      replayIsDropped(sites, capture);
    }
  }

  private static boolean ping(TwoSites sites, String address, int count) {
    try {
      return sites
              .inNs(
                  "lanA",
                  Duration.ofSeconds(30),
                  "ping",
                  "-c",
                  String.valueOf(count),
                  "-i",
                  "0.2",
                  "-W",
                  "2",
                  address)
              .exit()
          == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean listening(TwoSites sites, int port) {
    try {
      return sites
          .inNs("lanB", Duration.ofSeconds(5), "ss", "-ltn")
          .output()
          .contains(":" + port + " ");
    } catch (Exception e) {
      return false;
    }
  }

  private static long receivedBytes(String iperfJson) {
    int at = iperfJson.indexOf("\"sum_received\"");
    int bytes = iperfJson.indexOf("\"bytes\":", at);
    int end = iperfJson.indexOf(',', bytes);
    return at < 0 || bytes < 0 ? 0 : Long.parseLong(iperfJson.substring(bytes + 8, end).trim());
  }

  /** Everything on the WAN is ESP (or ARP/ND); tshark authenticates every ESP frame. */
  private void checkCapture(TwoSites sites, Path capture, String encryption, String integrity)
      throws Exception {
    String notEsp =
        TwoSites.run(
                List.of(
                    "tshark",
                    "-n",
                    "-r",
                    capture.toString(),
                    "-Y",
                    "!esp && !arp && !(icmpv6.type >= 133 && icmpv6.type <= 137)"
                        + " && !(icmpv6.type == 143)",
                    "-T",
                    "fields",
                    "-e",
                    "frame.number",
                    "-e",
                    "_ws.col.Protocol",
                    "-e",
                    "_ws.col.Info"),
                Duration.ofSeconds(120))
            .strip();
    assertEquals("", notEsp, "non-ESP traffic crossed the WAN:\n" + notEsp);
    HexFormat hex = HexFormat.of();
    List<String> command =
        new ArrayList<>(
            List.of(
                "tshark",
                "-n",
                "-r",
                capture.toString(),
                "-o",
                "esp.enable_encryption_decode:TRUE",
                "-o",
                "esp.enable_authentication_check:TRUE",
                // The ESP dissector adds its ICV verdict after dissecting the payload; an inner
                // TCP retransmission that trips TCP reassembly aborts that, leaving no verdict.
                // The inner TCP is not what is checked here, so it is not dissected.
                "--disable-protocol",
                "tcp"));
    command.addAll(
        List.of(
            "-o",
            uat(
                "192.0.2.1",
                "192.0.2.2",
                sites.spiAtoB,
                encryption,
                hex.formatHex(sites.keyAtoB),
                integrity,
                hex.formatHex(sites.integrityAtoB))));
    command.addAll(
        List.of(
            "-o",
            uat(
                "192.0.2.2",
                "192.0.2.1",
                sites.spiBtoA,
                encryption,
                hex.formatHex(sites.keyBtoA),
                integrity,
                hex.formatHex(sites.integrityBtoA))));
    command.addAll(
        List.of(
            "-Y",
            // ICMP errors quoting an ESP header are not tunnel traffic.
            "esp && !icmp",
            "-T",
            "fields",
            "-e",
            "esp.icv_good",
            "-e",
            "frame.number",
            "-e",
            "_ws.col.Info"));
    String[] lines = TwoSites.run(command, Duration.ofSeconds(300)).strip().split("\n");
    assertTrue(lines.length > 5000, "too few ESP frames captured: " + lines.length);
    List<String> bad =
        Stream.of(lines).filter(l -> !(l.startsWith("1") || l.startsWith("True"))).toList();
    assertEquals(
        List.of(),
        bad.subList(0, Math.min(10, bad.size())),
        bad.size() + " of " + lines.length + " frames tshark could not authenticate");
  }

  private static String uat(
      String src,
      String dst,
      int spi,
      String encryption,
      String key,
      String integrity,
      String integrityKey) {
    return String.format(
        "uat:esp_sa:\"IPv4\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x%s\",\"%s\",\"%s\"",
        src,
        dst,
        spi,
        encryption,
        key,
        integrity,
        integrityKey.isEmpty() ? "" : "0x" + integrityKey);
  }

  /**
   * Sends 50 captured A-to-B ESP packets again from gateway A's namespace: gateway B must drop
   * every one as a replay (RFC 4303 3.4.3) and count it.
   */
  private void replayIsDropped(TwoSites sites, Path capture) throws Exception {
    long before = replayed(sites);
    Path script = dir.resolve("replay.py");
    Files.writeString(
        script,
        """
        import sys
        from scapy.all import rdpcap, send, IP, UDP
        pkts = [p[IP] for p in rdpcap(sys.argv[1]) if IP in p and p[IP].src == '192.0.2.1'
                and (p[IP].proto == 50 or (p[IP].proto == 17 and p[IP].payload.dport == 4500))]
        pkts = [p for p in pkts if len(p) > 40][:50]
        for p in pkts:
            if UDP in p:
                # The capture holds the veth's offloaded (partial) checksum: send none instead,
                # as RFC 3948 3.1 allows over IPv4.
                p[UDP].chksum = 0
        send(pkts, verbose=False)
        print(len(pkts))
        """);
    TwoSites.Result r =
        sites.inNs(
            "gwA",
            Duration.ofSeconds(120),
            "/usr/bin/python3",
            script.toString(),
            capture.toString());
    assertEquals(0, r.exit(), r.output() + r.errors());
    int sent = Integer.parseInt(r.output().strip().lines().reduce((a, b) -> b).orElse("0"));
    assertEquals(50, sent, "the capture held too few A-to-B ESP packets to replay");
    TwoSites.await(
        Duration.ofSeconds(30),
        () -> replayed(sites) - before >= sent,
        () -> "gateway B counted " + (replayed(sites) - before) + " of " + sent + " replays");
  }

  private static long replayed(TwoSites sites) {
    try (CountersFile.Reader reader = CountersFile.openReadOnly(sites.counters("gwB"))) {
      CountersSnapshot s = reader.snapshot();
      return s.dropsByReason().getOrDefault(DropReason.REPLAYED.id(), 0L)
          + s.dropsByReason().getOrDefault(DropReason.TOO_OLD.id(), 0L);
    } catch (Exception e) {
      return -1;
    }
  }
}
