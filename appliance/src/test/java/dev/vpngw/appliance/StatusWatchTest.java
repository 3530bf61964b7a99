package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.GatewayProcess;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.SaCounters;
import dev.vpngw.sa.SecurityAssociation.Direction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gateway status --watch}, in a process of its own as an operator runs it, redraws the table
 * every interval with the throughput of that interval, until it is stopped.
 */
class StatusWatchTest {
  @TempDir Path dir;

  @Test
  @SuppressWarnings("try") // SAs allocated only to be there while the body runs
  void redrawsWithTheThroughputOfEachInterval() throws Exception {
    Path path = dir.resolve("counters.dat");
    Path out = dir.resolve("watch.out");
    try (CountersFile file = CountersFile.create(path, 64 * CountersReader.COUNTER_LENGTH);
        SaCounters in =
            SaCounters.allocate(file.manager(), "to-site", 0, Direction.INBOUND, 1, "192.0.2.2");
        SaCounters sent =
            SaCounters.allocate(file.manager(), "to-site", 0, Direction.OUTBOUND, 2, "192.0.2.2")) {
      List<String> command =
          GatewayProcess.mainCommand(
              "status", "--counters", path.toString(), "--watch", "--interval", "0.5");
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        // 125,000 bytes each half second: 2 Mbit/s, until three frames show it.
        while (frames(out, "to-site\\s+up\\s+\\S+\\s+2\\.0 Mbit/s") < 3) {
          assertTrue(p.isAlive(), Files.readString(out));
          assertTrue(System.nanoTime() < deadline, Files.readString(out));
          in.packets(100, 62_500);
          Thread.sleep(250);
          in.packets(100, 62_500);
          Thread.sleep(250);
        }
        assertTrue(frames(out, "\\[H\\033\\[2J") >= 3, "each frame clears the screen");
      } finally {
        p.destroy();
        p.waitFor();
      }
    }
  }

  private static long frames(Path out, String regex) throws Exception {
    String text = Files.exists(out) ? Files.readString(out) : "";
    return java.util.regex.Pattern.compile(regex).matcher(text).results().count();
  }
}
