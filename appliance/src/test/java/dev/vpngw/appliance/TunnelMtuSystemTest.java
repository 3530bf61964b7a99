package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.PipelineDropReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tunnel MTU seen from the LAN hosts of two running gateways (scripts/topology.sh: LAN MTU
 * 1500, gateways configured for a smaller WAN MTU): a TCP SYN crossing the tunnel arrives with its
 * MSS clamped to the tunnel MTU less 40 (IPv4) or 60 (IPv6) bytes, and so does the SYN-ACK coming
 * back; a 1500-byte ping with DF set gets "fragmentation needed" (IPv4) or "packet too big" (IPv6)
 * naming the tunnel MTU. First the kernel's route MTU answers (the appliance routes each site with
 * the tunnel's MTU); then, with that route and the TUN device widened to 1500, the packet reaches
 * the dataplane, which must answer itself, from the gateway's address, and count it.
 */
@Tag("system")
class TunnelMtuSystemTest {
  private static final int WAN_MTU = 1400;
  private static final Pattern FRAG_NEEDED =
      Pattern.compile("From (\\S+) icmp_seq=\\d+ Frag needed and DF set \\(mtu = (\\d+)\\)");
  private static final Pattern TOO_BIG = Pattern.compile("Packet too big: mtu=(\\d+)");

  @TempDir Path dir;

  /**
   * The suites and the ESP overhead each adds to an inner packet on an IPv4 WAN (RFC 4303 2, RFC
   * 3948, RFC 4106): outer IPv4 20, UDP 8 if encapsulated, ESP header 8, the IV, the worst-case
   * padding (alignment - 1), pad length and next header 2, and the ICV.
   */
  static Stream<Arguments> tunnels() {
    return Stream.of(
        // AES-GCM-16 (RFC 4106): 8-byte IV, 4-byte alignment, 16-byte ICV, in UDP.
        Arguments.of("udp", "aes128gcm16", 20, 0, 20 + 8 + 8 + 8 + 3 + 2 + 16),
        // AES-CBC (RFC 3602) with HMAC-SHA-256-128 (RFC 4868): 16-byte IV and blocks, 16-byte ICV.
        Arguments.of("esp", "aes256-sha256", 32, 32, 20 + 8 + 16 + 15 + 2 + 16));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("tunnels")
  void synsAreClampedAndTooBigPacketsLearnTheTunnelMtu(
      String encapsulation, String proposal, int keyLength, int integrityLength, int overhead)
      throws Exception {
    int tunnelMtu = WAN_MTU - overhead;
    try (TwoSites sites =
        new TwoSites(dir, encapsulation, proposal, keyLength, integrityLength, WAN_MTU)) {
      Path lanA = dir.resolve("lanA.pcap");
      Path lanB = dir.resolve("lanB.pcap");
      capture(sites, "lanA", lanA);
      capture(sites, "lanB", lanB);
      sites.startGateways();
      TwoSites.await(
          Duration.ofSeconds(30),
          () -> ping(sites, "10.2.0.2"),
          () -> "no ping through the tunnel; gateway A:\n" + TwoSites.read(dir.resolve("gwA.log")));

      connectOverTcp(sites);
      // A SYN and a SYN-ACK per family in each capture before stopping: stopping tcpdump early
      // would lose what the kernel has not handed it yet.
      for (Path pcap : List.of(lanA, lanB)) {
        TwoSites.await(
            Duration.ofSeconds(30),
            () -> synCount(pcap) == 4,
            () -> "SYNs missing from " + pcap + ":\n" + dumpQuietly(pcap));
      }
      stopCaptures();
      // The hosts offer what their 1500-byte LAN allows; the far side sees the tunnel's MSS.
      String captured = "LAN A:\n" + dump(lanA) + "LAN B:\n" + dump(lanB);
      assertEquals(List.of("1460"), mss(lanA, "tcp.flags.ack==0 && ip"), captured);
      assertEquals(List.of("1440"), mss(lanA, "tcp.flags.ack==0 && ipv6"), captured);
      String v4Mss = String.valueOf(tunnelMtu - 40);
      String v6Mss = String.valueOf(tunnelMtu - 60);
      assertEquals(List.of(v4Mss), mss(lanB, "tcp.flags.ack==0 && ip"), captured);
      assertEquals(List.of(v6Mss), mss(lanB, "tcp.flags.ack==0 && ipv6"), captured);
      assertEquals(List.of("1460"), mss(lanB, "tcp.flags.ack==1 && ip"), captured);
      assertEquals(List.of("1440"), mss(lanB, "tcp.flags.ack==1 && ipv6"), captured);
      assertEquals(List.of(v4Mss), mss(lanA, "tcp.flags.ack==1 && ip"), captured);
      assertEquals(List.of(v6Mss), mss(lanA, "tcp.flags.ack==1 && ipv6"), captured);

      // 1472 + 8 (ICMP) + 20 (IPv4) and 1452 + 8 + 40 (IPv6): 1500-byte packets, DF set.
      String v4 = pingDf(sites, "-4", "1472", "10.2.0.2");
      Matcher m = FRAG_NEEDED.matcher(v4);
      assertTrue(m.find(), v4);
      assertEquals(String.valueOf(tunnelMtu), m.group(2), v4);
      String v6 = pingDf(sites, "-6", "1452", "fd00:2::2");
      Matcher m6 = TOO_BIG.matcher(v6);
      assertTrue(m6.find(), v6);
      assertEquals(String.valueOf(tunnelMtu), m6.group(1), v6);

      dataplaneAnswersWhatTheKernelLetsThrough(sites, tunnelMtu);
    }
  }

  /**
   * Widens gateway A's route to site B and its TUN device to 1500, so a 1500-byte packet is no
   * longer stopped by gateway A's kernel: the dataplane must refuse it (the tunnel MTU has not
   * changed) and send the ICMP error itself, from gateway A's public address. A new destination,
   * since LAN A's kernel now remembers the path MTU to 10.2.0.2.
   */
  private void dataplaneAnswersWhatTheKernelLetsThrough(TwoSites sites, int tunnelMtu)
      throws Exception {
    check(sites.inNs("gwA", Duration.ofSeconds(10), "ip", "link", "set", "vpngw0", "mtu", "1500"));
    check(
        sites.inNs(
            "gwA",
            Duration.ofSeconds(10),
            "ip",
            "route",
            "replace",
            "10.2.0.0/24",
            "dev",
            "vpngw0"));
    long before = tooBig(sites);
    String v4 = pingDf(sites, "-4", "1472", "10.2.0.1");
    Matcher m = FRAG_NEEDED.matcher(v4);
    assertTrue(m.find(), v4 + "\n(gateway A counted " + (tooBig(sites) - before) + " too big)");
    assertEquals("192.0.2.1", m.group(1), "from the dataplane, with gateway A's address: " + v4);
    assertEquals(String.valueOf(tunnelMtu), m.group(2), v4);
    assertTrue(tooBig(sites) > before, "the dataplane counted the packet as too big");
  }

  private void capture(TwoSites sites, String role, Path file) throws Exception {
    Path log = dir.resolve(role + "-tcpdump.log");
    Process tcpdump =
        sites.background(
            List.of(
                "ip",
                "netns",
                "exec",
                sites.ns(role),
                "tcpdump",
                "-i",
                "lan0",
                "-n",
                "-U",
                "--immediate-mode",
                "-Z",
                "root",
                "-w",
                file.toString(),
                "tcp port 5555"),
            log);
    TwoSites.awaitLine(log, "listening on", tcpdump);
    captures.add(tcpdump);
  }

  private final java.util.ArrayList<Process> captures = new java.util.ArrayList<>();

  private void stopCaptures() throws InterruptedException {
    for (Process p : captures) {
      p.destroy();
      p.waitFor();
    }
  }

  /** A server in LAN B (both families on port 5555) and one connection per family from LAN A. */
  private void connectOverTcp(TwoSites sites) throws Exception {
    Path server = dir.resolve("server.py");
    Files.writeString(
        server,
        """
        import socket
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('::', 5555))
        s.listen(4)
        print('LISTENING', flush=True)
        for _ in range(2):
            c, _ = s.accept()
            c.close()
        """);
    Path serverLog = dir.resolve("server.log");
    Process listening =
        sites.background(
            List.of("ip", "netns", "exec", sites.ns("lanB"), "python3", server.toString()),
            serverLog);
    TwoSites.awaitLine(serverLog, "LISTENING", listening);
    TwoSites.Result client =
        sites.inNs(
            "lanA",
            Duration.ofSeconds(60),
            "python3",
            "-c",
            """
            import socket
            for host in ('10.2.0.2', 'fd00:2::2'):
                socket.create_connection((host, 5555), timeout=20).close()
            print('CONNECTED')
            """);
    assertEquals(0, client.exit(), client.output() + client.errors());
    assertTrue(listening.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "server still up");
  }

  /** The MSS option of the SYNs in {@code pcap} matching {@code filter}, in order. */
  private static List<String> mss(Path pcap, String filter) throws Exception {
    String out =
        TwoSites.run(
            List.of(
                "tshark",
                "-n",
                "-r",
                pcap.toString(),
                "-Y",
                "tcp.flags.syn==1 && " + filter,
                "-T",
                "fields",
                "-e",
                "tcp.options.mss_val"),
            Duration.ofSeconds(60));
    return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  private static int synCount(Path pcap) {
    try {
      return mss(pcap, "tcp").size();
    } catch (Exception e) {
      return -1; // tcpdump still writing the file's header
    }
  }

  private static String dumpQuietly(Path pcap) {
    try {
      return dump(pcap);
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** The capture as tshark prints it, for failure messages. */
  private static String dump(Path pcap) throws Exception {
    return TwoSites.run(List.of("tshark", "-n", "-r", pcap.toString()), Duration.ofSeconds(60));
  }

  private static String pingDf(TwoSites sites, String family, String size, String address)
      throws Exception {
    TwoSites.Result r =
        sites.inNs(
            "lanA",
            Duration.ofSeconds(30),
            "ping",
            family,
            "-M",
            "do",
            "-s",
            size,
            "-c",
            "1",
            "-W",
            "3",
            address);
    assertNotEquals(0, r.exit(), "a 1500-byte DF packet crossed a smaller tunnel:\n" + r.output());
    return r.output() + r.errors();
  }

  private static boolean ping(TwoSites sites, String address) {
    try {
      return sites
              .inNs("lanA", Duration.ofSeconds(10), "ping", "-c", "1", "-W", "2", address)
              .exit()
          == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static long tooBig(TwoSites sites) {
    try (CountersFile.Reader reader = CountersFile.openReadOnly(sites.counters("gwA"))) {
      return reader.snapshot().dropsByReason().getOrDefault(PipelineDropReason.TOO_BIG.id(), 0L);
    } catch (Exception e) {
      return -1;
    }
  }

  private static void check(TwoSites.Result r) {
    assertEquals(0, r.exit(), r.output() + r.errors());
  }
}
