package dev.vpngw.io.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AffinityTest {
  @Test
  void pinningToCpuZeroTakesEffectAndIsUndone() throws Exception {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
    int[] original = Affinity.availableCpus();
    assertTrue(original.length >= 1);
    assumeTrue(Arrays.stream(original).anyMatch(c -> c == 0), "CPU 0 is not ours to use");
    try {
      Affinity.pinCurrentThread(0);
      assertArrayEquals(new int[] {0}, Affinity.availableCpus());
      // The kernel's own view of this thread, independent of our mask decoding.
      assertEquals("0", cpusAllowedList());
    } finally {
      Affinity.setCurrentThreadAffinity(original);
    }
    assertArrayEquals(original, Affinity.availableCpus());
  }

  private static String cpusAllowedList() throws Exception {
    // Read on this thread, so /proc/thread-self is the pinned thread.
    return Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
        .filter(l -> l.startsWith("Cpus_allowed_list:"))
        .map(l -> l.substring(l.indexOf(':') + 1).strip())
        .findFirst()
        .orElseThrow();
  }
}
