package dev.vpngw.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A gateway's aggregate bandwidth (its SKU's) in one direction, shared fairly by its tunnels: each
 * tunnel polices its packets against a token bucket of its own ({@link Share}), and every {@link
 * #ALLOCATION_INTERVAL_NANOS} the limit is divided among the tunnels by max-min fairness (water
 * filling) over what each offered in the last interval: a tunnel that wants less than an equal
 * share gets what it wants plus room to grow, the rest is split evenly among the others. The sum of
 * the shares never exceeds the limit, so neither does the sum of the traffic, and no tunnel that
 * wants its share gets less.
 *
 * <p>Threads: a share is created, used and closed by the worker that owns its tunnel (single
 * writer: no atomics per packet beyond release stores of its offered- and admitted-bytes totals,
 * from which the allocator also knows the rate in use, {@link #usedBytesPerSecond}); {@link
 * #allocate} runs on one thread (the I/O thread's duty cycle); {@link #limit} may be set from any
 * thread. A limit of 0 means none: every share then admits everything.
 */
public final class BandwidthLimiter {
  /** How often the limit is divided anew. */
  public static final long ALLOCATION_INTERVAL_NANOS = 50_000_000L;

  /** A share's rate when there is no limit. */
  static final long UNLIMITED = Long.MAX_VALUE;

  /** How much more than it offered a tunnel below its equal share may send next interval. */
  private static final double GROWTH = 1.25;

  /** The smallest bucket (bytes), so a share always admits a few full-sized packets at once. */
  private static final long MIN_BURST_BYTES = 64 * 1024;

  /**
   * The bucket's depth in time at the share's rate: one allocation interval, so a share banks at
   * most what one division gave it. It must also cover the bunching of a tunnel's packets that a
   * busy machine's scheduler causes (a thread off its core for tens of milliseconds hands over what
   * arrived meanwhile at once): 20 ms was too shallow for that on 2 shared cores (see
   * ARCHITECTURE.md, Bandwidth limit).
   */
  private static final long BURST_NANOS = ALLOCATION_INTERVAL_NANOS;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final List<Share> shares = new CopyOnWriteArrayList<>();
  private volatile long limitBytesPerSecond;
  private long usedBytesPerSecond;
  private boolean started;
  private long lastAllocationNanos;
  private final List<Share> scratch = new ArrayList<>();

  /** Sets the aggregate limit in bits per second (0: none); in force at the next allocation. */
  public void limit(long bitsPerSecond) {
    if (bitsPerSecond < 0) {
      throw new IllegalArgumentException("negative bandwidth limit: " + bitsPerSecond);
    }
    limitBytesPerSecond = bitsPerSecond / 8;
  }

  /** The aggregate limit in bits per second, 0 for none. */
  public long limit() {
    return limitBytesPerSecond * 8;
  }

  /**
   * A new tunnel's share, admitting everything until the next allocation when there is no limit.
   */
  Share register(long nowNanos) {
    Share s = new Share(nowNanos);
    long limit = limitBytesPerSecond;
    // A newcomer may send an equal share at once, before the next allocation counts it, and
    // starts with a full bucket.
    s.rate = limit == 0 ? UNLIMITED : limit / (shares.size() + 1);
    s.tokens = burst(s.rate);
    shares.add(s);
    return s;
  }

  /** Forgets a share (its tunnel is gone). */
  void unregister(Share s) {
    shares.remove(s);
  }

  /**
   * Divides the limit among the shares if an interval has passed since the last division; returns
   * whether it did.
   */
  boolean allocate(long nowNanos) {
    if (!started) {
      started = true;
      lastAllocationNanos = nowNanos;
      return false;
    }
    long elapsed = nowNanos - lastAllocationNanos;
    if (elapsed < ALLOCATION_INTERVAL_NANOS) {
      return false;
    }
    lastAllocationNanos = nowNanos;
    long limit = limitBytesPerSecond;
    scratch.clear();
    long used = 0;
    for (Share s : shares) {
      long admitted = s.admitted();
      used += Math.max(0, admitted - s.admittedAtAllocation);
      s.admittedAtAllocation = admitted;
      long offered = s.offered();
      s.demand = Math.max(0, (offered - s.offeredAtAllocation)) * NANOS_PER_SECOND / elapsed;
      s.offeredAtAllocation = offered;
      if (limit == 0) {
        s.rate = UNLIMITED;
      } else {
        scratch.add(s);
      }
    }
    usedBytesPerSecond = used * NANOS_PER_SECOND / elapsed;
    if (limit == 0 || scratch.isEmpty()) {
      return true;
    }
    // Water filling: serve the smallest demands first; each gets what it asks (with room to
    // grow) up to an equal split of what is left, the rest goes on to the larger ones.
    scratch.sort((a, b) -> Long.compare(a.demand, b.demand));
    long left = limit;
    int active = 0;
    for (Share s : scratch) {
      active += s.demand > 0 ? 1 : 0;
    }
    int remaining = active;
    long floor = active == 0 ? limit : limit / active;
    for (Share s : scratch) {
      if (s.demand == 0) {
        // Silent last interval: may start at an equal share of the whole (a transient the next
        // interval corrects), so a tunnel that wakes up is not starved for an interval.
        s.rate = limit / (active + 1);
        continue;
      }
      long equal = left / remaining;
      long wanted = (long) Math.min(Long.MAX_VALUE / 2, s.demand * GROWTH);
      long granted = Math.min(wanted, equal);
      left -= granted;
      remaining--;
      // What a tunnel below its equal share leaves goes to the others, but its own bucket keeps
      // the equal share: capped at what it just used, a TCP flow that backed off after a loss
      // would be held there and spiral down. The sum may pass the limit only while such a tunnel
      // grows back, for less than an interval.
      s.rate = Math.max(granted, floor);
    }
    return true;
  }

  /**
   * Inner bytes per second all shares let through over the last allocation interval (0 before the
   * first); read on the allocating thread.
   */
  long usedBytesPerSecond() {
    return usedBytesPerSecond;
  }

  /** The aggregate limit in bytes per second, 0 for none. */
  long limitBytesPerSecond() {
    return limitBytesPerSecond;
  }

  /** A bucket's depth at {@code rate} bytes per second. */
  private static long burst(long rate) {
    return rate == UNLIMITED
        ? MIN_BURST_BYTES
        : Math.max(MIN_BURST_BYTES, rate / (NANOS_PER_SECOND / BURST_NANOS));
  }

  /**
   * One tunnel's part of the limit in one direction: a token bucket refilled at the rate the last
   * allocation gave it. Used by the owning worker only, apart from the allocator's reads of {@link
   * #offered} and writes of {@link #rate}.
   */
  static final class Share {
    private static final VarHandle OFFERED;
    private static final VarHandle ADMITTED;

    static {
      try {
        OFFERED = MethodHandles.lookup().findVarHandle(Share.class, "offered", long.class);
        ADMITTED = MethodHandles.lookup().findVarHandle(Share.class, "admitted", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    // Worker's.
    private long tokens;
    private long lastRefillNanos;
    private long offeredPlain;

    private long admittedPlain;

    @SuppressWarnings("unused") // through OFFERED
    private long offered;

    @SuppressWarnings("unused") // through ADMITTED
    private long admitted;

    // Allocator's.
    private volatile long rate;
    private long demand;
    private long offeredAtAllocation;
    private long admittedAtAllocation;

    private Share(long nowNanos) {
      this.lastRefillNanos = nowNanos;
    }

    /**
     * Whether {@code bytes} more may go now; counts them as offered either way. {@code nowNanos}
     * may be a duty cycle's clock reading rather than a fresh one per packet.
     */
    boolean admit(int bytes, long nowNanos) {
      offeredPlain += bytes;
      OFFERED.setRelease(this, offeredPlain);
      long r = rate;
      if (r == UNLIMITED) {
        pass(bytes);
        return true;
      }
      long burst = burst(r);
      long elapsed = Math.min(nowNanos - lastRefillNanos, NANOS_PER_SECOND);
      if (elapsed > 0) {
        tokens = Math.min(burst, tokens + elapsed * r / NANOS_PER_SECOND);
        lastRefillNanos = nowNanos;
      } else if (tokens > burst) {
        tokens = burst; // the rate went down since the last refill
      }
      if (tokens >= bytes) {
        tokens -= bytes;
        pass(bytes);
        return true;
      }
      return false;
    }

    private void pass(int bytes) {
      admittedPlain += bytes;
      ADMITTED.setRelease(this, admittedPlain);
    }

    /** Bytes admitted so far. */
    long admitted() {
      return (long) ADMITTED.getAcquire(this);
    }

    /** Bytes offered so far (admitted or not). */
    long offered() {
      return (long) OFFERED.getAcquire(this);
    }

    /** Bytes per second this share may send now. */
    long rate() {
      return rate;
    }
  }
}
