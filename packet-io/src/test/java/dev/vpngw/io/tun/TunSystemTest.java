package dev.vpngw.io.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.io.link.LinkConfig;
import dev.vpngw.io.sys.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * TUN devices against the real kernel, in a network namespace made for this test and deleted after
 * it: {@link TunProbe} runs in a JVM started with {@code ip netns exec}, and this test checks what
 * it printed. Needs root (namespaces, CAP_NET_ADMIN for TUN).
 */
@Tag("system")
class TunSystemTest {
  private static final long PROBE_TIMEOUT_SECONDS = 120;

  @Test
  void tunDevicesCarryEchoRepliesInAFreshNamespace() throws Exception {
    String raw = runProbe(List.of());
    Map<String, String> out = parse(raw);
    String report = "probe said:\n" + raw;

    assertEquals("vpngwsq0", out.get("SQ_NAME"), report);
    assertEquals("false", out.get("SQ_MULTI"), report);
    assertEquals("0x1001", out.get("SQ_FLAGS"), report + "\n(IFF_TUN | IFF_NO_PI)");
    assertEquals("true", out.get("SQ_IFINDEX_MATCHES"), report);
    assertEquals("1400", out.get("SQ_MTU"), report);
    assertEquals("true", out.get("SQ_WRITE6"), report);
    assertEquals(
        "from fd00:99:0:0:0:0:0:1 to fd00:99:0:0:0:0:0:2 queue 0", out.get("SQ_ECHO6"), report);
    assertEquals("true", out.get("SQ_WRITE4"), report);
    assertEquals("from 10.99.0.1 to 10.99.0.2 queue 0", out.get("SQ_ECHO4"), report);
    assertEquals("from 10.99.0.1 to 10.98.0.5 queue 0", out.get("SQ_ROUTED"), report);
    assertEquals("[]", out.get("SQ_ROUTE_AFTER_DELETE"), report);
    String mismatch = out.get("SQ_MISMATCH");
    assertTrue(
        mismatch.startsWith("ioctl(TUNSETIFF) failed: EINVAL (22)")
            && mismatch.contains("single- versus multi-queue"),
        report);
    assertEquals("true", out.get("SQ_GONE"), report);

    assertEquals("vpngwmq0", out.get("MQ_NAME"), report);
    assertEquals("true", out.get("MQ_MULTI"), report);
    assertEquals("2", out.get("MQ_QUEUES"), report);
    assertEquals(
        "0x1101", out.get("MQ_FLAGS"), report + "\n(IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE)");
    assertEquals("true", out.get("MQ_DISTINCT_FDS"), report);
    assertEquals("2", out.get("MQ_TX_QUEUES"), report);
    assertEquals("true", out.get("MQ_WRITE_Q1"), report);
    assertTrue(out.get("MQ_ECHO4").startsWith("from 10.97.0.1 to 10.97.0.2 queue "), report);
    assertEquals("3", out.get("MQ_WRITE_BATCH"), report);
    assertEquals("[10, 11, 12]", out.get("MQ_BATCH_REPLIES"), report);

    assertEquals(
        "0x5101",
        out.get("OF_FLAGS"),
        report + "\n(IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR)");
    assertEquals("true", out.get("OF_TCP"), report);
    assertEquals("10 10", out.get("OF_VNET"), report);
    assertEquals("true", out.get("OF_WRITE_Q1"), report);
    assertTrue(out.get("OF_ECHO4").startsWith("from 10.96.0.1 to 10.96.0.2 queue "), report);
    if (out.get("OF_USO").equals("true")) {
      assertEquals("type 5 size 1000 segments 4 ok ok ok ok", out.get("OF_UDP_GSO"), report);
    }
    assertTrue(out.containsKey("DONE"), report);
  }

  @Test
  void withoutCapNetAdminTheErrorSaysWhatIsNeeded() throws Exception {
    Path setpriv = Path.of("/usr/bin/setpriv");
    assumeTrue(Files.isExecutable(setpriv), "needs util-linux setpriv to drop capabilities");
    // Still uid 0, so the clone device opens; with every capability dropped TUNSETIFF must fail.
    String raw =
        runProbe(
            List.of(
                setpriv.toString(),
                "--no-new-privs",
                "--inh-caps=-all",
                "--ambient-caps=-all",
                "--bounding-set=-all"),
            TunProbe.UNPRIVILEGED);
    Map<String, String> out = parse(raw);
    assertEquals(
        "ioctl(TUNSETIFF) failed: EPERM (1): Operation not permitted; creating TUN device"
            + " vpngwnp0 needs CAP_NET_ADMIN (run as root)",
        out.get("UNPRIVILEGED"),
        "probe said:\n" + raw);
  }

  /**
   * Runs {@link TunProbe} with {@code args} in a JVM inside a namespace made for it and deleted
   * afterwards, optionally under a wrapper command, and returns what it printed.
   */
  private static String runProbe(List<String> wrapper, String... args) throws Exception {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
    assumeTrue(Files.exists(Path.of(TunDevice.CLONE_DEVICE)), "no /dev/net/tun");
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
    String ns =
        "vpngw-tun-"
            + ProcessHandle.current().pid()
            + "-"
            + Long.toHexString(System.nanoTime() & 0xffffff);
    run(LinkConfig.ipCommand(), "netns", "add", ns);
    try {
      List<String> command = new ArrayList<>();
      command.addAll(List.of(LinkConfig.ipCommand(), "netns", "exec", ns));
      command.addAll(wrapper);
      command.add(ProcessHandle.current().info().command().orElseThrow());
      command.add("--enable-native-access=ALL-UNNAMED");
      command.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
      command.addAll(List.of("-cp", System.getProperty("java.class.path")));
      command.add(TunProbe.class.getName());
      command.addAll(List.of(args));
      // Output to a file, not a pipe: a hung probe must not hang the read, only hit the timeout.
      Path log = Files.createTempFile("vpngw-tun-probe", ".log");
      try {
        Process probe =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean exited = probe.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
          probe.destroyForcibly().waitFor();
        }
        String raw = Files.readString(log);
        assertTrue(exited, "probe still running after " + PROBE_TIMEOUT_SECONDS + " s:\n" + raw);
        assertEquals(0, probe.exitValue(), "probe failed:\n" + raw);
        return raw;
      } finally {
        Files.delete(log);
      }
    } finally {
      run(LinkConfig.ipCommand(), "netns", "del", ns);
    }
  }

  private static Map<String, String> parse(String output) {
    Map<String, String> values = new HashMap<>();
    for (String line : output.split("\n")) {
      int space = line.indexOf(' ');
      if (space > 0) {
        values.put(line.substring(0, space), line.substring(space + 1));
      } else if (!line.isBlank()) {
        values.put(line.strip(), "");
      }
    }
    return values;
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }
}
