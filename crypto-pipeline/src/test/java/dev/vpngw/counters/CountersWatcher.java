package dev.vpngw.counters;

import java.nio.file.Path;
import org.agrona.concurrent.status.CountersReader;

/**
 * The reading side of {@link CountersCrossProcessTest}, run in a child JVM: maps the counters file
 * read-only, finds a counter by label and watches it climb past a target while the parent keeps
 * incrementing it, then prints what it saw.
 */
public final class CountersWatcher {
  private CountersWatcher() {}

  /**
   * Arguments: the counters file, the label to watch, the value to wait for.
   *
   * <p>Prints {@code ready first=F} once it found the counter, then {@code first=F last=L pid=P
   * alive=A decreases=D} and exits 0, or exits 2 after 60 s.
   */
  public static void main(String[] args) throws Exception {
    Path path = Path.of(args[0]);
    String label = args[1];
    long target = Long.parseLong(args[2]);
    long deadline = System.nanoTime() + 60_000_000_000L;
    try (CountersFile.Reader reader = CountersFile.openReadOnly(path)) {
      CountersReader counters = reader.countersReader();
      int id = find(counters, label);
      long first = counters.getCounterValue(id);
      long last = first;
      int decreases = 0;
      System.out.println("ready first=" + first);
      System.out.flush();
      while (last < target) {
        if (System.nanoTime() > deadline) {
          System.out.println("timeout first=" + first + " last=" + last);
          System.exit(2);
        }
        long value = counters.getCounterValue(id);
        if (value < last) {
          decreases++;
        }
        last = value;
        Thread.yield();
      }
      System.out.printf(
          "first=%d last=%d pid=%d alive=%b decreases=%d%n",
          first, last, reader.writerPid(), reader.isWriterAlive(), decreases);
    }
  }

  private static int find(CountersReader counters, String label) {
    int[] found = {CountersReader.NULL_COUNTER_ID};
    counters.forEach(
        (int counterId, String counterLabel) -> {
          if (counterLabel.equals(label)) {
            found[0] = counterId;
          }
        });
    if (found[0] == CountersReader.NULL_COUNTER_ID) {
      throw new IllegalStateException("no counter labelled '" + label + "'");
    }
    return found[0];
  }
}
