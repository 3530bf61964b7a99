package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.config.ConfigDocument;
import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.ModelValidationTestAccess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persisted configuration: private, whole, read back as written, and used at the next start
 * only while the configuration file it was applied over is unchanged.
 */
class ConfigStoreTest {
  @TempDir Path dir;

  @Test
  void aSavedConfigurationIsPrivateWholeAndTiedToItsConfigurationFile() throws Exception {
    String yaml = ModelValidationTestAccess.twoSites();
    String hash = ConfigStore.hash(yaml.getBytes(StandardCharsets.UTF_8));
    ConfigStore store = new ConfigStore(dir, hash);
    assertFalse(store.exists());
    assertFalse(store.current());
    ConfigDocument doc = ConfigDocument.of(ConfigLoader.read(yaml));
    ConfigDocument changed =
        doc.put(
            ConfigDocument.SITES,
            "site-d",
            Map.of(
                "gatewayAddress",
                "192.0.2.4",
                "addressPrefixes",
                java.util.List.of("10.4.0.0/16")));
    store.save(doc);
    store.save(changed);
    assertTrue(store.current());
    assertEquals(changed, store.load());
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
    try (var files = Files.list(dir)) {
      assertEquals(
          java.util.List.of(ConfigStore.BASE, ConfigStore.FILE),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary file is left");
    }
    // The operator edits the file: the next start takes the file, not the applied configuration.
    ConfigStore edited =
        new ConfigStore(
            dir, ConfigStore.hash((yaml + "# edited\n").getBytes(StandardCharsets.UTF_8)));
    assertTrue(edited.exists());
    assertFalse(edited.current());
  }
}
