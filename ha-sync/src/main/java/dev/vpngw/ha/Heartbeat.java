package dev.vpngw.ha;

/**
 * One datagram between the two nodes of a pair, sent on every path each interval.
 *
 * @param type {@link #HEARTBEAT}, or {@link #SWITCHOVER} (the active asks the standby to take over
 *     once it has applied the journal up to {@code lsn})
 * @param nodeId the sender's node id
 * @param priority the sender's priority (higher wins a tie between two standbys)
 * @param role the sender's role
 * @param epoch the sender's epoch: the term of the last active it knows of
 * @param lsn for a heartbeat, the last journal sequence number the sender wrote or applied; for a
 *     switchover, the one the standby must have applied before it takes over
 * @param stamp the sender's datagram counter, strictly increasing per path, so a recorded heartbeat
 *     replayed later is dropped
 */
public record Heartbeat(
    int type, int nodeId, int priority, Role role, long epoch, long lsn, long stamp) {
  /** A periodic heartbeat. */
  public static final int HEARTBEAT = 1;

  /** A planned switchover request from the active. */
  public static final int SWITCHOVER = 2;

  /** Checks the fields. */
  public Heartbeat {
    if (type != HEARTBEAT && type != SWITCHOVER) {
      throw new IllegalArgumentException("heartbeat type " + type + " is not 1 or 2");
    }
    if (epoch < 0 || lsn < 0) {
      throw new IllegalArgumentException("epoch and lsn must not be negative");
    }
  }
}
