package dev.vpngw.appliance.monitor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * CPU time of the gateway's own threads (the dataplane's I/O and crypto worker threads, the IKE
 * thread), from the JVM's {@link ThreadMXBean}: the closest the exporter can come to worker
 * utilisation without adding anything to the packet path, where the counters file has no busy time.
 * Its rate over time approximates a thread's load with a floor: an idle agent spins, yields and
 * parks up to 100 us at a time, which costs some CPU.
 */
public final class ThreadCpu {
  /** The threads reported, by name (see {@code Dataplane} and {@code IkeService}). */
  static final Pattern NAMES = Pattern.compile("crypto-worker-\\d+|vpngw-io|vpngw-dataplane|ike");

  private ThreadCpu() {}

  /** CPU seconds of each reported live thread; empty if the JVM does not measure thread CPU. */
  public static Map<String, Double> seconds() {
    ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    Map<String, Double> out = new TreeMap<>();
    if (!bean.isThreadCpuTimeSupported() || !bean.isThreadCpuTimeEnabled()) {
      return out;
    }
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (NAMES.matcher(t.getName()).matches()) {
        long nanos = bean.getThreadCpuTime(t.threadId());
        if (nanos >= 0) {
          out.merge(t.getName(), nanos / 1e9, Double::sum);
        }
      }
    }
    return out;
  }
}
