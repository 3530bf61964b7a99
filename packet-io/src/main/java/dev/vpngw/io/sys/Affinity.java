package dev.vpngw.io.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Pins threads to CPUs with {@code sched_setaffinity(2)}: each crypto worker runs on its own core,
 * so its cache keeps its SAs' key schedules and the scheduler does not bounce it. The JDK has no
 * affinity API, hence the native call. Setup only (allocates the mask per call).
 *
 * <p>Masks are a glibc {@code cpu_set_t} of 1024 bits ({@code CPU_SETSIZE}), bit {@code n} for CPU
 * {@code n}, in 64-bit words of host byte order; thread id 0 means the calling thread.
 */
public final class Affinity {
  /** The most CPUs a mask describes ({@code CPU_SETSIZE}). */
  public static final int MAX_CPUS = 1024;

  private static final int MASK_BYTES = MAX_CPUS / 8;

  private Affinity() {}

  /** Restricts the calling thread to CPU {@code cpu}. */
  public static void pinCurrentThread(int cpu) throws NativeIOException {
    setCurrentThreadAffinity(cpu);
  }

  /**
   * Restricts the calling thread to {@code cpus} (as in restoring what {@link #availableCpus()}
   * returned). EINVAL when none of them is online and allowed by the cgroup.
   */
  public static void setCurrentThreadAffinity(int... cpus) throws NativeIOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mask = arena.allocate(MASK_BYTES, 8);
      UnsafeBuffer view = new UnsafeBuffer(mask.address(), MASK_BYTES);
      for (int cpu : cpus) {
        if (cpu < 0 || cpu >= MAX_CPUS) {
          throw new IllegalArgumentException("CPU must be 0.." + (MAX_CPUS - 1) + ": " + cpu);
        }
        int word = (cpu / 64) * 8;
        view.putLong(word, view.getLong(word) | (1L << (cpu % 64)));
      }
      LibC.schedSetaffinity(0, MASK_BYTES, mask.address());
    }
  }

  /**
   * The CPUs the calling thread may run on, ascending: before any pinning, the machine's (or the
   * cgroup's or {@code taskset}'s) CPUs that workers can be spread over; after {@link
   * #pinCurrentThread}, just that one.
   */
  public static int[] availableCpus() throws NativeIOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mask = arena.allocate(MASK_BYTES, 8);
      LibC.schedGetaffinity(0, MASK_BYTES, mask.address());
      UnsafeBuffer view = new UnsafeBuffer(mask.address(), MASK_BYTES);
      int count = 0;
      for (int word = 0; word < MASK_BYTES; word += 8) {
        count += Long.bitCount(view.getLong(word));
      }
      int[] cpus = new int[count];
      int n = 0;
      for (int cpu = 0; cpu < MAX_CPUS; cpu++) {
        if ((view.getLong((cpu / 64) * 8) & (1L << (cpu % 64))) != 0) {
          cpus[n++] = cpu;
        }
      }
      return cpus;
    }
  }
}
