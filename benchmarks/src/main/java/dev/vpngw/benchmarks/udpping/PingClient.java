package dev.vpngw.benchmarks.udpping;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Sends timestamped UDP probes to an {@link EchoServer} at a fixed rate and records each echo's
 * round-trip time in an HdrHistogram.
 *
 * <p>The sender keeps an open-loop schedule (probe i leaves at start + i / rate, whether or not
 * earlier echoes came back), so a slow tunnel cannot slow the probe down and hide its own delay;
 * the receiver runs on its own thread. Each probe carries the time it actually left, so a sender
 * that wakes up late (the machine was busy) does not charge that to the tunnel; such late sends are
 * counted and reported instead. Probes sent during the warm-up (the JIT compiles both ends, ARP and
 * the tunnel's first packets settle) are echoed but not recorded.
 */
final class PingClient {
  /** Round trips up to a minute are recorded at 3 significant digits. */
  private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(60);

  /**
   * What to send.
   *
   * @param target the echo server
   * @param bind local address to send from (selects the tunnel by source prefix), or null
   * @param ratePerSecond probes per second
   * @param durationNanos how long to record, after the warm-up
   * @param warmupNanos how long to send before recording
   * @param graceNanos how long to wait for the last echoes after the last probe
   * @param payloadBytes UDP payload size of each probe, at least {@link ProbeLayout#MIN_LENGTH}
   */
  record Options(
      InetSocketAddress target,
      InetSocketAddress bind,
      int ratePerSecond,
      long durationNanos,
      long warmupNanos,
      long graceNanos,
      int payloadBytes) {
    Options {
      if (ratePerSecond < 1 || ratePerSecond > 1_000_000) {
        throw new IllegalArgumentException("rate must be 1..1000000 per second");
      }
      if (payloadBytes < ProbeLayout.MIN_LENGTH || payloadBytes > 65_507) {
        throw new IllegalArgumentException(
            "size must be " + ProbeLayout.MIN_LENGTH + "..65507 bytes of UDP payload");
      }
      if (durationNanos <= 0 || warmupNanos < 0 || graceNanos < 0) {
        throw new IllegalArgumentException("duration must be positive, warm-up and grace >= 0");
      }
    }
  }

  private final Options options;
  private final int runId = ThreadLocalRandom.current().nextInt();
  private final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
  private volatile boolean receiving = true;
  private volatile long recordFromSequence = Long.MAX_VALUE;
  private long stray;

  PingClient(Options options) {
    this.options = options;
  }

  /** Runs the whole probe (warm-up, measurement, grace) and reports it. */
  PingReport run() throws IOException, InterruptedException {
    try (DatagramSocket socket =
        options.bind() == null ? new DatagramSocket() : new DatagramSocket(options.bind())) {
      socket.connect(options.target());
      // Short timeouts let the receiver notice the end of the grace period without a close race.
      socket.setSoTimeout(50);
      Thread receiver = Thread.ofPlatform().name("udpping-rx").start(() -> receive(socket));
      long[] sent = send(socket);
      LockSupport.parkNanos(options.graceNanos());
      receiving = false;
      receiver.join();
      long recorded = histogram.getTotalCount();
      return new PingReport(
          options.ratePerSecond(),
          options.payloadBytes(),
          sent[0],
          recorded,
          Math.max(0, sent[0] - recorded),
          sent[1],
          stray,
          histogram);
    }
  }

  /** Returns {probes sent while recording, late sends while recording}. */
  private long[] send(DatagramSocket socket) throws IOException {
    byte[] payload = new byte[options.payloadBytes()];
    ByteBuffer view = ByteBuffer.wrap(payload);
    view.putInt(ProbeLayout.RUN_ID_OFFSET, runId);
    DatagramPacket packet = new DatagramPacket(payload, payload.length);
    long interval = 1_000_000_000L / options.ratePerSecond();
    long start = System.nanoTime();
    long warmupEnd = start + options.warmupNanos();
    long end = warmupEnd + options.durationNanos();
    long sequence = 0;
    long measured = 0;
    long late = 0;
    for (long due = start; due < end; due += interval, sequence++) {
      long now = System.nanoTime();
      if (due > now) {
        LockSupport.parkNanos(due - now);
        now = System.nanoTime();
      }
      boolean recording = due >= warmupEnd;
      if (recording && recordFromSequence == Long.MAX_VALUE) {
        recordFromSequence = sequence;
      }
      if (recording) {
        measured++;
        if (now - due > interval) {
          late++;
        }
      }
      view.putLong(ProbeLayout.SEQUENCE_OFFSET, sequence);
      view.putLong(ProbeLayout.SEND_TIME_OFFSET, System.nanoTime());
      socket.send(packet);
    }
    return new long[] {measured, late};
  }

  private void receive(DatagramSocket socket) {
    byte[] buffer = new byte[65_535];
    ByteBuffer view = ByteBuffer.wrap(buffer);
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    while (receiving) {
      packet.setLength(buffer.length);
      try {
        socket.receive(packet);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException e) {
        // ICMP port unreachable (the echo server is not up yet) surfaces here on a connected
        // socket; the probe it answered is simply lost.
        continue;
      }
      long now = System.nanoTime();
      if (packet.getLength() < ProbeLayout.MIN_LENGTH
          || view.getInt(ProbeLayout.RUN_ID_OFFSET) != runId) {
        stray++;
        continue;
      }
      if (view.getLong(ProbeLayout.SEQUENCE_OFFSET) >= recordFromSequence) {
        histogram.recordValue(
            Math.min(now - view.getLong(ProbeLayout.SEND_TIME_OFFSET), HIGHEST_TRACKABLE_NANOS));
      }
    }
  }
}
