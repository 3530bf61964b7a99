package dev.vpngw.appliance.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One of our gateways ({@code gateway run}) as a separate JVM in a namespace, with its YAML
 * configuration and its log (standard output and error, which carry the IKE event lines) in a
 * directory. Closing it stops the process (SIGTERM, then SIGKILL).
 */
public final class GatewayProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private GatewayProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Writes {@code yaml} to {@code dir/name.yaml}, starts the gateway and waits until it runs. */
  public static GatewayProcess start(String namespace, Path dir, String name, String yaml)
      throws IOException {
    return start(namespace, dir, name, yaml, List.of());
  }

  /** As above, with extra JVM flags for the gateway (system properties, say). */
  public static GatewayProcess start(
      String namespace, Path dir, String name, String yaml, List<String> extraJvmFlags)
      throws IOException {
    Path config = dir.resolve(name + ".yaml");
    Path log = dir.resolve(name + ".log");
    Files.writeString(config, yaml);
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    List<String> java =
        new ArrayList<>(
            mainCommand(
                "run",
                // One dataplane thread, unpinned: these tests prove the protocol, and on a small
                // machine charon and iperf3 need the other core.
                "--threading",
                "SHARED",
                "--no-pin",
                "--config",
                config.toString()));
    java.addAll(1, extraJvmFlags); // after the java binary, before the class path
    command.addAll(java);
    Process p =
        new ProcessBuilder(command)
            .redirectInput(Shell.NO_INPUT)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    GatewayProcess g = new GatewayProcess(p, log);
    try {
      Shell.await(
          Duration.ofSeconds(60),
          () -> {
            if (!p.isAlive()) {
              throw new IllegalStateException("gateway exited " + p.exitValue() + ":\n" + g.log());
            }
            return g.log().contains(": running;");
          },
          () -> "gateway did not start:\n" + g.log());
    } catch (RuntimeException | Error e) {
      g.close();
      throw e;
    }
    return g;
  }

  /**
   * The command line of {@code gateway ARGS} in a JVM of its own, as an operator runs it: this
   * JVM's java with {@link #jvmFlags()} and class path.
   */
  public static List<String> mainCommand(String... args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(jvmFlags());
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), "dev.vpngw.appliance.Main"));
    command.addAll(List.of(args));
    return command;
  }

  /**
   * The JVM flags a gateway process needs (Panama's native access, Agrona's and Chronicle Queue's
   * exports and opens, Chronicle's analytics off): those this test JVM was started with, from
   * Surefire's argLine (pom.xml's vpngw.jvm.flags).
   */
  public static List<String> jvmFlags() {
    List<String> flags = new ArrayList<>();
    for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens")
          || a.startsWith("--add-exports")
          || a.startsWith("--enable-native-access")
          || a.startsWith("--sun-misc-unsafe-memory-access")
          || a.startsWith("-Dchronicle.")) {
        flags.add(a);
      }
    }
    if (!flags.contains("-Dchronicle.analytics.disable=true")) {
      flags.add("-Dchronicle.analytics.disable=true");
    }
    return flags;
  }

  /** Everything the gateway printed so far. */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }

  /** The IKE event lines with this {@code event=} name. */
  public List<String> events(String event) {
    return log()
        .lines()
        .filter(l -> l.contains(" event=" + event + " ") || l.endsWith(" event=" + event))
        .toList();
  }

  /**
   * What {@code gateway status --counters FILE --json} prints for the gateway whose counters file
   * is {@code counters} (a separate JVM, as an operator would run it; it only reads the file).
   */
  public static String statusJson(Path counters) throws IOException {
    // The event journal (Chronicle Queue) needs the JVM flags too.
    return Shell.check(
            Duration.ofSeconds(60),
            mainCommand("status", "--counters", counters.toString(), "--interval", "0", "--json"))
        .output();
  }

  /** Whether the process still runs. */
  public boolean alive() {
    return process.isAlive();
  }

  /** Stops it hard, as a crash would (kill -9). */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
