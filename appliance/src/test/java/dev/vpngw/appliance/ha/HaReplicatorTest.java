package dev.vpngw.appliance.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.ha.journal.HaRecord;
import dev.vpngw.ha.journal.RecordCodec;
import dev.vpngw.ha.journal.ReplicationLog;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SequenceFence;
import dev.vpngw.selector.TrafficSelector;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The active's replication of sequence numbers and selectors, against a real journal. */
class HaReplicatorTest {
  @TempDir Path dir;

  private static SaConfig outbound(long first) throws Exception {
    return SaConfig.builder()
        .spi(0x1234_5678)
        .suite(new EspSuite(Encryption.AES_GCM_16_128, Integrity.NONE))
        .encryptionKey(new byte[20])
        .integrityKey(new byte[0])
        .tunnel(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("192.0.2.2"))
        .initialSequenceNumber(first)
        .build();
  }

  @Test
  void aFencedSaMayFirstSendUpToAJournaledMarkAndTheMarkerStaysAhead() throws Exception {
    try (ReplicationLog log =
            ReplicationLog.open(
                dir.resolve("journal"), RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE);
        HaReplicator r = new HaReplicator(log, 64, 1_000_000L)) {
      SaConfig plain = outbound(1);
      assertSame(plain, r.fence(plain), "a standby fences nothing");
      r.active(true);
      r.link(new Link());
      r.peerFailed(true);
      SaConfig fenced = r.fence(outbound(101));
      SequenceFence fence = fenced.sequenceFence();
      assertNotNull(fence);
      // The peer failed and no standby is attached: the first mark is safe at once, so the first
      // packet is not held.
      assertEquals(100 + 64, fence.limit());
      assertEquals(java.util.OptionalLong.of(164L), log.read(s -> s.sequenceMark(0x1234_5678)));
      // The worker got past half the window: the marker journals the next mark and raises it.
      fence.published(140);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (fence.limit() <= 164 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertEquals(139 + 64, fence.limit());
      assertEquals(java.util.OptionalLong.of(203L), log.read(s -> s.sequenceMark(0x1234_5678)));
      assertEquals(1, r.fencedSas());
      r.active(false);
      assertEquals(0, r.fencedSas(), "a node that steps down forgets its fences");
    }
  }

  /** A standby session as the active sees it, driven by the test. */
  private static final class Link implements HaReplicator.StandbyLink {
    volatile boolean attached;
    volatile long acked = -1;

    @Override
    public boolean attached() {
      return attached;
    }

    @Override
    public long ackedLsn() {
      return acked;
    }
  }

  private ReplicationLog open(String name) throws Exception {
    return ReplicationLog.open(
        dir.resolve(name), RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE);
  }

  /** The replication stream: the standby applies every new entry and acknowledges it. */
  private static void ship(ExcerptTailer tailer, ReplicationLog standby, Link link) {
    ReplicationLog.Entry e;
    while ((e = ReplicationLog.nextEntry(tailer)) != null) {
      standby.applyReplicated(e.lsn(), RecordCodec.decode(e.record()));
      link.acked = e.lsn();
    }
  }

  /** The crypto worker sends every number its fence allows; returns the highest sent. */
  private static long sendAll(SequenceFence fence) {
    long limit = fence.limit();
    fence.published(limit + 1);
    return limit;
  }

  private static final int SPI = 0x1234_5678;

  private static long mark(ReplicationLog log) {
    return log.read(s -> s.sequenceMark(SPI)).orElseThrow();
  }

  /**
   * A synced standby whose session drops while the active lives on: the active must not count its
   * new marks as safe (the standby may still take over with the old ones), so when the active dies
   * right after, the standby's start is above every number sent. And a standby that still hears the
   * active after its session ended no longer trusts its journal at all.
   */
  @Test
  void aDroppedSessionMakesNoMarkSafeWhileThePeerLives() throws Exception {
    long grace = 300_000_000L;
    try (ReplicationLog active = open("a");
        ReplicationLog standby = open("b");
        HaReplicator r = new HaReplicator(active, 64, 1_000_000L, false)) {
      Link link = new Link();
      r.link(link);
      r.active(true);
      JournalTrust trust = new JournalTrust(grace);
      // The standby connects and installs the snapshot.
      trust.sessionStarted();
      ReplicationLog.Cut cut = active.cut();
      standby.installSnapshot(cut.lsn(), cut.records());
      trust.snapshotInstalled();
      link.attached = true;
      link.acked = cut.lsn();
      SequenceFence fence = r.fence(outbound(1)).sequenceFence();
      ship(cut.tailer(), standby, link);
      r.markAll();
      assertEquals(64, fence.limit());
      long sent = sendAll(fence);
      // The stream drops; the peer's heartbeats still arrive.
      link.attached = false;
      long ended = System.nanoTime();
      trust.sessionEnded(ended);
      for (int i = 0; i < 3; i++) {
        r.markAll();
        sent = Math.max(sent, sendAll(fence));
      }
      assertTrue(mark(active) > 64, "the active journaled the next mark");
      assertEquals(
          64,
          fence.limit(),
          "counted a mark as safe that the live, detached standby does not hold");
      // The active dies now (nothing heard after the session ended): the standby takes over.
      assertTrue(trust.trusted(ended - 1));
      long start = mark(standby) + 1;
      assertTrue(start > sent, "the new active starts at " + start + ", " + sent + " was sent");
      // Had the active been heard a while after the session ended, the journal is not trusted.
      assertFalse(trust.trusted(ended + grace));
      assertFalse(trust.trusted(ended - 1), "distrust is for good");
    }
  }

  /** Once the election declares the peer failed, a mark counts as safe without a session. */
  @Test
  void aFailedPeerWithoutASessionMakesMarksSafeButAnAttachedOneDoesNot() throws Exception {
    try (ReplicationLog active = open("a");
        HaReplicator r = new HaReplicator(active, 64, 1_000_000L, false)) {
      Link link = new Link();
      link.attached = true;
      r.link(link);
      r.active(true);
      r.peerFailed(true);
      SequenceFence fence = r.fence(outbound(1)).sequenceFence();
      r.markAll();
      // A session open to a peer the election gave up on is a partition, not a death: the peer
      // may take over with what it acknowledged, so the fence stays.
      assertEquals(0, fence.limit());
      link.attached = false;
      r.markAll();
      assertEquals(64, fence.limit());
    }
  }

  /** With an attached standby a fence rises exactly when the mark is acknowledged. */
  @Test
  void theFenceHoldsUntilTheAck() throws Exception {
    try (ReplicationLog active = open("a");
        HaReplicator r = new HaReplicator(active, 64, 1_000_000L, false)) {
      Link link = new Link();
      link.attached = true;
      r.link(link);
      r.active(true);
      long before = r.ackTimeouts();
      SequenceFence fence = r.fence(outbound(1)).sequenceFence();
      assertEquals(before + 1, r.ackTimeouts(), "the install waited for the ack and gave up");
      long lsn = active.lastLsn();
      for (int i = 0; i < 5; i++) {
        r.markAll();
        assertEquals(0, fence.limit(), "raised without the ack");
      }
      link.acked = lsn - 1;
      r.markAll();
      assertEquals(0, fence.limit(), "raised on an older ack");
      link.acked = lsn;
      r.markAll();
      assertEquals(64, fence.limit());
      // The next mark waits for its own ack the same way.
      fence.published(40);
      r.markAll();
      assertEquals(64, fence.limit());
      assertEquals(39 + 64, mark(active));
      link.acked = active.lastLsn();
      r.markAll();
      assertEquals(39 + 64, fence.limit());
    }
  }

  /**
   * A node that stepped down journals nothing more: the marker's "if active, append" is atomic with
   * the step-down (it may not append its own lsn after the new active's). The race is narrow, so
   * this runs it many times; with the lock it cannot fail.
   */
  @Test
  void afterAStepDownTheMarkerJournalsNothing() throws Exception {
    try (ReplicationLog log = open("a");
        HaReplicator r = new HaReplicator(log, 64, 1_000_000L, false)) {
      r.link(new Link());
      r.peerFailed(true);
      java.util.concurrent.atomic.AtomicReference<SequenceFence> current =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicLong passes = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.atomic.AtomicBoolean stop =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread marker =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (!stop.get()) {
                      SequenceFence f = current.get();
                      if (f != null) {
                        // The worker always used everything allowed: a mark is always due.
                        f.published(f.limit() + 1);
                      }
                      r.markAll();
                      passes.incrementAndGet();
                    }
                  });
      try {
        for (int i = 0; i < 300; i++) {
          r.active(true);
          current.set(r.fence(outbound(1)).sequenceFence());
          long until = passes.get() + 4;
          while (passes.get() < until) {
            Thread.onSpinWait();
          }
          r.active(false);
          long lsn = log.lastLsn();
          until = passes.get() + 2;
          while (passes.get() < until) {
            Thread.onSpinWait();
          }
          assertEquals(lsn, log.lastLsn(), "journaled after the step-down (round " + i + ")");
          assertEquals(0, r.fencedSas());
          current.set(null);
        }
      } finally {
        stop.set(true);
        marker.join();
      }
    }
  }

  /**
   * During an HA-link cut an IKE send waits for the standby once; the sends after it go out at once
   * until the acknowledgements caught up with what timed out, then waiting resumes.
   */
  @Test
  void aTimedOutIkeSendDoesNotMakeTheNextOnesWait() throws Exception {
    long timeout = 200_000_000L;
    try (ReplicationLog log = open("a");
        HaReplicator r = new HaReplicator(log, 64, timeout, false)) {
      Link link = new Link();
      link.attached = true;
      r.link(link);
      r.active(true);
      long lsn = log.append(new HaRecord.ChildSaDeleted(1));
      long t0 = System.nanoTime();
      r.beforeSend();
      assertTrue(System.nanoTime() - t0 >= timeout, "the first send waited");
      assertEquals(1, r.ackTimeouts());
      log.append(new HaRecord.ChildSaDeleted(2));
      long t1 = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        r.beforeSend();
      }
      assertTrue(
          System.nanoTime() - t1 < timeout,
          "ten sends of a DPD round waited " + (System.nanoTime() - t1) / 1_000_000 + " ms");
      assertEquals(11, r.ackTimeouts(), "each send without the standby's ack is counted");
      // The standby catches up with the lsn that timed out: sends wait for the ack again.
      link.acked = lsn;
      long t2 = System.nanoTime();
      r.beforeSend();
      assertTrue(System.nanoTime() - t2 >= timeout, "waits again once caught up");
      link.acked = log.lastLsn();
      long t3 = System.nanoTime();
      r.beforeSend();
      assertTrue(System.nanoTime() - t3 < timeout);
      assertEquals(12, r.ackTimeouts());
    }
  }

  /**
   * Planned switchover: the old active freezes its fences and hands the next window to the standby,
   * which sends at once after taking over (the old active cannot acknowledge before it stepped down
   * and follows) - and the two never use the same number. Called off, the old active's fences rise
   * again only after the standby holds the mark that ends the handover.
   */
  @Test
  void aPlannedSwitchoverHandsTheNextWindowOverWithoutOverlap() throws Exception {
    try (ReplicationLog a = open("a");
        ReplicationLog b = open("b");
        HaReplicator r1 = new HaReplicator(a, 64, 1_000_000L, false);
        HaReplicator r2 = new HaReplicator(b, 64, 1_000_000L, false)) {
      Link link1 = new Link();
      r1.link(link1);
      r1.active(true);
      ReplicationLog.Cut cut = a.cut();
      b.installSnapshot(cut.lsn(), cut.records());
      link1.attached = true;
      SequenceFence f1 = r1.fence(outbound(1)).sequenceFence();
      ship(cut.tailer(), b, link1);
      r1.markAll();
      long sentByOld = sendAll(f1);
      assertEquals(64, sentByOld);
      assertEquals(1, r1.handOver(1));
      // Frozen: even with every mark acknowledged the old active sends nothing above 64.
      for (int i = 0; i < 3; i++) {
        f1.published(f1.limit() + 1);
        r1.markAll();
        ship(cut.tailer(), b, link1);
      }
      assertEquals(64, f1.limit());
      HaRecord.SequenceHandover h = b.read(st -> st.sequenceHandover(SPI)).orElseThrow();
      assertEquals(64, h.sentUpTo());
      assertEquals(128, h.mark());
      // Node 2 takes over; node 1 is alive and not yet following it.
      long first = HaTakeover.firstSequence(mark(b), h.fromNode() != 2 ? h.sentUpTo() : null);
      assertEquals(65, first);
      r2.link(new Link());
      r2.active(true);
      r2.grant(SPI, mark(b));
      SequenceFence f2 = r2.fence(outbound(first)).sequenceFence();
      assertEquals(128, f2.limit(), "the handed-over window is usable at once");
      assertTrue(first > sentByOld);
      assertEquals(128, mark(b), "node 2's journal holds a plain mark of the window");
      assertTrue(b.read(st -> st.sequenceHandover(SPI)).isEmpty());
      // Node 1's own journal has its handover: for node 1 that is a mark, above node 2's window.
      HaRecord.SequenceHandover own = a.read(st -> st.sequenceHandover(SPI)).orElseThrow();
      assertEquals(129, HaTakeover.firstSequence(mark(a), own.fromNode() != 1 ? 0L : null));
    }
  }

  @Test
  void aSwitchoverCalledOffRaisesTheFenceOnlyAfterTheStandbyHoldsTheEndOfTheHandover()
      throws Exception {
    try (ReplicationLog a = open("a");
        ReplicationLog b = open("b");
        HaReplicator r = new HaReplicator(a, 64, 1_000_000L, false)) {
      Link link = new Link();
      r.link(link);
      r.active(true);
      ReplicationLog.Cut cut = a.cut();
      b.installSnapshot(cut.lsn(), cut.records());
      link.attached = true;
      SequenceFence f = r.fence(outbound(1)).sequenceFence();
      ship(cut.tailer(), b, link);
      r.markAll();
      r.handOver(1);
      ship(cut.tailer(), b, link);
      sendAll(f);
      r.resume();
      r.markAll();
      assertEquals(64, f.limit(), "raised before the standby holds the plain mark");
      ship(cut.tailer(), b, link);
      r.markAll();
      assertEquals(128, f.limit());
      assertTrue(b.read(st -> st.sequenceHandover(SPI)).isEmpty(), "the handover ended");
      assertEquals(129, HaTakeover.firstSequence(mark(b), null));
    }
  }

  @Test
  void selectorsAreJournaledAsPrefixesOnly() throws Exception {
    List<HaRecord.Selector> s =
        HaReplicator.selectors(
            List.of(
                TrafficSelector.of(IpPrefix.parse("10.1.0.0/24")),
                TrafficSelector.of(IpPrefix.parse("0.0.0.0/0"), 6, 443, 443),
                TrafficSelector.of(IpPrefix.parse("2001:db8::/32"))));
    assertEquals(24, s.get(0).prefixLength());
    assertEquals("10.1.0.0", s.get(0).address().getHostAddress());
    assertEquals(0, s.get(1).prefixLength());
    assertEquals(6, s.get(1).protocol());
    assertEquals(443, s.get(1).portLow());
    assertEquals(32, s.get(2).prefixLength());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HaReplicator.selectors(
                    List.of(
                        TrafficSelector.range(
                            InetAddress.getByName("10.0.0.1").getAddress(),
                            InetAddress.getByName("10.0.0.6").getAddress(),
                            0,
                            0,
                            65535))));
    assertTrue(e.getMessage().contains("not one prefix"), e.getMessage());
  }
}
