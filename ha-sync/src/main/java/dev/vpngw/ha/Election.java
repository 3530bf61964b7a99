package dev.vpngw.ha;

import java.io.IOException;
import java.util.Arrays;

/**
 * Membership and role election of one node of an active-standby pair: pure logic driven by the
 * heartbeats it is handed and a clock the caller passes in (so tests advance time by hand).
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>The peer is alive while a heartbeat arrived on <em>any</em> path within {@code misses}
 *       intervals; losing one path (the HA link) is not a failure.
 *   <li>A node starts as standby and waits {@code misses} intervals (the hold-down) to hear a peer.
 *       Alone after that, it takes over. Two standbys that hear each other: the better (higher
 *       priority, then higher node id) takes over, the other waits.
 *   <li>A standby whose active peer is dead takes over. A live active is never pre-empted.
 *   <li>Taking over: the new epoch is one more than any epoch this node has seen, and it is
 *       persisted through the {@link EpochStore} <em>before</em> the node acts as active.
 *   <li>Fencing: an active that hears an active peer with a higher epoch (or the same epoch and a
 *       better tie-break) steps down at once, so two actives never both stay active.
 *   <li>Planned switchover: the active sends {@link Heartbeat#SWITCHOVER} with its last journal
 *       sequence number; the standby takes over (epoch + 1) once it has applied that far, and the
 *       old active steps down when it hears the higher epoch.
 * </ul>
 */
public final class Election {
  /** What the caller must do after an event. */
  public enum Action {
    /** Nothing changed. */
    NONE,
    /** This node became active under {@link #epoch()} (already persisted): take the address. */
    BECOME_ACTIVE,
    /** This node stepped down to standby: give up the address at once. */
    STEP_DOWN
  }

  private final int nodeId;
  private final int priority;
  private final long deadAfterNanos;
  private final EpochStore epochStore;
  private final long startNanos;
  private final long[] lastHeard;
  private final boolean[] heardOnPath;

  private Role role = Role.STANDBY;
  private long epoch;
  private long highestEpochSeen;
  private boolean peerKnown;
  private int peerId;
  private int peerPriority;
  private Role peerRole = Role.STANDBY;
  private long peerEpoch;
  private long switchoverLsn = -1;
  private long appliedLsn;
  private String lastReason = "started";

  /**
   * @param nodeId this node's id (unique in the pair)
   * @param priority this node's priority
   * @param intervalNanos the heartbeat interval
   * @param misses intervals without any heartbeat before the peer is declared failed
   * @param paths how many heartbeat paths there are
   * @param epochStore where the epoch persists (already loaded: {@code epoch} is its value)
   * @param epoch the persisted epoch at start
   * @param nowNanos the clock now
   */
  public Election(
      int nodeId,
      int priority,
      long intervalNanos,
      int misses,
      int paths,
      EpochStore epochStore,
      long epoch,
      long nowNanos) {
    if (intervalNanos <= 0 || misses < 1 || paths < 1) {
      throw new IllegalArgumentException("interval, misses and paths must be positive");
    }
    this.nodeId = nodeId;
    this.priority = priority;
    this.deadAfterNanos = intervalNanos * misses;
    this.epochStore = epochStore;
    this.epoch = epoch;
    this.highestEpochSeen = epoch;
    this.startNanos = nowNanos;
    this.lastHeard = new long[paths];
    this.heardOnPath = new boolean[paths];
  }

  /** The election of the node CONFIG describes (its id, priority, timers and heartbeat paths). */
  public static Election of(HaConfig config, EpochStore epochStore, long epoch, long nowNanos) {
    return new Election(
        config.nodeId(),
        config.priority(),
        config.intervalMillis() * 1_000_000L,
        config.misses(),
        config.paths().size(),
        epochStore,
        epoch,
        nowNanos);
  }

  /**
   * An authentic heartbeat (or switchover request) from the peer arrived on PATH. Returns {@link
   * Action#STEP_DOWN} when it fences this node.
   */
  public Action onHeartbeat(int path, Heartbeat hb, long nowNanos) {
    if (hb.nodeId() == nodeId) {
      throw new IllegalArgumentException("heartbeat from our own node id " + nodeId);
    }
    lastHeard[path] = nowNanos;
    heardOnPath[path] = true;
    peerKnown = true;
    peerId = hb.nodeId();
    peerPriority = hb.priority();
    peerRole = hb.role();
    peerEpoch = hb.epoch();
    highestEpochSeen = Math.max(highestEpochSeen, hb.epoch());
    if (hb.type() == Heartbeat.SWITCHOVER) {
      if (role == Role.STANDBY && hb.role() == Role.ACTIVE) {
        switchoverLsn = hb.lsn();
      }
    }
    if (role == Role.ACTIVE && hb.role() == Role.ACTIVE && peerWinsOverActive(hb)) {
      role = Role.STANDBY;
      switchoverLsn = -1;
      lastReason =
          "fenced by node " + hb.nodeId() + " active in epoch " + hb.epoch() + ", ours " + epoch;
      return Action.STEP_DOWN;
    }
    return Action.NONE;
  }

  private boolean peerWinsOverActive(Heartbeat hb) {
    if (hb.epoch() != epoch) {
      return hb.epoch() > epoch;
    }
    return better(hb.priority(), hb.nodeId(), priority, nodeId);
  }

  private static boolean better(int prioA, int idA, int prioB, int idB) {
    return prioA != prioB ? prioA > prioB : idA > idB;
  }

  /** The standby's journal has been applied up to LSN (used for a planned switchover). */
  public void onApplied(long lsn) {
    appliedLsn = lsn;
  }

  /**
   * Time passed: declares a dead peer, ends the start-up hold-down, or completes a switchover. May
   * persist a new epoch (an IOException leaves this node standby, and is thrown).
   */
  public Action tick(long nowNanos) throws IOException {
    if (role == Role.ACTIVE) {
      return Action.NONE;
    }
    boolean alive = peerAlive(nowNanos);
    boolean holdDownOver = nowNanos - startNanos >= deadAfterNanos;
    if (!alive) {
      if (!holdDownOver) {
        return Action.NONE;
      }
      return takeOver(peerKnown ? "peer " + peerId + " silent on every path" : "no peer heard");
    }
    if (peerRole == Role.STANDBY) {
      switchoverLsn = -1;
      if (holdDownOver && better(priority, nodeId, peerPriority, peerId)) {
        return takeOver("both standby, we win the tie-break");
      }
      return Action.NONE;
    }
    if (switchoverLsn >= 0 && appliedLsn >= switchoverLsn) {
      return takeOver("planned switchover, in sync at lsn " + appliedLsn);
    }
    return Action.NONE;
  }

  private Action takeOver(String reason) throws IOException {
    long next = Math.max(epoch, highestEpochSeen) + 1;
    epochStore.store(next);
    epoch = next;
    highestEpochSeen = next;
    role = Role.ACTIVE;
    switchoverLsn = -1;
    lastReason = reason;
    return Action.BECOME_ACTIVE;
  }

  /** Whether a heartbeat arrived on any path within the failure time. */
  public boolean peerAlive(long nowNanos) {
    for (int i = 0; i < lastHeard.length; i++) {
      if (heardOnPath[i] && nowNanos - lastHeard[i] < deadAfterNanos) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this node, as active, may ask for a planned switchover now: the standby must be alive.
   */
  public boolean canHandOver(long nowNanos) {
    return role == Role.ACTIVE && peerAlive(nowNanos) && peerRole == Role.STANDBY;
  }

  /** This node's role. */
  public Role role() {
    return role;
  }

  /** This node's epoch (persisted). */
  public long epoch() {
    return epoch;
  }

  /** The last known peer's role (meaningful while {@link #peerAlive}). */
  public Role peerRole() {
    return peerRole;
  }

  /** Why the role last changed (for the log and status). */
  public String lastReason() {
    return lastReason;
  }

  @Override
  public String toString() {
    return "Election[node "
        + nodeId
        + " "
        + role
        + " epoch "
        + epoch
        + ", peer "
        + (peerKnown ? peerId + " " + peerRole + " epoch " + peerEpoch : "unknown")
        + ", heard "
        + Arrays.toString(heardOnPath)
        + "]";
  }
}
