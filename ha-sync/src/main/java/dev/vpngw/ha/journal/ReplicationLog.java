package dev.vpngw.ha.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A node's replication journal: a Chronicle Queue of {@link HaRecord}s numbered by a log sequence
 * number (lsn), together with the {@link ReplicatedState} they build. The active {@link #append}s
 * (assigning the next lsn); the standby {@link #applyReplicated applies} the active's entries with
 * the active's lsns, and {@link #installSnapshot installs} a snapshot when it (re)joins. Both write
 * the same journal, so either can replay it after a restart ({@link #open}) and either can become
 * active and continue the numbering.
 *
 * <p>Excerpt layout (raw bytes): a kind byte, then
 *
 * <pre>
 * ENTRY       (1): lsn (8) | record length (4) | record ({@link RecordCodec})
 * SNAP_BEGIN  (2): lsn (8)   the state as of this lsn follows
 * SNAP_RECORD (3): 0   (8) | record length (4) | record
 * SNAP_END    (4): lsn (8)   the snapshot is complete
 * </pre>
 *
 * <p>Bounded: whenever the queue has rolled to a new cycle since the last snapshot, the next write
 * starts with a snapshot of the state, and every cycle file before the snapshot's is deleted (the
 * snapshot covers it). So the journal holds at most the current and the previous cycle.
 *
 * <p>Secret: the directory is 0700 and every file 0600 (keys are in the records). Thread-safe:
 * every method takes the log's lock.
 */
public final class ReplicationLog implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("vpngw.ha");

  static final int ENTRY = 1;
  static final int SNAP_BEGIN = 2;
  static final int SNAP_RECORD = 3;
  static final int SNAP_END = 4;

  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwx------");

  private final Path directory;
  private final SingleChronicleQueue queue;
  private final ExcerptAppender appender;
  private final ReplicatedState state = new ReplicatedState();
  private final RollCycle rollCycle;
  private long lastLsn;
  private int snapshotCycle = Integer.MIN_VALUE;
  private int securedCycle = Integer.MIN_VALUE;

  private ReplicationLog(Path directory, SingleChronicleQueue queue) {
    this.directory = directory;
    this.queue = queue;
    this.rollCycle = queue.rollCycle();
    this.appender = queue.createAppender();
    this.appender.singleThreadedCheckDisabled(true);
  }

  /**
   * Opens (creating if need be) the journal in DIRECTORY and replays it into the state.
   *
   * @param rollCycle how often the queue rolls to a new file (hourly in production)
   * @param time the clock the queue's cycles follow (tests pass a settable one)
   */
  public static ReplicationLog open(Path directory, RollCycle rollCycle, TimeProvider time)
      throws IOException {
    Files.createDirectories(directory);
    Files.setPosixFilePermissions(directory, DIR_MODE);
    SingleChronicleQueue queue =
        SingleChronicleQueueBuilder.binary(directory)
            .rollCycle(rollCycle)
            .timeProvider(time)
            .build();
    ReplicationLog log = new ReplicationLog(directory, queue);
    try {
      log.replay();
    } catch (RecordCodec.UnsupportedFormatException e) {
      // Another build's journal (an upgrade, a downgrade): never misread it. It is kept aside for
      // inspection and the node starts with an empty journal, as a fresh node: it takes nothing
      // over from it (a restarted node trusts its journal only after a resync anyway).
      log.close();
      Path aside =
          directory.resolveSibling(
              directory.getFileName() + ".unsupported-" + System.currentTimeMillis());
      Files.move(directory, aside);
      LOG.log(
          System.Logger.Level.WARNING,
          "journal "
              + directory
              + " cannot be read by this build ("
              + e.getMessage()
              + "): moved to "
              + aside
              + ", starting with an empty journal");
      return open(directory, rollCycle, time);
    }
    log.secureAll();
    return log;
  }

  private static void secure(Path file) {
    try {
      if (Files.exists(file)) {
        Files.setPosixFilePermissions(file, FILE_MODE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make " + file + " private (0600)", e);
    }
  }

  private void secureAll() throws IOException {
    try (var files = Files.list(directory)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f)) {
          secure(f);
        }
      }
    }
  }

  private void replay() {
    ExcerptTailer tailer = queue.createTailer().toStart();
    List<HaRecord> pendingSnapshot = null;
    while (true) {
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          break;
        }
        Bytes<?> in = dc.wire().bytes();
        int kind = in.readUnsignedByte();
        long lsn = in.readLong();
        switch (kind) {
          case ENTRY -> {
            HaRecord r = readRecord(in);
            state.apply(r);
            lastLsn = lsn;
          }
          case SNAP_BEGIN -> pendingSnapshot = new ArrayList<>();
          case SNAP_RECORD -> {
            HaRecord r = readRecord(in);
            if (pendingSnapshot != null) {
              pendingSnapshot.add(r);
            }
          }
          case SNAP_END -> {
            if (pendingSnapshot != null) {
              state.clear();
              pendingSnapshot.forEach(state::apply);
              lastLsn = lsn;
              snapshotCycle = tailer.cycle();
              pendingSnapshot = null;
            }
          }
          default ->
              throw new IllegalStateException(
                  "journal " + directory + ": unknown excerpt kind " + kind);
        }
      }
    }
  }

  private static HaRecord readRecord(Bytes<?> in) {
    int length = in.readInt();
    byte[] b = new byte[length];
    in.read(b);
    return RecordCodec.decode(b);
  }

  /** Active: journals RECORD under the next lsn and applies it; returns the lsn. */
  public synchronized long append(HaRecord record) {
    maybeCompact();
    long lsn = lastLsn + 1;
    writeEntry(ENTRY, lsn, RecordCodec.encode(record));
    state.apply(record);
    lastLsn = lsn;
    return lsn;
  }

  /**
   * Standby: journals and applies the active's entry LSN. An lsn already applied is ignored (a
   * resend); a gap is an error (the stream lost an entry and the standby must resync).
   */
  public synchronized void applyReplicated(long lsn, HaRecord record) {
    if (lsn <= lastLsn) {
      return;
    }
    if (lsn != lastLsn + 1) {
      throw new IllegalStateException("replication gap: have lsn " + lastLsn + ", received " + lsn);
    }
    maybeCompact();
    writeEntry(ENTRY, lsn, RecordCodec.encode(record));
    state.apply(record);
    lastLsn = lsn;
  }

  /** Standby: replaces the state with a snapshot as of LSN, journals it and prunes older files. */
  public synchronized void installSnapshot(long lsn, List<HaRecord> records) {
    state.clear();
    records.forEach(state::apply);
    lastLsn = lsn;
    writeSnapshot();
  }

  /** Writes the current state as a snapshot section, then deletes the cycle files it covers. */
  public synchronized void compact() {
    writeSnapshot();
  }

  private void maybeCompact() {
    if (queue.cycle() > snapshotCycle) {
      writeSnapshot();
    }
  }

  private void writeSnapshot() {
    writeEntry(SNAP_BEGIN, lastLsn, null);
    for (HaRecord r : state.toRecords()) {
      writeEntry(SNAP_RECORD, 0, RecordCodec.encode(r));
    }
    writeEntry(SNAP_END, lastLsn, null);
    snapshotCycle = queue.cycle();
    prune(snapshotCycle);
  }

  private void prune(int keepFrom) {
    if (QueueCycleFiles.deleteBefore(directory, rollCycle, keepFrom)) {
      queue.refreshDirectoryListing();
    }
  }

  private void writeEntry(int kind, long lsn, byte[] record) {
    try (DocumentContext dc = appender.writingDocument()) {
      Bytes<?> out = dc.wire().bytes();
      out.writeUnsignedByte(kind);
      out.writeLong(lsn);
      if (record != null) {
        out.writeInt(record.length);
        out.write(record);
      }
    }
    // A new cycle's file is created by the write itself (the store listener does not hear of every
    // one): make it private at once. The directory is 0700, so nobody else could open it meanwhile.
    int cycle = queue.cycle();
    if (cycle != securedCycle) {
      securedCycle = cycle;
      try {
        secureAll();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot make journal files in " + directory + " private", e);
      }
    }
  }

  /**
   * A consistent cut for a (re)joining standby: the state as of {@code lsn}, and a tailer (made on
   * the calling thread, which must be the only one to use it) positioned right after it, from which
   * {@link #nextEntry} reads every later entry.
   */
  public record Cut(long lsn, List<HaRecord> records, ExcerptTailer tailer) {}

  /** Takes a {@link Cut} (see there). */
  public synchronized Cut cut() {
    ExcerptTailer tailer = queue.createTailer().toEnd();
    return new Cut(lastLsn, state.toRecords(), tailer);
  }

  /** One journal entry read by {@link #nextEntry}. */
  public record Entry(long lsn, byte[] record) {}

  /**
   * The next ENTRY from TAILER (snapshot sections are skipped: a follower already holds that
   * state), or null when the tailer has reached the end for now.
   */
  public static Entry nextEntry(ExcerptTailer tailer) {
    while (true) {
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          return null;
        }
        Bytes<?> in = dc.wire().bytes();
        int kind = in.readUnsignedByte();
        long lsn = in.readLong();
        if (kind == ENTRY) {
          byte[] b = new byte[in.readInt()];
          in.read(b);
          return new Entry(lsn, b);
        }
      }
    }
  }

  /** The last lsn written or applied. */
  public synchronized long lastLsn() {
    return lastLsn;
  }

  /** Reads the state under the log's lock. */
  public synchronized <T> T read(Function<ReplicatedState, T> reader) {
    return reader.apply(state);
  }

  /** The cycles whose files the journal currently holds. */
  public synchronized List<Integer> cycles() {
    return List.copyOf(QueueCycleFiles.list(directory, rollCycle).keySet());
  }

  /** The journal directory. */
  public Path directory() {
    return directory;
  }

  @Override
  public synchronized void close() {
    appender.close();
    queue.close();
  }
}
