package dev.vpngw.ha.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ha.journal.HaRecord.ChildSaAdded;
import dev.vpngw.ha.journal.HaRecord.ChildSaDeleted;
import dev.vpngw.ha.journal.HaRecord.Config;
import dev.vpngw.ha.journal.HaRecord.IkeMessageIds;
import dev.vpngw.ha.journal.HaRecord.IkeSaAdded;
import dev.vpngw.ha.journal.HaRecord.IkeSaDeleted;
import dev.vpngw.ha.journal.HaRecord.IkeSaId;
import dev.vpngw.ha.journal.HaRecord.SequenceMark;
import org.junit.jupiter.api.Test;

class ReplicatedStateTest {
  @Test
  void recordsBuildTheStateAndASnapshotRebuildsItExactly() {
    ReplicatedState s = new ReplicatedState();
    s.apply(new Config("gateway: {}"));
    s.apply(new IkeSaAdded(Samples.ikeSa(1)));
    s.apply(new ChildSaAdded(Samples.childSa(1, 10)));
    s.apply(new SequenceMark(10 + 0x100, 1 << 20));
    s.apply(new SequenceMark(10 + 0x100, 5)); // an older mark never lowers it
    s.apply(new IkeMessageIds(new IkeSaId(1, 2), 7, false, 9));
    assertEquals(1 << 20, s.sequenceMark(10 + 0x100).getAsLong());
    assertEquals(7, s.ikeSa(new IkeSaId(1, 2)).orElseThrow().nextRequestId());
    assertEquals(9, s.ikeSa(new IkeSaId(1, 2)).orElseThrow().nextExpectedId());
    assertEquals("gateway: {}", s.config().orElseThrow());

    ReplicatedState copy = new ReplicatedState();
    s.toRecords().forEach(copy::apply);
    assertEquals(s, copy);
  }

  @Test
  void aRekeyIsTheNewChildAddedThenTheOldOneDeletedWithItsMark() {
    ReplicatedState s = new ReplicatedState();
    s.apply(new ChildSaAdded(Samples.childSa(1, 10)));
    s.apply(new SequenceMark(10 + 0x100, 99));
    s.apply(new ChildSaAdded(Samples.childSa(1, 11)));
    s.apply(new ChildSaDeleted(10));
    assertFalse(s.childSa(10).isPresent());
    assertTrue(s.childSa(11).isPresent());
    assertFalse(s.sequenceMark(10 + 0x100).isPresent());
    s.apply(new ChildSaDeleted(11));
    assertEquals(0, s.childSaCount());
  }

  @Test
  void aHandoverLastsUntilTheNextPlainMarkAndSurvivesASnapshot() {
    ReplicatedState s = new ReplicatedState();
    s.apply(new ChildSaAdded(Samples.childSa(1, 10)));
    s.apply(new SequenceMark(10 + 0x100, 500));
    s.apply(new HaRecord.SequenceHandover(10 + 0x100, 400, 900, 1));
    assertEquals(900, s.sequenceMark(10 + 0x100).orElseThrow());
    assertEquals(400, s.sequenceHandover(10 + 0x100).orElseThrow().sentUpTo());
    ReplicatedState copy = new ReplicatedState();
    s.toRecords().forEach(copy::apply);
    assertEquals(s, copy);
    assertTrue(copy.sequenceHandover(10 + 0x100).isPresent());
    // Called off: the old active journals a plain mark again.
    s.apply(new SequenceMark(10 + 0x100, 900));
    assertFalse(s.sequenceHandover(10 + 0x100).isPresent());
    assertEquals(900, s.sequenceMark(10 + 0x100).orElseThrow());
    s.apply(new HaRecord.SequenceHandover(10 + 0x100, 800, 1700, 1));
    s.apply(new ChildSaDeleted(10));
    assertFalse(s.sequenceHandover(10 + 0x100).isPresent());
  }

  @Test
  void deletingAnIkeSaTakesItsChildrenAndTheirMarks() {
    ReplicatedState s = new ReplicatedState();
    s.apply(new IkeSaAdded(Samples.ikeSa(1)));
    s.apply(new IkeSaAdded(Samples.ikeSa(5)));
    s.apply(new ChildSaAdded(Samples.childSa(1, 10)));
    s.apply(new ChildSaAdded(Samples.childSa(5, 20)));
    s.apply(new SequenceMark(10 + 0x100, 1));
    s.apply(new IkeSaDeleted(new IkeSaId(1, 2)));
    assertEquals(1, s.ikeSaCount());
    assertEquals(1, s.childSaCount());
    assertTrue(s.childSa(20).isPresent());
    assertFalse(s.sequenceMark(10 + 0x100).isPresent());
    // message ids for an IKE SA that is gone are ignored
    s.apply(new IkeMessageIds(new IkeSaId(1, 2), 3, true, 3));
    assertFalse(s.ikeSa(new IkeSaId(1, 2)).isPresent());
  }
}
