package dev.vpngw.appliance.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.events.EventJournal;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.CountersSnapshot;
import dev.vpngw.counters.SaCounters;
import dev.vpngw.esp.DropReason;
import dev.vpngw.sa.SecurityAssociation.Direction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection lines of {@code gateway status}: throughput from two samples, uptime from the
 * journal for IKE connections and from the gateway's start for manual ones, down without an SA each
 * way.
 */
class ConnectionStatusTest {
  @TempDir Path dir;

  private final CountersManager manager = CountersFile.inMemory(256);
  private final ConnectionTotals totals = new ConnectionTotals();

  @Test
  @SuppressWarnings("try") // SAs allocated only to be there while the body runs
  void stateUptimeThroughputAndDrops() throws Exception {
    Instant start = Instant.parse("2026-11-26T10:00:00Z");
    Instant established = Instant.parse("2026-11-26T11:00:00Z");
    Instant now = Instant.parse("2026-11-26T11:30:05Z");
    Path journalDir = dir.resolve("events");
    try (EventJournal journal = EventJournal.open(journalDir, 14);
        SaCounters ikeIn =
            SaCounters.allocate(manager, "ike-b", 5, Direction.INBOUND, 1, "192.0.2.2");
        SaCounters ikeOut =
            SaCounters.allocate(manager, "ike-b", 5, Direction.OUTBOUND, 2, "192.0.2.2");
        SaCounters manIn =
            SaCounters.allocate(manager, "man-c", 0, Direction.INBOUND, 3, "192.0.2.3");
        SaCounters manOut =
            SaCounters.allocate(manager, "man-c", 0, Direction.OUTBOUND, 4, "192.0.2.3");
        SaCounters halfIn =
            SaCounters.allocate(manager, "half-d", 1, Direction.INBOUND, 5, "192.0.2.4")) {
      journal.append(start.plusSeconds(60), "ike_sa_established", "ike-b", "ts=a");
      journal.append(start.plusSeconds(120), "ike_sa_down", "ike-b", "ts=b");
      journal.append(established, "ike_sa_established", "ike-b", "ts=c");
      ConnectionTotals.Sample before = totals.update(CountersSnapshot.read(manager));
      ikeIn.packets(10, 250_000); // 2 Mbit over 2 s = 1 Mbit/s
      ikeOut.packets(10, 500_000);
      ikeIn.drop(DropReason.BAD_ICV);
      ConnectionTotals.Sample after = totals.update(CountersSnapshot.read(manager));
      try (ConnectionStatus status = ConnectionStatus.open(journalDir)) {
        List<ConnectionStatus.Row> rows = status.rows(before, after, 2.0, start, now);
        assertEquals(
            List.of("half-d", "ike-b", "man-c"), rows.stream().map(r -> r.name()).toList());
        ConnectionStatus.Row half = rows.get(0);
        assertFalse(half.up());
        assertNull(half.uptime());
        ConnectionStatus.Row ike = rows.get(1);
        assertTrue(ike.up());
        assertEquals(Duration.ofMinutes(30).plusSeconds(5), ike.uptime());
        assertEquals(1_000_000, ike.bitsPerSecondIn(), 0.001);
        assertEquals(2_000_000, ike.bitsPerSecondOut(), 0.001);
        assertEquals(1, ike.drops());
        ConnectionStatus.Row manual = rows.get(2);
        assertEquals(Duration.ofHours(1).plusMinutes(30).plusSeconds(5), manual.uptime());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConnectionStatus.printTable(new PrintStream(out, true, StandardCharsets.UTF_8), rows);
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(
            table.matches(
                "(?s).*ike-b\\s+up\\s+0h30m05s\\s+1\\.0 Mbit/s\\s+2\\.0 Mbit/s\\s+1\\n.*"),
            table);
        assertTrue(
            table.matches("(?s).*half-d\\s+down\\s+-\\s+0 bit/s\\s+0 bit/s\\s+0\\n.*"), table);
        StringBuilder json = new StringBuilder();
        ConnectionStatus.appendJson(json, rows);
        assertTrue(
            json.toString()
                .contains(
                    "{\"name\":\"ike-b\",\"up\":true,\"uptimeSeconds\":1805,\"bitsPerSecondIn\":1000000"),
            json.toString());
      }
    }
  }

  @Test
  void durationsAndRatesReadWell() {
    assertEquals("0h00m59s", ConnectionStatus.duration(Duration.ofSeconds(59)));
    assertEquals(
        "2d03h04m", ConnectionStatus.duration(Duration.ofSeconds(2 * 86_400 + 3 * 3600 + 4 * 60)));
    assertEquals("999 bit/s", ConnectionStatus.rate(999));
    assertEquals("1.5 Gbit/s", ConnectionStatus.rate(1.5e9));
  }
}
