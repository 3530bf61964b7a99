package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Monitoring of a live tunnel to strongSwan: the Prometheus endpoint, scraped with curl inside our
 * gateway's namespace, passes {@code promtool check metrics} and shows the same numbers as {@code
 * gateway status --json} (both read the counters file), which move with traffic; and the event
 * journal, read back by {@code gateway events} (once, with filters, and following), holds the
 * tunnel's whole life from IKE_SA_INIT to its delete, without a byte of key material.
 */
@Tag("system")
class MonitoringInteropSystemTest {
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final int METRICS_PORT = 9810;
  private static final String IKE = "aes256-sha256-modp2048";
  private static final String ESP = "aes128gcm16";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private String ourConfig() {
    return Interop.gatewayConfig(
                dir,
                """
            sharedKey: "%s"
            connectionMode: responderOnly
            ikeProposals: [%s]
            espProposals: [%s]
            """
                    .formatted(IkeInteropSystemTest.PSK, IKE, ESP))
            // A SKU, so the bandwidth limit has a value to show.
            .replace("  workers: 1\n", "  workers: 1\n  sku: VpnGw1\n")
        + "monitoring:\n  metrics: {address: 127.0.0.1, port: %d}\n".formatted(METRICS_PORT);
  }

  private StrongSwan startPeer(Topology t) throws IOException {
    return StrongSwan.start(
        t.ns("gwB"),
        dir.resolve("charon"),
        IkeInteropSystemTest.peerConf(IKE, ESP, "none").render(),
        StrongSwan.Options.defaults());
  }

  @Test
  void metricsOfALiveTunnelMatchTheCountersMoveWithTrafficAndPassPromtool() throws Exception {
    try (Topology t = Topology.up(false);
        GatewayProcess ours = GatewayProcess.start(t.ns("gwA"), dir, "ours", ourConfig());
        StrongSwan peer = startPeer(t)) {
      peer.initiate("net");
      Interop.awaitOurTunnel(ours, peer, SETTLE);
      Shell.await(
          SETTLE,
          () -> scrape(t).contains("vpngw_connection_up{connection=\"to-b\"} 1"),
          () -> "tunnel never up in the metrics:\n" + scrape(t) + Interop.why(ours, peer));
      String before = scrape(t);
      promtool(before);
      assertTrue(
          value(
                  before,
                  "vpngw_ike_exchanges_total",
                  "connection=\"to-b\",exchange=\"IKE_AUTH\",role=\"responder\"")
              >= 1,
          before);
      assertTrue(before.contains("state=\"ESTABLISHED\"} 1"), before);
      assertTrue(before.contains("state=\"INSTALLED\"} 1"), before);
      assertTrue(before.contains("vpngw_ha_role{role=\"standalone\"} 1"), before);
      // The SKU's limit per direction, beside the byte counters, and what the limiter let through.
      for (String direction : List.of("in", "out")) {
        String labels = "direction=\"%s\"".formatted(direction);
        assertEquals(
            650_000_000L / 8,
            value(before, "vpngw_bandwidth_limit_bytes_per_second", labels),
            before);
        long used = value(before, "vpngw_bandwidth_used_bytes_per_second", labels);
        // A few IKE and ping packets at most: far below the limit.
        assertTrue(used >= 0 && used < 650_000_000L / 8, before);
      }
      // GatewayProcess runs the dataplane on one SHARED thread.
      assertTrue(
          before.contains("vpngw_thread_cpu_seconds_total{thread=\"vpngw-dataplane\"}"), before);
      assertTrue(before.contains("vpngw_thread_cpu_seconds_total{thread=\"ike\"}"), before);

      Interop.assertPingsBothWays(t, 20, ours, peer);
      // Both read the same counters; once traffic has stopped they agree to the packet.
      String status = settledStatus();
      String after = scrape(t);
      promtool(after);
      List<String[]> sas = statusSas(status);
      assertEquals(2, sas.size(), status);
      for (String[] sa : sas) {
        String labels = "connection=\"to-b\",direction=\"%s\",spi=\"%s\"".formatted(sa[1], sa[0]);
        assertEquals(
            Long.parseLong(sa[2]), value(after, "vpngw_sa_packets_total", labels), status + after);
        assertEquals(
            Long.parseLong(sa[3]), value(after, "vpngw_sa_bytes_total", labels), status + after);
      }
      assertEquals(
          jsonLong(status, "packetsIn"),
          value(after, "vpngw_esp_packets_total", "direction=\"in\""),
          status + after);
      assertEquals(
          jsonLong(status, "bytesOut"),
          value(after, "vpngw_esp_bytes_total", "direction=\"out\""),
          status + after);
      for (String direction : List.of("in", "out")) {
        String labels = "connection=\"to-b\",direction=\"%s\"".formatted(direction);
        long moved =
            value(after, "vpngw_connection_packets_total", labels)
                - value(before, "vpngw_connection_packets_total", labels);
        // 20 echo requests and 20 replies cross each way.
        assertTrue(moved >= 40, direction + " moved only " + moved + "\n" + after);
        assertTrue(
            value(after, "vpngw_connection_bytes_total", labels)
                >= value(before, "vpngw_connection_bytes_total", labels) + 40 * 84,
            after);
      }
      assertEquals(
          0,
          value(after, "vpngw_connection_drops_total", "connection=\"to-b\",reason=\"bad_icv\""));
      Interop.assertNoKeyMaterial(after, peer.espKeys());
    }
  }

  @Test
  void theJournalHoldsATunnelsLifeAndGatewayEventsFiltersAndFollowsIt() throws Exception {
    Path journal = dir.resolve("run").resolve("events");
    try (Topology t = Topology.up(false);
        GatewayProcess ours = GatewayProcess.start(t.ns("gwA"), dir, "ours", ourConfig());
        StrongSwan peer = startPeer(t)) {
      Path followed = dir.resolve("follow.out");
      Process follow =
          new ProcessBuilder(
                  GatewayProcess.mainCommand(
                      "events",
                      "--journal",
                      journal.toString(),
                      "--follow",
                      "--connection",
                      "to-b"))
              .redirectInput(Shell.NO_INPUT)
              .redirectErrorStream(true)
              .redirectOutput(followed.toFile())
              .start();
      try {
        peer.initiate("net");
        Interop.awaitOurTunnel(ours, peer, SETTLE);
        Interop.assertPingsBothWays(t, 3, ours, peer);
        peer.rekeyChild("net");
        Shell.await(
            SETTLE,
            () -> !ours.events("child_sa_rekeyed").isEmpty(),
            () -> "no rekey" + Interop.why(ours, peer));
        peer.terminateIke("s2s");
        Shell.await(
            SETTLE,
            () -> !ours.events("ike_sa_down").isEmpty(),
            () -> "no delete" + Interop.why(ours, peer));

        List<String> loggedBefore = ours.log().lines().filter(l -> l.startsWith("ts=")).toList();
        java.util.concurrent.atomic.AtomicReference<List<String>> read =
            new java.util.concurrent.atomic.AtomicReference<>(List.of());
        Shell.await(
            Duration.ofSeconds(10),
            () -> {
              try {
                read.set(cli("events", "--journal", journal.toString()).output().lines().toList());
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
              return read.get().containsAll(loggedBefore);
            },
            () -> "the journal lacks logged events:\n" + read.get() + "\n" + loggedBefore);
        List<String> all = read.get();
        List<String> names = all.stream().map(l -> Interop.field(l, "event")).toList();
        assertInOrder(
            names,
            List.of(
                "exchange_completed",
                "ike_sa_established",
                "child_sa_installed",
                "child_sa_rekeyed",
                "child_sa_deleted",
                "ike_sa_down"),
            all);
        assertEquals(
            "IKE_SA_INIT", Interop.field(all.get(names.indexOf("exchange_completed")), "type"));
        // The journal holds the very lines the gateway logged, and nothing else.
        List<String> logged = ours.log().lines().toList();
        for (String line : all) {
          assertTrue(logged.contains(line), "not in the log: " + line);
        }

        // Filters.
        assertEquals(
            "", cli("events", "--journal", journal.toString(), "--connection", "nope").output());
        List<String> installed =
            cli("events", "--journal", journal.toString(), "--event", "child_sa_installed")
                .output()
                .lines()
                .toList();
        assertEquals(2, installed.size(), String.join("\n", installed));
        assertTrue(installed.stream().allMatch(l -> l.contains(" event=child_sa_installed ")));
        assertEquals(
            "",
            cli("events", "--journal", journal.toString(), "--since", "2099-01-01T00:00:00Z")
                .output());
        String established = all.get(names.indexOf("ike_sa_established"));
        String since = established.substring("ts=".length(), established.indexOf(' '));
        List<String> later =
            cli("events", "--journal", journal.toString(), "--since", since)
                .output()
                .lines()
                .toList();
        assertTrue(later.contains(established), String.join("\n", later));
        assertFalse(later.contains(all.get(0)), "an event before --since: " + all.get(0));
        assertTrue(later.contains(all.get(all.size() - 1)));
        assertEquals(
            2, cli("events", "--journal", journal.toString(), "--since", "yesterday").exit());

        // --follow printed them as they came, this connection's only.
        Shell.await(
            Duration.ofSeconds(10),
            () -> read(followed).contains(" event=ike_sa_down "),
            () -> "follow output:\n" + read(followed));
        // (Only event lines: standard error, in the same file, would carry any JVM warning.)
        List<String> followedEvents =
            read(followed).lines().filter(l -> l.startsWith("ts=")).toList();
        assertTrue(
            followedEvents.stream().allMatch(l -> l.contains(" connection=to-b ")), read(followed));
        assertTrue(
            followedEvents.containsAll(
                all.stream().filter(l -> l.contains(" connection=to-b ")).toList()),
            read(followed));

        // No key material in the log, the journal's output or the journal's files.
        Interop.assertNoKeyMaterial(ours.log() + String.join("\n", all), peer.espKeys());
        assertNoKeyBytes(journal, peer.espKeys());
      } finally {
        follow.destroy();
        follow.waitFor();
      }
    }
  }

  @Test
  void snmpAgentAnswersV2cAndV3WithTheCountersAndNotifiesLinkUpAndDown() throws Exception {
    String snmp =
        """
        monitoring:
          snmp:
            address: 127.0.0.1
            port: %d
            community: %s
            users: [{name: ops, authPassword: %s, privPassword: %s}]
            trapTargets: ["127.0.0.1:%d"]
        """
            .formatted(SNMP_PORT, COMMUNITY, AUTH, PRIV, TRAP_PORT);
    String config =
        Interop.gatewayConfig(
                dir,
                """
                sharedKey: "%s"
                connectionMode: responderOnly
                ikeProposals: [%s]
                espProposals: [%s]
                """
                    .formatted(IkeInteropSystemTest.PSK, IKE, ESP))
            + snmp;
    try (Topology t = Topology.up(false)) {
      Path trapConf = dir.resolve("snmptrapd.conf");
      Files.writeString(trapConf, "authCommunity log " + COMMUNITY + "\n");
      Path traps = dir.resolve("traps.log");
      Process trapd = startTrapd(t, trapConf, traps);
      try (GatewayProcess ours = GatewayProcess.start(t.ns("gwA"), dir, "ours", config);
          StrongSwan peer = startPeer(t)) {
        Shell.await(
            SETTLE,
            () -> read(traps).contains("OID: " + COLD_START),
            () -> "no coldStart when the agent started:\n" + read(traps));
        assertEquals("2", snmpGet(t, V2C, IF_OPER_STATUS_1), "down before the tunnel");
        peer.initiate("net");
        Interop.awaitOurTunnel(ours, peer, SETTLE);
        Shell.await(
            SETTLE,
            () -> read(traps).contains("OID: " + LINK_UP),
            () -> "no linkUp:\n" + read(traps));
        Interop.assertPingsBothWays(t, 20, ours, peer);
        String status = settledStatus();
        long[] in = new long[2];
        long[] out = new long[2];
        for (String[] sa : statusSas(status)) {
          long[] d = sa[1].equals("in") ? in : out;
          d[0] += Long.parseLong(sa[2]);
          d[1] += Long.parseLong(sa[3]);
        }
        assertTrue(in[0] >= 40 && out[0] >= 40, status);

        // SNMPv2c: a walk of ifXTable and a get of ifTable, against the counters.
        Shell.Result walk =
            t.exec(
                "gwA",
                Duration.ofSeconds(20),
                concat(List.of("snmpwalk"), V2C, List.of("1.3.6.1.2.1.31.1.1.1")));
        assertTrue(walk.ok(), walk.describe());
        assertEquals(in[1], walkValue(walk.output(), ".1.3.6.1.2.1.31.1.1.1.6.1"), walk.output());
        assertEquals(in[0], walkValue(walk.output(), ".1.3.6.1.2.1.31.1.1.1.7.1"), walk.output());
        assertEquals(out[1], walkValue(walk.output(), ".1.3.6.1.2.1.31.1.1.1.10.1"), walk.output());
        assertEquals(out[0], walkValue(walk.output(), ".1.3.6.1.2.1.31.1.1.1.11.1"), walk.output());
        assertEquals("\"to-b\"", snmpGet(t, V2C, ".1.3.6.1.2.1.2.2.1.2.1"));
        assertEquals("1", snmpGet(t, V2C, IF_OPER_STATUS_1));
        assertEquals("0", snmpGet(t, V2C, ".1.3.6.1.2.1.2.2.1.14.1"), "ifInErrors");
        assertEquals("1", snmpGet(t, V2C, ".1.3.6.1.4.1.32473.1.1.2.0"), "child SAs");
        assertEquals("1", snmpGet(t, V2C, ".1.3.6.1.4.1.32473.1.1.4.0"), "HA role standalone");

        // SNMPv3, authPriv with SHA-256 and AES-128; a wrong passphrase, a lower level and a
        // wrong community get nothing.
        assertEquals("\"to-b\"", snmpGet(t, V3, ".1.3.6.1.2.1.2.2.1.2.1"));
        List<String> wrongAuth = new ArrayList<>(V3);
        wrongAuth.set(wrongAuth.indexOf(AUTH), "not-the-passphrase");
        assertFalse(snmpGetResult(t, wrongAuth, ".1.3.6.1.2.1.2.2.1.2.1").ok());
        assertFalse(
            snmpGetResult(
                    t,
                    List.of(
                        "-v3",
                        "-l",
                        "authNoPriv",
                        "-u",
                        "ops",
                        "-a",
                        "SHA-256",
                        "-A",
                        AUTH,
                        "-On",
                        "-Oq",
                        "-t",
                        "2",
                        "-r",
                        "0",
                        AGENT),
                    ".1.3.6.1.2.1.2.2.1.2.1")
                .output()
                .contains("to-b"));
        assertFalse(
            snmpGetResult(
                    t,
                    List.of("-v2c", "-c", "guess", "-On", "-Oq", "-t", "1", "-r", "0", AGENT),
                    ".1.3.6.1.2.1.2.2.1.2.1")
                .ok());

        // The tunnel goes: linkDown, and the interface reads down.
        peer.terminateIke("s2s");
        Shell.await(
            SETTLE,
            () -> read(traps).contains("OID: " + LINK_DOWN),
            () -> "no linkDown:\n" + read(traps));
        String down =
            read(traps).lines().filter(l -> l.contains("OID: " + LINK_DOWN)).findFirst().get();
        assertTrue(down.contains(".1.3.6.1.2.1.2.2.1.1.1 = INTEGER: 1"), down);
        assertTrue(down.contains(".1.3.6.1.2.1.2.2.1.8.1 = INTEGER: 2"), down);
        assertEquals("2", snmpGet(t, V2C, IF_OPER_STATUS_1));
      } finally {
        trapd.destroy();
        trapd.waitFor();
      }
    }
  }

  @Test
  void captureOfALiveTunnelOuterWithKeysDecryptsAndInnerIsPlain() throws Exception {
    try (Topology t = Topology.up(false);
        GatewayProcess ours = GatewayProcess.start(t.ns("gwA"), dir, "ours", ourConfig());
        StrongSwan peer = startPeer(t)) {
      peer.initiate("net");
      Interop.awaitOurTunnel(ours, peer, SETTLE);
      Path config = dir.resolve("ours.yaml");

      // As Capture does: the WAN veth takes no GSO packet, so the kernel cuts our UDP_SEGMENT runs
      // of ESP into datagrams before the capture point (a NIC without segmentation offload).
      Shell.check(
          Duration.ofSeconds(10),
          Shell.inNamespace(t.ns("gwA"), "ip", "link", "set", "dev", "wan0", "gso_max_segs", "1"));
      Path outer = dir.resolve("outer.pcapng");
      Shell.Result o =
          captureWhilePinging(
              t, ours, peer, "--outer", outer, "--with-keys", "--config", config.toString());
      assertTrue(o.ok(), o.describe());
      Path keys = dir.resolve("outer.pcapng.keys");
      assertTrue(Files.exists(keys.resolve("wireshark").resolve("esp_sa")), o.describe());
      List<String> esp =
          Shell.check(
                  Duration.ofSeconds(120),
                  List.of(
                      "env",
                      "XDG_CONFIG_HOME=" + keys,
                      "tshark",
                      "-n",
                      "-r",
                      outer.toString(),
                      "-o",
                      "esp.enable_encryption_decode:TRUE",
                      "-o",
                      "esp.enable_authentication_check:TRUE",
                      "-Y",
                      "esp",
                      "-T",
                      "fields",
                      "-E",
                      "occurrence=l",
                      "-e",
                      "esp.icv_good",
                      "-e",
                      "icmp.type",
                      "-e",
                      "ip.len"))
              .output()
              .lines()
              .toList();
      // 10 pings each way: 40 ICMP packets of 84 bytes (the canaries are larger), each inside ESP
      // that authenticates and decrypts.
      long decrypted = esp.stream().filter(l -> l.matches("(?i)(true|1)\\t(0|8)\\t84")).count();
      assertTrue(decrypted >= 40, "decrypted ICMP in ESP: " + decrypted + "\n" + esp);

      Path inner = dir.resolve("inner.pcapng");
      Shell.Result i =
          captureWhilePinging(t, ours, peer, "--inner", inner, "--config", config.toString());
      assertTrue(i.ok(), i.describe());
      List<String> plain =
          Shell.check(
                  Duration.ofSeconds(60),
                  List.of(
                      "tshark",
                      "-n",
                      "-r",
                      inner.toString(),
                      "-T",
                      "fields",
                      "-e",
                      "ip.proto",
                      "-e",
                      "ip.len"))
              .output()
              .lines()
              .toList();
      assertTrue(plain.stream().filter(l -> l.equals("1\t84")).count() >= 40, plain.toString());
      assertTrue(
          plain.stream().noneMatch(l -> l.startsWith("50\t") || l.startsWith("17\t")),
          plain.toString());
      assertEquals(
          2,
          cli(
                  "capture",
                  "--config",
                  config.toString(),
                  "--connection",
                  "to-b",
                  "--inner",
                  "--with-keys",
                  "--duration",
                  "1",
                  "--file",
                  dir.resolve("x.pcapng").toString())
              .exit());
    }
  }

  /**
   * Runs {@code gateway capture} in our gateway's namespace, pinging 10 times each way during it.
   */
  private Shell.Result captureWhilePinging(
      Topology t, GatewayProcess ours, StrongSwan peer, String side, Path file, String... more)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "capture",
                "--connection",
                "to-b",
                side,
                "--duration",
                "15",
                "--file",
                file.toString()));
    args.addAll(List.of(more));
    Path log = dir.resolve(file.getFileName() + ".log");
    Process p =
        new ProcessBuilder(
                Shell.inNamespace(
                    t.ns("gwA"),
                    GatewayProcess.mainCommand(args.toArray(String[]::new)).toArray(String[]::new)))
            .redirectInput(Shell.NO_INPUT)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      Shell.await(
          Duration.ofSeconds(30),
          () -> read(log).contains("Capturing on"),
          () -> "dumpcap did not start:\n" + read(log));
      // dumpcap says it captures a moment before it does: larger canary pings until one is in the
      // file (dumpcap writes each packet through), then the pings that count.
      String live = side.equals("--inner") ? "icmp" : "esp";
      Shell.await(
          Duration.ofSeconds(20),
          () -> {
            try {
              t.exec(
                  "lanA", Duration.ofSeconds(5), "ping", "-n", "-c", "1", "-s", "200", "10.2.0.2");
              return Files.exists(file)
                  && !Shell.run(
                          Duration.ofSeconds(30),
                          List.of("tshark", "-n", "-r", file.toString(), "-Y", live))
                      .output()
                      .isBlank();
            } catch (IOException e) {
              return false;
            }
          },
          () -> "nothing captured:\n" + read(log));
      Interop.assertPingsBothWays(t, 10, ours, peer);
      assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), read(log));
      return new Shell.Result(args, p.exitValue(), read(log), "");
    } finally {
      p.destroyForcibly();
    }
  }

  // ---- helpers

  private static final int SNMP_PORT = 1161;
  private static final int TRAP_PORT = 1162;
  private static final String COMMUNITY = "vpngw-test-community";
  private static final String AUTH = "auth-passphrase-1";
  private static final String PRIV = "priv-passphrase-2";
  private static final String AGENT = "udp:127.0.0.1:" + SNMP_PORT;
  private static final String LINK_UP = ".1.3.6.1.6.3.1.1.5.4";
  private static final String LINK_DOWN = ".1.3.6.1.6.3.1.1.5.3";
  private static final String COLD_START = ".1.3.6.1.6.3.1.1.5.1";
  private static final String IF_OPER_STATUS_1 = ".1.3.6.1.2.1.2.2.1.8.1";
  private static final List<String> V2C =
      List.of("-v2c", "-c", COMMUNITY, "-On", "-Oq", "-t", "2", "-r", "1", AGENT);
  private static final List<String> V3 =
      List.of(
          "-v3",
          "-l",
          "authPriv",
          "-u",
          "ops",
          "-a",
          "SHA-256",
          "-A",
          AUTH,
          "-x",
          "AES",
          "-X",
          PRIV,
          "-On",
          "-Oq",
          "-t",
          "2",
          "-r",
          "1",
          AGENT);

  private static Shell.Result snmpGetResult(Topology t, List<String> options, String oid)
      throws IOException {
    return t.exec("gwA", Duration.ofSeconds(20), concat(List.of("snmpget"), options, List.of(oid)));
  }

  /** The value snmpget prints with -Oq (OID, a space, the value); fails unless it answered. */
  private static String snmpGet(Topology t, List<String> options, String oid) throws IOException {
    Shell.Result r = snmpGetResult(t, options, oid);
    assertTrue(r.ok(), r.describe());
    String line = r.output().strip();
    assertTrue(line.startsWith(oid + " "), r.describe());
    return line.substring(oid.length() + 1);
  }

  /** A Counter64 value of a -Oq walk line {@code OID VALUE}. */
  private static long walkValue(String walk, String oid) {
    return walk.lines()
        .filter(l -> l.startsWith(oid + " "))
        .map(l -> Long.parseLong(l.substring(oid.length() + 1).strip()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + oid + " in\n" + walk));
  }

  private static String[] concat(List<String> a, List<String> b, List<String> c) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    all.addAll(c);
    return all.toArray(String[]::new);
  }

  private String scrape(Topology t) {
    try {
      Shell.Result r =
          t.exec(
              "gwA",
              Duration.ofSeconds(10),
              "curl",
              "-sS",
              "--fail",
              "http://127.0.0.1:" + METRICS_PORT + "/metrics");
      return r.ok() ? r.output() : "";
    } catch (IOException e) {
      return "";
    }
  }

  private void promtool(String metrics) throws IOException {
    Path file = Files.createTempFile(dir, "scrape", ".txt");
    Files.writeString(file, metrics);
    Shell.Result r =
        Shell.run(Duration.ofSeconds(30), List.of("sh", "-c", "promtool check metrics < " + file));
    assertTrue(
        r.ok() && r.output().isBlank() && r.errors().isBlank(), r.describe() + "\n" + metrics);
  }

  /** The value of {@code name{labels}}; fails if there is no such sample. */
  private static long value(String metrics, String name, String labels) {
    String prefix = name + "{" + labels;
    return metrics
        .lines()
        .filter(l -> l.startsWith(prefix + "}") || l.startsWith(prefix + ","))
        .map(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + " in\n" + metrics));
  }

  /** {@code gateway status --json}, read until two reads half a second apart agree. */
  private String settledStatus() throws IOException {
    String[] last = {cli("status", "--counters", counters().toString(), "--json").output()};
    String[] settled = {null};
    Shell.await(
        Duration.ofSeconds(20),
        () -> {
          try {
            Thread.sleep(500);
            String now = cli("status", "--counters", counters().toString(), "--json").output();
            if (countersOf(now).equals(countersOf(last[0]))) {
              settled[0] = now;
              return true;
            }
            last[0] = now;
            return false;
          } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        },
        () -> "counters never settled: " + last[0]);
    return settled[0];
  }

  /** The status JSON without its connection lines (uptime and throughput change by the second). */
  private static String countersOf(String statusJson) {
    return statusJson.replaceFirst("\"connections\":\\[[^\\]]*\\],", "");
  }

  private Path counters() {
    return dir.resolve("run").resolve("counters.dat");
  }

  private static final Pattern SA =
      Pattern.compile(
          "\\{\"spi\":\"(0x[0-9a-f]{8})\",\"direction\":\"(in|out)\",[^{]*?\"packets\":(\\d+),\"bytes\":(\\d+)");

  /** Each SA of the status JSON: spi, direction, packets, bytes. */
  private static List<String[]> statusSas(String json) {
    List<String[]> out = new ArrayList<>();
    Matcher m = SA.matcher(json);
    while (m.find()) {
      out.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
    }
    return out;
  }

  private static long jsonLong(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
    assertTrue(m.find(), key + " in " + json);
    return Long.parseLong(m.group(1));
  }

  /** Runs a {@code gateway} subcommand in a JVM of its own, as an operator would. */
  private static Shell.Result cli(String... args) throws IOException {
    return Shell.run(Duration.ofSeconds(60), GatewayProcess.mainCommand(args));
  }

  private static void assertInOrder(List<String> names, List<String> expected, List<String> lines) {
    int from = 0;
    for (String e : expected) {
      int i = names.subList(from, names.size()).indexOf(e);
      assertTrue(
          i >= 0, "no " + e + " after position " + from + " in\n" + String.join("\n", lines));
      from += i + 1;
    }
  }

  /** No key appears as raw bytes or hex in any file of the journal. */
  private static void assertNoKeyBytes(Path journal, List<EspKey> keys) throws IOException {
    assertFalse(keys.isEmpty(), "no keys to look for");
    List<Path> files;
    try (Stream<Path> s = Files.walk(journal)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    assertFalse(files.isEmpty(), "no journal files in " + journal);
    for (Path f : files) {
      byte[] content = Files.readAllBytes(f);
      String text = new String(content, java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase();
      for (EspKey k : keys) {
        for (byte[] key : List.of(k.encryptionKey(), k.integrityKey())) {
          if (key.length == 0) {
            continue;
          }
          String raw = new String(key, java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase();
          assertFalse(text.contains(raw), "raw key bytes in " + f);
          assertFalse(text.contains(HexFormat.of().formatHex(key)), "hex key in " + f);
        }
      }
    }
  }

  /**
   * snmptrapd in the gateway's namespace, logging to TRAPS; returns once it listens (so the
   * gateway's coldStart cannot be sent before), and is stopped if it never does.
   */
  private static Process startTrapd(Topology t, Path trapConf, Path traps) throws Exception {
    Process trapd =
        new ProcessBuilder(
                Shell.inNamespace(
                    t.ns("gwA"),
                    "snmptrapd",
                    "-f",
                    "-Lo",
                    "-C",
                    "-c",
                    trapConf.toString(),
                    "-On",
                    "udp:127.0.0.1:" + TRAP_PORT))
            .redirectInput(Shell.NO_INPUT)
            .redirectErrorStream(true)
            .redirectOutput(traps.toFile())
            .start();
    try {
      Shell.await(
          Duration.ofSeconds(20),
          () -> read(traps).contains("NET-SNMP version"),
          () -> "snmptrapd did not start:\n" + read(traps));
    } catch (Throwable e) {
      trapd.destroy();
      trapd.waitFor();
      throw e;
    }
    return trapd;
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }
}
