package dev.vpngw.appliance.er;

import static dev.vpngw.appliance.er.CircuitLiveness.Transition.DOWN_LINK;
import static dev.vpngw.appliance.er.CircuitLiveness.Transition.DOWN_PROBES;
import static dev.vpngw.appliance.er.CircuitLiveness.Transition.NONE;
import static dev.vpngw.appliance.er.CircuitLiveness.Transition.UP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The echo liveness state machine on a hand clock, 100 ms x 3 (detection time 300 ms): down at
 * start, up after three echoes in a row, down when the detection time passes without an echo or at
 * once on carrier loss, stale and duplicate echoes ignored.
 */
class CircuitLivenessTest {
  private static final long MS = 1_000_000;
  private static final long T0 = 1_000_000 * MS; // any origin: the clock is System.nanoTime's

  /** Sends the due probe at {@code at} and returns its sequence number. */
  private static long probe(CircuitLiveness l, long at) {
    assertTrue(at - l.nextProbeAt() >= 0, "probe not due yet at " + at);
    return l.probeSent(at);
  }

  /** A probe per interval from {@code from}, each echoed 2 ms later; returns the last change. */
  private static CircuitLiveness.Transition echoed(CircuitLiveness l, long from, int probes) {
    CircuitLiveness.Transition last = NONE;
    for (int i = 0; i < probes; i++) {
      long at = from + i * 100 * MS;
      long seq = probe(l, at);
      assertEquals(NONE, l.poll(at));
      CircuitLiveness.Transition t = l.echoReceived(seq, at + 2 * MS);
      if (t != NONE) {
        last = t;
      }
    }
    return last;
  }

  private static CircuitLiveness upAt(long t) {
    CircuitLiveness l = new CircuitLiveness(100 * MS, 3, t);
    assertEquals(UP, echoed(l, t, 3));
    return l;
  }

  @Test
  void startsDownAndNeedsMultiplierEchoesInARow() {
    CircuitLiveness l = new CircuitLiveness(100 * MS, 3, T0);
    assertFalse(l.isUp());
    assertEquals(T0, l.nextProbeAt(), "the first probe goes at once");
    long s1 = probe(l, T0);
    assertEquals(NONE, l.echoReceived(s1, T0 + 2 * MS));
    long s2 = probe(l, T0 + 100 * MS);
    assertEquals(NONE, l.echoReceived(s2, T0 + 102 * MS));
    assertFalse(l.isUp());
    long s3 = probe(l, T0 + 200 * MS);
    assertEquals(UP, l.echoReceived(s3, T0 + 202 * MS));
    assertTrue(l.isUp());
    assertEquals(300 * MS, l.detectionNanos());
  }

  @Test
  void goesDownWhenTheDetectionTimePassesWithoutAnEcho() {
    CircuitLiveness l = upAt(T0);
    long lastEcho = T0 + 202 * MS;
    // Probes go on, no echo comes back.
    for (long at = T0 + 300 * MS; at - (lastEcho + 300 * MS) <= 0; at += 100 * MS) {
      probe(l, at);
      assertEquals(NONE, l.poll(at), "still within the detection time at " + (at - T0) / MS);
    }
    assertEquals(NONE, l.poll(lastEcho + 300 * MS), "exactly the detection time is not past it");
    assertEquals(DOWN_PROBES, l.poll(lastEcho + 300 * MS + 1));
    assertFalse(l.isUp());
    assertEquals(NONE, l.poll(lastEcho + 400 * MS), "down once");
  }

  @Test
  void carrierLossTakesItDownAtOnceAndEchoesDoNotBringItBackWithoutCarrier() {
    CircuitLiveness l = upAt(T0);
    assertEquals(DOWN_LINK, l.link(false, T0 + 250 * MS));
    assertFalse(l.isUp());
    assertEquals(NONE, l.link(false, T0 + 260 * MS));
    // Echoes (say, of probes still in flight) while the link is down count for nothing.
    assertEquals(NONE, echoed(l, T0 + 300 * MS, 3));
    assertFalse(l.isUp());
    assertEquals(NONE, l.link(true, T0 + 600 * MS), "carrier alone does not bring it up");
    assertEquals(UP, echoed(l, T0 + 600 * MS, 3), "three echoes with the link up do");
  }

  @Test
  void comesBackOnlyAfterANewRunOfEchoes() {
    CircuitLiveness l = upAt(T0);
    probe(l, T0 + 300 * MS);
    probe(l, T0 + 400 * MS);
    probe(l, T0 + 500 * MS);
    assertEquals(DOWN_PROBES, l.poll(T0 + 503 * MS));
    // Two echoes, then a gap longer than the detection time: the run starts again.
    long a = probe(l, T0 + 600 * MS);
    assertEquals(NONE, l.echoReceived(a, T0 + 601 * MS));
    long b = probe(l, T0 + 700 * MS);
    assertEquals(NONE, l.echoReceived(b, T0 + 701 * MS));
    probe(l, T0 + 800 * MS);
    probe(l, T0 + 900 * MS);
    probe(l, T0 + 1000 * MS);
    assertEquals(NONE, l.poll(T0 + 1002 * MS));
    long c = probe(l, T0 + 1100 * MS);
    assertEquals(NONE, l.echoReceived(c, T0 + 1101 * MS), "a gap broke the run");
    assertEquals(UP, echoed(l, T0 + 1200 * MS, 2));
  }

  @Test
  void staleDuplicateAndUnsentEchoesCountForNothing() {
    CircuitLiveness l = new CircuitLiveness(100 * MS, 3, T0);
    long s1 = probe(l, T0);
    long s2 = probe(l, T0 + 100 * MS);
    assertEquals(NONE, l.echoReceived(s2 + 1, T0 + 101 * MS), "a probe never sent");
    assertEquals(NONE, l.echoReceived(s2, T0 + 102 * MS));
    assertEquals(NONE, l.echoReceived(s2, T0 + 103 * MS), "a duplicate");
    assertEquals(NONE, l.echoReceived(s1, T0 + 104 * MS), "older than one accepted");
    long s3 = probe(l, T0 + 200 * MS);
    assertEquals(NONE, l.echoReceived(s3, T0 + 202 * MS), "only two real echoes so far");
    long s4 = probe(l, T0 + 300 * MS);
    assertEquals(UP, l.echoReceived(s4, T0 + 302 * MS));
  }

  @Test
  void probesKeepTheirRhythmAndALongStallStartsAfresh() {
    CircuitLiveness l = new CircuitLiveness(100 * MS, 3, T0);
    l.probeSent(T0 + 30 * MS); // sent late
    assertEquals(T0 + 100 * MS, l.nextProbeAt(), "the schedule, not the late send, sets the next");
    l.probeSent(T0 + 950 * MS); // a long stall
    assertEquals(T0 + 1050 * MS, l.nextProbeAt());
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new CircuitLiveness(0, 3, T0));
    assertThrows(IllegalArgumentException.class, () -> new CircuitLiveness(100 * MS, 0, T0));
  }
}
