package dev.vpngw.appliance.events;

import dev.vpngw.ha.journal.QueueCycleFiles;
import dev.vpngw.ikev2.IkeLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The gateway's event journal: every IKE event ({@link IkeLog.Event}) appended to a Chronicle Queue
 * in the run directory, so {@code gateway events} can replay what happened to a tunnel after the
 * fact, from another process, while the gateway runs. One excerpt per event with the fields {@code
 * ts} (nanoseconds since the epoch), {@code event}, {@code connection} and {@code line} (the log
 * line; never key material, as the log never holds any). Files roll daily (UTC) and the journal
 * keeps the last {@code retentionDays} of them: older files are deleted when the journal opens and
 * whenever it rolls to a new day.
 *
 * <p>Appends happen on the IKE thread, as its log lines do (a few microseconds each). A failed
 * append is counted and reported once on standard error; it never stops IKE.
 */
public final class EventJournal implements Consumer<IkeLog.Event>, AutoCloseable {
  static final String TS = "ts";
  static final String EVENT = "event";
  static final String CONNECTION = "connection";
  static final String LINE = "line";

  private final Path directory;
  private final int retentionDays;
  private final SingleChronicleQueue queue;
  private final ExcerptAppender appender;
  private final AtomicLong failures = new AtomicLong();
  private int prunedAtCycle = Integer.MIN_VALUE;

  private EventJournal(Path directory, int retentionDays, SingleChronicleQueue queue) {
    this.directory = directory;
    this.retentionDays = retentionDays;
    this.queue = queue;
    this.appender = queue.createAppender();
  }

  /**
   * Opens (or creates) the journal in {@code directory}, deleting days before the last {@code
   * retentionDays}.
   *
   * @param time the clock the daily files follow (tests pass a settable one)
   */
  public static EventJournal open(Path directory, int retentionDays, TimeProvider time)
      throws IOException {
    if (retentionDays < 1) {
      throw new IllegalArgumentException("retentionDays " + retentionDays + " < 1");
    }
    Files.createDirectories(directory);
    EventJournal journal =
        new EventJournal(
            directory,
            retentionDays,
            SingleChronicleQueueBuilder.binary(directory)
                .rollCycle(RollCycles.FAST_DAILY)
                .timeProvider(time)
                .build());
    journal.pruneIfNewDay();
    return journal;
  }

  /** Opens the journal on the system clock. */
  public static EventJournal open(Path directory, int retentionDays) throws IOException {
    return open(directory, retentionDays, SystemTimeProvider.INSTANCE);
  }

  @Override
  public synchronized void accept(IkeLog.Event e) {
    append(e.time(), e.name(), e.connection() == null ? "" : e.connection(), e.line());
  }

  /** Appends one entry (the journal's only writer method; synchronized for any caller). */
  public synchronized void append(Instant time, String event, String connection, String line) {
    try {
      pruneIfNewDay();
    } catch (RuntimeException ex) {
      reportFailure("cannot prune old days", ex);
    }
    try (DocumentContext dc = appender.writingDocument()) {
      dc.wire()
          .write(TS)
          .int64(time.getEpochSecond() * 1_000_000_000L + time.getNano())
          .write(EVENT)
          .text(event)
          .write(CONNECTION)
          .text(connection)
          .write(LINE)
          .text(line);
    } catch (RuntimeException ex) {
      reportFailure("cannot append", ex);
    }
  }

  private void reportFailure(String what, RuntimeException ex) {
    if (failures.getAndIncrement() == 0) {
      System.err.println("vpngw: event journal: " + what + " (reported once): " + ex);
    }
  }

  /** Deletes the daily files before the retained days, once per day (the cycle is the day). */
  private void pruneIfNewDay() {
    int today = queue.cycle();
    if (today != prunedAtCycle) {
      prunedAtCycle = today;
      if (QueueCycleFiles.deleteBefore(directory, queue.rollCycle(), today - retentionDays + 1)) {
        queue.refreshDirectoryListing();
      }
    }
  }

  /** Appends (and prunings) that failed. */
  public long failures() {
    return failures.get();
  }

  @Override
  public synchronized void close() {
    appender.close();
    queue.close();
  }
}
