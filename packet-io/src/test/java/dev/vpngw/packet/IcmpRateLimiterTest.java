package dev.vpngw.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IcmpRateLimiterTest {
  private static final long MS = 1_000_000L;

  private static int drain(IcmpRateLimiter limiter, long now) {
    int granted = 0;
    while (limiter.tryAcquire(now)) {
      granted++;
    }
    return granted;
  }

  @Test
  void startsFullAndGrantsTheBurstAtOnce() {
    IcmpRateLimiter limiter = new IcmpRateLimiter(100, 10);
    assertEquals(10, drain(limiter, 5_000));
  }

  @Test
  void refillsOneTokenPerInterval() {
    IcmpRateLimiter limiter = new IcmpRateLimiter(100, 10); // one per 10 ms
    long now = 123_456_789L;
    drain(limiter, now);
    assertFalse(limiter.tryAcquire(now + 9 * MS));
    assertTrue(limiter.tryAcquire(now + 10 * MS));
    assertFalse(limiter.tryAcquire(now + 10 * MS));
    assertEquals(3, drain(limiter, now + 40 * MS));
  }

  @Test
  void anIdleBucketHoldsNoMoreThanTheBurst() {
    IcmpRateLimiter limiter = new IcmpRateLimiter(1000, 5);
    drain(limiter, 0);
    assertEquals(5, drain(limiter, 3_600_000 * MS));
  }

  @Test
  void aSteadyStreamGetsTheConfiguredRate() {
    IcmpRateLimiter limiter = new IcmpRateLimiter(1000, 20);
    int granted = 0;
    // One attempt every 100 us for 10 s: 100 000 attempts.
    for (long now = 0; now < 10_000 * MS; now += MS / 10) {
      if (limiter.tryAcquire(now)) {
        granted++;
      }
    }
    assertEquals(10_000 + 20, granted, 1);
  }

  @Test
  void survivesTheNanoTimeWrap() {
    IcmpRateLimiter limiter = new IcmpRateLimiter(100, 2);
    long now = Long.MAX_VALUE - 5 * MS;
    assertEquals(2, drain(limiter, now));
    assertFalse(limiter.tryAcquire(now + 9 * MS)); // wrapped past Long.MAX_VALUE
    assertTrue(limiter.tryAcquire(now + 10 * MS));
    assertEquals(2, drain(limiter, now + 1000 * MS));
  }

  @Test
  void rejectsNonsenseRates() {
    assertThrows(IllegalArgumentException.class, () -> new IcmpRateLimiter(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new IcmpRateLimiter(2_000_000_000L, 1));
    assertThrows(IllegalArgumentException.class, () -> new IcmpRateLimiter(10, 0));
  }
}
