package dev.vpngw.benchmarks.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The load generator end to end over loopback UDP against our own responder: every setup of the
 * hold and churn modes is established and deleted again (the responder keeps nothing), with one and
 * with two threads; a wrong key and a silent responder count as failures with their reasons, and
 * the run says so in its exit code. Loopback addresses of their own (127.77/16, 127.78/16) keep the
 * tests off every real port 500; binding port 500 needs root, as the benchmark does.
 */
class IkeLoadGeneratorTest {
  private static final String PSK = "load-test-psk";
  private static final InetAddress RESPONDER = InetAddress.ofLiteral("127.77.0.1");
  private static final InetAddress SOURCES = InetAddress.ofLiteral("127.78.0.1");

  @TempDir Path dir;

  @BeforeAll
  static void canBindPort500() {
    try (DatagramChannel probe = DatagramChannel.open()) {
      probe.bind(new InetSocketAddress(InetAddress.ofLiteral("127.77.0.9"), 500));
    } catch (IOException e) {
      assumeTrue(false, "binding port 500 needs root: " + e.getMessage());
    }
  }

  private int run(Path json, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--responder", RESPONDER.getHostAddress(),
                "--sources-from", SOURCES.getHostAddress(),
                "--psk", PSK,
                "--json", json.toString(),
                "--idle-sample", "0",
                "--settle", "0",
                "--responder-pid", Long.toString(ProcessHandle.current().pid())));
    args.addAll(List.of(extra));
    return new CommandLine(new IkeLoadGenerator()).execute(args.toArray(String[]::new));
  }

  private static long number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":(-?[0-9.]+)").matcher(json);
    assertTrue(m.find(), key + " in " + json);
    return (long) Double.parseDouble(m.group(1));
  }

  @Test
  void holdEstablishesEverySetupThenDeletesItAll() throws Exception {
    Path json = dir.resolve("hold.json");
    // 2 x concurrency reused sources for the warm-up, then one per held SA
    try (LoopbackResponder responder = new LoopbackResponder(RESPONDER, SOURCES, 6 + 8, PSK)) {
      int exit =
          run(json, "--total", "8", "--concurrency", "3", "--warmup", "5", "--teardown", "hold");
      String out = Files.readString(json);
      assertEquals(0, exit, out);
      assertEquals(8, number(out, "established"), out);
      assertEquals(0, number(out, "failed"), out);
      assertEquals(8, number(out, "deleted"), out);
      assertEquals(5 + 8, number(out, "child_sa_tunnels_added"), "warm-up and measured: " + out);
      assertEquals(5 + 8, number(out, "child_sa_tunnels_removed"), out);
      assertTrue(out.contains("\"p99\":"), out);
      assertEquals(0, responder.stopAndCountSas(), "the responder keeps nothing after the run");
    }
  }

  @Test
  void churnWithTwoThreadsReusesTheSources() throws Exception {
    Path json = dir.resolve("churn.json");
    try (LoopbackResponder responder = new LoopbackResponder(RESPONDER, SOURCES, 8, PSK)) {
      int exit =
          run(
              json,
              "--total",
              "20",
              "--concurrency",
              "4",
              "--warmup",
              "4",
              "--threads",
              "2",
              "--teardown",
              "churn");
      String out = Files.readString(json);
      assertEquals(0, exit, out);
      assertEquals(20, number(out, "established"), out);
      assertEquals(0, number(out, "failed"), out);
      assertEquals(0, responder.stopAndCountSas(), "each SA was deleted once up");
    }
  }

  @Test
  void wrongKeyCountsEverySetupAsFailedAndSaysWhy() throws Exception {
    Path json = dir.resolve("wrong.json");
    try (LoopbackResponder responder =
        new LoopbackResponder(RESPONDER, SOURCES, 4 + 3, "not-the-same-key")) {
      int exit =
          run(json, "--total", "3", "--concurrency", "2", "--warmup", "0", "--teardown", "hold");
      String out = Files.readString(json);
      assertEquals(1, exit, out);
      assertEquals(0, number(out, "established"), out);
      assertEquals(3, number(out, "failed"), out);
      assertTrue(out.contains("AUTHENTICATION_FAILED"), out);
    }
  }

  @Test
  void silentResponderTimesOut() throws Exception {
    Path json = dir.resolve("silent.json");
    int exit =
        run(
            json,
            "--total",
            "2",
            "--concurrency",
            "2",
            "--warmup",
            "0",
            "--timeout",
            "1",
            "--teardown",
            "churn");
    String out = Files.readString(json);
    assertEquals(1, exit, out);
    assertEquals(2, number(out, "failed"), out);
    assertTrue(out.contains("setup timed out after 1 s"), out);
  }
}
