package dev.vpngw.appliance.ha;

import dev.vpngw.crypto.EspSuite;
import dev.vpngw.ha.JumpAhead;
import dev.vpngw.ha.journal.HaRecord;
import dev.vpngw.ha.journal.ReplicationLog;
import dev.vpngw.ha.repl.ReplicationServer;
import dev.vpngw.ikev2.IkeStateListener;
import dev.vpngw.ikev2.crypto.IkeKeys;
import dev.vpngw.ikev2.sa.ChildSa;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SequenceFence;
import dev.vpngw.selector.TrafficSelector;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The active node's side of replication (issue 6): turns the IKE daemon's state changes into
 * journal records ({@link IkeStateListener}, on the IKE thread), makes the standby hold them before
 * an IKE message leaves, and bounds every outbound SA's sequence numbers by marks the standby holds
 * (one {@link JumpAhead} and one {@link SequenceFence} per outbound SA; marks are journaled by the
 * {@code ha-seq-marker} thread, never on the packet path).
 *
 * <p>"Safe" means: the standby acknowledged the record, or the election has declared the peer
 * failed and no replication session is open (a peer that comes back has restarted or stepped down,
 * and takes over again only after the snapshot of a new session, which holds the record). A peer
 * that is alive but detached (its session dropped, it is reconnecting, it steps down in a
 * switchover) may still hold an older journal it could take over with: records wait for its
 * acknowledgement then, and an SA's traffic stops at its fence rather than risk a repeated sequence
 * number.
 */
public final class HaReplicator implements IkeStateListener, AutoCloseable {
  private static final System.Logger LOG = System.getLogger("vpngw.ha");

  /** How often the marker looks at the outbound counters. */
  private static final long MARKER_PERIOD_NANOS = 500_000;

  private final ReplicationLog log;
  private final long window;
  private final long ackTimeoutNanos;
  private final Map<Integer, Marked> fences = new ConcurrentHashMap<>();
  private final Map<Integer, Long> grants = new ConcurrentHashMap<>();

  /**
   * Makes "if active, append" atomic with a step-down ({@link #active(boolean)}): once a node has
   * stepped down it journals nothing more (its lsns would collide with the new active's) and holds
   * no fence. Also guards each {@link Marked}'s pending mark. Taken before the log's own lock.
   */
  private final Object lock = new Object();

  private final Thread marker;
  private volatile StandbyLink standby;
  private volatile boolean peerFailed;
  private volatile boolean active;
  private volatile boolean closed;
  private volatile long ackTimeouts;

  /** The lsn an IKE send last gave up waiting for, -1 when none (the IKE thread only). */
  private long laggingLsn = -1;

  private volatile long unreplicable;

  /** What the active knows of its standby's replication session. */
  interface StandbyLink {
    /** Whether a replication session is open. */
    boolean attached();

    /** The highest lsn the standby acknowledged, -1 before any. */
    long ackedLsn();
  }

  /** One outbound SA under a fence. */
  private static final class Marked {
    final int spi;
    final SequenceFence fence;
    final JumpAhead jump;
    final long maxSeq;
    long pendingLsn = -1;
    long pendingMark;

    /** Handed over in a planned switchover: the fence stays where it is (see {@link #handOver}). */
    long handedOverUpTo = -1;

    Marked(int spi, SequenceFence fence, JumpAhead jump, long maxSeq) {
      this.spi = spi;
      this.fence = fence;
      this.jump = jump;
      this.maxSeq = maxSeq;
    }
  }

  /**
   * @param window the jump-ahead window W in packets
   * @param ackTimeoutNanos how long an IKE send waits for the standby's acknowledgement
   */
  public HaReplicator(ReplicationLog log, long window, long ackTimeoutNanos) {
    this(log, window, ackTimeoutNanos, true);
  }

  /** As above; without MARKER the test drives the marker itself ({@link #markAll}). */
  HaReplicator(ReplicationLog log, long window, long ackTimeoutNanos, boolean marker) {
    this.log = log;
    this.window = window;
    this.ackTimeoutNanos = ackTimeoutNanos;
    this.marker =
        marker ? Thread.ofPlatform().name("ha-seq-marker").daemon().start(this::markLoop) : null;
  }

  /** The replication server whose acknowledgements make records safe. */
  public void server(ReplicationServer server) {
    link(
        new StandbyLink() {
          @Override
          public boolean attached() {
            return server.standbyAttached();
          }

          @Override
          public long ackedLsn() {
            return server.ackedLsn();
          }
        });
  }

  /** The standby session whose acknowledgements make records safe. */
  void link(StandbyLink link) {
    this.standby = link;
  }

  /**
   * Whether the election declares the peer failed now (no heartbeat on any path for {@code misses}
   * intervals; the HA agent reports every change). Only then does a record count as safe without
   * the standby's acknowledgement, and only while no session is open.
   */
  public void peerFailed(boolean failed) {
    this.peerFailed = failed;
  }

  /** Whether this node is active: only then are records written and fences made. */
  public void active(boolean on) {
    synchronized (lock) {
      this.active = on;
      if (!on) {
        fences.clear();
        grants.clear();
      }
    }
  }

  /** Journals RECORD if this node is active (atomically with a step-down): its lsn, or -1. */
  private long appendIfActive(HaRecord record) {
    synchronized (lock) {
      return active ? log.append(record) : -1;
    }
  }

  /** Whether this node journals now. */
  public boolean active() {
    return active;
  }

  /**
   * Waits for the standby's acknowledgement that timed out, and IKE sends that went out without it
   * (timed out, or not waited for while the standby lags).
   */
  public long ackTimeouts() {
    return ackTimeouts;
  }

  /** State changes that could not be journaled (a selector that is not a prefix). */
  public long unreplicable() {
    return unreplicable;
  }

  /** Outbound SAs under a fence now. */
  public int fencedSas() {
    return fences.size();
  }

  // ---- sequence numbers ----

  /**
   * The outbound SA as the dataplane must install it: bounded by a new fence whose first mark is
   * journaled before this returns, and safe too when it can be made so at once or an attached
   * standby acknowledges it in time (so its first packet is not held); otherwise the fence opens
   * when the marker sees the acknowledgement. Unchanged while standby.
   */
  public SaConfig fence(SaConfig outbound) {
    long first = outbound.initialSequenceNumber();
    long limit = outbound.esn() ? Long.MAX_VALUE : JumpAhead.MAX_SEQ_32;
    SequenceFence fence = new SequenceFence(first);
    JumpAhead jump = new JumpAhead(window, first, limit);
    Marked m = new Marked(outbound.spi(), fence, jump, limit);
    Long granted = grants.remove(outbound.spi());
    boolean handedOver = granted != null && granted >= first;
    long mark = handedOver ? Math.min(granted, limit) : jump.markDue();
    long lsn;
    synchronized (lock) {
      if (!active) {
        return outbound;
      }
      lsn = log.append(new HaRecord.SequenceMark(outbound.spi(), mark));
      jump.onMarkWritten(mark);
      if (handedOver) {
        // The old active handed these numbers over and holds the mark (its journal has the
        // handover, which is a mark for it): they are safe without its acknowledgement.
        jump.onMarkSafe(mark);
        fence.raise(mark);
      } else {
        m.pendingLsn = lsn;
        m.pendingMark = mark;
      }
      fences.put(outbound.spi(), m);
    }
    if (handedOver) {
      return outbound.toBuilder().sequenceFence(fence).build();
    }
    // Wait only for an attached standby, which acknowledges within milliseconds. A detached live
    // peer (one stepping down in a switchover, one reconnecting) cannot acknowledge before it
    // follows again: waiting here (the IKE thread, once per SA during a takeover) would only delay
    // everything, so the marker raises the fence when the acknowledgement comes.
    StandbyLink link = standby;
    if (safe(lsn) || (link != null && link.attached() && waitSafe(lsn))) {
      synchronized (lock) {
        // Unless the marker raised it meanwhile, or this node stepped down (the fence stays shut).
        if (active && m.pendingLsn == lsn) {
          jump.onMarkSafe(mark);
          fence.raise(mark);
          m.pendingLsn = -1;
        }
      }
    }
    return outbound.toBuilder().sequenceFence(fence).build();
  }

  /**
   * A planned switchover begins (docs/ARCHITECTURE.md, "Planned switchover"): every fenced SA's
   * fence stays where it is from now on (this node sends nothing above it), and a {@link
   * HaRecord.SequenceHandover} hands the next window above it to the standby, which may then send
   * at once after taking over instead of waiting for this node, stepping down, to follow it and
   * acknowledge. Journaled before the switchover request's lsn is announced, so the standby holds
   * every handover when it takes over. Returns how many SAs were handed over.
   */
  public int handOver(int selfNode) {
    synchronized (lock) {
      if (!active) {
        return 0;
      }
      int n = 0;
      for (Marked m : fences.values()) {
        if (m.handedOverUpTo >= 0) {
          continue;
        }
        long sent = m.fence.limit();
        long upTo = Math.min(m.maxSeq, Math.max(sent, m.jump.written()) + window);
        if (upTo <= sent) {
          continue;
        }
        log.append(new HaRecord.SequenceHandover(m.spi, sent, upTo, selfNode));
        m.handedOverUpTo = upTo;
        n++;
      }
      return n;
    }
  }

  /**
   * The switchover was called off while this node is still active: each handed-over SA journals a
   * plain mark at the top of its handover (which ends the handover everywhere it is applied) and
   * its fence rises again once the standby acknowledged that.
   */
  public void resume() {
    synchronized (lock) {
      if (!active) {
        return;
      }
      for (Marked m : fences.values()) {
        if (m.handedOverUpTo < 0) {
          continue;
        }
        long mark = m.handedOverUpTo;
        long lsn = log.append(new HaRecord.SequenceMark(m.spi, mark));
        m.jump.onMarkWritten(mark);
        m.pendingLsn = lsn;
        m.pendingMark = mark;
        m.handedOverUpTo = -1;
      }
    }
  }

  /**
   * Takeover after a planned switchover: the outbound SA SPI, about to be fenced, may send up to
   * MARK at once (the old active handed those numbers over; see {@link #handOver}).
   */
  public void grant(int spi, long mark) {
    grants.put(spi, mark);
  }

  private void markLoop() {
    while (!closed) {
      markAll();
      LockSupport.parkNanos(MARKER_PERIOD_NANOS);
    }
  }

  /** One pass of the marker over every fenced SA. */
  void markAll() {
    if (!active) {
      return;
    }
    for (Marked m : fences.values()) {
      synchronized (lock) {
        if (!active) {
          return;
        }
        try {
          mark(m);
        } catch (RuntimeException e) {
          LOG.log(Level.ERROR, "sequence marks of SPI " + Integer.toHexString(m.spi), e);
          fences.remove(m.spi, m);
        }
      }
    }
  }

  private void mark(Marked m) {
    if (m.handedOverUpTo >= 0) {
      return;
    }
    m.jump.advanceTo(m.fence.next());
    if (m.pendingLsn >= 0) {
      if (!safe(m.pendingLsn)) {
        return;
      }
      m.jump.onMarkSafe(m.pendingMark);
      m.fence.raise(m.pendingMark);
      m.pendingLsn = -1;
    }
    long due = m.jump.markDue();
    if (due >= 0) {
      long lsn = log.append(new HaRecord.SequenceMark(m.spi, due));
      m.jump.onMarkWritten(due);
      m.pendingLsn = lsn;
      m.pendingMark = due;
    }
  }

  private boolean safe(long lsn) {
    StandbyLink s = standby;
    if (s == null) {
      return peerFailed;
    }
    return s.ackedLsn() >= lsn || (peerFailed && !s.attached());
  }

  private boolean waitSafe(long lsn) {
    long deadline = System.nanoTime() + ackTimeoutNanos;
    while (!safe(lsn)) {
      if (System.nanoTime() - deadline > 0) {
        ackTimeouts++;
        return false;
      }
      LockSupport.parkNanos(20_000);
    }
    return true;
  }

  // ---- IKE state ----

  @Override
  public void ikeSaChanged(
      IkeSa sa, boolean added, int nextRequestId, boolean requestInFlight, int expected) {
    if (!active) {
      return;
    }
    HaRecord.IkeSa r = ikeRecord(sa, nextRequestId, requestInFlight, expected);
    appendIfActive(added ? new HaRecord.IkeSaAdded(r) : new HaRecord.IkeSaUpdated(r));
  }

  @Override
  public void ikeSaDeleted(IkeSa sa) {
    appendIfActive(new HaRecord.IkeSaDeleted(id(sa)));
  }

  @Override
  public void childSaAdded(IkeSa parent, ChildSa child) {
    if (!active || child.inbound() == null) {
      return;
    }
    try {
      appendIfActive(new HaRecord.ChildSaAdded(childRecord(parent, child)));
    } catch (IllegalArgumentException e) {
      unreplicable++;
      LOG.log(
          Level.WARNING,
          "child SA "
              + Integer.toHexString(child.inboundSpi())
              + " of "
              + parent.config().name()
              + " not replicated: "
              + e.getMessage());
    }
  }

  @Override
  public void childSaDeleted(IkeSa parent, ChildSa child) {
    synchronized (lock) {
      if (active) {
        log.append(new HaRecord.ChildSaDeleted(child.inboundSpi()));
        fences.remove(child.outboundSpi());
      }
    }
  }

  /**
   * Waits until the standby holds everything the message about to leave reflects (bounded). Once a
   * wait timed out (the HA link is cut, the standby stalls), later sends do not wait again until
   * the acknowledgements caught up with the lsn that timed out: every send of a DPD round would
   * otherwise cost the IKE thread the whole timeout, N SAs N times. What those sends reflect is
   * journaled all the same and reaches the standby when the stream moves again; a takeover before
   * that finds IKE state the peer has moved past (message ids, a rekey), which costs that IKE SA a
   * failed liveness check and a renegotiation, never a reused nonce: child SAs' sequence numbers
   * stay bounded by their fences, which open only on the acknowledgement, and IKE's own AEAD IVs
   * start at a random counter under each restored key.
   */
  @Override
  public void beforeSend() {
    if (!active) {
      return;
    }
    long lsn = log.lastLsn();
    long behind = laggingLsn;
    if (behind >= 0) {
      if (!safe(behind)) {
        ackTimeouts++;
        return;
      }
      laggingLsn = -1;
    }
    if (!waitSafe(lsn)) {
      laggingLsn = lsn;
    }
  }

  static HaRecord.IkeSaId id(IkeSa sa) {
    return new HaRecord.IkeSaId(sa.initiatorSpi(), sa.responderSpi());
  }

  private static HaRecord.IkeSa ikeRecord(IkeSa sa, int next, boolean inFlight, int expected) {
    IkeKeys k = sa.keys();
    byte[][] keys = {k.skD(), k.skAi(), k.skAr(), k.skEi(), k.skEr(), k.skPi(), k.skPr()};
    HaRecord.IkeSa r =
        new HaRecord.IkeSa(
            id(sa),
            sa.config().name(),
            sa.originalInitiator(),
            2,
            k.encryption().id(),
            k.encryptionKeyBits(),
            k.integrity().id(),
            k.prf().id(),
            0,
            keys[0].clone(),
            keys[1].clone(),
            keys[2].clone(),
            keys[3].clone(),
            keys[4].clone(),
            keys[5].clone(),
            keys[6].clone(),
            new HaRecord.Endpoint(sa.config().localAddress(), sa.localPort()),
            new HaRecord.Endpoint(sa.peer().getAddress(), sa.peer().getPort()),
            sa.natLocal(),
            sa.natRemote(),
            next,
            inFlight,
            expected);
    for (byte[] key : keys) {
      Arrays.fill(key, (byte) 0);
    }
    return r;
  }

  private static HaRecord.ChildSa childRecord(IkeSa parent, ChildSa c) {
    SaConfig in = c.inbound();
    SaConfig out = c.outbound();
    EspSuite suite = c.suite();
    long nowNanos = System.nanoTime();
    long createdMillis = System.currentTimeMillis() - (nowNanos - c.createdNanos()) / 1_000_000;
    return new HaRecord.ChildSa(
        parent.config().name(),
        id(parent),
        c.inboundSpi(),
        c.outboundSpi(),
        suite.encryption().ordinal(),
        suite.encryption().keyLength() * 8,
        suite.integrity().ordinal(),
        keyMaterial(in),
        keyMaterial(out),
        out.udpEncapsulation(),
        c.esn(),
        selectors(c.localTs()),
        selectors(c.remoteTs()),
        seconds(c.rekeyAtNanos() - c.createdNanos()),
        seconds(c.expireAtNanos() - c.createdNanos()),
        out.softLifetimeBytes(),
        out.hardLifetimeBytes(),
        createdMillis);
  }

  private static long seconds(long nanos) {
    return nanos <= 0 || nanos >= Long.MAX_VALUE / 2 ? 0 : nanos / 1_000_000_000L;
  }

  /** Encryption key (with salt) then integrity key. */
  private static byte[] keyMaterial(SaConfig sa) {
    byte[] e = sa.encryptionKey();
    byte[] i = sa.integrityKey();
    byte[] out = Arrays.copyOf(e, e.length + i.length);
    System.arraycopy(i, 0, out, e.length, i.length);
    Arrays.fill(e, (byte) 0);
    Arrays.fill(i, (byte) 0);
    return out;
  }

  /** Traffic selectors as prefixes; a range that is not one prefix cannot be journaled. */
  static List<HaRecord.Selector> selectors(List<TrafficSelector> list) {
    List<HaRecord.Selector> out = new ArrayList<>();
    for (TrafficSelector ts : list) {
      byte[] start = ts.startAddress();
      byte[] end = ts.endAddress();
      int bits = start.length * 8;
      int prefix = 0;
      while (prefix < bits && bit(start, prefix) == bit(end, prefix)) {
        prefix++;
      }
      for (int b = prefix; b < bits; b++) {
        if (bit(start, b) != 0 || bit(end, b) != 1) {
          throw new IllegalArgumentException("traffic selector " + ts + " is not one prefix");
        }
      }
      InetAddress a;
      try {
        a = InetAddress.getByAddress(start);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("traffic selector " + ts + ": " + e.getMessage());
      }
      out.add(new HaRecord.Selector(a, prefix, ts.protocol(), ts.startPort(), ts.endPort()));
    }
    return out;
  }

  private static int bit(byte[] a, int i) {
    return (a[i / 8] >> (7 - i % 8)) & 1;
  }

  @Override
  public void close() {
    closed = true;
    if (marker != null) {
      marker.interrupt();
    }
  }
}
