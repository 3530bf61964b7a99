package dev.vpngw.sa;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The bound an HA pair puts on one outbound SA's sequence numbers (issue 6): the owning worker may
 * send a number only while it is at most {@link #limit()}, the highest sequence mark the standby is
 * known to hold; it publishes how far it got ({@link #next()}) for the thread that journals new
 * marks ahead of it. Two words shared between exactly two threads, so the packet path pays one
 * acquire load and one opaque store per packet: no lock, no allocation. An SA without a fence (a
 * gateway without HA) is unbounded.
 */
public final class SequenceFence {
  private static final VarHandle LIMIT;
  private static final VarHandle NEXT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      LIMIT = l.findVarHandle(SequenceFence.class, "limit", long.class);
      NEXT = l.findVarHandle(SequenceFence.class, "next", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // through LIMIT
  private long limit;

  @SuppressWarnings("unused") // through NEXT
  private long next;

  /** A fence for an SA whose first packet carries FIRST and that may send nothing yet. */
  public SequenceFence(long first) {
    NEXT.setRelease(this, first);
    LIMIT.setRelease(this, first - 1);
  }

  /** The highest sequence number the worker may send now (acquire). */
  public long limit() {
    return (long) LIMIT.getAcquire(this);
  }

  /** Raises the limit (the marking thread, once the standby holds MARK); never lowers it. */
  public void raise(long mark) {
    if (mark > (long) LIMIT.getAcquire(this)) {
      LIMIT.setRelease(this, mark);
    }
  }

  /** The next sequence number the worker will use (as last published). */
  public long next() {
    return (long) NEXT.getOpaque(this);
  }

  /** The worker used everything below NEXT (opaque: ordering is not needed, only freshness). */
  public void published(long next) {
    NEXT.setOpaque(this, next);
  }
}
