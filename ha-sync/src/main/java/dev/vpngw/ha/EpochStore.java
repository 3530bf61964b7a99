package dev.vpngw.ha;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where a node keeps its epoch across restarts. A node that takes over persists the new epoch here
 * before it acts as active, so after a crash it can never come back with an epoch lower than one it
 * already acted under.
 */
public interface EpochStore {
  /** The stored epoch, 0 when none was ever stored. */
  long load() throws IOException;

  /** Stores EPOCH durably; returns only once it is on disk. */
  void store(long epoch) throws IOException;

  /**
   * An epoch store in one file, replaced atomically (write, fsync, rename, fsync the directory).
   */
  static EpochStore file(Path file) {
    return new EpochStore() {
      @Override
      public long load() throws IOException {
        if (!Files.exists(file)) {
          return 0;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
          long epoch = Long.parseLong(text);
          if (epoch < 0) {
            throw new NumberFormatException("negative");
          }
          return epoch;
        } catch (NumberFormatException e) {
          throw new IOException(file + ": epoch '" + text + "' is not a non-negative integer", e);
        }
      }

      @Override
      public void store(long epoch) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel ch =
            FileChannel.open(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
          ch.write(ByteBuffer.wrap((epoch + "\n").getBytes(StandardCharsets.US_ASCII)));
          ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
          d.force(true);
        }
      }
    };
  }
}
