package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.counters.CounterTypes;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.CountersSnapshot;
import dev.vpngw.counters.PipelineDropReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways with the TUN and WAN offloads on (the default) carry TCP between their LANs: the
 * sending gateway reads super-packets and cuts them itself ({@code tun_gso_*} counters) and sends
 * the ESP in runs with UDP_SEGMENT ({@code wan_gso_*}), the receiving one takes the runs whole with
 * UDP_GRO ({@code wan_gro_*}) and coalesces the decrypted segments into GSO writes ({@code
 * tun_gro_*}), both ways, IPv4 and IPv6. What comes out must be what went in: 8 MiB sent each way
 * arrive with the same SHA-256, and tshark, decrypting a WAN capture with the tunnel's keys, finds
 * every inner IPv4 header and TCP checksum valid and no inner packet larger than the tunnel MTU.
 */
@Tag("system")
class TunOffloadSystemTest {
  /** The tunnel MTU for AES-128-GCM in UDP over IPv4 with a 1500-byte WAN (GatewayRuntime). */
  private static final int TUNNEL_MTU = 1500 - (20 + 8 + 8 + 8 + 4 - 1 + 2 + 16);

  @TempDir Path dir;

  @Test
  void superPacketsAreCutAndCoalescedAndTheBytesArriveIntact() throws Exception {
    try (TwoSites sites = new TwoSites(dir, "udp", "aes128gcm16", 20, 0)) {
      sites.startGateways();
      String log = TwoSites.read(dir.resolve("gwA.log"));
      assertTrue(log.contains("offloads csum tso4 tso6"), log);
      assertTrue(log.contains("wan udp offloads on"), log);

      TwoSites.await(
          Duration.ofSeconds(30),
          () -> ping(sites, "10.2.0.2", 1),
          () -> "no ping through the tunnel; gateway A:\n" + TwoSites.read(dir.resolve("gwA.log")));
      assertTrue(ping(sites, "10.2.0.2", 3), "IPv4 ping lost packets");
      assertTrue(ping(sites, "fd00:2::2", 3), "IPv6 ping lost packets");

      // Every offload on, the WAN veths taking 64 KiB UDP packets whole: what arrives is intact.
      transferIsIntact(sites, "lanA", "lanB", "10.2.0.2");
      transferIsIntact(sites, "lanB", "lanA", "10.1.0.2");
      transferIsIntact(sites, "lanA", "lanB", "fd00:2::2");
      iperf(sites, "10.2.0.2", false);
      iperf(sites, "10.2.0.2", true);
      for (String gw : List.of("gwA", "gwB")) {
        CountersSnapshot s = snapshot(sites, gw);
        String what = gw + ": " + offloads(s);
        assertTrue(s.total(CounterTypes.TUN_GSO_PACKETS) > 100, what);
        assertTrue(
            s.total(CounterTypes.TUN_GSO_SEGMENTS) > 2 * s.total(CounterTypes.TUN_GSO_PACKETS),
            what);
        assertTrue(s.total(CounterTypes.TUN_GRO_WRITES) > 100, what);
        assertTrue(
            s.total(CounterTypes.TUN_GRO_SEGMENTS) > 2 * s.total(CounterTypes.TUN_GRO_WRITES),
            what);
        assertTrue(s.total(CounterTypes.WAN_GSO_SENDS) > 100, what);
        assertTrue(
            s.total(CounterTypes.WAN_GSO_DATAGRAMS) > 2 * s.total(CounterTypes.WAN_GSO_SENDS),
            what);
        assertTrue(s.total(CounterTypes.WAN_GRO_RECEIVES) > 100, what);
        assertTrue(
            s.total(CounterTypes.WAN_GRO_DATAGRAMS) > 2 * s.total(CounterTypes.WAN_GRO_RECEIVES),
            what);
        assertEquals(
            0L, s.dropsByReason().getOrDefault(PipelineDropReason.BAD_OFFLOAD.id(), 0L), what);
      }

      // Then what crosses the WAN, cut into datagrams before the capture sees it (see TwoSites).
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
      iperf(sites, "10.2.0.2", false);
      iperf(sites, "10.2.0.2", true);
      iperf(sites, "fd00:2::2", false);
      tcpdump.destroy();
      tcpdump.waitFor();
      innerPacketsAreValid(sites, capture);
    }
  }

  private static String offloads(CountersSnapshot s) {
    StringBuilder b = new StringBuilder();
    for (int type = CounterTypes.TUN_GSO_PACKETS; type <= CounterTypes.WAN_GRO_DATAGRAMS; type++) {
      if (s.total(type) > 0 || type <= CounterTypes.TUN_GRO_SEGMENTS) {
        b.append(CounterTypes.name(type)).append('=').append(s.total(type)).append(' ');
      }
    }
    return b.toString();
  }

  private static CountersSnapshot snapshot(TwoSites sites, String gateway) throws Exception {
    try (CountersFile.Reader reader = CountersFile.openReadOnly(sites.counters(gateway))) {
      return reader.snapshot();
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

  private static void iperf(TwoSites sites, String server, boolean reverse) throws Exception {
    // The previous one-off server may still be on its way out: start the next once it is gone.
    TwoSites.await(
        Duration.ofSeconds(10), () -> !listening(sites), () -> "the last iperf3 -s still runs");
    sites.inNs("lanB", Duration.ofSeconds(10), "iperf3", "-s", "-D", "-1");
    TwoSites.await(Duration.ofSeconds(10), () -> listening(sites), () -> "iperf3 -s not up");
    List<String> command = new ArrayList<>(List.of("iperf3", "-c", server, "-n", "8M", "-J"));
    if (reverse) {
      command.add("-R");
    }
    TwoSites.Result r = sites.inNs("lanA", Duration.ofSeconds(90), command.toArray(String[]::new));
    assertEquals(0, r.exit(), r.output() + r.errors());
    assertTrue(r.output().contains("\"sum_received\""), r.output());
  }

  private static boolean listening(TwoSites sites) {
    try {
      return sites.inNs("lanB", Duration.ofSeconds(5), "ss", "-ltn").output().contains(":5201");
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * Sends 8 MiB of seeded random bytes over TCP from {@code from} to a listener in {@code to} (at
   * {@code address}), both Debian's python3, and compares the SHA-256 each side computed.
   */
  private void transferIsIntact(TwoSites sites, String from, String to, String address)
      throws Exception {
    Path server = dir.resolve("sink.py");
    Files.writeString(
        server,
        """
        import hashlib, socket, sys
        family = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((sys.argv[1], 7070))
        s.listen(1)
        print('listening', flush=True)
        c, _ = s.accept()
        h, n = hashlib.sha256(), 0
        while True:
            d = c.recv(1 << 16)
            if not d:
                break
            h.update(d)
            n += len(d)
        print('received', n, h.hexdigest(), flush=True)
        """);
    Path client = dir.resolve("source.py");
    Files.writeString(
        client,
        """
        import hashlib, random, socket, sys
        data = random.Random(sys.argv[2]).randbytes(8 << 20)
        family = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
        s = socket.create_connection((sys.argv[1], 7070), timeout=60)
        s.sendall(data)
        s.close()
        print('sent', len(data), hashlib.sha256(data).hexdigest(), flush=True)
        """);
    Path log = dir.resolve("sink-" + to + "-" + address.replace(':', '_') + ".log");
    Process sink =
        sites.background(
            List.of(
                "ip",
                "netns",
                "exec",
                sites.ns(to),
                "/usr/bin/python3",
                server.toString(),
                address),
            log);
    TwoSites.awaitLine(log, "listening", sink);
    TwoSites.Result sent =
        sites.inNs(
            from,
            Duration.ofSeconds(120),
            "/usr/bin/python3",
            client.toString(),
            address,
            from + address);
    assertEquals(0, sent.exit(), sent.output() + sent.errors());
    String[] sentWords = sent.output().strip().split(" ");
    TwoSites.await(
        Duration.ofSeconds(60),
        () -> TwoSites.read(log).contains("received"),
        () -> "the sink got no end of stream:\n" + TwoSites.read(log));
    String received =
        TwoSites.read(log).lines().filter(l -> l.startsWith("received")).findFirst().orElseThrow();
    assertEquals(
        "received " + sentWords[1] + " " + sentWords[2],
        received.strip(),
        from + " -> " + to + " (" + address + ")");
  }

  /**
   * tshark decrypts the captured ESP and checks every inner IPv4 header and TCP checksum; the inner
   * packets' lengths come from their own headers.
   */
  private void innerPacketsAreValid(TwoSites sites, Path capture) throws Exception {
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
                "tcp.desegment_tcp_streams:FALSE",
                "-o",
                "tcp.check_checksum:TRUE",
                "-o",
                "ip.check_checksum:TRUE",
                "-o",
                uat("192.0.2.1", "192.0.2.2", sites.spiAtoB, hex.formatHex(sites.keyAtoB)),
                "-o",
                uat("192.0.2.2", "192.0.2.1", sites.spiBtoA, hex.formatHex(sites.keyBtoA)),
                "-Y",
                "esp && tcp",
                "-T",
                "fields",
                "-E",
                "occurrence=l",
                "-e",
                "ip.len",
                "-e",
                "ipv6.plen",
                "-e",
                "ip.checksum.status",
                "-e",
                "tcp.checksum.status",
                "-e",
                "frame.number",
                "-e",
                "ip.src",
                "-e",
                "ipv6.src",
                "-e",
                "tcp.srcport",
                "-e",
                "tcp.flags",
                "-e",
                "tcp.seq_raw",
                "-e",
                "tcp.len"));
    String[] lines = TwoSites.run(command, Duration.ofSeconds(600)).strip().split("\n");
    assertTrue(lines.length > 10_000, "too few inner TCP packets decrypted: " + lines.length);
    long v6 = 0;
    List<String> bad = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      boolean inner6 = !f[1].isEmpty();
      int length = inner6 ? 40 + Integer.parseInt(f[1]) : Integer.parseInt(f[0]);
      v6 += inner6 ? 1 : 0;
      // Status 1 is "good"; the inner IPv4 checksum's status is the last ip one (the inner).
      boolean ok = length <= TUNNEL_MTU && f[3].equals("1") && (inner6 || f[2].equals("1"));
      if (!ok) {
        bad.add(line);
      }
    }
    assertTrue(v6 > 1000, "too few inner IPv6 TCP packets: " + v6);
    assertEquals(
        List.of(),
        bad.subList(0, Math.min(10, bad.size())),
        bad.size()
            + " of "
            + lines.length
            + " inner packets invalid (len, v6 plen, ip and tcp checksum status, frame, source, port, flags, seq, tcp length)");
  }

  private static String uat(String src, String dst, int spi, String key) {
    return String.format(
        "uat:esp_sa:\"IPv4\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x%s\",\"%s\",\"\"",
        src, dst, spi, "AES-GCM with 16 octet ICV [RFC4106]", key, "NULL");
  }
}
