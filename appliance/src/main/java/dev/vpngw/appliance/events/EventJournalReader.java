package dev.vpngw.appliance.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.WireIn;

/**
 * Reads an {@link EventJournal} from its start, in another process than the gateway's if need be,
 * and keeps reading as the gateway appends: {@link #next()} returns null when it has caught up, and
 * a later call returns what was appended since.
 */
public final class EventJournalReader implements AutoCloseable {
  private final ChronicleQueue queue;
  private final ExcerptTailer tailer;

  private EventJournalReader(ChronicleQueue queue) {
    this.queue = queue;
    this.tailer = queue.createTailer().toStart();
  }

  /**
   * Opens the journal in {@code directory} read-only.
   *
   * @throws NoSuchFileException if there is no journal there
   */
  public static EventJournalReader open(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new NoSuchFileException(directory.toString(), null, "no event journal");
    }
    return new EventJournalReader(
        SingleChronicleQueueBuilder.binary(directory)
            .rollCycle(RollCycles.FAST_DAILY)
            .readOnly(true)
            .build());
  }

  /** The next entry, or null if there is none yet. */
  public JournalEntry next() {
    while (true) {
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          return null;
        }
        if (dc.isMetaData()) {
          continue;
        }
        WireIn w = dc.wire();
        long ts = w.read(EventJournal.TS).int64();
        String event = w.read(EventJournal.EVENT).text();
        String connection = w.read(EventJournal.CONNECTION).text();
        String line = w.read(EventJournal.LINE).text();
        return new JournalEntry(
            Instant.ofEpochSecond(ts / 1_000_000_000L, ts % 1_000_000_000L),
            event,
            connection == null ? "" : connection,
            line == null ? "" : line);
      }
    }
  }

  @Override
  public void close() {
    tailer.close();
    queue.close();
  }
}
