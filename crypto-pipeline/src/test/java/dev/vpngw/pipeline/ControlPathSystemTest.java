package dev.vpngw.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.io.link.LinkConfig;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.tun.TunDevice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IKE through the dataplane's NAT-T socket against the real kernel: a gateway namespace runs a
 * dataplane ({@link ControlPathProbe}, bound to port 4500 of both families) and a peer namespace,
 * joined to it by a veth pair, runs a plain UDP client from port 4500 as a NAT-T peer would. The
 * client's IKE messages (behind the non-ESP marker, RFC 3948 2.2) reach the probe's {@code
 * pollControl} with the client's address and port; the probe's {@code sendControl} answers arrive
 * at the client from port 4500 with the marker in front, and its NAT-keepalive as one 0xFF byte.
 * Both namespaces are made for the test and deleted after it, whatever happens.
 */
@Tag("system")
class ControlPathSystemTest {
  private static final long TIMEOUT_SECONDS = 120;

  @TempDir Path dir;

  @Test
  void ikeReachesPollControlAndSendControlRepliesFromTheNatTPort() throws Exception {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
    assumeTrue(Files.exists(Path.of(TunDevice.CLONE_DEVICE)), "no /dev/net/tun");
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
    String id = ProcessHandle.current().pid() + Long.toString(System.nanoTime() % 1296, 36);
    String gw = "vgcp-gw-" + id;
    String peer = "vgcp-pe-" + id;
    List<Process> processes = new ArrayList<>();
    try {
      ip("netns", "add", gw);
      ip("netns", "add", peer);
      ip("link", "add", "vgcpa" + id, "type", "veth", "peer", "name", "vgcpb" + id);
      ip("link", "set", "vgcpa" + id, "netns", gw);
      ip("link", "set", "vgcpb" + id, "netns", peer);
      for (String[] side :
          new String[][] {
            {gw, "vgcpa" + id, "192.0.2.1/24", "2001:db8:c::1/64"},
            {peer, "vgcpb" + id, "192.0.2.2/24", "2001:db8:c::2/64"}
          }) {
        ip("-n", side[0], "link", "set", "lo", "up");
        ip("-n", side[0], "link", "set", side[1], "up");
        ip("-n", side[0], "addr", "add", side[2], "dev", side[1]);
        ip("-n", side[0], "-6", "addr", "add", side[3], "dev", side[1], "nodad");
      }

      Path probeLog = dir.resolve("probe.log");
      List<String> probe = new ArrayList<>(List.of(LinkConfig.ipCommand(), "netns", "exec", gw));
      probe.add(ProcessHandle.current().info().command().orElseThrow());
      probe.add("--enable-native-access=ALL-UNNAMED");
      probe.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
      probe.addAll(List.of("-cp", System.getProperty("java.class.path")));
      probe.addAll(List.of(ControlPathProbe.class.getName(), "192.0.2.1", "2001:db8:c::1", "2"));
      Process dataplane =
          new ProcessBuilder(probe)
              .redirectErrorStream(true)
              .redirectOutput(probeLog.toFile())
              .start();
      processes.add(dataplane);
      awaitLine(probeLog, "READY", dataplane);

      byte[] ike4 = ikeMessage(4);
      byte[] ike6 = ikeMessage(6);
      Path client = dir.resolve("client.py");
      Files.writeString(
          client,
          """
          import socket, sys
          for family, src, dst, ike in (
              (socket.AF_INET, '192.0.2.2', '192.0.2.1', sys.argv[1]),
              (socket.AF_INET6, '2001:db8:c::2', '2001:db8:c::1', sys.argv[2])):
              s = socket.socket(family, socket.SOCK_DGRAM)
              s.bind((src, 4500))
              s.settimeout(60)
              s.sendto(bytes(4) + bytes.fromhex(ike), (dst, 4500))
              for _ in range(2):
                  data, sender = s.recvfrom(65535)
                  print('GOT', sender[0], sender[1], data.hex(), flush=True)
              s.close()
          """);
      Path clientLog = dir.resolve("client.log");
      Process peerClient =
          new ProcessBuilder(
                  LinkConfig.ipCommand(),
                  "netns",
                  "exec",
                  peer,
                  "python3",
                  client.toString(),
                  HexFormat.of().formatHex(ike4),
                  HexFormat.of().formatHex(ike6))
              .redirectErrorStream(true)
              .redirectOutput(clientLog.toFile())
              .start();
      processes.add(peerClient);
      assertTrue(
          peerClient.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS),
          "client hung:\n" + read(clientLog));
      assertTrue(dataplane.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "probe hung");
      String probeOut = read(probeLog);
      String clientOut = read(clientLog);
      String report = "probe:\n" + probeOut + "\nclient:\n" + clientOut;
      assertEquals(0, dataplane.exitValue(), report);
      assertEquals(0, peerClient.exitValue(), report);

      assertEquals(
          List.of(
              "IKE 192.0.2.2 4500 4500 " + HexFormat.of().formatHex(ike4),
              "IKE 2001:db8:c:0:0:0:0:2 4500 4500 " + HexFormat.of().formatHex(ike6)),
          probeOut.lines().filter(l -> l.startsWith("IKE ")).toList(),
          report);
      assertTrue(probeOut.contains("DROPS []"), "nothing counted as dropped:\n" + report);
      assertEquals(
          List.of(
              "GOT 192.0.2.1 4500 00000000" + HexFormat.of().formatHex(reversed(ike4)),
              "GOT 192.0.2.1 4500 ff",
              "GOT 2001:db8:c::1 4500 00000000" + HexFormat.of().formatHex(reversed(ike6)),
              "GOT 2001:db8:c::1 4500 ff"),
          clientOut.lines().filter(l -> l.startsWith("GOT ")).toList(),
          report);
    } finally {
      for (Process p : processes) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      ipQuietly("netns", "del", gw);
      ipQuietly("netns", "del", peer);
    }
  }

  /** An IKE-shaped message: a 28-byte header's worth and more, distinct per family. */
  private static byte[] ikeMessage(int seed) {
    byte[] m = new byte[96];
    for (int i = 0; i < m.length; i++) {
      m[i] = (byte) (seed * 31 + i);
    }
    return m;
  }

  private static byte[] reversed(byte[] b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[b.length - 1 - i];
    }
    return r;
  }

  private static void awaitLine(Path log, String text, Process process) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT_SECONDS * 1_000_000_000L;
    while (!read(log).contains(text)) {
      if (!process.isAlive()) {
        throw new AssertionError("probe exited " + process.exitValue() + ":\n" + read(log));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + text + " from the probe:\n" + read(log));
      }
      Thread.sleep(20);
    }
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(LinkConfig.ipCommand()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }

  private static void ipQuietly(String... args) {
    try {
      ip(args);
    } catch (IOException | InterruptedException e) {
      System.err.println("cleanup: " + e.getMessage());
    }
  }
}
