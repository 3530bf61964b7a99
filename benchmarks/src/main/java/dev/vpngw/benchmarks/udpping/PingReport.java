package dev.vpngw.benchmarks.udpping;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one probe run: how many probes were sent and answered while recording, and the
 * round-trip percentiles. {@link #toJson()} is the one line the benchmark harness reads.
 *
 * @param ratePerSecond probes per second
 * @param payloadBytes UDP payload of each probe
 * @param sent probes sent while recording
 * @param answered echoes recorded
 * @param lost probes without an echo by the end of the grace period
 * @param lateSends probes that left more than one interval after their slot (the client's machine
 *     was busy), so the schedule was not kept
 * @param stray datagrams that were not echoes of this run's probes
 * @param histogram round-trip times in nanoseconds
 */
record PingReport(
    int ratePerSecond,
    int payloadBytes,
    long sent,
    long answered,
    long lost,
    long lateSends,
    long stray,
    Histogram histogram) {

  /** The round trip at percentile {@code p} (0..100) in microseconds, or NaN with no echoes. */
  double percentileMicros(double p) {
    return answered == 0 ? Double.NaN : histogram.getValueAtPercentile(p) / 1_000.0;
  }

  String toJson() {
    return String.format(
        Locale.ROOT,
        "{\"rate\": %d, \"payload_bytes\": %d, \"sent\": %d, \"answered\": %d, \"lost\": %d,"
            + " \"late_sends\": %d, \"stray\": %d, \"min_us\": %s, \"mean_us\": %s, \"p50_us\": %s,"
            + " \"p90_us\": %s, \"p99_us\": %s, \"p999_us\": %s, \"max_us\": %s}",
        ratePerSecond,
        payloadBytes,
        sent,
        answered,
        lost,
        lateSends,
        stray,
        micros(answered == 0 ? Double.NaN : histogram.getMinValue() / 1_000.0),
        micros(answered == 0 ? Double.NaN : histogram.getMean() / 1_000.0),
        micros(percentileMicros(50)),
        micros(percentileMicros(90)),
        micros(percentileMicros(99)),
        micros(percentileMicros(99.9)),
        micros(answered == 0 ? Double.NaN : histogram.getMaxValue() / 1_000.0));
  }

  /** JSON has no NaN: a run without echoes reports null percentiles. */
  private static String micros(double value) {
    return Double.isNaN(value) ? "null" : String.format(Locale.ROOT, "%.1f", value);
  }
}
