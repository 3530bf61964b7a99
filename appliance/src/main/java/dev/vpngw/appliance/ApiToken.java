package dev.vpngw.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The management API's bearer token: read from its file, or, on the first start, 32 random bytes
 * written (hex) to a new file only its owner may read (0600). Compared in constant time, so the
 * time a refusal takes says nothing about how much of a guess was right.
 */
final class ApiToken {
  private final byte[] token;

  private ApiToken(byte[] token) {
    this.token = token;
  }

  /** The token in {@code file}, created first if it does not exist. */
  static ApiToken loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      Files.createDirectories(file.toAbsolutePath().getParent());
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, HexFormat.of().formatHex(random) + "\n");
      } catch (FileAlreadyExistsException e) {
        // Another process made it first: use theirs.
      }
    }
    String text = Files.readString(file).strip();
    if (text.length() < 16) {
      throw new IOException(file + ": the API token must be at least 16 characters");
    }
    return new ApiToken(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether an {@code Authorization} header value carries this token. */
  boolean accepts(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(token, given);
  }
}
