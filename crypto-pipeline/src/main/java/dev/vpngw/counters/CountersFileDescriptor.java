package dev.vpngw.counters;

import org.agrona.concurrent.status.CountersReader;

/**
 * The layout of the counters file, and nothing else (like Agrona's {@code RingBufferDescriptor} or
 * Aeron's {@code CncFileDescriptor}): a header, then Agrona's counters metadata buffer, then its
 * values buffer. The header is written before the magic, and the magic last with a release store,
 * so a reader that sees the magic sees a complete header.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Magic "VPNGWCTR" (64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |                       Layout Version                          |
 *  +---------------------------------------------------------------+
 *  |                   Metadata Buffer Length                      |
 *  +---------------------------------------------------------------+
 *  |                    Values Buffer Length                       |
 *  +---------------------------------------------------------------+
 *  |                          Reserved                             |
 *  +---------------------------------------------------------------+
 *  |                  Writer Process Id (64 bits)                  |
 *  +---------------------------------------------------------------+
 *  |            Start Time, ms since the epoch (64 bits)           |
 *  +---------------------------------------------------------------+
 *  |              Padding to HEADER_LENGTH (128 bytes)            ...
 *  +---------------------------------------------------------------+
 *  |                   Metadata Buffer (Agrona)                   ...
 *  +---------------------------------------------------------------+
 *  |                    Values Buffer (Agrona)                    ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Fields are in the machine's byte order: the file is shared between processes of one host only.
 * The header is two cache lines, so the values buffer stays aligned to 128 bytes and each counter
 * on its own cache lines, as Agrona lays them out.
 */
public final class CountersFileDescriptor {
  /** "VPNGWCTR" in ASCII, as a big-endian number. */
  public static final long MAGIC = 0x5650_4e47_5743_5452L;

  /** The layout version this build writes and reads. */
  public static final int VERSION = 1;

  /** Offset of the magic. */
  public static final int MAGIC_OFFSET = 0;

  /** Offset of the layout version. */
  public static final int VERSION_OFFSET = 8;

  /** Offset of the metadata buffer's length. */
  public static final int METADATA_LENGTH_OFFSET = 12;

  /** Offset of the values buffer's length. */
  public static final int VALUES_LENGTH_OFFSET = 16;

  /** Offset of the writer's process id. */
  public static final int PID_OFFSET = 24;

  /** Offset of the time the file was created, in ms since the epoch. */
  public static final int START_TIME_OFFSET = 32;

  /** Length of the header; the metadata buffer starts here. */
  public static final int HEADER_LENGTH = 128;

  private CountersFileDescriptor() {}

  /** Agrona's metadata buffer length for a values buffer of {@code valuesLength} bytes. */
  public static int metadataLength(int valuesLength) {
    return valuesLength * (CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH);
  }

  /** Where the values buffer starts. */
  public static int valuesOffset(int valuesLength) {
    return HEADER_LENGTH + metadataLength(valuesLength);
  }

  /** The whole file's length. */
  public static long fileLength(int valuesLength) {
    return (long) HEADER_LENGTH + metadataLength(valuesLength) + valuesLength;
  }
}
