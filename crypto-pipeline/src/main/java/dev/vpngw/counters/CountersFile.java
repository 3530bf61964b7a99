package dev.vpngw.counters;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import org.agrona.IoUtil;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.ConcurrentCountersManager;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The gateway's counters in a memory-mapped file, like Aeron's CnC file: the gateway process {@link
 * #create creates} it and allocates counters in its {@link #manager()}, while {@code gateway
 * status} and the exporters {@link #openReadOnly open} the same file from other processes and read
 * the values as they change, never touching the dataplane. {@link CountersFileDescriptor} has the
 * layout.
 *
 * <p>The manager is Agrona's {@link ConcurrentCountersManager}: allocation and freeing take a lock
 * (control path only: SA install and delete, agent start), while counter updates are single-writer
 * stores that never lock. A freed counter's slot is reused only after the free-to-reuse timeout
 * (one second by default, as in Aeron), so a reader mid-scan never pairs a new label with an old
 * value.
 *
 * <p>{@link #close} unmaps the file: call it only after every agent that updates counters has
 * stopped, since their buffers point into the mapping. The file stays on disk, so a status reader
 * can still see the last values and that the writer is gone.
 */
public final class CountersFile implements AutoCloseable {
  /** How long a freed counter's slot stays unused, as Aeron's driver does. */
  public static final long DEFAULT_FREE_TO_REUSE_TIMEOUT_MS = 1000;

  private final Path path;
  private final MappedByteBuffer mapping;
  private final ConcurrentCountersManager manager;
  private boolean closed;

  private CountersFile(Path path, MappedByteBuffer mapping, ConcurrentCountersManager manager) {
    this.path = path;
    this.mapping = mapping;
    this.manager = manager;
  }

  /**
   * Creates (or replaces) the counters file with room for {@code valuesLength / 128} counters.
   *
   * @see #create(Path, int, EpochClock, long)
   */
  public static CountersFile create(Path path, int valuesLength) throws IOException {
    return create(path, valuesLength, SystemEpochClock.INSTANCE, DEFAULT_FREE_TO_REUSE_TIMEOUT_MS);
  }

  /**
   * Creates (or replaces) the counters file. It is built under a temporary name beside {@code path}
   * and renamed into place, so a reader opening {@code path} meanwhile finds the old file or the
   * complete new one, never a half-written header; a reader still mapping an old file keeps seeing
   * that file's last values.
   *
   * @param valuesLength bytes of counter values: a positive multiple of {@value
   *     CountersReader#COUNTER_LENGTH}, one counter each
   * @param clock for the free-to-reuse deadline of freed counters
   * @param freeToReuseTimeoutMs how long a freed counter's slot stays unused
   * @throws IllegalArgumentException for a bad length
   * @throws IOException if the file cannot be created or mapped
   */
  public static CountersFile create(
      Path path, int valuesLength, EpochClock clock, long freeToReuseTimeoutMs) throws IOException {
    long fileLength = checkedFileLength(valuesLength);
    Path absolute = path.toAbsolutePath();
    Path parent = absolute.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    long pid = ProcessHandle.current().pid();
    Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp-" + pid);
    Files.deleteIfExists(temporary);
    MappedByteBuffer mapping;
    try (FileChannel channel =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileLength);
    }
    UnsafeBuffer header = new UnsafeBuffer(mapping, 0, CountersFileDescriptor.HEADER_LENGTH);
    header.putInt(
        CountersFileDescriptor.METADATA_LENGTH_OFFSET,
        CountersFileDescriptor.metadataLength(valuesLength));
    header.putInt(CountersFileDescriptor.VALUES_LENGTH_OFFSET, valuesLength);
    header.putLong(CountersFileDescriptor.PID_OFFSET, pid);
    header.putLong(CountersFileDescriptor.START_TIME_OFFSET, System.currentTimeMillis());
    header.putInt(CountersFileDescriptor.VERSION_OFFSET, CountersFileDescriptor.VERSION);
    header.putLongRelease(CountersFileDescriptor.MAGIC_OFFSET, CountersFileDescriptor.MAGIC);
    try {
      Files.move(
          temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      IoUtil.unmap(mapping);
      Files.deleteIfExists(temporary);
      throw e;
    }
    ConcurrentCountersManager manager =
        new ConcurrentCountersManager(
            metadata(mapping, valuesLength),
            values(mapping, valuesLength),
            StandardCharsets.UTF_8,
            clock,
            freeToReuseTimeoutMs);
    return new CountersFile(absolute, mapping, manager);
  }

  /**
   * A counters manager over process memory with room for {@code capacity} counters, laid out as in
   * the file: for tests, benchmarks and components used without a gateway around them.
   */
  public static CountersManager inMemory(int capacity) {
    int valuesLength = capacity * CountersReader.COUNTER_LENGTH;
    checkedFileLength(valuesLength);
    return new ConcurrentCountersManager(
        new UnsafeBuffer(
            ByteBuffer.allocateDirect(CountersFileDescriptor.metadataLength(valuesLength))),
        new UnsafeBuffer(ByteBuffer.allocateDirect(valuesLength)),
        StandardCharsets.UTF_8);
  }

  /**
   * Maps an existing counters file read-only, for a reader in another process.
   *
   * @throws NoSuchFileException if there is no file at {@code path} (no gateway has run)
   * @throws IOException if the file is not a counters file of this layout version, or is damaged
   */
  public static Reader openReadOnly(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(
          path.toString(), null, "no counters file (is the gateway running?)");
    }
    MappedByteBuffer mapping;
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < CountersFileDescriptor.HEADER_LENGTH) {
        throw new IOException(
            path + " is not a vpngw counters file (" + size + " bytes, shorter than a header)");
      }
      if (size > Integer.MAX_VALUE) {
        throw new IOException(path + " is not a vpngw counters file (" + size + " bytes)");
      }
      mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
    }
    try {
      return Reader.validate(path, mapping);
    } catch (IOException | RuntimeException e) {
      IoUtil.unmap(mapping);
      throw e;
    }
  }

  private static long checkedFileLength(int valuesLength) {
    if (valuesLength < CountersReader.COUNTER_LENGTH
        || valuesLength % CountersReader.COUNTER_LENGTH != 0) {
      throw new IllegalArgumentException(
          "values buffer length must be a positive multiple of "
              + CountersReader.COUNTER_LENGTH
              + ": "
              + valuesLength);
    }
    long fileLength = CountersFileDescriptor.fileLength(valuesLength);
    if (fileLength > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("counters file would exceed 2 GiB: " + valuesLength);
    }
    return fileLength;
  }

  private static UnsafeBuffer metadata(MappedByteBuffer mapping, int valuesLength) {
    return new UnsafeBuffer(
        mapping,
        CountersFileDescriptor.HEADER_LENGTH,
        CountersFileDescriptor.metadataLength(valuesLength));
  }

  private static UnsafeBuffer values(MappedByteBuffer mapping, int valuesLength) {
    return new UnsafeBuffer(
        mapping, CountersFileDescriptor.valuesOffset(valuesLength), valuesLength);
  }

  /** The manager to allocate counters from. */
  public CountersManager manager() {
    return manager;
  }

  /** Where the file is. */
  public Path path() {
    return path;
  }

  /** Unmaps the file (see the class comment for when that is safe); later calls do nothing. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      IoUtil.unmap(mapping);
    }
  }

  /**
   * A read-only view of a counters file, possibly from another process than the writer's: Agrona's
   * {@link CountersReader} over the mapped buffers, plus the header's facts about the writer.
   */
  public static final class Reader implements AutoCloseable {
    private final Path path;
    private final MappedByteBuffer mapping;
    private final CountersReader countersReader;
    private final long writerPid;
    private final long startTimeMs;
    private boolean closed;

    private Reader(
        Path path,
        MappedByteBuffer mapping,
        CountersReader countersReader,
        long writerPid,
        long startTimeMs) {
      this.path = path;
      this.mapping = mapping;
      this.countersReader = countersReader;
      this.writerPid = writerPid;
      this.startTimeMs = startTimeMs;
    }

    private static Reader validate(Path path, MappedByteBuffer mapping) throws IOException {
      UnsafeBuffer header = new UnsafeBuffer(mapping, 0, CountersFileDescriptor.HEADER_LENGTH);
      long magic = header.getLongVolatile(CountersFileDescriptor.MAGIC_OFFSET);
      if (magic != CountersFileDescriptor.MAGIC) {
        throw new IOException(
            path + " is not a vpngw counters file (magic 0x" + Long.toHexString(magic) + ")");
      }
      int version = header.getInt(CountersFileDescriptor.VERSION_OFFSET);
      if (version != CountersFileDescriptor.VERSION) {
        throw new IOException(
            path
                + " has counters layout version "
                + version
                + ", this build reads version "
                + CountersFileDescriptor.VERSION);
      }
      int metadataLength = header.getInt(CountersFileDescriptor.METADATA_LENGTH_OFFSET);
      int valuesLength = header.getInt(CountersFileDescriptor.VALUES_LENGTH_OFFSET);
      if (valuesLength < CountersReader.COUNTER_LENGTH
          || valuesLength % CountersReader.COUNTER_LENGTH != 0
          || metadataLength != CountersFileDescriptor.metadataLength(valuesLength)
          || CountersFileDescriptor.fileLength(valuesLength) != mapping.capacity()) {
        throw new IOException(
            path
                + " is damaged: its header says "
                + metadataLength
                + " + "
                + valuesLength
                + " bytes of counters, the file has "
                + mapping.capacity());
      }
      CountersReader reader =
          new CountersReader(
              metadata(mapping, valuesLength),
              values(mapping, valuesLength),
              StandardCharsets.UTF_8);
      return new Reader(
          path,
          mapping,
          reader,
          header.getLong(CountersFileDescriptor.PID_OFFSET),
          header.getLong(CountersFileDescriptor.START_TIME_OFFSET));
    }

    /** Agrona's reader over the file: values, labels, type ids and keys. */
    public CountersReader countersReader() {
      return countersReader;
    }

    /** A snapshot of every allocated counter, decoded. */
    public CountersSnapshot snapshot() {
      return CountersSnapshot.read(countersReader);
    }

    /** The process id of the gateway that created the file. */
    public long writerPid() {
      return writerPid;
    }

    /** When the file was created, in ms since the epoch. */
    public long startTimeMs() {
      return startTimeMs;
    }

    /**
     * True while the process that created the file runs: its pid is alive and started no later than
     * the file was created (so a recycled pid does not count).
     */
    public boolean isWriterAlive() {
      Optional<ProcessHandle> process = ProcessHandle.of(writerPid);
      if (process.isEmpty() || !process.get().isAlive()) {
        return false;
      }
      Optional<Instant> started = process.get().info().startInstant();
      return started.isEmpty() || !started.get().isAfter(Instant.ofEpochMilli(startTimeMs));
    }

    /** The file read. */
    public Path path() {
      return path;
    }

    /** Unmaps the file; later calls do nothing. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        IoUtil.unmap(mapping);
      }
    }
  }
}
