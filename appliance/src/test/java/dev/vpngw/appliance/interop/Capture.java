package dev.vpngw.appliance.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tcpdump capture on one interface of a namespace, written to a pcap file; closing it stops
 * tcpdump and flushes the file. {@link #tshark} reads the capture with a Wireshark profile
 * directory (ours: the gateway's key log) so that ESP and IKE are decrypted.
 */
public final class Capture implements AutoCloseable {
  private final Process tcpdump;
  private final Path file;

  private Capture(Process tcpdump, Path file) {
    this.tcpdump = tcpdump;
    this.file = file;
  }

  /**
   * Starts capturing on {@code device} in {@code namespace} and waits until tcpdump listens. The
   * device first stops taking GSO packets ({@code gso_max_segs 1}): our gateway sends runs of ESP
   * as one UDP_SEGMENT packet, which a veth passes whole and tcpdump would write as one "datagram"
   * of many ESP packets that no dissector takes apart; so the kernel cuts it into its datagrams
   * before the capture point, as on a NIC without UDP segmentation offload.
   */
  public static Capture start(String namespace, String device, Path file, String filter)
      throws IOException {
    Shell.check(
        Duration.ofSeconds(10),
        Shell.inNamespace(namespace, "ip", "link", "set", "dev", device, "gso_max_segs", "1"));
    Path log = file.resolveSibling(file.getFileName() + ".log");
    List<String> command =
        new ArrayList<>(
            Shell.inNamespace(
                namespace,
                "tcpdump",
                "-i",
                device,
                "-n",
                "-U",
                "-Z",
                "root",
                "-w",
                file.toString()));
    if (filter != null) {
      command.add(filter);
    }
    Process p =
        new ProcessBuilder(command)
            .redirectInput(Shell.NO_INPUT)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Capture c = new Capture(p, file);
    try {
      Shell.await(
          Duration.ofSeconds(20),
          () -> {
            try {
              return Files.exists(log) && Files.readString(log).contains("listening on");
            } catch (IOException e) {
              return false;
            }
          },
          () -> "tcpdump did not start in " + namespace);
    } catch (RuntimeException | Error e) {
      c.close();
      throw e;
    }
    return c;
  }

  public Path file() {
    return file;
  }

  /**
   * Waits until the capture holds at least {@code count} frames matching {@code displayFilter}:
   * tcpdump writes what it has read, but frames still in the kernel's buffer when it is stopped
   * would be lost.
   */
  public void awaitFrames(String displayFilter, int count) {
    Shell.await(
        Duration.ofSeconds(20),
        () -> {
          try {
            return Shell.run(
                        Duration.ofSeconds(30),
                        List.of("tshark", "-n", "-r", file.toString(), "-Y", displayFilter))
                    .output()
                    .lines()
                    .count()
                >= count;
          } catch (IOException e) {
            return false;
          }
        },
        () -> "fewer than " + count + " '" + displayFilter + "' frames in " + file);
  }

  /**
   * Runs tshark on the capture with the Wireshark profile in {@code configHome}/wireshark (ESP and
   * IKE decryption and ESP authentication checking on), printing {@code fields} of the frames
   * matching {@code displayFilter}; one line per frame.
   */
  public List<String> tshark(Path configHome, String displayFilter, String... fields)
      throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "env",
                "XDG_CONFIG_HOME=" + configHome,
                "tshark",
                "-n",
                "-r",
                file.toString(),
                "-o",
                "esp.enable_encryption_decode:TRUE",
                "-o",
                "esp.enable_authentication_check:TRUE",
                "-Y",
                displayFilter,
                "-T",
                "fields"));
    for (String f : fields) {
      command.add("-e");
      command.add(f);
    }
    Shell.Result r = Shell.check(Duration.ofSeconds(120), command);
    return r.output().lines().toList();
  }

  @Override
  public void close() {
    tcpdump.destroy();
    try {
      if (!tcpdump.waitFor(10, TimeUnit.SECONDS)) {
        tcpdump.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      tcpdump.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
