package dev.vpngw.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.io.sys.Affinity;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.udp.UdpSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code pinThreads} the dataplane's threads run pinned (sched_setaffinity): checked from
 * outside the threads, in {@code /proc/self/task/<tid>/status} ({@code Cpus_allowed_list}), which
 * the kernel fills from the real affinity mask. The I/O thread takes the first CPU the process may
 * use, each worker the next, so with workers = CPUs - 1 no two share a core. Needs two cores.
 */
class PinnedThreadsTest {
  private static final long WAIT_MILLIS = 10_000;

  @BeforeAll
  static void needsLibC() {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
  }

  @Test
  void theIoThreadAndEveryWorkerArePinnedToDistinctCores() throws Exception {
    int[] cpus = Affinity.availableCpus();
    assumeTrue(cpus.length >= 2, "one core: nothing to spread the threads over");
    // The kernel keeps 15 characters of a thread's name: crypto-worker-0 .. -9 stay distinct.
    int workers = Math.min(cpus.length - 1, 10);
    try (UdpSocket udp = UdpSocket.open(InetAddress.ofLiteral("127.0.0.1"), 0, false, true);
        Dataplane dataplane =
            Dataplane.start(
                new Dataplane.Options(
                    workers, ThreadingMode.DEDICATED, 1 << 20, true, CryptoEngines.defaultEngine()),
                new Dataplane.Ports(null, udp, null, null, null, 0, null),
                CountersFile.inMemory(1 << 12))) {
      Map<String, String> pinned = awaitPinned(workers + 1);
      Set<String> cores = new HashSet<>();
      assertEquals(String.valueOf(cpus[0]), pinned.get(Dataplane.IO_THREAD), pinned.toString());
      cores.add(pinned.get(Dataplane.IO_THREAD));
      for (int i = 0; i < workers; i++) {
        String core = pinned.get("crypto-worker-" + i);
        assertEquals(String.valueOf(cpus[1 + i]), core, pinned.toString());
        cores.add(core);
      }
      assertEquals(workers + 1, cores.size(), "distinct cores: " + pinned);
    }
  }

  @Test
  void withoutPinningTheThreadsKeepTheProcessAffinity() throws Exception {
    int[] cpus = Affinity.availableCpus();
    assumeTrue(cpus.length >= 2, "one core: pinned and unpinned look the same");
    try (UdpSocket udp = UdpSocket.open(InetAddress.ofLiteral("127.0.0.1"), 0, false, true);
        Dataplane dataplane =
            Dataplane.start(
                new Dataplane.Options(
                    1, ThreadingMode.DEDICATED, 1 << 20, false, CryptoEngines.defaultEngine()),
                new Dataplane.Ports(null, udp, null, null, null, 0, null),
                CountersFile.inMemory(1 << 12))) {
      Map<String, String> threads = awaitThreads(Set.of(Dataplane.IO_THREAD, "crypto-worker-0"));
      assertNotEquals(String.valueOf(cpus[0]), threads.get(Dataplane.IO_THREAD), "not pinned");
      assertNotEquals(String.valueOf(cpus[1]), threads.get("crypto-worker-0"), "not pinned");
    }
  }

  /** Waits until {@code count} dataplane threads each allow exactly one CPU; name to CPU. */
  private static Map<String, String> awaitPinned(int count) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (true) {
      Map<String, String> pinned = new HashMap<>();
      for (Map.Entry<String, String> t : dataplaneThreads().entrySet()) {
        if (t.getValue().matches("\\d+")) {
          pinned.put(t.getKey(), t.getValue());
        }
      }
      if (pinned.size() == count) {
        return pinned;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("threads not pinned: " + dataplaneThreads());
      }
      Thread.sleep(10);
    }
  }

  /** Waits until the named threads exist; name to Cpus_allowed_list. */
  private static Map<String, String> awaitThreads(Set<String> names) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (true) {
      Map<String, String> threads = dataplaneThreads();
      if (threads.keySet().containsAll(names)) {
        return threads;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("threads missing: " + threads);
      }
      Thread.sleep(10);
    }
  }

  /** This process's dataplane threads (by their kernel name) and their Cpus_allowed_list. */
  private static Map<String, String> dataplaneThreads() throws IOException {
    Map<String, String> threads = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String name = Files.readString(task.resolve("comm")).strip();
          if (!name.equals(Dataplane.IO_THREAD) && !name.startsWith("crypto-worker-")) {
            continue;
          }
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
              threads.put(name, line.substring(line.indexOf(':') + 1).strip());
            }
          }
        } catch (IOException e) {
          // the thread ended while being read: not one of ours, which live until close
        }
      }
    }
    return threads;
  }
}
