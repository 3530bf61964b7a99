package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manual-key connection removed and added again through the management API of both running
 * gateways ({@link TwoSites}): the delete takes the tunnel and its kernel route away (no packet
 * leaves for the site), the new SAs carry traffic again, and the API never shows the keys.
 */
@Tag("system")
class ManualKeysLiveSystemTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  /** {@code curl} in the gateway's namespace against its API; returns the status and body. */
  private static TwoSites.Result api(
      TwoSites sites, String gw, String method, String path, String json) throws Exception {
    Path run = sites.dir.resolve("rungw" + gw);
    String url = Files.readString(run.resolve("api-url")).strip();
    String token = Files.readString(run.resolve("api-token")).strip();
    Path body = sites.dir.resolve("body-" + gw + ".json");
    Files.writeString(body, json == null ? "" : json);
    return sites.inNs(
        "gw" + gw,
        Duration.ofSeconds(30),
        "curl",
        "-s",
        "-w",
        "\n%{http_code}",
        "-X",
        method,
        "-H",
        "Authorization: Bearer " + token,
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        "@" + body,
        url + path);
  }

  private static String status(TwoSites.Result r) {
    String out = r.output().strip();
    return out.substring(out.lastIndexOf('\n') + 1);
  }

  private static String connection(int outSpi, byte[] outKey, int inSpi, byte[] inKey) {
    HexFormat hex = HexFormat.of();
    return """
        {"localNetworkGateway": "site", "encapsulation": "udp",
         "manualKeys": {"replayWindow": 1024,
           "outbound": {"spi": %d, "encryption": "aes128gcm16", "key": "0x%s"},
           "inbound": {"spi": %d, "encryption": "aes128gcm16", "key": "0x%s"}}}
        """
        .formatted(outSpi, hex.formatHex(outKey), inSpi, hex.formatHex(inKey));
  }

  private static boolean ping(TwoSites sites) {
    try {
      return sites
              .inNs(
                  "lanA",
                  Duration.ofSeconds(30),
                  "ping",
                  "-c",
                  "3",
                  "-i",
                  "0.2",
                  "-W",
                  "2",
                  "10.2.0.2")
              .exit()
          == 0;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void aManualKeyConnectionGoesAndComesBackLive() throws Exception {
    try (TwoSites sites = new TwoSites(dir, "udp", "aes128gcm16", 20, 0)) {
      sites.startGateways();
      TwoSites.await(Duration.ofSeconds(30), () -> ping(sites), () -> "no tunnel at the start");
      TwoSites.Result shown = api(sites, "A", "GET", "/connections/to-site", null);
      assertEquals("200", status(shown), shown.output());
      assertFalse(
          shown.output().contains(HexFormat.of().formatHex(sites.keyAtoB)), "a key was shown");

      for (String gw : new String[] {"A", "B"}) {
        TwoSites.Result deleted = api(sites, gw, "DELETE", "/connections/to-site", null);
        assertEquals("204", status(deleted), deleted.output());
      }
      assertEquals(
          "",
          sites.inNs("gwA", Duration.ofSeconds(10), "ip", "route", "show", "10.2.0.0/24").output(),
          "the site's route outlived its connection");
      assertFalse(ping(sites), "the tunnel outlived its connection");

      // New SPIs and keys on both ends (the old SPIs' replay windows are gone with them anyway).
      byte[] ab = new byte[20];
      byte[] ba = new byte[20];
      new java.security.SecureRandom().nextBytes(ab);
      new java.security.SecureRandom().nextBytes(ba);
      TwoSites.Result a =
          api(sites, "A", "PUT", "/connections/to-site", connection(0xa002, ab, 0xb002, ba));
      assertEquals("201", status(a), a.output());
      TwoSites.Result b =
          api(sites, "B", "PUT", "/connections/to-site", connection(0xb002, ba, 0xa002, ab));
      assertEquals("201", status(b), b.output());
      assertFalse(a.output().contains(HexFormat.of().formatHex(ab)), "a key was shown");
      TwoSites.await(
          Duration.ofSeconds(30),
          () -> ping(sites),
          () -> "no tunnel after the re-add:\n" + TwoSites.read(dir.resolve("gwA.log")));
      assertTrue(
          TwoSites.read(dir.resolve("gwA.log")).contains("configuration applied: added [to-site]"),
          TwoSites.read(dir.resolve("gwA.log")));
    }
  }
}
