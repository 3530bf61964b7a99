package dev.vpngw.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The two-site topology of scripts/topology.sh (LAN A - gateway A - WAN - gateway B - LAN B, each
 * in a namespace of its own, with a unique prefix) and two appliance processes in the gateway
 * namespaces, configured with a tunnel of manual keys. Closing it kills the processes and deletes
 * the namespaces, whatever state they are in.
 */
final class TwoSites implements AutoCloseable {
  static final Path TOPOLOGY = Path.of("..", "scripts", "topology.sh").toAbsolutePath().normalize();

  final String prefix;
  final Path dir;
  final String encapsulation;
  final String proposal;
  final byte[] keyAtoB;
  final byte[] keyBtoA;
  final byte[] integrityAtoB;
  final byte[] integrityBtoA;
  final int wanMtu;
  final int spiAtoB = 0x0000_a001;
  final int spiBtoA = 0x0000_b001;
  private final List<Process> processes = new ArrayList<>();
  private Process gatewayA;
  private Process gatewayB;
  private String gatewayBExtra = "";
  private String vnet2vnetKey;

  TwoSites(Path dir, String encapsulation, String proposal, int keyLength, int integrityLength)
      throws IOException, InterruptedException {
    this(dir, encapsulation, proposal, keyLength, integrityLength, 1500);
  }

  /** As above, with both gateways configured for a WAN MTU of {@code wanMtu}. */
  TwoSites(
      Path dir,
      String encapsulation,
      String proposal,
      int keyLength,
      int integrityLength,
      int wanMtu)
      throws IOException, InterruptedException {
    this.wanMtu = wanMtu;
    this.prefix =
        "vg"
            + (ProcessHandle.current().pid() % 100_000)
            + Long.toString(System.nanoTime() % 36, 36);
    this.dir = dir;
    this.encapsulation = encapsulation;
    this.proposal = proposal;
    java.security.SecureRandom random = new java.security.SecureRandom();
    keyAtoB = new byte[keyLength];
    keyBtoA = new byte[keyLength];
    integrityAtoB = new byte[integrityLength];
    integrityBtoA = new byte[integrityLength];
    random.nextBytes(keyAtoB);
    random.nextBytes(keyBtoA);
    random.nextBytes(integrityAtoB);
    random.nextBytes(integrityBtoA);
    run(List.of(TOPOLOGY.toString(), "up", prefix), Duration.ofSeconds(60));
  }

  /**
   * Joins the two gateways with IKEv2 instead of manual keys: a {@code Vnet2Vnet} connection with
   * this shared key on both sides, written the cloud's way (docs/CONFIG.md).
   */
  void vnet2vnet(String sharedKey) {
    vnet2vnetKey = sharedKey;
  }

  /** The configuration file of gateway {@code A} or {@code B}, once started. */
  Path configFile(String gateway) {
    return dir.resolve("gw" + gateway + ".yaml");
  }

  /** Adds {@code yamlLines} (two-space indented) to gateway B's {@code gateway:} section. */
  void gatewayBSettings(String yamlLines) {
    gatewayBExtra = yamlLines;
  }

  String ns(String role) {
    return prefix + "-" + role;
  }

  /** Writes both configurations and starts both gateways; returns when both say they run. */
  void startGateways() throws Exception {
    Path a = dir.resolve("gwA.yaml");
    Path b = dir.resolve("gwB.yaml");
    Files.writeString(
        a,
        config(
            "A",
            "192.0.2.1",
            "192.0.2.2",
            "10.1.0.0/24",
            "fd00:1::/64",
            "10.2.0.0/24",
            "fd00:2::/64",
            spiAtoB,
            keyAtoB,
            integrityAtoB,
            spiBtoA,
            keyBtoA,
            integrityBtoA));
    Files.writeString(
        b,
        config(
            "B",
            "192.0.2.2",
            "192.0.2.1",
            "10.2.0.0/24",
            "fd00:2::/64",
            "10.1.0.0/24",
            "fd00:1::/64",
            spiBtoA,
            keyBtoA,
            integrityBtoA,
            spiAtoB,
            keyAtoB,
            integrityAtoB));
    gatewayA = startGateway("gwA", a, dir.resolve("gwA.log"));
    gatewayB = startGateway("gwB", b, dir.resolve("gwB.log"));
    awaitLine(dir.resolve("gwA.log"), ": running;", gatewayA);
    awaitLine(dir.resolve("gwB.log"), ": running;", gatewayB);
  }

  /**
   * Makes both WAN veths take no GSO packet ({@code gso_max_segs 1}), so the kernel cuts a
   * gateway's UDP_SEGMENT run into its datagrams before a capture on them sees it, as on a NIC
   * without UDP segmentation offload. Otherwise veth passes the 64 KiB packet whole, tcpdump writes
   * it as one "datagram" of many ESP packets back to back, and no dissector can take it apart.
   */
  void segmentWanBeforeCapture() throws IOException, InterruptedException {
    for (String gateway : List.of("gwA", "gwB")) {
      run(
          List.of("ip", "-n", ns(gateway), "link", "set", "dev", "wan0", "gso_max_segs", "1"),
          Duration.ofSeconds(10));
    }
  }

  Path counters(String gateway) {
    return dir.resolve("run" + gateway).resolve("counters.dat");
  }

  private String config(
      String name,
      String self,
      String peer,
      String vnet4,
      String vnet6,
      String site4,
      String site6,
      int outSpi,
      byte[] outKey,
      byte[] outInteg,
      int inSpi,
      byte[] inKey,
      byte[] inInteg) {
    HexFormat hex = HexFormat.of();
    String outIntegrity =
        outInteg.length == 0 ? "" : ", integrityKey: 0x" + hex.formatHex(outInteg);
    String inIntegrity = inInteg.length == 0 ? "" : ", integrityKey: 0x" + hex.formatHex(inInteg);
    String connection =
        (vnet2vnetKey != null
                ? """
                    connectionType: Vnet2Vnet
                    sharedKey: "%s"
                    """
                    .formatted(vnet2vnetKey)
                : """
                    manualKeys:
                      replayWindow: 1024
                      outbound: {spi: %d, encryption: %s, key: 0x%s%s}
                      inbound:  {spi: %d, encryption: %s, key: 0x%s%s}
                    """
                    .formatted(
                        outSpi,
                        proposal,
                        hex.formatHex(outKey),
                        outIntegrity,
                        inSpi,
                        proposal,
                        hex.formatHex(inKey),
                        inIntegrity))
            .indent(4)
            .stripTrailing();
    return """
        gateway:
          name: %1$s-gw%2$s
          publicAddress: %3$s
          vnetPrefixes: [%5$s, "%6$s"]
          runDirectory: %9$s
          workers: 1
          wanMtu: %11$d
        %12$s
        localNetworkGateways:
          - name: site
            gatewayAddress: %4$s
            addressPrefixes: [%7$s, "%8$s"]
        connections:
          - name: to-site
            localNetworkGateway: site
            encapsulation: %10$s
        %13$s
        """
        .formatted(
            prefix,
            name,
            self,
            peer,
            vnet4,
            vnet6,
            site4,
            site6,
            dir.resolve("run" + "gw" + name),
            encapsulation,
            wanMtu,
            name.equals("B") ? gatewayBExtra : "",
            connection);
  }

  private Process startGateway(String role, Path config, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(dev.vpngw.appliance.interop.GatewayProcess.jvmFlags());
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.vpngw.appliance.Main",
            "run",
            "--config",
            config.toString()));
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    return p;
  }

  /** Starts a background command whose output goes to {@code log}; stopped on close. */
  Process background(List<String> command, Path log) throws IOException {
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    return p;
  }

  static void awaitLine(Path log, String text, Process process) throws Exception {
    await(
        Duration.ofSeconds(60),
        () -> {
          if (!process.isAlive()) {
            throw new IllegalStateException(
                read(log) + "\n(process exited " + process.exitValue() + ")");
          }
          return read(log).contains(text);
        },
        () -> "no '" + text + "' in " + log + ":\n" + read(log));
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }

  /** Waits for a condition, polling; fails with {@code why} after {@code timeout}. */
  static void await(
      Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> why)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + ": " + why.get());
      }
      Thread.sleep(50);
    }
  }

  /** Runs a command to completion; returns its output; fails on a non-zero exit. */
  static String run(List<String> command, Duration timeout)
      throws IOException, InterruptedException {
    Result r = tryRun(command, timeout);
    if (r.exit() != 0) {
      throw new IOException(
          String.join(" ", command) + " exited " + r.exit() + ":\n" + r.output() + r.errors());
    }
    return r.output();
  }

  /** A finished command: its exit status, standard output and standard error. */
  record Result(int exit, String output, String errors) {}

  static Result tryRun(List<String> command, Duration timeout)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).start();
    java.util.concurrent.CompletableFuture<byte[]> err =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return p.getErrorStream().readAllBytes();
              } catch (IOException e) {
                return new byte[0];
              }
            });
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " timed out");
    }
    return new Result(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err.join(), StandardCharsets.UTF_8));
  }

  Result inNs(String role, Duration timeout, String... command)
      throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
    c.addAll(List.of(command));
    return tryRun(c, timeout);
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
    tryRun(List.of(TOPOLOGY.toString(), "down", prefix), Duration.ofSeconds(60));
  }
}
