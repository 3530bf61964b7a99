package dev.vpngw.appliance.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code --since}: instants and times ago; anything else refused saying what is accepted. */
class SinceTest {
  private static final Instant NOW = Instant.parse("2026-11-26T15:00:00Z");

  @Test
  void readsInstantsAndTimesAgo() {
    assertEquals(Instant.parse("2026-11-26T14:00:00Z"), Since.parse("2026-11-26T14:00:00Z", NOW));
    assertEquals(NOW.minusSeconds(90), Since.parse("90s", NOW));
    assertEquals(NOW.minusSeconds(600), Since.parse("10m", NOW));
    assertEquals(NOW.minusSeconds(7200), Since.parse("2h", NOW));
    assertEquals(NOW.minusSeconds(86_400), Since.parse(" 1d ", NOW));
  }

  @Test
  void refusesAnythingElse() {
    for (String bad : new String[] {"yesterday", "10", "5w", "-3m", "2026-11-26"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Since.parse(bad, NOW), bad);
      assertTrue(e.getMessage().contains("--since"), e.getMessage());
    }
  }
}
