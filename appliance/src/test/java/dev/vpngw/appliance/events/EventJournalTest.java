package dev.vpngw.appliance.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpngw.ikev2.IkeLog;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal on Chronicle Queue: what the IKE log hands it reads back field for field, in order,
 * and a reader that has caught up sees what is appended later (what {@code --follow} relies on).
 */
class EventJournalTest {
  @TempDir Path dir;

  @Test
  void eventsReadBackInOrderAndLaterAppendsAreSeen() throws Exception {
    Path journalDir = dir.resolve("events");
    List<String> lines = new java.util.ArrayList<>();
    try (EventJournal journal = EventJournal.open(journalDir, 14);
        EventJournalReader reader = EventJournalReader.open(journalDir)) {
      IkeLog log = new IkeLog(lines::add, journal);
      log.event("ike_sa_established", "to-b", "spi_i", "0011223344556677", "peer", "192.0.2.2:500");
      log.event("message_dropped", null, "reason", "bad \"ICV\"");
      JournalEntry first = reader.next();
      assertEquals("ike_sa_established", first.event());
      assertEquals("to-b", first.connection());
      assertEquals(lines.get(0), first.line());
      assertEquals(
          Instant.parse(lines.get(0).substring(3, lines.get(0).indexOf(' '))), first.time());
      JournalEntry second = reader.next();
      assertEquals("", second.connection());
      assertEquals(lines.get(1), second.line());
      assertNull(reader.next());
      log.event("child_sa_deleted", "to-b", "spi_in", "c0000001");
      assertEquals("child_sa_deleted", reader.next().event());
      assertNull(reader.next());
      assertEquals(0, journal.failures());
    }
  }

  @Test
  void theIkeThreadAppendsToAJournalOpenedAndClosedByAnother() throws Exception {
    Path journalDir = dir.resolve("events");
    EventJournal journal = EventJournal.open(journalDir, 14);
    Thread ike =
        new Thread(
            () -> new IkeLog(line -> {}, journal).event("ike_sa_established", "to-b", "k", "v"),
            "ike");
    ike.start();
    ike.join();
    journal.close();
    assertEquals(0, journal.failures());
    try (EventJournalReader reader = EventJournalReader.open(journalDir)) {
      assertEquals("ike_sa_established", reader.next().event());
      assertNull(reader.next());
    }
  }

  @Test
  void daysBeyondTheRetentionArePrunedWhenTheJournalRollsAndWhenItOpens() throws Exception {
    Path journalDir = dir.resolve("events");
    Instant day1 = Instant.parse("2026-11-20T12:00:00Z");
    SetTimeProvider clock = new SetTimeProvider(day1);
    try (EventJournal journal = EventJournal.open(journalDir, 3, clock)) {
      for (int day = 0; day < 5; day++) {
        Instant at = day1.plus(Duration.ofDays(day));
        clock.currentTimeMillis(at.toEpochMilli());
        journal.append(at, "dpd", "to-b", "day " + (day + 1));
      }
      assertEquals(0, journal.failures());
    }
    assertEquals(List.of("day 3", "day 4", "day 5"), lines(journalDir));
    assertEquals(
        List.of("20261122F.cq4", "20261123F.cq4", "20261124F.cq4"),
        cycleFileNames(journalDir),
        "the last 3 days' files");

    clock.currentTimeMillis(day1.plus(Duration.ofDays(4)).toEpochMilli());
    EventJournal.open(journalDir, 1, clock).close();
    assertEquals(List.of("day 5"), lines(journalDir), "a shorter retention applies on open");
  }

  private static List<String> lines(Path journalDir) throws Exception {
    List<String> lines = new java.util.ArrayList<>();
    try (EventJournalReader reader = EventJournalReader.open(journalDir)) {
      for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
        lines.add(e.line());
      }
    }
    return lines;
  }

  private static List<String> cycleFileNames(Path journalDir) throws Exception {
    try (var files = java.nio.file.Files.list(journalDir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".cq4"))
          .sorted()
          .toList();
    }
  }

  @Test
  void aMissingJournalIsSaidSo() {
    assertThrows(NoSuchFileException.class, () -> EventJournalReader.open(dir.resolve("none")));
  }
}
