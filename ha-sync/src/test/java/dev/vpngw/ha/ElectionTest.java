package dev.vpngw.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpngw.ha.Election.Action;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The election driven by hand: two nodes, two paths, a clock advanced in 10 ms steps. */
class ElectionTest {
  static final long MS = 1_000_000L;
  static final long INTERVAL = 100 * MS;

  /** An epoch store in memory that records every store. */
  static final class MemoryEpochs implements EpochStore {
    final List<Long> stored = new ArrayList<>();
    boolean fail;

    @Override
    public long load() {
      return stored.isEmpty() ? 0 : stored.getLast();
    }

    @Override
    public void store(long epoch) throws IOException {
      if (fail) {
        throw new IOException("disk full");
      }
      stored.add(epoch);
    }
  }

  /** A node of the simulated pair. */
  static final class Node {
    final int id;
    final int priority;
    final MemoryEpochs epochs = new MemoryEpochs();
    Election election;
    long stamp;

    Node(int id, int priority, long epoch, long now) {
      this.id = id;
      this.priority = priority;
      if (epoch > 0) {
        epochs.stored.add(epoch);
      }
      election = new Election(id, priority, INTERVAL, 3, 2, epochs, epoch, now);
    }

    Heartbeat heartbeat() {
      return new Heartbeat(
          Heartbeat.HEARTBEAT, id, priority, election.role(), election.epoch(), 0, ++stamp);
    }
  }

  /** Runs both nodes for MILLIS, delivering heartbeats every interval on the paths that are up. */
  static long run(Node a, Node b, long now, long millis, boolean[] pathUp, boolean bAlive)
      throws IOException {
    long end = now + millis * MS;
    long nextHb = now;
    while (now < end) {
      if (now >= nextHb) {
        nextHb = now + INTERVAL;
        for (int p = 0; p < 2; p++) {
          if (pathUp[p] && bAlive) {
            a.election.onHeartbeat(p, b.heartbeat(), now);
            b.election.onHeartbeat(p, a.heartbeat(), now);
          }
        }
      }
      a.election.tick(now);
      if (bAlive) {
        b.election.tick(now);
      }
      now += 10 * MS;
    }
    return now;
  }

  @Test
  void betterPriorityBecomesActiveAfterHoldDownAndTheOtherStaysStandby() throws IOException {
    Node a = new Node(1, 200, 0, 0);
    Node b = new Node(2, 100, 0, 0);
    run(a, b, 0, 1000, new boolean[] {true, true}, true);
    assertEquals(Role.ACTIVE, a.election.role());
    assertEquals(Role.STANDBY, b.election.role());
    assertEquals(1, a.election.epoch());
    assertEquals(List.of(1L), a.epochs.stored, "the epoch is persisted once, before acting");
  }

  @Test
  void samePriorityHigherNodeIdWins() throws IOException {
    Node a = new Node(1, 100, 0, 0);
    Node b = new Node(2, 100, 0, 0);
    run(a, b, 0, 1000, new boolean[] {true, true}, true);
    assertEquals(Role.STANDBY, a.election.role());
    assertEquals(Role.ACTIVE, b.election.role());
  }

  @Test
  void standbyTakesOverAfterMissesAndNotBefore() throws IOException {
    Node a = new Node(1, 200, 0, 0);
    Node b = new Node(2, 100, 0, 0);
    long now = run(a, b, 0, 1000, new boolean[] {true, true}, true);
    // a dies: b has heard it at most one interval ago
    long deadAt = now;
    long tookOver = -1;
    for (long t = now; t < now + 1000 * MS; t += 10 * MS) {
      if (b.election.tick(t) == Action.BECOME_ACTIVE) {
        tookOver = t;
        break;
      }
    }
    long gap = (tookOver - deadAt) / MS;
    assertEquals(Role.ACTIVE, b.election.role());
    assertEquals(2, b.election.epoch(), "one more than the epoch it saw");
    // The last heartbeat was delivered at most one interval before deadAt: takeover between
    // 2 and 3 intervals after the death.
    org.junit.jupiter.api.Assertions.assertTrue(
        gap >= 190 && gap <= 310, "takeover " + gap + " ms after the last heartbeat round");
  }

  @Test
  void cuttingOnlyTheHaLinkCausesNoFailover() throws IOException {
    Node a = new Node(1, 200, 0, 0);
    Node b = new Node(2, 100, 0, 0);
    long now = run(a, b, 0, 1000, new boolean[] {true, true}, true);
    run(a, b, now, 5000, new boolean[] {false, true}, true);
    assertEquals(Role.ACTIVE, a.election.role());
    assertEquals(Role.STANDBY, b.election.role());
    assertEquals(1, a.election.epoch());
  }

  @Test
  void cuttingBothPathsMakesTwoActivesAndHealingFencesTheOlderEpoch() throws IOException {
    Node a = new Node(1, 200, 0, 0);
    Node b = new Node(2, 100, 0, 0);
    long now = run(a, b, 0, 1000, new boolean[] {true, true}, true);
    now = run(a, b, now, 1000, new boolean[] {false, false}, true);
    assertEquals(Role.ACTIVE, a.election.role());
    assertEquals(Role.ACTIVE, b.election.role(), "partitioned: b took over");
    assertEquals(2, b.election.epoch());
    // heal: a hears b active in epoch 2 > 1 and steps down at once
    Action action = a.election.onHeartbeat(1, b.heartbeat(), now);
    assertEquals(Action.STEP_DOWN, action);
    run(a, b, now, 2000, new boolean[] {true, true}, true);
    assertEquals(Role.STANDBY, a.election.role());
    assertEquals(Role.ACTIVE, b.election.role());
  }

  @Test
  void twoActivesInTheSameEpochResolveByTieBreak() throws IOException {
    Node a = new Node(1, 100, 4, 0);
    Node b = new Node(2, 100, 4, 0);
    // both alone at start: both take over with epoch 5
    for (long t = 0; t <= 400 * MS; t += 10 * MS) {
      a.election.tick(t);
      b.election.tick(t);
    }
    assertEquals(Role.ACTIVE, a.election.role());
    assertEquals(Role.ACTIVE, b.election.role());
    assertEquals(a.election.epoch(), b.election.epoch());
    assertEquals(Action.STEP_DOWN, a.election.onHeartbeat(0, b.heartbeat(), 410 * MS));
    assertEquals(Action.NONE, b.election.onHeartbeat(0, a.heartbeat(), 410 * MS));
    assertEquals(Role.STANDBY, a.election.role());
    assertEquals(Role.ACTIVE, b.election.role());
  }

  @Test
  void restartedNodeWithOlderEpochJoinsAsStandbyUnderALiveActive() throws IOException {
    Node b = new Node(2, 100, 7, 0);
    for (long t = 0; t <= 400 * MS; t += 10 * MS) {
      b.election.tick(t);
    }
    assertEquals(Role.ACTIVE, b.election.role());
    Node a = new Node(1, 200, 3, 400 * MS);
    run(a, b, 400 * MS, 2000, new boolean[] {true, true}, true);
    assertEquals(Role.STANDBY, a.election.role(), "a live active is never pre-empted");
    assertEquals(Role.ACTIVE, b.election.role());
    // b dies: a takes over above b's epoch, not its own stale one
    for (long t = 2400 * MS; t < 3400 * MS; t += 10 * MS) {
      a.election.tick(t);
    }
    assertEquals(Role.ACTIVE, a.election.role());
    assertEquals(9, a.election.epoch());
  }

  @Test
  void plannedSwitchoverWaitsUntilTheStandbyIsInSync() throws IOException {
    Node a = new Node(1, 200, 0, 0);
    Node b = new Node(2, 100, 0, 0);
    long now = run(a, b, 0, 1000, new boolean[] {true, true}, true);
    Heartbeat request =
        new Heartbeat(Heartbeat.SWITCHOVER, 1, 200, Role.ACTIVE, a.election.epoch(), 42, 1000);
    b.election.onHeartbeat(0, request, now);
    b.election.onApplied(41);
    assertEquals(Action.NONE, b.election.tick(now), "one entry behind: not yet");
    b.election.onApplied(42);
    assertEquals(Action.BECOME_ACTIVE, b.election.tick(now));
    assertEquals(2, b.election.epoch());
    assertEquals(Action.STEP_DOWN, a.election.onHeartbeat(0, b.heartbeat(), now));
  }

  @Test
  void failedEpochWriteLeavesTheNodeStandby() {
    Node b = new Node(2, 100, 0, 0);
    b.epochs.fail = true;
    assertThrows(IOException.class, () -> b.election.tick(400 * MS));
    assertEquals(Role.STANDBY, b.election.role());
    assertEquals(0, b.election.epoch());
  }
}
