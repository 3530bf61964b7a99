package dev.vpngw.appliance.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The document behind the API: secrets never shown and kept when left out, changes never touch the
 * original, and the JSON it persists reads back as the same document.
 */
class ConfigDocumentTest {
  @Test
  void secretsAreNeverShownAndNeverLostOnReplace() throws Exception {
    ConfigDocument d = ConfigDiffTest.doc(ConfigDiffTest.BASE);
    Map<String, Object> shown = ConfigDocument.redact(d.find(ConfigDocument.CONNECTIONS, "to-b"));
    assertFalse(shown.containsKey("sharedKey"), shown.toString());
    assertFalse(d.toString().contains(ModelValidationTest.PSK), d.toString());
    ConfigDocument replaced = d.put(ConfigDocument.CONNECTIONS, "to-b", shown);
    assertEquals(
        ModelValidationTest.PSK,
        replaced.find(ConfigDocument.CONNECTIONS, "to-b").get("sharedKey"));
    assertEquals(d, replaced);
  }

  @Test
  void manualKeysAreRedactedAtAnyDepth() throws Exception {
    ConfigDocument d = ConfigDocument.of(ConfigLoader.read(ConfigLoaderTest.VALID));
    String shown = Json.write(ConfigDocument.redact(d.find(ConfigDocument.CONNECTIONS, "a-to-b")));
    assertFalse(shown.contains("0x0001020304"), shown);
    assertFalse(shown.contains("integrityKey"), shown);
    assertTrue(shown.contains("\"spi\": \"0x1001\""), shown);
  }

  @Test
  void changesLeaveTheOriginalAlone() throws Exception {
    ConfigDocument d = ConfigDiffTest.doc(ConfigDiffTest.BASE);
    ConfigDocument e = d.remove(ConfigDocument.CONNECTIONS, "to-c");
    assertNull(e.find(ConfigDocument.CONNECTIONS, "to-c"));
    assertEquals(2, d.resources(ConfigDocument.CONNECTIONS).size());
    Map<String, Object> copy = d.find(ConfigDocument.SITES, "site-b");
    copy.put("addressPrefixes", List.of("10.99.0.0/16"));
    assertEquals(
        List.of("10.2.0.0/16"), d.find(ConfigDocument.SITES, "site-b").get("addressPrefixes"));
  }

  @Test
  void thePersistedJsonReadsBackAsTheSameValidDocument() throws Exception {
    ConfigDocument d = ConfigDiffTest.doc(ConfigDiffTest.BASE);
    String json = d.toJson();
    ConfigDocument back = ConfigDocument.of(ConfigLoader.read(json));
    assertEquals(d, back);
    assertEquals(2, back.validate().connections().size());
    Map<String, Object> tree = new java.util.LinkedHashMap<>();
    tree.put("a", "q\"\\\n");
    tree.put("b", java.util.Arrays.asList(1, true, null));
    assertEquals(
        "{\n  \"a\": \"q\\\"\\\\\\n\",\n  \"b\": [\n    1,\n    true,\n    null\n  ]\n}\n",
        Json.write(tree));
  }
}
