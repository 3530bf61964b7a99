package dev.vpngw.sa;

import static dev.vpngw.sa.ReplayWindow.ACCEPT;
import static dev.vpngw.sa.ReplayWindow.REPLAYED;
import static dev.vpngw.sa.ReplayWindow.TOO_OLD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The anti-replay window of RFC 4303 3.4.3 and the ESN inference of its Appendix A, checked case by
 * case and against a plain set-based model of the same rules.
 */
class ReplayWindowTest {
  /** check then, as the decapsulator does after a good ICV, update. */
  private static int receive(ReplayWindow window, long seq) {
    int verdict = window.check(seq);
    if (verdict == ACCEPT) {
      window.update(seq);
    }
    return verdict;
  }

  @ParameterizedTest(name = "window {0}")
  @ValueSource(ints = {64, 128, 4096, 8192})
  void inOrderOutOfOrderReplayedAndTooOld(int size) {
    ReplayWindow window = new ReplayWindow(size, false);
    assertEquals(TOO_OLD, window.check(0), "0 is never sent");
    assertEquals(ACCEPT, receive(window, 1));
    assertEquals(REPLAYED, receive(window, 1));
    assertEquals(ACCEPT, receive(window, 3));
    assertEquals(ACCEPT, receive(window, 2), "late but inside the window");
    assertEquals(REPLAYED, receive(window, 2));

    long top = 10L * size;
    assertEquals(ACCEPT, receive(window, top));
    assertEquals(top, window.highestSequence());
    long leftEdge = top - size + 1;
    assertEquals(ACCEPT, receive(window, leftEdge), "the left edge is inside");
    assertEquals(REPLAYED, receive(window, leftEdge));
    assertEquals(TOO_OLD, receive(window, leftEdge - 1));
    assertEquals(TOO_OLD, receive(window, 3));
    for (long seq = top - 1; seq > leftEdge; seq -= 7) {
      assertEquals(ACCEPT, receive(window, seq), "out of order " + seq);
      assertEquals(REPLAYED, window.check(seq));
    }
  }

  @Test
  void checkChangesNothingAndOnlyUpdateMovesTheWindow() {
    ReplayWindow window = new ReplayWindow(64, false);
    receive(window, 5);
    // A forged packet far ahead passes the cheap check; its ICV fails, so update is never called.
    assertEquals(ACCEPT, window.check(1_000_000));
    assertEquals(5, window.highestSequence());
    assertEquals(ACCEPT, receive(window, 4), "the old window still stands");
  }

  @Test
  void slidingAWholeRingOrMoreForgetsEverything() {
    ReplayWindow window = new ReplayWindow(64, false);
    for (long seq = 1; seq <= 64; seq++) {
      receive(window, seq);
    }
    assertEquals(ACCEPT, receive(window, 64 + 64 * 5 + 3));
    for (long seq = 64 * 5 + 3 + 64 - 63; seq < 64 * 5 + 3 + 64; seq++) {
      assertEquals(ACCEPT, window.check(seq), "stale bit for " + seq);
    }
  }

  @Test
  void disabledWindowAcceptsEverything() {
    ReplayWindow window = new ReplayWindow(0, false);
    assertEquals(ACCEPT, receive(window, 7));
    assertEquals(ACCEPT, receive(window, 7));
    assertEquals(ACCEPT, receive(window, 0), "RFC 4303 3.3.3: such a sender may wrap");
    assertEquals(7, window.highestSequence());
  }

  @Test
  void aWindowStartingFurtherOnTreatsEverythingBelowAsReceived() {
    ReplayWindow window = new ReplayWindow(64, false, 1000);
    assertEquals(REPLAYED, window.check(1000));
    assertEquals(REPLAYED, window.check(990));
    assertEquals(TOO_OLD, window.check(900));
    assertEquals(ACCEPT, receive(window, 1001));
    assertEquals(ACCEPT, receive(window, 1003));
    assertEquals(ACCEPT, receive(window, 1002));
  }

  @Test
  void invalidSizesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(32, false));
    assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(96, false));
    assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(0, true));
    assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(64, false, 1L << 32));
  }

  @Test
  void withoutEsnTheHighHalfIsZero() {
    ReplayWindow window = new ReplayWindow(64, false, 0xffff_fff0L);
    assertEquals(0xffff_ffffL, window.infer(-1));
    assertEquals(5, window.infer(5), "no inference across the boundary without ESN");
  }

  // RFC 4303 Appendix A.2.2, case A: Tl >= W - 1, the window within one subspace.
  @Test
  void esnCaseAWindowWithinOneSubspace() {
    long top = (3L << 32) | 0x1000;
    ReplayWindow window = new ReplayWindow(64, true, top);
    assertEquals((3L << 32) | 0x0fff, window.infer(0x0fff), "inside the window: Th");
    assertEquals((3L << 32) | 0x0fc1, window.infer(0x0fc1), "the left edge: Th");
    assertEquals((3L << 32) | 0x2000, window.infer(0x2000), "right of the window: Th");
    assertEquals((3L << 32) | 0xffff_ffffL, window.infer(-1), "far right: Th");
    assertEquals((4L << 32) | 0x0fc0, window.infer(0x0fc0), "left of the edge: Th + 1");
    assertEquals((4L << 32), window.infer(0), "left of the edge: Th + 1");
  }

  // RFC 4303 Appendix A.2.2, case B: Tl < W - 1, the window straddles two subspaces.
  @Test
  void esnCaseBWindowStraddlesTwoSubspaces() {
    long top = (3L << 32) | 5;
    ReplayWindow window = new ReplayWindow(64, true, top);
    assertEquals((3L << 32) | 3, window.infer(3), "inside, same subspace: Th");
    assertEquals((3L << 32) | 0x100, window.infer(0x100), "right of the window: Th");
    long leftEdgeLow = 0xffff_ffffL - 64 + 5 + 2; // Tl - W + 1 mod 2^32
    assertEquals((2L << 32) | leftEdgeLow, window.infer((int) leftEdgeLow), "Th - 1");
    assertEquals((2L << 32) | 0xffff_ffffL, window.infer(-1), "just below the boundary: Th - 1");
    assertEquals(
        (3L << 32) | (leftEdgeLow - 1), window.infer((int) (leftEdgeLow - 1)), "beyond: Th");
  }

  @Test
  void esnCrossesTheBoundaryAndStillCatchesLateAndReplayedPackets() {
    ReplayWindow window = new ReplayWindow(64, true, 0xffff_fff0L);
    for (long seq = 0xffff_fff1L; seq <= 0x1_0000_0010L; seq++) {
      if (seq == 0xffff_fffaL) {
        continue; // delayed
      }
      long inferred = window.infer((int) seq);
      assertEquals(seq, inferred, Long.toHexString(seq));
      assertEquals(ACCEPT, receive(window, inferred));
    }
    assertEquals(0x1_0000_0010L, window.highestSequence());
    long late = window.infer(0xffff_fffa);
    assertEquals(0xffff_fffaL, late, "late packet from below the boundary: Th - 1");
    assertEquals(ACCEPT, receive(window, late));
    assertEquals(REPLAYED, window.check(window.infer(0xffff_fffa)));
    assertEquals(REPLAYED, window.check(window.infer(0xffff_fffe)));
    assertEquals(REPLAYED, window.check(window.infer(2)));
  }

  @Test
  void esnInferenceNeverLeavesTheSequenceSpace() {
    ReplayWindow fresh = new ReplayWindow(64, true);
    assertEquals(0, fresh.infer(-1), "below 0 before the high half ever advanced");
    assertEquals(TOO_OLD, fresh.check(fresh.infer(-1)));
    assertEquals(TOO_OLD, fresh.check(fresh.infer(0)), "sequence number 0 is never valid");
    assertEquals(1, fresh.infer(1));

    ReplayWindow last = new ReplayWindow(64, true, 0xffff_ffff_0000_1000L);
    assertEquals(0, last.infer(0x10), "would wrap past 2^64 - 1");
    assertEquals(-1L, last.infer(-1), "2^64 - 1 itself is valid");
    assertEquals(ACCEPT, receive(last, -1L));
    assertEquals(REPLAYED, last.check(-1L));
  }

  /** Random traffic against a set-based model, for each window size and both modes. */
  @ParameterizedTest(name = "window {0}")
  @ValueSource(ints = {64, 128, 1024, 4096, 8192})
  void matchesASetBasedModel(int size) {
    long seed = 0x5eed_0000L + size;
    Random random = new Random(seed);
    for (boolean esn : new boolean[] {false, true}) {
      long start = esn ? 0xffff_0000L : 0;
      ReplayWindow window = new ReplayWindow(size, esn, start);
      Set<Long> seen = new HashSet<>();
      long top = start;
      long next = start + 1;
      for (int i = 0; i < 200_000; i++) {
        long seq;
        int kind = random.nextInt(10);
        if (kind < 6) {
          seq = next++;
        } else if (kind < 8) {
          seq = Math.max(1, next - 1 - random.nextInt(2 * size));
        } else if (kind < 9) {
          seq = next + random.nextInt(3 * size);
          next = seq + 1;
        } else {
          seq = Math.max(1, top - random.nextInt(size + 2));
        }
        if (!esn) {
          seq &= 0xffff_ffffL;
        }
        boolean leftOfWindow = seq <= top && top - seq >= size;
        long inferred = window.infer((int) seq);
        if (esn && leftOfWindow) {
          // Appendix A reads a number left of the window as the next subspace; the ICV then fails.
          assertEquals(seq + (1L << 32), inferred, "seed " + seed + " step " + i);
          continue;
        }
        assertEquals(seq, inferred, "seed " + seed + " step " + i);
        int expected;
        if (leftOfWindow) {
          expected = TOO_OLD;
        } else if (seq > top) {
          expected = ACCEPT;
        } else {
          expected = seq <= start || seen.contains(seq) ? REPLAYED : ACCEPT;
        }
        assertEquals(expected, window.check(seq), "seed " + seed + " step " + i + " seq " + seq);
        if (expected == ACCEPT) {
          window.update(seq);
          seen.add(seq);
          top = Math.max(top, seq);
        }
      }
    }
  }
}
