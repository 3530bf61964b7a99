package dev.vpngw.appliance.capture;

import dev.vpngw.appliance.config.ConfigException;
import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.GatewayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gateway capture}: a bounded pcapng capture of one connection's traffic while it flows,
 * outer (ESP and IKE to and from its peer, on the interface the route to the peer leaves by) or
 * inner (its plaintext on the TUN device), by dumpcap with a kernel filter ({@link CapturePlan}),
 * stopping after {@code --duration} seconds or {@code --max-size} megabytes. With {@code
 * --with-keys} (outer only) the ESP keys of the connection's SAs, taken from the gateway's key log
 * ({@code gateway.keyLogDirectory}), are written beside the capture as a Wireshark profile ({@code
 * FILE.keys/wireshark/esp_sa}): pcapng's Decryption Secrets Block has no type for ESP keys (tshark
 * 4.0 knows TLS, SSH and WireGuard secrets only), so the keys cannot travel inside the file.
 */
@Command(
    name = "capture",
    description = "Capture one connection's traffic (pcapng) without stopping it.")
public final class CaptureCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "The gateway's YAML configuration.")
  Path config;

  @Option(names = "--connection", required = true, description = "The connection to capture.")
  String connection;

  static final class Side {
    @Option(names = "--inner", description = "Its plaintext on the TUN device.")
    boolean inner;

    @Option(names = "--outer", description = "Its ESP and IKE on the WAN (default).")
    boolean outer;
  }

  @ArgGroup(exclusive = true)
  Side side;

  @Option(names = "--duration", required = true, description = "Seconds to capture (1..86400).")
  int duration;

  @Option(names = "--file", required = true, description = "The pcapng file to write.")
  Path file;

  @Option(
      names = "--max-size",
      defaultValue = "100",
      description = "Stop at this many megabytes (default 100).")
  int maxSizeMb;

  @Option(
      names = "--with-keys",
      description =
          "Write the connection's ESP keys beside the capture (FILE.keys/wireshark/esp_sa), from"
              + " the gateway's key log; outer captures only.")
  boolean withKeys;

  @Override
  public Integer call() throws Exception {
    boolean inner = side != null && side.inner;
    if (duration < 1 || duration > 86_400) {
      return refuse("--duration: seconds from 1 to 86400");
    }
    if (maxSizeMb < 1 || maxSizeMb > 100_000) {
      return refuse("--max-size: megabytes from 1 to 100000");
    }
    if (withKeys && inner) {
      return refuse("--with-keys: an inner capture is plaintext already");
    }
    GatewayConfig cfg;
    try {
      cfg = ConfigLoader.load(config);
    } catch (ConfigException e) {
      return refuse("configuration refused: " + e.getMessage());
    }
    GatewayConfig.Connection c =
        cfg.connections().stream()
            .filter(x -> x.name().equals(connection))
            .findFirst()
            .orElse(null);
    if (c == null) {
      return refuse("--connection: no connection named " + connection + " in " + config);
    }
    Path keys = null;
    if (withKeys) {
      if (cfg.gateway().keyLogDirectory() == null) {
        return refuse(
            "--with-keys: the gateway keeps no key log (gateway.keyLogDirectory is not set)");
      }
      keys = writeKeys(cfg.gateway().keyLogDirectory().resolve("esp_sa"), c);
      if (keys == null) {
        return 1;
      }
    }
    CapturePlan plan = inner ? CapturePlan.inner(cfg, c) : CapturePlan.outer(c, wanDevice(c));
    if (!inner && cfg.gateway().wanOffload()) {
      // A capture sees what the stack hands the device: with UDP segmentation that is the run.
      System.out.println(
          "vpngw: note: with gateway.wanOffload the gateway sends runs of ESP as one UDP GSO packet;"
              + " unless "
              + plan.device()
              + " segments before the capture point (ip link set dev "
              + plan.device()
              + " gso_max_segs 1), a run is one frame and tshark decodes only its first ESP packet");
    }
    List<String> dumpcap =
        List.of(
            "dumpcap",
            "-q",
            "-i",
            plan.device(),
            "-f",
            plan.filter(),
            "-a",
            "duration:" + duration,
            "-a",
            "filesize:" + (long) maxSizeMb * 1000,
            "-w",
            file.toAbsolutePath().toString());
    System.out.println(
        "vpngw: capturing "
            + connection
            + (inner ? " (inner)" : " (outer)")
            + " on "
            + plan.device()
            + " for "
            + duration
            + " s into "
            + file
            + " (filter: "
            + plan.filter()
            + ")");
    System.out.flush();
    Process p = new ProcessBuilder(dumpcap).inheritIO().start();
    if (!p.waitFor(duration + 30L, TimeUnit.SECONDS)) {
      p.destroy();
      p.waitFor(5, TimeUnit.SECONDS);
    }
    int exit = p.exitValue();
    if (exit != 0) {
      System.err.println("vpngw: dumpcap exited " + exit);
      return 1;
    }
    System.out.println("vpngw: wrote " + file);
    if (keys != null) {
      System.out.println(
          "vpngw: ESP keys in "
              + keys
              + "/wireshark/esp_sa; decrypt with: XDG_CONFIG_HOME="
              + keys
              + " tshark -o esp.enable_encryption_decode:TRUE -r "
              + file);
    }
    return 0;
  }

  /** The connection's esp_sa lines into FILE.keys/wireshark/esp_sa (owner-only); or null. */
  private Path writeKeys(Path keyLog, GatewayConfig.Connection c) throws IOException {
    if (!Files.exists(keyLog)) {
      refuse("--with-keys: no key log at " + keyLog + " (has the gateway negotiated an SA?)");
      return null;
    }
    List<String> lines =
        CapturePlan.espSaLines(
            Files.readAllLines(keyLog), c.localNetworkGateway().gatewayAddress());
    if (lines.isEmpty()) {
      refuse("--with-keys: the key log has no ESP keys of " + connection + " yet");
      return null;
    }
    Path home = file.toAbsolutePath().resolveSibling(file.getFileName() + ".keys");
    Path profile = home.resolve("wireshark");
    Files.createDirectories(profile);
    Path esp = profile.resolve("esp_sa");
    Files.deleteIfExists(esp);
    Files.createFile(
        esp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(esp, lines);
    return home;
  }

  /** The interface the route to the connection's peer leaves by ({@code ip route get}). */
  private static String wanDevice(GatewayConfig.Connection c)
      throws IOException, InterruptedException {
    String peer = c.localNetworkGateway().gatewayAddress().getHostAddress();
    Process p = new ProcessBuilder("ip", "route", "get", peer).redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    List<String> words = new ArrayList<>(List.of(out.trim().split("\\s+")));
    int dev = words.indexOf("dev");
    if (p.exitValue() != 0 || dev < 0 || dev + 1 >= words.size()) {
      throw new IOException("no route to the peer " + peer + ": " + out.trim());
    }
    return words.get(dev + 1);
  }

  private static int refuse(String why) {
    System.err.println("vpngw: " + why);
    return 2;
  }
}
