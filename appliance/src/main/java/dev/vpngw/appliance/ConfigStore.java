package dev.vpngw.appliance;

import dev.vpngw.appliance.config.ConfigDocument;
import dev.vpngw.appliance.config.ConfigException;
import dev.vpngw.appliance.config.ConfigLoader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The configuration in force, persisted in the run directory ({@code applied-config.json}) each
 * time the management API changes it, and read back at the next start. Beside it, {@code
 * applied-config.base} holds the SHA-256 of the configuration file the gateway was started with:
 * the persisted configuration is used at the next start only while that file is unchanged, so an
 * operator who edits the file takes over again. Written atomically: a temporary file (mode 0600: it
 * holds shared keys) is written and synced, renamed over the old one, and the directory synced, so
 * a crash leaves either the old or the new file, never half of one.
 */
final class ConfigStore {
  static final String FILE = "applied-config.json";
  static final String BASE = "applied-config.base";

  private final Path file;
  private final Path baseFile;
  private final String base;

  /**
   * The store in {@code runDirectory} of a gateway started from a configuration file whose SHA-256
   * (hex) is {@code base}.
   */
  ConfigStore(Path runDirectory, String base) {
    this.file = runDirectory.resolve(FILE);
    this.baseFile = runDirectory.resolve(BASE);
    this.base = base;
  }

  /** The SHA-256 (hex) of a configuration file's bytes. */
  static String hash(byte[] config) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(config));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Path file() {
    return file;
  }

  /** Replaces the persisted configuration with {@code document}, atomically. */
  void save(ConfigDocument document) throws IOException {
    // The base first: a crash between the two leaves the old configuration under the right base.
    write(baseFile, base + "\n");
    write(file, document.toJson());
  }

  private static void write(Path target, String text) throws IOException {
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /** Whether a configuration was persisted. */
  boolean exists() {
    return Files.exists(file);
  }

  /**
   * Whether the persisted configuration is the one to start with: it exists and was applied over
   * the same configuration file as this store's.
   */
  boolean current() throws IOException {
    return Files.exists(file)
        && Files.exists(baseFile)
        && Files.readString(baseFile).strip().equals(base);
  }

  /** The persisted configuration. */
  ConfigDocument load() throws IOException, ConfigException {
    return ConfigDocument.of(ConfigLoader.read(Files.readString(file)));
  }
}
