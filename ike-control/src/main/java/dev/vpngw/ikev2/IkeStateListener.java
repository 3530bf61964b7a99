package dev.vpngw.ikev2;

import dev.vpngw.ikev2.sa.ChildSa;
import dev.vpngw.ikev2.sa.IkeSa;

/**
 * What an active-standby pair replicates of the daemon's state (issue 6): the daemon tells it about
 * every established IKE SA that appeared or changed (keys, SPIs, peer address, NAT state, message
 * ids), every child SA installed (its SaConfigs hold the keys) and everything deleted, and calls
 * {@link #beforeSend()} before each IKE message leaves, after the state that message reflects was
 * reported: a listener that makes the standby hold that state before it returns guarantees that a
 * standby taking over never knows less than the peer saw. Called on the IKE thread only.
 * ike-control knows nothing of how the state is replicated (the appliance implements this over
 * ha-sync).
 */
public interface IkeStateListener {
  /** Replicates nothing (a gateway without HA). */
  IkeStateListener NONE =
      new IkeStateListener() {
        @Override
        public void ikeSaChanged(
            IkeSa sa, boolean added, int nextRequestId, boolean requestInFlight, int expected) {}

        @Override
        public void ikeSaDeleted(IkeSa sa) {}

        @Override
        public void childSaAdded(IkeSa parent, ChildSa child) {}

        @Override
        public void childSaDeleted(IkeSa parent, ChildSa child) {}

        @Override
        public void beforeSend() {}
      };

  /**
   * An IKE SA is established ({@code added}) or changed.
   *
   * @param nextRequestId the Message ID of our next request, or of the one in flight
   * @param requestInFlight whether a request with {@code nextRequestId} is sent and unanswered
   * @param expected the Message ID the peer's next request must carry
   */
  void ikeSaChanged(
      IkeSa sa, boolean added, int nextRequestId, boolean requestInFlight, int expected);

  /** An IKE SA is gone (its child SAs were reported deleted or moved to its successor first). */
  void ikeSaDeleted(IkeSa sa);

  /** A child SA is installed under {@code parent} (or moved to it by an IKE SA rekey). */
  void childSaAdded(IkeSa parent, ChildSa child);

  /** A child SA is gone. */
  void childSaDeleted(IkeSa parent, ChildSa child);

  /** An IKE message is about to leave: everything it reflects has been reported. */
  void beforeSend();
}
