package dev.vpngw.ikev2.config;

/**
 * What a connection does when dead peer detection (RFC 7296 2.4) declares the peer gone: as
 * strongSwan's {@code dpd_action}.
 */
public enum DpdAction {
  /** Delete the IKE and child SAs and wait for the peer (a responder's usual choice). */
  CLEAR,
  /** Delete them and initiate the connection again at once. */
  RESTART
}
