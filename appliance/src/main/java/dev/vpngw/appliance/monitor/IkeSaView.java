package dev.vpngw.appliance.monitor;

import java.util.List;

/**
 * One IKE SA as the IKE thread saw it when asked: its connection, SPIs, coarse state and age, and
 * its child SAs. A copy: nothing here refers to live IKE state. No keys.
 *
 * @param connection its connection
 * @param initiatorSpi the initiator's IKE SPI
 * @param responderSpi the responder's IKE SPI (0 while unknown)
 * @param state the coarse state (CONNECTING, ESTABLISHED, REKEYING, ...)
 * @param ageSeconds since it was established, or since it was created while connecting
 * @param children its child SAs
 */
public record IkeSaView(
    String connection,
    long initiatorSpi,
    long responderSpi,
    String state,
    double ageSeconds,
    List<Child> children) {
  /**
   * One child SA pair.
   *
   * @param inboundSpi our inbound SPI
   * @param outboundSpi the peer's inbound SPI, our outbound
   * @param state INSTALLED, REKEYING, REKEYED or DELETING
   * @param ageSeconds since it was installed
   */
  public record Child(int inboundSpi, int outboundSpi, String state, double ageSeconds) {}
}
