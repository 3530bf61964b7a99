package dev.vpngw.ha.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ha.journal.HaRecord;
import dev.vpngw.ha.journal.ReplicatedState;
import dev.vpngw.ha.journal.ReplicationLog;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The active ships its journal to a standby over loopback TCP: snapshot, tail, acks, rejoin. */
class ReplicationStreamTest {
  static final byte[] KEY = "shared HA key of the pair".getBytes();

  @TempDir Path dir;

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.onSpinWait();
      Thread.sleep(1);
    }
  }

  static HaRecord child(int spi) {
    InetAddress a = InetAddress.getLoopbackAddress();
    var sel = new HaRecord.Selector(a, 32, 0, 0, 65535);
    return new HaRecord.ChildSaAdded(
        new HaRecord.ChildSa(
            "c",
            new HaRecord.IkeSaId(1, 2),
            spi,
            spi + 1,
            20,
            128,
            0,
            new byte[20],
            new byte[20],
            false,
            false,
            List.of(sel),
            List.of(sel),
            1,
            2,
            3,
            4,
            5));
  }

  /**
   * The standby reports each session (for its decision whether its journal may be taken over), and
   * the active counts an acknowledgement only for the session it came in: once that session ended,
   * what the standby acknowledged then says nothing about what it holds now.
   */
  @Test
  void sessionsAreReportedAndAcknowledgementsCountOnlyInTheirSession() throws Exception {
    try (ReplicationLog primary =
            ReplicationLog.open(
                dir.resolve("a"), RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE);
        ReplicationServer server =
            new ReplicationServer(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                primary,
                KEY,
                () -> true,
                lsn -> {});
        ReplicationLog standbyLog =
            ReplicationLog.open(
                dir.resolve("b"), RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE)) {
      primary.append(child(1000));
      List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
      try (ReplicationClient client =
          new ReplicationClient(
              7, server.localAddress(), KEY, standbyLog, lsn -> {}, 20_000_000L)) {
        client.sessions(
            new ReplicationClient.Sessions() {
              @Override
              public void started() {
                events.add("started");
              }

              @Override
              public void synced(long lsn) {
                events.add("synced " + lsn);
              }

              @Override
              public void ended() {
                events.add("ended");
              }
            });
        client.follow(true);
        await("the standby acknowledged lsn 1", () -> server.ackedLsn() == 1);
        client.follow(false);
        await("the session ended", () -> events.contains("ended"));
        int[] spi = {2000};
        // The active notices when it next writes to the closed connection.
        await(
            "the active saw the session end",
            () -> {
              primary.append(child(spi[0]++));
              return !server.standbyAttached();
            });
        assertEquals(-1, server.ackedLsn(), "an ended session's acknowledgement still counts");
        assertEquals(List.of("started", "synced 1", "ended"), events);
      }
    }
  }

  @Test
  void snapshotThenTailThenRejoinAfterRestart() throws Exception {
    AtomicBoolean active = new AtomicBoolean(true);
    try (ReplicationLog primary =
            ReplicationLog.open(
                dir.resolve("a"), RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE);
        ReplicationServer server =
            new ReplicationServer(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                primary,
                KEY,
                active::get,
                lsn -> {})) {
      for (int i = 0; i < 50; i++) {
        primary.append(child(1000 + i));
      }
      ReplicationLog standbyLog =
          ReplicationLog.open(
              dir.resolve("b"), RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE);
      ReplicationClient client =
          new ReplicationClient(7, server.localAddress(), KEY, standbyLog, lsn -> {}, 20_000_000L);
      client.follow(true);
      await("the standby is in sync", client::synced);
      assertTrue(server.standbyAttached());
      for (int i = 50; i < 100; i++) {
        primary.append(child(1000 + i));
      }
      await("the standby acknowledged lsn 100", () -> server.ackedLsn() == 100);
      assertEquals(
          primary.read(ReplicatedState::toRecords), standbyLog.read(ReplicatedState::toRecords));
      assertEquals(100, standbyLog.lastLsn());

      // the standby goes away; the active keeps writing; the standby restarts from its own journal
      client.close();
      standbyLog.close();
      for (int i = 100; i < 130; i++) {
        primary.append(child(1000 + i));
      }
      primary.append(new HaRecord.ChildSaDeleted(1000));
      standbyLog =
          ReplicationLog.open(
              dir.resolve("b"), RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE);
      assertEquals(100, standbyLog.lastLsn(), "its own journal survived the restart");
      assertEquals(100, standbyLog.read(ReplicatedState::childSaCount).intValue());
      ReplicationLog restarted = standbyLog;
      client =
          new ReplicationClient(7, server.localAddress(), KEY, restarted, lsn -> {}, 20_000_000L);
      client.follow(true);
      await("the restarted standby caught up", () -> restarted.lastLsn() == 131);
      assertEquals(
          primary.read(ReplicatedState::toRecords), restarted.read(ReplicatedState::toRecords));
      assertTrue(restarted.read(s -> s.childSa(1000).isEmpty()).booleanValue());

      // a node that is not active refuses to serve
      active.set(false);
      client.follow(false);
      client.follow(true);
      Thread.sleep(200);
      assertTrue(!client.synced(), "a standby never syncs from a node that is not active");
      client.close();
      restarted.close();
    }
  }

  @Test
  void aStandbyWithTheWrongKeyNeverSyncsAndSeesNoRecord() throws Exception {
    try (ReplicationLog primary =
            ReplicationLog.open(
                dir.resolve("a"), RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE);
        ReplicationServer server =
            new ReplicationServer(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                primary,
                KEY,
                () -> true,
                lsn -> {});
        ReplicationLog intruder =
            ReplicationLog.open(
                dir.resolve("b"), RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE)) {
      primary.append(child(1));
      ReplicationClient client =
          new ReplicationClient(
              9,
              server.localAddress(),
              "not the pair's key at all".getBytes(),
              intruder,
              lsn -> {},
              5_000_000L);
      client.follow(true);
      // the server refuses each attempt; wait until it has seen several
      await("several refused attempts", () -> server.refusedStreams() >= 3);
      client.close();
      assertTrue(!client.synced());
      assertEquals(0, intruder.lastLsn());
      assertEquals(0, intruder.read(ReplicatedState::childSaCount).intValue());
      assertEquals(-1, server.ackedLsn());
    }
  }
}
