package dev.vpngw.benchmarks.ike;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux says a process has used: CPU time (user + system, all threads) from {@code
 * /proc/<pid>/stat} and resident memory from {@code /proc/<pid>/status}. The responder runs in
 * another network namespace but the same PID namespace, so its files are readable from the load
 * generator; sampling both ends of a window gives the responder's CPU seconds per setup, which does
 * not depend on who was the bottleneck.
 */
record ProcStat(long pid) {
  /**
   * USER_HZ: the unit of the stat file's times. The kernel fixes it at 100 in its user ABI on every
   * architecture we run on, whatever CONFIG_HZ is.
   */
  private static final double TICKS_PER_SECOND = 100.0;

  /** This JVM. */
  static ProcStat self() {
    return new ProcStat(ProcessHandle.current().pid());
  }

  /** CPU seconds used so far (utime + stime), or NaN if the process is gone. */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      long utime = Long.parseLong(f[11]);
      long stime = Long.parseLong(f[12]);
      return (utime + stime) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Resident set size in kB, or -1 if the process is gone. */
  long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
      return -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The command name, e.g. {@code charon} or {@code java}, or "?" if the process is gone. */
  String command() {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
    } catch (IOException e) {
      return "?";
    }
  }
}
