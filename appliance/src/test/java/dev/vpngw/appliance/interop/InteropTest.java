package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpngw.appliance.interop.EspKey.Direction;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The interop classes' own checks can fail: the key-leak check finds a key in every form a log
 * might print it, and reading our log lines gets quoted values right.
 */
class InteropTest {
  private static final byte[] ENC =
      HexFormat.of().parseHex("00112233445566778899aabbccddeeff0123456789abcdef01234567");
  private static final byte[] INTEG =
      HexFormat.of().parseHex("fedcba9876543210fedcba9876543210fedcba98");
  private static final List<EspKey> KEYS =
      List.of(
          new EspKey(
              "net",
              "c0ffee01",
              Direction.OUTBOUND,
              "192.0.2.2",
              "192.0.2.1",
              "AES_CBC",
              "HMAC_SHA1_96",
              ENC,
              INTEG));

  @Test
  void aCleanLogPasses() {
    Interop.assertNoKeyMaterial(
        "ts=... event=child_sa_installed connection=to-b spi_in=c0ffee01 suite=AES_CBC_256", KEYS);
  }

  @Test
  void aKeyInAnyPrintedFormIsFound() {
    String hex = HexFormat.of().formatHex(INTEG);
    for (String log :
        List.of(
            "key=" + HexFormat.of().formatHex(ENC),
            "KEY=0x" + HexFormat.of().formatHex(ENC).toUpperCase(Locale.ROOT),
            "dump: " + HexFormat.ofDelimiter(" ").formatHex(INTEG),
            "dump: " + HexFormat.ofDelimiter(":").formatHex(INTEG),
            "b64=" + Base64.getEncoder().encodeToString(ENC),
            "b64=" + Base64.getEncoder().withoutPadding().encodeToString(INTEG),
            "two lines\n" + hex.substring(0, 20) + " " + hex.substring(20))) {
      assertThrows(AssertionError.class, () -> Interop.assertNoKeyMaterial(log, KEYS), log);
    }
  }

  @Test
  void withoutKeysToLookForTheCheckRefusesToPass() {
    assertThrows(AssertionError.class, () -> Interop.assertNoKeyMaterial("anything", List.of()));
  }

  @Test
  void readsPlainAndQuotedFieldsOfOurLogLines() {
    String line =
        "ts=2026-01-01T00:00:00Z event=exchange_failed connection=to-b notify=NO_PROPOSAL_CHOSEN"
            + " reason=\"peer identity C=CH, O=x, CN=\\\"q\\\" is not the configured 192.0.2.2\"";
    assertEquals("to-b", Interop.field(line, "connection"));
    assertEquals("NO_PROPOSAL_CHOSEN", Interop.field(line, "notify"));
    assertEquals(
        "peer identity C=CH, O=x, CN=\"q\" is not the configured 192.0.2.2",
        Interop.field(line, "reason"));
    assertNull(Interop.field(line, "missing"));
  }
}
