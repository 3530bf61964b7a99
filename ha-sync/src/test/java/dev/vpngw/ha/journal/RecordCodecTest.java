package dev.vpngw.ha.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ha.journal.HaRecord.ChildSaAdded;
import dev.vpngw.ha.journal.HaRecord.ChildSaDeleted;
import dev.vpngw.ha.journal.HaRecord.Config;
import dev.vpngw.ha.journal.HaRecord.IkeMessageIds;
import dev.vpngw.ha.journal.HaRecord.IkeSaAdded;
import dev.vpngw.ha.journal.HaRecord.IkeSaDeleted;
import dev.vpngw.ha.journal.HaRecord.IkeSaId;
import dev.vpngw.ha.journal.HaRecord.IkeSaUpdated;
import dev.vpngw.ha.journal.HaRecord.SequenceMark;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
  static final List<HaRecord> ALL =
      List.of(
          new IkeSaAdded(Samples.ikeSa(0x1234_5678_9abc_def0L)),
          new IkeSaUpdated(Samples.ikeSa(7)),
          new IkeSaDeleted(new IkeSaId(1, 2)),
          new ChildSaAdded(Samples.childSa(7, 0xc0000001)),
          new ChildSaDeleted(0xc0000002),
          new SequenceMark(0xdeadbeef, 0xFFFF_FFFFL),
          new HaRecord.SequenceHandover(0xdeadbeef, 1000, 1000 + (1 << 20), 2),
          new IkeMessageIds(new IkeSaId(1, 2), 9, true, 4),
          new Config("gateway:\n  name: gw1\n"));

  @Test
  void everyRecordTypeRoundTrips() {
    for (HaRecord r : ALL) {
      byte[] b = RecordCodec.encode(r);
      assertEquals(r, RecordCodec.decode(b), r.getClass().getSimpleName());
      assertTrue(Arrays.equals(b, RecordCodec.encode(RecordCodec.decode(b))));
    }
  }

  @Test
  void truncatedTrailingAndUnknownBytesAreClearErrors() {
    byte[] b = RecordCodec.encode(ALL.get(3));
    for (int n = 0; n < b.length; n++) {
      byte[] cut = Arrays.copyOf(b, n);
      assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(cut), "length " + n);
    }
    byte[] longer = Arrays.copyOf(b, b.length + 1);
    var e = assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(longer));
    assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RecordCodec.decode(new byte[] {(byte) (0x80 | RecordCodec.FORMAT_VERSION), 99}));
    assertTrue(e.getMessage().contains("unknown HA record type 99"), e.getMessage());
  }

  @Test
  void everyRecordCarriesItsFormatVersionAndOtherVersionsAreRefused() {
    for (HaRecord r : ALL) {
      assertEquals(0x80 | RecordCodec.FORMAT_VERSION, RecordCodec.encode(r)[0] & 0xFF);
    }
    byte[] b = RecordCodec.encode(ALL.get(3));
    byte[] newer = b.clone();
    newer[0] = (byte) (0x80 | (RecordCodec.FORMAT_VERSION + 1));
    var e =
        assertThrows(RecordCodec.UnsupportedFormatException.class, () -> RecordCodec.decode(newer));
    assertTrue(
        e.getMessage().contains("format version " + (RecordCodec.FORMAT_VERSION + 1)),
        e.getMessage());
    // The unversioned format (before the esn flag was added) started with the type byte.
    byte[] legacy = Arrays.copyOfRange(b, 1, b.length);
    e =
        assertThrows(
            RecordCodec.UnsupportedFormatException.class, () -> RecordCodec.decode(legacy));
    assertTrue(e.getMessage().contains("without a format version"), e.getMessage());
  }

  @Test
  void printedRecordsNeverShowKeys() {
    String keyHex = HexFormat.of().formatHex(Samples.key(8));
    for (HaRecord r : ALL) {
      String s = r.toString();
      assertFalse(s.toLowerCase().contains(keyHex), s);
      assertFalse(s.contains("[B@"), "no raw byte arrays either: " + s);
    }
    assertFalse(new Config("secret: hunter2").toString().contains("hunter2"));
  }
}
