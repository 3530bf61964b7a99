package dev.vpngw.ikev2.config;

import java.time.Duration;

/**
 * When an unanswered request is sent again (RFC 7296 2.1: exponential back-off, then give up):
 * after {@code timeout}, then {@code timeout * base}, ..., {@code tries} times in all.
 *
 * @param timeout the first wait
 * @param base the back-off factor
 * @param tries retransmissions before the peer is declared unreachable
 */
public record Retransmission(Duration timeout, double base, int tries) {
  /** strongSwan's defaults: 4 s, 1.8, 5 tries (about 165 s in all). */
  public static Retransmission defaults() {
    return new Retransmission(Duration.ofSeconds(4), 1.8, 5);
  }

  /** Checks the values. */
  public Retransmission {
    if (timeout.isNegative() || timeout.isZero() || base < 1.0 || tries < 0 || tries > 20) {
      throw new IllegalArgumentException(
          "retransmission: timeout > 0, base >= 1 and 0..20 tries needed");
    }
  }

  /** The wait before retransmission number {@code attempt} (0 for the first send). */
  public long waitNanos(int attempt) {
    return (long) (timeout.toNanos() * Math.pow(base, attempt));
  }
}
