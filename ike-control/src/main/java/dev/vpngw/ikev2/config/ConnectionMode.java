package dev.vpngw.ikev2.config;

/** Which side may start a connection's IKE SA (the cloud gateways' "connection mode"). */
public enum ConnectionMode {
  /** We initiate and also accept the peer's initiation. */
  BOTH,
  /** We only initiate; an IKE_SA_INIT from the peer for this connection is refused. */
  INITIATOR_ONLY,
  /** We never initiate; we wait for the peer. */
  RESPONDER_ONLY;

  /** Whether we start the IKE SA ourselves. */
  public boolean initiates() {
    return this != RESPONDER_ONLY;
  }

  /** Whether we accept the peer's IKE_SA_INIT. */
  public boolean responds() {
    return this != INITIATOR_ONLY;
  }
}
