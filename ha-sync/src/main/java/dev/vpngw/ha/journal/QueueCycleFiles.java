package dev.vpngw.ha.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import net.openhft.chronicle.queue.RollCycle;

/**
 * The cycle files of a Chronicle Queue directory, found by their names (the roll cycle's UTC date
 * format and {@code .cq4}), and their pruning: what bounds both the replication journal and the
 * gateway's event journal. The queue's own metadata file and anything else in the directory are
 * left alone.
 */
public final class QueueCycleFiles {
  private static final String SUFFIX = ".cq4";

  private QueueCycleFiles() {}

  /** The cycle files in {@code directory} by cycle number. */
  public static Map<Integer, Path> list(Path directory, RollCycle rollCycle) {
    SimpleDateFormat names = new SimpleDateFormat(rollCycle.format());
    names.setTimeZone(TimeZone.getTimeZone("UTC"));
    Map<Integer, Path> files = new TreeMap<>();
    try (var list = Files.list(directory)) {
      for (Path f : list.toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(SUFFIX)) {
          try {
            long millis = names.parse(name.substring(0, name.length() - SUFFIX.length())).getTime();
            files.put((int) (millis / rollCycle.lengthInMillis()), f);
          } catch (ParseException e) {
            // not a cycle file of this roll cycle: leave it alone
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list journal " + directory, e);
    }
    return files;
  }

  /**
   * Deletes the cycle files before cycle {@code keepFrom}.
   *
   * @return whether any file was deleted (the queue must then refresh its directory listing)
   */
  public static boolean deleteBefore(Path directory, RollCycle rollCycle, int keepFrom) {
    boolean deleted = false;
    for (var e : list(directory, rollCycle).entrySet()) {
      if (e.getKey() < keepFrom) {
        try {
          Files.deleteIfExists(e.getValue());
        } catch (IOException ex) {
          throw new UncheckedIOException("cannot prune journal file " + e.getValue(), ex);
        }
        deleted = true;
      }
    }
    return deleted;
  }
}
