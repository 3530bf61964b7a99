package dev.vpngw.appliance.ha;

/**
 * Whether a standby's journal may be taken over without renegotiation (issue 6): only a journal
 * that holds everything the active counted as safe. That is the state from the snapshot of the
 * current replication session on. It stops being trusted when this node steps down (its own journal
 * as an old active is older than what the new active sends) and when its session ended while the
 * peer is still heard afterwards (the peer lives on without this node: it may count records safe
 * once it declares this node failed, or a new session's snapshot is needed anyway). A session that
 * ends because the active died stays trusted: that is the takeover it exists for.
 *
 * <p>A new session distrusts the journal until its snapshot arrives. Thread-safe (the replication
 * client's thread reports sessions, the HA agent's thread asks).
 */
final class JournalTrust {
  private final long graceNanos;
  private boolean synced;
  private boolean ended;
  private long endedNanos;

  /**
   * @param graceNanos how long after the session ended the peer may still be heard without the
   *     journal losing trust: a heartbeat the active sent just before it died may be read after its
   *     connection's end ({@code misses} intervals: a standby takes over only after that much
   *     silence anyway)
   */
  JournalTrust(long graceNanos) {
    this.graceNanos = graceNanos;
  }

  /** A session started: no trust until its snapshot. */
  synchronized void sessionStarted() {
    synced = false;
    ended = false;
  }

  /** The session's snapshot is installed: the journal holds the active's state. */
  synchronized void snapshotInstalled() {
    synced = true;
    ended = false;
  }

  /** The session ended at NOW. */
  synchronized void sessionEnded(long nowNanos) {
    if (synced && !ended) {
      ended = true;
      endedNanos = nowNanos;
    }
  }

  /** This node stepped down (or gave up the journal): only a new session's snapshot counts. */
  synchronized void distrust() {
    synced = false;
    ended = false;
  }

  /**
   * Whether the journal may be taken over, the peer's last heartbeat having arrived at
   * PEER_LAST_HEARD (same clock; 0 if never).
   */
  synchronized boolean trusted(long peerLastHeardNanos) {
    if (!synced) {
      return false;
    }
    if (ended && peerLastHeardNanos != 0 && peerLastHeardNanos - endedNanos >= graceNanos) {
      // Heard after the session ended: the peer went on without us. Never trusted again.
      synced = false;
      return false;
    }
    return true;
  }
}
