package dev.vpngw.benchmarks.ike;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The load generator's IKE event sink: every daemon's event lines pass through here. It keeps the
 * first few lines that explain a failure (a failed exchange, an unreachable peer, a send error, or
 * the generator's own notes such as timeouts) for the JSON result, so a run with failures says why
 * without a second run; optionally it writes every line to a file for debugging. Shared by the
 * worker threads, hence synchronized; a few lines per setup cost nothing next to the ECDH.
 */
final class FailureLog implements AutoCloseable {
  private static final int SAMPLES = 12;
  private static final List<String> FAILURE_EVENTS =
      List.of(
          "event=exchange_failed",
          "event=peer_unreachable",
          "event=send_failed",
          "event=message_dropped");

  private final List<String> samples = new ArrayList<>();
  private final BufferedWriter all;
  private long count;

  /** A sink that keeps samples, and writes every line to {@code file} unless it is null. */
  FailureLog(Path file) throws IOException {
    this.all = file == null ? null : Files.newBufferedWriter(file);
  }

  /** One event line from a daemon, or a note of the generator's own. */
  synchronized void offer(String line) {
    if (all != null) {
      try {
        all.write(line);
        all.newLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    boolean daemonEvent = line.startsWith("ts=");
    if (!daemonEvent || FAILURE_EVENTS.stream().anyMatch(line::contains)) {
      count++;
      if (samples.size() < SAMPLES) {
        samples.add(line);
      }
    }
  }

  /** How many failure lines there were. */
  synchronized long count() {
    return count;
  }

  /** The first few of them. */
  synchronized List<String> samples() {
    return List.copyOf(samples);
  }

  @Override
  public synchronized void close() throws IOException {
    if (all != null) {
      all.close();
    }
  }
}
