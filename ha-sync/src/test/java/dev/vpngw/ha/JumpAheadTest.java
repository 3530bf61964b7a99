package dev.vpngw.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JumpAheadTest {
  @Test
  void firstPacketNeedsAMarkAndTheMarkIsAWindowAhead() {
    JumpAhead j = new JumpAhead(16, 1, JumpAhead.MAX_SEQ_32);
    assertFalse(j.maySend());
    assertEquals(16, j.markDue());
    j.onMarkWritten(16);
    assertFalse(j.maySend(), "written is not safe");
    assertEquals(-1, j.markDue(), "one mark in flight is enough");
    j.onMarkSafe(16);
    assertTrue(j.maySend());
    for (int i = 1; i <= 8; i++) {
      assertEquals(i, j.take());
    }
    // next = 9 > 16 - 8: the next mark is due half a window before the counter reaches the mark
    assertEquals(24, j.markDue());
  }

  @Test
  void newMarkIsDueExactlyWhenTheCounterCrossesMarkMinusHalfWindow() {
    JumpAhead j = new JumpAhead(1 << 20, 1, JumpAhead.MAX_SEQ_32);
    j.onMarkWritten(j.markDue());
    j.onMarkSafe(1 << 20);
    while (j.next() <= (1 << 20) - (1 << 19)) {
      assertEquals(-1, j.markDue());
      j.take();
    }
    assertEquals(j.next() - 1 + (1 << 20), j.markDue());
  }

  @Test
  void senderStallsAtTheSafeMarkUntilTheAckArrives() {
    JumpAhead j = new JumpAhead(4, 1, JumpAhead.MAX_SEQ_32);
    j.onMarkWritten(j.markDue());
    j.onMarkSafe(4);
    for (int i = 0; i < 4; i++) {
      if (j.markDue() > 0) {
        j.onMarkWritten(j.markDue());
      }
      j.take();
    }
    assertFalse(j.maySend(), "mark 4 used up, the next one not acknowledged");
    assertThrows(IllegalStateException.class, j::take);
    j.onMarkSafe(j.written());
    assertTrue(j.maySend());
    assertEquals(5, j.take());
  }

  @Test
  void marksStopAtTheLimitAndTheSaIsExhausted() {
    JumpAhead j = new JumpAhead(8, 1, 10);
    j.onMarkWritten(j.markDue());
    j.onMarkSafe(j.written());
    while (j.maySend() || j.markDue() > 0) {
      long m = j.markDue();
      if (m > 0) {
        j.onMarkWritten(m);
        j.onMarkSafe(m);
      }
      if (j.maySend()) {
        j.take();
      }
    }
    assertTrue(j.exhausted());
    assertEquals(10, j.written());
  }

  @Test
  void takeoverStartsRightAfterTheReplicatedMark() {
    JumpAhead j = JumpAhead.afterTakeover(1 << 20, 5_000_000, JumpAhead.MAX_SEQ_32);
    assertEquals(5_000_001, j.next());
    assertEquals(5_000_000 + (1 << 20), j.markDue());
  }

  /** One run of the pair: sends, mark writes, replication, acks, takeovers in random order. */
  static String simulate(long seed, boolean ackBeforeSending) {
    Random rnd = new Random(seed);
    int sas = 3;
    long window = 2 + rnd.nextInt(30);
    JumpAhead[] active = new JumpAhead[sas];
    for (int i = 0; i < sas; i++) {
      active[i] = new JumpAhead(window, 1, JumpAhead.MAX_SEQ_32);
    }
    Map<Integer, Long> standby = new HashMap<>(); // marks the standby has applied
    ArrayDeque<long[]> inFlight = new ArrayDeque<>(); // written, not yet applied by the standby
    ArrayDeque<long[]> acks = new ArrayDeque<>(); // applied, ack not yet back at the active
    boolean standbyAttached = true;
    Set<Long> sent = new HashSet<>();
    long[] highest = new long[sas];
    for (int step = 0; step < 4000; step++) {
      int op = rnd.nextInt(100);
      if (op < 60) {
        int sa = rnd.nextInt(sas);
        JumpAhead j = active[sa];
        long mark = j.markDue();
        if (mark > 0) {
          j.onMarkWritten(mark);
          if (!standbyAttached || !ackBeforeSending) {
            j.onMarkSafe(mark); // alone (nobody can take over), or the bug under test
          }
          if (standbyAttached) {
            inFlight.add(new long[] {sa, mark});
          }
        }
        if (j.maySend()) {
          long seq = j.take();
          if (!sent.add(sa * (1L << 40) + seq)) {
            return "seed " + seed + ": SA " + sa + " sequence " + seq + " sent twice";
          }
          if (seq <= highest[sa]) {
            return "seed " + seed + ": SA " + sa + " sequence " + seq + " behind the replay window";
          }
          highest[sa] = seq;
        }
      } else if (op < 78) {
        long[] m = inFlight.poll();
        if (m != null) {
          standby.merge((int) m[0], m[1], Math::max);
          acks.add(m);
        }
      } else if (op < 95) {
        long[] m = acks.poll();
        if (m != null) {
          active[(int) m[0]].onMarkSafe(m[1]);
        }
      } else if (op < 98) {
        if (standbyAttached) {
          // the active dies: whatever was in flight is lost; the standby starts after its marks
          for (int i = 0; i < sas; i++) {
            active[i] = JumpAhead.afterTakeover(window, standby.getOrDefault(i, 0L), 1L << 40);
          }
          inFlight.clear();
          acks.clear();
          standby.clear();
          standbyAttached = false;
        }
      } else if (!standbyAttached) {
        // the old node rejoins: the snapshot holds every mark written so far
        for (int i = 0; i < sas; i++) {
          if (active[i].written() > 0) {
            standby.put(i, active[i].written());
          }
        }
        standbyAttached = true;
      }
    }
    return null;
  }

  @Test
  void propertyNoRandomInterleavingRepeatsAnSpiAndSequenceNumber() {
    for (long seed = 0; seed < 1000; seed++) {
      assertNull(simulate(seed, true));
    }
  }

  @Test
  void theSimulationCatchesASenderThatDoesNotWaitForTheAck() {
    int caught = 0;
    for (long seed = 0; seed < 200; seed++) {
      if (simulate(seed, false) != null) {
        caught++;
      }
    }
    assertTrue(caught > 0, "the checker must be able to fail: the unsafe policy was never caught");
  }

  @Test
  void followsACounterHeldElsewhere() {
    JumpAhead j = new JumpAhead(16, 1, JumpAhead.MAX_SEQ_32);
    assertEquals(16, j.markDue());
    j.onMarkWritten(16);
    j.onMarkSafe(16);
    j.advanceTo(9); // the dataplane sent 1..8
    assertEquals(24, j.markDue(), "past half the window: the next mark is due");
    j.advanceTo(5); // a stale reading never moves it back
    assertEquals(9, j.next());
    assertThrows(IllegalStateException.class, () -> j.advanceTo(18));
  }
}
