package dev.vpngw.ikev2.sa;

/** The coarse state of an IKE SA (as strongSwan's ike_sa_state): the details live in the tasks. */
public enum IkeSaState {
  /** IKE_SA_INIT / IKE_AUTH in progress. */
  CONNECTING,
  /** Authenticated; child SAs may exist. */
  ESTABLISHED,
  /** A CREATE_CHILD_SA rekeying this IKE SA is in progress. */
  REKEYING,
  /** Replaced by its successor; only the delete of it remains. */
  REKEYED,
  /** A delete is in progress. */
  DELETING,
  /** Gone: no message is processed any more. */
  DESTROYED
}
