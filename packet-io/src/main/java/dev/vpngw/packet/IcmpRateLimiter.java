package dev.vpngw.packet;

/**
 * A token bucket for the ICMP errors a gateway originates: RFC 1812 4.3.2.8 and RFC 4443 2.4(f)
 * require them to be rate limited (RFC 4443 suggests exactly this), so a flood of oversized packets
 * cannot turn the gateway into an ICMP amplifier or eat its cycles.
 *
 * <p>Kept as the generic cell rate algorithm, the token bucket's equivalent in one number: the
 * theoretical time at which the bucket would be full again. A token is granted when that time is at
 * most {@code burst - 1} token intervals ahead of now, and granting one moves it one interval
 * further. That is exact in integer nanoseconds (no fractional tokens to drift), wrap-safe against
 * {@link System#nanoTime()}'s arbitrary origin, and allocation-free. The clock is passed in, so an
 * agent reads it once per duty cycle and a test drives it by hand.
 *
 * <p>Not thread-safe: one instance per agent thread, like every other piece of per-worker state.
 */
public final class IcmpRateLimiter {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long intervalNanos;
  private final long burstNanos;
  private long fullAt;
  private boolean started;

  /**
   * A bucket that refills {@code tokensPerSecond} tokens a second and holds at most {@code burst}.
   * It starts full.
   *
   * @param tokensPerSecond 1 to 10^9
   * @param burst at least 1; the bucket's capacity
   * @throws IllegalArgumentException if either is out of range
   */
  public IcmpRateLimiter(long tokensPerSecond, int burst) {
    if (tokensPerSecond < 1 || tokensPerSecond > NANOS_PER_SECOND) {
      throw new IllegalArgumentException("tokens per second must be 1..10^9: " + tokensPerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be at least 1: " + burst);
    }
    this.intervalNanos = NANOS_PER_SECOND / tokensPerSecond;
    this.burstNanos = (burst - 1) * intervalNanos;
  }

  /**
   * Takes a token if one is available at {@code nowNanos}.
   *
   * @param nowNanos the current {@link System#nanoTime()} (or a test's clock)
   * @return true when the caller may send one ICMP error
   */
  public boolean tryAcquire(long nowNanos) {
    if (!started) {
      fullAt = nowNanos;
      started = true;
    }
    long at = fullAt - nowNanos < 0 ? nowNanos : fullAt;
    if (at - nowNanos > burstNanos) {
      return false;
    }
    fullAt = at + intervalNanos;
    return true;
  }
}
