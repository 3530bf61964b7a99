package dev.vpngw.ikev2;

import dev.vpngw.ikev2.config.Retransmission;
import java.time.Duration;

/**
 * Daemon-wide IKE settings.
 *
 * @param retransmission when unanswered requests are sent again and when the peer is given up
 * @param cookieThreshold half-open IKE SAs (as responder) above which IKE_SA_INIT needs a COOKIE
 *     (RFC 7296 2.6); 0 demands one always
 * @param natKeepalive how often we send NAT-keepalives when we are behind a NAT (RFC 3948 4)
 * @param retryInterval how long after a failed or lost IKE SA an initiating connection tries again
 */
public record IkeSettings(
    Retransmission retransmission,
    int cookieThreshold,
    Duration natKeepalive,
    Duration retryInterval) {
  /** strongSwan-like defaults. */
  public static IkeSettings defaults() {
    return new IkeSettings(
        Retransmission.defaults(), 1000, Duration.ofSeconds(20), Duration.ofSeconds(10));
  }

  /** The same settings with another COOKIE threshold. */
  public IkeSettings withCookieThreshold(int threshold) {
    return new IkeSettings(retransmission, threshold, natKeepalive, retryInterval);
  }

  /** The same settings with another NAT-keepalive interval. */
  public IkeSettings withNatKeepalive(Duration interval) {
    return new IkeSettings(retransmission, cookieThreshold, interval, retryInterval);
  }
}
