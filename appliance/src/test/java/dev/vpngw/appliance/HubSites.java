package dev.vpngw.appliance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A hub and N sites (scripts/hub-topology.sh): the hub is a virtual network gateway (our appliance,
 * with the SKU under test) in front of its VNet namespace (10.0.0.2); each site I is an on-prem LAN
 * (10.I.0.2) behind its own VPN device, which here is another of our gateways, joined to the hub by
 * one route-based connection of manual keys (AES-GCM-128). All WAN sides share one bridge. Closing
 * it kills the gateway processes and deletes every namespace, whatever state they are in.
 */
final class HubSites implements AutoCloseable {
  static final Path TOPOLOGY =
      Path.of("..", "scripts", "hub-topology.sh").toAbsolutePath().normalize();

  final String prefix;
  final Path dir;
  final int sites;
  private final byte[][] keyToHub;
  private final byte[][] keyFromHub;
  private final List<Process> processes = new ArrayList<>();
  private String hubExtra = "";

  HubSites(Path dir, int sites) throws IOException, InterruptedException {
    if (sites < 1 || sites > 9) {
      throw new IllegalArgumentException("sites must be 1 to 9, not " + sites);
    }
    this.prefix =
        "hs"
            + (ProcessHandle.current().pid() % 100_000)
            + Long.toString(System.nanoTime() % 36, 36);
    this.dir = dir;
    this.sites = sites;
    SecureRandom random = new SecureRandom();
    keyToHub = new byte[sites + 1][20];
    keyFromHub = new byte[sites + 1][20];
    for (int i = 1; i <= sites; i++) {
      random.nextBytes(keyToHub[i]);
      random.nextBytes(keyFromHub[i]);
    }
    try {
      TwoSites.run(
          List.of(TOPOLOGY.toString(), "up", prefix, Integer.toString(sites)),
          Duration.ofSeconds(60));
    } catch (IOException | InterruptedException | RuntimeException e) {
      // The script cleans up after a failed command itself, but not after being killed on the
      // timeout: whatever it made goes here.
      TwoSites.tryRun(List.of(TOPOLOGY.toString(), "down", prefix), Duration.ofSeconds(60));
      throw e;
    }
  }

  /** Adds {@code yamlLines} (two-space indented) to the hub's {@code gateway:} section. */
  void hubSettings(String yamlLines) {
    hubExtra = yamlLines;
  }

  /** The namespace of {@code role}: hub, vnet, wan, gwI or lanI. */
  String ns(String role) {
    return prefix + "-" + role;
  }

  /** The address of site {@code i}'s LAN host. */
  static String siteHost(int i) {
    return "10." + i + ".0.2";
  }

  /** The address of the VNet host behind the hub. */
  static String vnetHost() {
    return "10.0.0.2";
  }

  /** Site {@code i}'s SPI toward the hub (the hub's inbound SA from it). */
  static int spiToHub(int i) {
    return 0x0000_a000 + i;
  }

  /** The hub's SPI toward site {@code i}. */
  static int spiFromHub(int i) {
    return 0x0000_b000 + i;
  }

  /** The connection name on the hub for site {@code i}. */
  static String connection(int i) {
    return "to-site" + i;
  }

  /** Writes every configuration and starts the hub, then the sites; returns when all run. */
  void startGateways() throws Exception {
    HexFormat hex = HexFormat.of();
    StringBuilder hub = new StringBuilder();
    hub.append(
        """
        gateway:
          name: %s
          publicAddress: 192.0.2.1
          vnetPrefixes: [10.0.0.0/24]
          runDirectory: %s
          workers: 1
        %s
        localNetworkGateways:
        """
            .formatted(hubName(), dir.resolve("runhub"), hubExtra));
    for (int i = 1; i <= sites; i++) {
      hub.append(
          """
            - name: site%d
              gatewayAddress: 192.0.2.%d
              addressPrefixes: [10.%d.0.0/24]
          """
              .formatted(i, 10 + i, i));
    }
    hub.append("connections:\n");
    for (int i = 1; i <= sites; i++) {
      hub.append(
          connectionYaml(
              connection(i),
              "site" + i,
              spiFromHub(i),
              hex.formatHex(keyFromHub[i]),
              spiToHub(i),
              hex.formatHex(keyToHub[i])));
    }
    List<Process> started = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    // The hub too runs its dataplane on one thread (the allocator shares it, as the I/O thread's
    // would): four gateways, six iperf3 processes and the kernel's forwarding share two cores,
    // where a gateway's second thread mostly competes with the others.
    started.add(start("hub", hub.toString(), "SHARED"));
    logs.add(dir.resolve("hub.log"));
    for (int i = 1; i <= sites; i++) {
      String site =
          """
          gateway:
            name: %1$s-site%2$d
            publicAddress: 192.0.2.%3$d
            vnetPrefixes: [10.%2$d.0.0/24]
            runDirectory: %4$s
            workers: 1
          localNetworkGateways:
            - name: hub
              gatewayAddress: 192.0.2.1
              addressPrefixes: [10.0.0.0/24]
          connections:
          """
                  .formatted(prefix, i, 10 + i, dir.resolve("rungw" + i))
              + connectionYaml(
                  "to-hub",
                  "hub",
                  spiToHub(i),
                  hex.formatHex(keyToHub[i]),
                  spiFromHub(i),
                  hex.formatHex(keyFromHub[i]));
      // A site stands for an on-prem device, not under test.
      started.add(start("gw" + i, site, "SHARED"));
      logs.add(dir.resolve("gw" + i + ".log"));
    }
    for (int i = 0; i < started.size(); i++) {
      TwoSites.awaitLine(logs.get(i), ": running;", started.get(i));
    }
  }

  private static String connectionYaml(
      String name, String site, int outSpi, String outKey, int inSpi, String inKey) {
    return """
          - name: %s
            localNetworkGateway: %s
            encapsulation: udp
            manualKeys:
              replayWindow: 1024
              outbound: {spi: %d, encryption: aes128gcm16, key: 0x%s}
              inbound:  {spi: %d, encryption: aes128gcm16, key: 0x%s}
        """
        .formatted(name, site, outSpi, outKey, inSpi, inKey);
  }

  /** The counters file of {@code role} (hub or gwI). */
  Path counters(String role) {
    return dir.resolve("run" + role).resolve("counters.dat");
  }

  Path log(String role) {
    return dir.resolve(role + ".log");
  }

  /**
   * Runs the {@code gateway} CLI in {@code role}'s namespace against that gateway's management API
   * (e.g. {@code vnet-gateway update --name N --sku VpnGw1}).
   */
  TwoSites.Result cli(String role, String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(dev.vpngw.appliance.interop.GatewayProcess.mainCommand(args));
    command.addAll(List.of("--run-directory", dir.resolve("run" + role).toString()));
    return inNs(role, Duration.ofSeconds(60), command.toArray(String[]::new));
  }

  /** The hub gateway's name. */
  String hubName() {
    return prefix + "-hub";
  }

  private Process start(String role, String yaml, String threading) throws IOException {
    Path config = dir.resolve(role + ".yaml");
    Files.writeString(config, yaml);
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
    command.addAll(
        dev.vpngw.appliance.interop.GatewayProcess.mainCommand(
            "run",
            // Four gateways, iperf3 clients and servers share this machine's cores: none may
            // claim one for itself.
            "--no-pin",
            "--threading",
            threading,
            "--config",
            config.toString()));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log(role).toFile())
            .start();
    processes.add(p);
    return p;
  }

  TwoSites.Result inNs(String role, Duration timeout, String... command)
      throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
    c.addAll(List.of(command));
    return TwoSites.tryRun(c, timeout);
  }

  @Override
  public void close() throws Exception {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    TwoSites.tryRun(List.of(TOPOLOGY.toString(), "down", prefix), Duration.ofSeconds(60));
  }
}
