package dev.vpngw.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.esp.EspCounters;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The point of the counters file: another process (here a child JVM running {@link
 * CountersWatcher}) reads a counter while this one keeps incrementing it, as {@code gateway status}
 * does while traffic flows.
 */
class CountersCrossProcessTest {
  private static final long TARGET = 200_000;

  @TempDir Path dir;

  @Test
  void aChildProcessWatchesACounterClimbWhileWeIncrementIt() throws Exception {
    Path path = dir.resolve("counters.dat");
    try (CountersFile file = CountersFile.create(path, 64 * CountersReader.COUNTER_LENGTH);
        EspCounters worker = new EspCounters(file.manager(), "worker-0")) {
      worker.delivered(100); // a value before the child starts: it must see the file's history too
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElseThrow());
      command.add("--enable-native-access=ALL-UNNAMED");
      command.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(CountersWatcher.class.getName());
      command.add(path.toString());
      command.add("worker-0: inner packets delivered");
      command.add(Long.toString(TARGET));
      Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader output =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String ready = output.readLine();
      assertEquals("ready first=1", ready, "the child's first line");

      // Now the traffic flows, until the child has seen enough of it (or gives up).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (child.isAlive() && System.nanoTime() < deadline) {
        worker.delivered(100);
        if ((worker.packetsIn() & 0xff) == 0) {
          Thread.yield();
        }
      }
      assertTrue(child.waitFor(10, TimeUnit.SECONDS), "child still running");
      String rest = output.lines().collect(Collectors.joining("\n"));
      assertEquals(0, child.exitValue(), rest);

      Matcher m =
          Pattern.compile("first=(\\d+) last=(\\d+) pid=(\\d+) alive=(\\w+) decreases=(\\d+)")
              .matcher(rest);
      assertTrue(m.find(), rest);
      long first = Long.parseLong(m.group(1));
      long last = Long.parseLong(m.group(2));
      assertEquals(1, first, rest);
      assertTrue(last >= TARGET && last <= worker.packetsIn(), rest);
      assertEquals(ProcessHandle.current().pid(), Long.parseLong(m.group(3)), rest);
      assertEquals("true", m.group(4), rest);
      assertEquals("0", m.group(5), "the child saw the counter go backwards: " + rest);
    }
  }
}
