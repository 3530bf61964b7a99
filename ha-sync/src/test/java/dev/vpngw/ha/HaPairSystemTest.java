package dev.vpngw.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@link HaNode} processes in their own namespaces on a bridge (the GatewaySubnet, in a third
 * namespace that probes the virtual address every 10 ms) and a veth HA link between them.
 *
 * <p>The probes are UDP ({@link UdpProber}) and answered by the active {@link HaNode} process
 * itself, not ICMP: a killed node's kernel keeps the address (until its lease runs out) and would
 * go on answering ICMP echo, so an ICMP ping could not see the failover it is meant to time.
 *
 * <pre>
 *   ns hsw: br0 10.77.0.1/24 (pinger, tcpdump)
 *      |                     |
 *   ns ha1: pub0 .11       ns ha2: pub0 .12        VIP 10.77.0.100/24 on the active's pub0
 *           hl0 10.78.0.1 ---- hl0 10.78.0.2       (HA link: heartbeats + replication)
 * </pre>
 */
@Tag("system")
class HaPairSystemTest {
  static final String VIP = "10.77.0.100";
  static final String KEY = "00112233445566778899aabbccddeeff00112233";
  static final int PROBE_PORT = 7402;

  @TempDir Path tmp;
  final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
  final String sw = "hsw" + tag;
  final String ns1 = "ha1" + tag;
  final String ns2 = "ha2" + tag;
  final List<Process> processes = new ArrayList<>();
  final Map<Integer, Process> nodes = new HashMap<>();

  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  static String in(String ns, String command) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    argv.addAll(List.of(command.split(" ")));
    return run(argv.toArray(String[]::new));
  }

  static void await(String what, long timeoutMillis, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeoutMillis + " ms waiting until " + what);
      }
      Thread.sleep(5);
    }
  }

  @BeforeEach
  void topology() throws Exception {
    run("ip", "netns", "add", sw);
    run("ip", "netns", "add", ns1);
    run("ip", "netns", "add", ns2);
    in(sw, "ip link add br0 type bridge");
    in(sw, "ip link set br0 up");
    in(sw, "ip address add 10.77.0.1/24 dev br0");
    in(sw, "ip link set lo up");
    String[] nss = {ns1, ns2};
    for (int i = 0; i < 2; i++) {
      String port = "sp" + (i + 1);
      in(sw, "ip link add " + port + " type veth peer name pub0 netns " + nss[i]);
      in(sw, "ip link set " + port + " master br0 up");
      in(nss[i], "ip link set lo up");
      in(nss[i], "ip link set pub0 up");
      in(nss[i], "ip address add 10.77.0.1" + (i + 1) + "/24 dev pub0");
    }
    in(ns1, "ip link add hl0 type veth peer name hl0 netns " + ns2);
    in(ns1, "ip address add 10.78.0.1/30 dev hl0");
    in(ns2, "ip address add 10.78.0.2/30 dev hl0");
    in(ns1, "ip link set hl0 up");
    in(ns2, "ip link set hl0 up");
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    for (String ns : List.of(sw, ns1, ns2)) {
      new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
    }
    for (int id = 1; id <= 2; id++) {
      Path log = tmp.resolve("node" + id + ".log");
      if (Files.exists(log)) {
        System.out.println("--- node " + id + " log ---\n" + Files.readString(log));
      }
    }
  }

  Process startJava(String ns, Path log, List<String> mainAndArgs) throws IOException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-")
          || a.startsWith("--enable-native-access")
          || a.startsWith("-Dchronicle")) {
        argv.add(a);
      }
    }
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.addAll(mainAndArgs);
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    processes.add(p);
    return p;
  }

  Process startNode(int id) throws IOException {
    String ns = id == 1 ? ns1 : ns2;
    int other = 3 - id;
    Process p =
        startJava(
            ns,
            tmp.resolve("node" + id + ".log"),
            List.of(
                HaNode.class.getName(),
                "--node-id=" + id,
                "--priority=" + (id == 1 ? 200 : 100),
                "--key-hex=" + KEY,
                "--ha-local=10.78.0." + id + ":7400",
                "--ha-peer=10.78.0." + other + ":7400",
                "--public-local=10.77.0.1" + id + ":7400",
                "--public-peer=10.77.0.1" + other + ":7400",
                "--public-device=pub0",
                "--vip=" + VIP + "/24",
                "--repl-local=10.78.0." + id + ":7401",
                "--repl-peer=10.78.0." + other + ":7401",
                "--state-dir=" + tmp.resolve("node" + id),
                "--probe-port=" + PROBE_PORT));
    nodes.put(id, p);
    return p;
  }

  void command(int id, String line) throws IOException {
    OutputStream o = nodes.get(id).getOutputStream();
    o.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    o.flush();
  }

  Map<String, String> status(int id) {
    Path f = tmp.resolve("node" + id).resolve("status");
    Map<String, String> m = new HashMap<>();
    try {
      for (String line : Files.readAllLines(f)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          m.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    } catch (IOException e) {
      return Map.of();
    }
    return m;
  }

  boolean is(int id, String key, String value) {
    return value.equals(status(id).get(key));
  }

  boolean holdsVip(String ns) {
    try {
      return in(ns, "ip -4 -o address show dev pub0").contains(VIP + "/");
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  String arpEntry() throws Exception {
    String out = in(sw, "ip neigh show " + VIP + " dev br0");
    Matcher m = Pattern.compile("lladdr ([0-9a-f:]+)").matcher(out);
    return m.find() ? m.group(1) : "none";
  }

  /** Starts the UDP prober in the subnet namespace (a probe to the VIP every 10 ms). */
  Process probe(Path log) throws IOException {
    return startJava(
        sw,
        tmp.resolve("prober.out"),
        List.of(UdpProber.class.getName(), VIP, "" + PROBE_PORT, log.toString()));
  }

  /** (timestamp seconds, sequence, answering node) of every reply in a prober log. */
  static List<double[]> replies(Path log) {
    List<double[]> r = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(log)) {
        String[] w = line.split(" ");
        if (w.length == 3 && Character.isDigit(w[0].charAt(0))) {
          r.add(
              new double[] {
                Double.parseDouble(w[0]), Double.parseDouble(w[1]), Double.parseDouble(w[2])
              });
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return r;
  }

  static int replyCount(Path log) {
    return replies(log).size();
  }

  static String stdout(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  long lsn(int id) {
    String v = status(id).get("lsn");
    return v == null ? -1 : Long.parseLong(v);
  }

  @Test
  void failoverSplitBrainRejoinAndPlannedSwitchover() throws Exception {
    String mac1 = in(ns1, "cat /sys/class/net/pub0/address").strip();
    String mac2 = in(ns2, "cat /sys/class/net/pub0/address").strip();
    // node 1 first: a node alone takes over after the hold-down, and a live active is never
    // pre-empted, so whichever starts first is the active
    startNode(1);
    await("node 1 active", 30_000, () -> is(1, "role", "ACTIVE"));
    startNode(2);
    await("node 2 standby in sync", 30_000, () -> is(2, "synced", "true"));
    assertTrue(is(2, "role", "STANDBY"));
    assertTrue(holdsVip(ns1) && !holdsVip(ns2));
    command(1, "put 20");
    await("node 2 applied 40 entries", 10_000, () -> lsn(2) == 40 && lsn(1) == 40);

    // --- kill -9 the active under a 10 ms ping --------------------------------------------
    Path arpCap = tmp.resolve("arp.pcap");
    Process tcpdump =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                sw,
                "tcpdump",
                "-i",
                "br0",
                "-U",
                "-w",
                arpCap.toString(),
                "arp")
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("tcpdump.log").toFile())
            .start();
    processes.add(tcpdump);
    await(
        "tcpdump listening",
        10_000,
        () -> {
          try {
            return Files.readString(tmp.resolve("tcpdump.log")).contains("listening on");
          } catch (IOException e) {
            return false;
          }
        });
    Path pingLog = tmp.resolve("probe-kill.log");
    Process ping = probe(pingLog);
    await("pings answered", 10_000, () -> replyCount(pingLog) >= 20);
    assertEquals(mac1, arpEntry(), "the subnet reaches the VIP at node 1");
    double killedAt = System.currentTimeMillis() / 1000.0;
    nodes.get(1).destroyForcibly(); // SIGKILL
    nodes.get(1).waitFor();
    // Node 1 sends nothing once it is reaped; a reply it sent just before may still reach the
    // prober (and be stamped) a moment later, never 100 ms later.
    double deadAt = System.currentTimeMillis() / 1000.0 + 0.1;
    await("node 2 active", 5_000, () -> is(2, "role", "ACTIVE"));
    await("probes answered again", 5_000, () -> replies(pingLog).getLast()[0] > killedAt);
    int before = replyCount(pingLog);
    await("50 more replies", 5_000, () -> replyCount(pingLog) >= before + 50);
    double gap = 0;
    List<double[]> r = replies(pingLog);
    for (int i = 1; i < r.size(); i++) {
      gap = Math.max(gap, r.get(i)[0] - r.get(i - 1)[0]);
      if (r.get(i)[0] < killedAt) {
        assertEquals(1, (int) r.get(i)[2], "node 1 answered before the kill");
      } else if (r.get(i)[0] > deadAt) {
        assertEquals(2, (int) r.get(i)[2], "only node 2 answers after the kill");
      }
    }
    System.out.printf(
        "HA failover (kill -9): longest gap between probe replies %.0f ms%n", gap * 1000);
    assertTrue(gap < 1.0, "failover gap " + gap + " s");
    assertEquals(mac2, arpEntry(), "the subnet's ARP cache points at node 2");
    assertEquals("2", status(2).get("epoch"));
    tcpdump.destroy();
    tcpdump.waitFor(10, TimeUnit.SECONDS);
    String arps =
        stdout(
            "tshark",
            "-r",
            arpCap.toString(),
            "-T",
            "fields",
            "-e",
            "arp.opcode",
            "-e",
            "arp.src.hw_mac",
            "-e",
            "arp.src.proto_ipv4",
            "-e",
            "arp.dst.proto_ipv4");
    // gratuitous: sender and target address both the VIP, sender MAC node 2's; request and reply
    assertTrue(
        arps.contains("1\t" + mac2 + "\t" + VIP + "\t" + VIP)
            && arps.contains("2\t" + mac2 + "\t" + VIP + "\t" + VIP),
        "gratuitous ARP request and reply from node 2 captured:\n" + arps);
    ping.destroy();

    // --- records while node 1 is away; node 1 restarts and rejoins as standby ------------------
    command(2, "put 10");
    await("node 2 at lsn 60", 10_000, () -> lsn(2) == 60);
    startNode(1);
    await("node 1 back in sync", 30_000, () -> is(1, "synced", "true") && lsn(1) == 60);
    assertEquals("STANDBY", status(1).get("role"));
    assertEquals("30", status(1).get("childSas"), "records from before and during its absence");
    await("the dead node's address lease is gone", 5_000, () -> !holdsVip(ns1));

    // --- split brain: cut only the HA link ------------------------------------------------------
    in(ns1, "ip link set hl0 down");
    command(2, "put 5");
    long end = System.nanoTime() + 3_000_000_000L; // ten failure times
    while (System.nanoTime() < end) {
      assertTrue(holdsVip(ns2) && !holdsVip(ns1), "exactly one owner while the HA link is cut");
      assertEquals("ACTIVE", status(2).get("role"));
      assertEquals("STANDBY", status(1).get("role"));
    }
    in(sw, "ip neigh flush dev br0");
    in(sw, "ping -c 1 -W 1 " + VIP);
    assertEquals(mac2, arpEntry(), "ARP from the subnet resolves the VIP to node 2 only");
    assertEquals(60, lsn(1), "no replication while the HA link is down");
    in(ns1, "ip link set hl0 up");
    await("the state converges after healing", 10_000, () -> lsn(1) == 70 && lsn(2) == 70);
    assertEquals("35", status(1).get("childSas"));
    assertEquals("2", status(2).get("epoch"), "no takeover happened while the HA link was cut");

    // --- planned switchover back to node 1, no ping lost ----------------------------------------
    Path pingLog2 = tmp.resolve("probe-switch.log");
    Process ping2 = probe(pingLog2);
    await("pings answered", 10_000, () -> replyCount(pingLog2) >= 20);
    command(2, "switchover");
    await("node 1 active", 5_000, () -> is(1, "role", "ACTIVE") && is(2, "role", "STANDBY"));
    int at = replyCount(pingLog2);
    await("100 more replies", 10_000, () -> replyCount(pingLog2) >= at + 100);
    ping2.destroy();
    List<double[]> r2 = replies(pingLog2);
    int lost = 0;
    for (int i = 1; i < r2.size(); i++) {
      lost += (int) (r2.get(i)[1] - r2.get(i - 1)[1]) - 1;
    }
    System.out.printf(
        "HA planned switchover: %d probes lost of %d, answered by node %d then node %d%n",
        lost, r2.size() + lost, (int) r2.getFirst()[2], (int) r2.getLast()[2]);
    assertEquals(0, lost, "no probe lost in a planned switchover");
    assertEquals(2, (int) r2.getFirst()[2]);
    assertEquals(1, (int) r2.getLast()[2]);
    assertEquals("3", status(1).get("epoch"));
    assertTrue(holdsVip(ns1) && !holdsVip(ns2));
    assertEquals(mac1, arpEntry());
    await("node 2 follows node 1", 10_000, () -> is(2, "synced", "true"));
    command(1, "put 1");
    await("node 2 applied it", 10_000, () -> lsn(2) == 72);

    // --- secrets: the HA key in no log; journals private -------------------------------------
    for (int id = 1; id <= 2; id++) {
      String log = Files.readString(tmp.resolve("node" + id + ".log"));
      assertTrue(
          !log.toLowerCase().contains(KEY.substring(0, 16)), "HA key in node " + id + " log");
      Path journal = tmp.resolve("node" + id).resolve("journal");
      assertEquals(
          "rwx------",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(journal)));
      try (var files = Files.list(journal)) {
        for (Path f : files.toList()) {
          assertEquals(
              "rw-------",
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(f)),
              f.toString());
        }
      }
    }
  }
}
