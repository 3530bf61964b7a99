package dev.vpngw.appliance.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An iperf3 UDP run between two namespaces of a topology, with the server's per-second loss (iperf3
 * --get-server-output --json), so a test can see not only the total loss but whether any one second
 * lost a burst.
 */
final class Iperf {
  /**
   * What the receiver saw.
   *
   * @param lostPerInterval lost datagrams per second
   * @param packetsPerInterval datagrams per second
   */
  record Result(List<Long> lostPerInterval, List<Long> packetsPerInterval) {
    double totalLossPercent() {
      long lost = lostPerInterval.stream().mapToLong(Long::longValue).sum();
      long all = packetsPerInterval.stream().mapToLong(Long::longValue).sum();
      return all == 0 ? 100 : 100.0 * lost / all;
    }

    double worstIntervalLossPercent() {
      double worst = 0;
      for (int i = 0; i < lostPerInterval.size(); i++) {
        long p = packetsPerInterval.get(i);
        worst = Math.max(worst, p == 0 ? 100 : 100.0 * lostPerInterval.get(i) / p);
      }
      return worst;
    }

    @Override
    public String toString() {
      return String.format(
          "iperf3: %d intervals, total loss %.3f%%, worst second %.2f%%, lost per second %s",
          lostPerInterval.size(), totalLossPercent(), worstIntervalLossPercent(), lostPerInterval);
    }
  }

  private static final Pattern INTERVAL_SUM =
      Pattern.compile(
          "\"sum\":\\s*\\{[^{}]*?\"lost_packets\":\\s*(\\d+)[^{}]*?\"packets\":\\s*(\\d+)");

  private final Process client;
  private final Topology topology;
  private final String serverRole;

  private Iperf(Process client, Topology topology, String serverRole) {
    this.client = client;
    this.topology = topology;
    this.serverRole = serverRole;
  }

  /** Starts a server in {@code serverRole} and a UDP client in {@code clientRole}. */
  static Iperf udp(
      Topology t, String clientRole, String serverRole, String server, String rate, Duration d)
      throws IOException {
    startServer(t, serverRole);
    Process p =
        new ProcessBuilder(
                Shell.inNamespace(
                    t.ns(clientRole),
                    "iperf3",
                    "-c",
                    server,
                    "-u",
                    "-b",
                    rate,
                    "-l",
                    "1200",
                    "-t",
                    Long.toString(d.toSeconds()),
                    "--get-server-output",
                    "--json"))
            .redirectInput(Shell.NO_INPUT)
            .redirectErrorStream(true)
            .start();
    return new Iperf(p, t, serverRole);
  }

  /**
   * Starts a one-shot iperf3 server (JSON output) in {@code role}, once the previous one-shot
   * server has let go of the port: a second daemon started while the first still holds 5201 fails
   * to bind and exits without a word.
   */
  static void startServer(Topology t, String role) throws IOException {
    Shell.await(
        Duration.ofSeconds(15),
        () -> !listening(t, role),
        () -> "the previous iperf3 server still holds port 5201");
    Shell.check(
        Duration.ofSeconds(10), Shell.inNamespace(t.ns(role), "iperf3", "-s", "-D", "-1", "-J"));
    Shell.await(
        Duration.ofSeconds(10), () -> listening(t, role), () -> "iperf3 server not listening");
  }

  private static boolean listening(Topology t, String role) {
    try {
      return t.exec(role, Duration.ofSeconds(5), "ss", "-ltnH", "sport = :5201")
          .output()
          .contains("5201");
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits for the run to end and reads the server's per-second figures. */
  Result await() throws IOException, InterruptedException {
    byte[] out = client.getInputStream().readAllBytes();
    if (!client.waitFor(60, TimeUnit.SECONDS)) {
      client.destroyForcibly();
      throw new IOException("iperf3 did not finish");
    }
    String json = new String(out, StandardCharsets.UTF_8);
    int server = json.indexOf("\"server_output_json\"");
    if (client.exitValue() != 0 || server < 0) {
      throw new IOException("iperf3 failed (" + client.exitValue() + "):\n" + json);
    }
    String serverJson = json.substring(server);
    // The summary object ("end": {...}) repeats the totals; the intervals come before it.
    Matcher summary = Pattern.compile("\"end\":\\s*\\{").matcher(serverJson);
    int end = summary.find() ? summary.start() : serverJson.length();
    Matcher m = INTERVAL_SUM.matcher(serverJson.substring(0, end));
    List<Long> lost = new ArrayList<>();
    List<Long> packets = new ArrayList<>();
    while (m.find()) {
      lost.add(Long.parseLong(m.group(1)));
      packets.add(Long.parseLong(m.group(2)));
    }
    if (packets.isEmpty()) {
      throw new IOException("no intervals in iperf3's server output:\n" + json);
    }
    return new Result(lost, packets);
  }
}
