package dev.vpngw.ha.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ha.journal.HaRecord.ChildSaAdded;
import dev.vpngw.ha.journal.HaRecord.ChildSaDeleted;
import dev.vpngw.ha.journal.HaRecord.SequenceMark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicationLogTest {
  @TempDir Path dir;
  final SetTimeProvider time = new SetTimeProvider(1_700_000_000_000L);

  ReplicationLog open() throws IOException {
    return ReplicationLog.open(dir.resolve("journal"), TestRollCycles.TEST_SECONDLY, time);
  }

  @Test
  void survivesARestartWithTheSameStateAndLsn() throws IOException {
    ReplicatedState before;
    try (ReplicationLog log = open()) {
      log.append(new HaRecord.IkeSaAdded(Samples.ikeSa(1)));
      for (int i = 0; i < 10; i++) {
        log.append(new ChildSaAdded(Samples.childSa(1, 100 + i)));
        log.append(new SequenceMark(100 + i + 0x100, 1 << 20));
      }
      log.append(new ChildSaDeleted(105));
      before = log.read(s -> s);
      assertEquals(22, log.lastLsn());
      assertEquals(9, before.childSaCount());
      assertFalse(before.sequenceMark(105 + 0x100).isPresent(), "the mark went with its SA");
    }
    try (ReplicationLog log = open()) {
      assertEquals(22, log.lastLsn());
      assertEquals(before, log.read(s -> s));
      assertEquals(23, log.append(new ChildSaDeleted(100)));
    }
  }

  @Test
  void standbyAppliesTheActivesLsnsIgnoresResendsAndRefusesGaps() throws IOException {
    try (ReplicationLog log = open()) {
      log.installSnapshot(10, List.of(new ChildSaAdded(Samples.childSa(1, 5))));
      log.applyReplicated(11, new ChildSaAdded(Samples.childSa(1, 6)));
      log.applyReplicated(11, new ChildSaDeleted(6));
      assertEquals(2, log.read(ReplicatedState::childSaCount), "a resend is ignored");
      var e =
          assertThrows(
              IllegalStateException.class, () -> log.applyReplicated(13, new ChildSaDeleted(5)));
      assertTrue(e.getMessage().contains("gap"), e.getMessage());
    }
  }

  @Test
  void rollingSnapshotsAndPrunesOldCycles() throws IOException {
    try (ReplicationLog log = open()) {
      for (int cycle = 0; cycle < 5; cycle++) {
        for (int i = 0; i < 20; i++) {
          log.append(new SequenceMark(7, cycle * 100L + i));
        }
        time.advanceMillis(1000);
      }
      log.append(new SequenceMark(8, 1));
      assertTrue(log.cycles().size() <= 2, "held cycles " + log.cycles());
      try (var files = Files.list(log.directory())) {
        long cq4 = files.filter(f -> f.toString().endsWith(".cq4")).count();
        assertTrue(cq4 <= 2, cq4 + " cycle files left");
      }
    }
    try (ReplicationLog log = open()) {
      assertEquals(101, log.lastLsn());
      assertEquals(419L, (long) log.read(s -> s.sequenceMark(7).getAsLong()));
      assertEquals(1L, (long) log.read(s -> s.sequenceMark(8).getAsLong()));
    }
  }

  @Test
  void filesArePrivateAndHoldNoKeyOutsideTheRecords() throws IOException {
    try (ReplicationLog log = open()) {
      log.append(new HaRecord.IkeSaAdded(Samples.ikeSa(1)));
      time.advanceMillis(1000);
      log.append(new ChildSaAdded(Samples.childSa(1, 5)));
    }
    Path journal = dir.resolve("journal");
    assertEquals(
        "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(journal)));
    try (var files = Files.list(journal)) {
      for (Path f : files.toList()) {
        assertEquals(
            "rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
            f.getFileName().toString());
      }
    }
  }

  @Test
  void cutGivesTheStateAndATailerThatSeesOnlyLaterEntries() throws IOException {
    try (ReplicationLog log = open()) {
      log.append(new ChildSaAdded(Samples.childSa(1, 5)));
      ReplicationLog.Cut cut = log.cut();
      assertEquals(1, cut.lsn());
      assertEquals(1, cut.records().size());
      assertEquals(null, ReplicationLog.nextEntry(cut.tailer()));
      log.append(new ChildSaDeleted(5));
      ReplicationLog.Entry e = ReplicationLog.nextEntry(cut.tailer());
      assertEquals(2, e.lsn());
      assertEquals(new ChildSaDeleted(5), RecordCodec.decode(e.record()));
    }
  }

  @Test
  void aJournalOfAnotherFormatIsSetAsideNotMisread() throws IOException {
    Path journal = dir.resolve("journal");
    byte[] record = RecordCodec.encode(new ChildSaDeleted(5));
    byte[] legacy = java.util.Arrays.copyOfRange(record, 1, record.length);
    try (var queue =
            net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder.binary(journal)
                .rollCycle(TestRollCycles.TEST_SECONDLY)
                .timeProvider(time)
                .build();
        var appender = queue.createAppender()) {
      try (var dc = appender.writingDocument()) {
        var out = dc.wire().bytes();
        out.writeUnsignedByte(ReplicationLog.ENTRY);
        out.writeLong(1);
        out.writeInt(legacy.length);
        out.write(legacy);
      }
    }
    try (ReplicationLog log = open()) {
      assertEquals(0, log.lastLsn(), "started empty");
      assertEquals(0, log.read(ReplicatedState::childSaCount));
      log.append(new ChildSaDeleted(6));
    }
    try (var files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(2, names.size(), names.toString());
      assertTrue(names.get(1).startsWith("journal.unsupported-"), names.toString());
    }
    try (ReplicationLog log = open()) {
      assertEquals(1, log.lastLsn(), "the new journal reopens");
    }
  }
}
