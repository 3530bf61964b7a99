package dev.vpngw.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpochStoreTest {
  @TempDir Path dir;

  @Test
  void storesAndReloadsAndLeavesNoTemporaryFile() throws IOException {
    EpochStore s = EpochStore.file(dir.resolve("epoch"));
    assertEquals(0, s.load());
    s.store(5);
    s.store(6);
    assertEquals(6, EpochStore.file(dir.resolve("epoch")).load());
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void garbageIsAnErrorNamingTheFile() throws IOException {
    Files.writeString(dir.resolve("epoch"), "seven\n");
    IOException e =
        assertThrows(IOException.class, () -> EpochStore.file(dir.resolve("epoch")).load());
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("epoch"), e.getMessage());
  }
}
