package dev.vpngw.appliance.interop;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The namespaces of scripts/topology.sh under a prefix unique to this JVM and call: LAN A
 * (10.1.0.2) - gateway A (10.1.0.1 | 192.0.2.1) - WAN - gateway B (192.0.2.2 | 10.2.0.1) - LAN B
 * (10.2.0.2), or, with NAT, gateway B at 172.16.0.2 behind a masquerading namespace that owns
 * 192.0.2.2; or, with {@link #sites}, more sites on a bridged WAN. Closing it deletes every
 * namespace, whatever state the test left them in.
 */
public final class Topology implements AutoCloseable {
  static final Path SCRIPT = Path.of("..", "scripts", "topology.sh").toAbsolutePath().normalize();
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final String prefix;
  private boolean closed;

  private Topology(String prefix) {
    this.prefix = prefix;
  }

  /** Creates the topology; {@code nat} puts gateway B behind the NAT namespace. */
  public static Topology up(boolean nat) throws IOException {
    return up(nat ? List.of("nat") : List.of(), List.of());
  }

  /**
   * Creates the multi-site topology: gateway A and {@code sites} - 1 sites (B, C, D: gateway N at
   * 192.0.2.N in front of LAN 10.N.0.0/24), every gateway's WAN on one bridge.
   */
  public static Topology sites(int sites) throws IOException {
    if (sites < 2 || sites > 4) {
      throw new IllegalArgumentException("2 to 4 sites, not " + sites);
    }
    return up(List.of(), List.of("env", "SITES=" + sites));
  }

  /**
   * Creates the pair topology: site A is an active-standby pair, gwA (192.0.2.11) and gwA2
   * (192.0.2.12) on one GatewaySubnet bridge with gwB, joined by an HA link (10.255.0.1/.2), both
   * on LAN A's bridge; the virtual addresses 192.0.2.1 and 10.1.0.1 belong to whichever is active.
   */
  public static Topology upPair() throws IOException {
    return up(List.of("pair"), List.of());
  }

  private static Topology up(List<String> modeArguments, List<String> environment)
      throws IOException {
    // Short (veth names are the prefix plus 3 characters, at most 15) and unique per process.
    String prefix =
        "sw"
            + Long.toString(ProcessHandle.current().pid() % 1_000_000, 36)
            + Integer.toString(COUNTER.incrementAndGet(), 36);
    Topology t = new Topology(prefix);
    List<String> command = new java.util.ArrayList<>(environment);
    command.addAll(List.of(SCRIPT.toString(), "up", prefix));
    command.addAll(modeArguments);
    try {
      Shell.check(Duration.ofSeconds(60), command);
    } catch (IOException | RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  /**
   * The namespace of {@code role}: lanA, gwA, gwB, lanB, nat; gwC, lanC, gwD, lanD, wan (sites);
   * gwA2, sw (pair).
   */
  public String ns(String role) {
    return prefix + "-" + role;
  }

  /** Runs {@code command} in the namespace of {@code role}. */
  public Shell.Result exec(String role, Duration timeout, String... command) throws IOException {
    return Shell.run(timeout, Shell.inNamespace(ns(role), command));
  }

  /** True when all {@code count} pings from {@code role} to {@code address} were answered. */
  public boolean ping(String role, String address, int count) throws IOException {
    // With a deadline (-w) next to the count, ping exits 1 unless every reply came in; with a
    // count alone, one reply would do.
    return exec(
            role,
            Duration.ofSeconds(count + 10L),
            "ping",
            "-n",
            "-q",
            "-c",
            Integer.toString(count),
            "-i",
            "0.2",
            "-w",
            Integer.toString(count + 3),
            address)
        .ok();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    Shell.check(Duration.ofSeconds(60), List.of(SCRIPT.toString(), "down", prefix));
  }
}
