package dev.vpngw.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.esp.DropReason;
import dev.vpngw.esp.EspCounters;
import dev.vpngw.sa.SecurityAssociation.Direction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountersFileTest {
  @TempDir Path dir;

  @Test
  void aReaderOnItsOwnMappingSeesWhatTheWriterWrites() throws IOException {
    Path path = dir.resolve("run/counters.dat");
    try (CountersFile file = CountersFile.create(path, 64 * CountersReader.COUNTER_LENGTH);
        EspCounters esp = new EspCounters(file.manager(), "worker-0");
        CountersFile.Reader reader = CountersFile.openReadOnly(path)) {
      assertEquals(ProcessHandle.current().pid(), reader.writerPid());
      assertTrue(reader.isWriterAlive());
      assertTrue(Math.abs(System.currentTimeMillis() - reader.startTimeMs()) < 60_000);

      esp.delivered(1400);
      esp.delivered(100);
      esp.protectedOut(60);
      esp.drop(DropReason.BAD_ICV);
      esp.drop(DropReason.BAD_ICV);
      esp.drop(DropReason.REPLAYED);

      CountersSnapshot snapshot = reader.snapshot();
      assertEquals(2, snapshot.total(CounterTypes.ESP_PACKETS_IN));
      assertEquals(1500, snapshot.total(CounterTypes.ESP_BYTES_IN));
      assertEquals(1, snapshot.total(CounterTypes.ESP_PACKETS_OUT));
      assertEquals(60, snapshot.total(CounterTypes.ESP_BYTES_OUT));
      Map<Integer, Long> drops = snapshot.dropsByReason();
      assertEquals(DropReason.values().length, drops.size());
      assertEquals(2L, drops.get(DropReason.BAD_ICV.id()));
      assertEquals(1L, drops.get(DropReason.REPLAYED.id()));
      assertEquals(0L, drops.get(DropReason.TOO_OLD.id()));

      CountersSnapshot.Counter badIcv =
          snapshot.counters().stream()
              .filter(c -> c.typeId() == CounterTypes.DROPS)
              .filter(c -> c.reasonId() == DropReason.BAD_ICV.id())
              .findFirst()
              .orElseThrow();
      assertEquals("worker-0: " + DropReason.BAD_ICV.description(), badIcv.label());
      assertEquals("drops", badIcv.typeName());
      assertEquals(2, badIcv.value());

      // The same values through the in-process view.
      assertEquals(2, esp.packetsIn());
      assertEquals(1500, esp.bytesIn());
      assertEquals(3, esp.totalDrops());
      assertEquals(2, esp.dropCount(DropReason.BAD_ICV));
    }
  }

  @Test
  void workersAndPipelineAgentsAddUpToGatewayWideDrops() throws IOException {
    Path path = dir.resolve("counters");
    try (CountersFile file = CountersFile.create(path, 256 * CountersReader.COUNTER_LENGTH);
        EspCounters worker0 = new EspCounters(file.manager(), "worker-0");
        EspCounters worker1 = new EspCounters(file.manager(), "worker-1");
        PipelineCounters rx = new PipelineCounters(file.manager(), "tun-rx-0");
        PipelineCounters tx = new PipelineCounters(file.manager(), "tx-0");
        CountersFile.Reader reader = CountersFile.openReadOnly(path)) {
      worker0.drop(DropReason.UNKNOWN_SPI);
      worker1.drop(DropReason.UNKNOWN_SPI);
      worker1.delivered(10);
      worker0.delivered(20);
      rx.drop(PipelineDropReason.NO_ROUTE);
      rx.drop(PipelineDropReason.NOT_IP, 3);
      tx.drop(PipelineDropReason.TX_FAILED);
      assertEquals(3, rx.dropCount(PipelineDropReason.NOT_IP));

      CountersSnapshot snapshot = reader.snapshot();
      Map<Integer, Long> drops = snapshot.dropsByReason();
      assertEquals(2L, drops.get(DropReason.UNKNOWN_SPI.id()));
      assertEquals(1L, drops.get(PipelineDropReason.NO_ROUTE.id()));
      assertEquals(3L, drops.get(PipelineDropReason.NOT_IP.id()));
      assertEquals(1L, drops.get(PipelineDropReason.TX_FAILED.id()));
      assertEquals(0L, drops.get(PipelineDropReason.RING_FULL.id()));
      assertEquals(2, snapshot.total(CounterTypes.ESP_PACKETS_IN));
      assertEquals(30, snapshot.total(CounterTypes.ESP_BYTES_IN));
      assertTrue(
          snapshot.counters().stream()
              .anyMatch(
                  c -> c.label().equals("tun-rx-0: " + PipelineDropReason.NO_ROUTE.description())));
    }
  }

  @Test
  void saCountersCarryTheirIdentityInLabelAndKey() throws IOException {
    Path path = dir.resolve("counters");
    try (CountersFile file = CountersFile.create(path, 256 * CountersReader.COUNTER_LENGTH);
        CountersFile.Reader reader = CountersFile.openReadOnly(path)) {
      SaCounters in =
          SaCounters.allocate(
              file.manager(), "site-a", 7, Direction.INBOUND, 0xc001, "203.0.113.7");
      SaCounters out =
          SaCounters.allocate(
              file.manager(), "site-a", 7, Direction.OUTBOUND, 0xfeed_beef, "203.0.113.7");
      in.packet(1000);
      in.packet(500);
      in.drop(DropReason.REPLAYED);
      in.drop(DropReason.REPLAYED.id());
      in.drop(PipelineDropReason.SELECTOR_MISMATCH);
      in.drop(DropReason.MALFORMED_HEADER); // not counted separately inbound: "other"
      in.drop(9999);
      out.packets(10, 12_000);
      out.drop(DropReason.SEQUENCE_EXHAUSTED);
      out.drop(DropReason.REPLAYED); // impossible outbound: lands in "other"

      assertEquals(2, in.packets());
      assertEquals(1500, in.bytes());
      assertEquals(2, in.drops(DropReason.REPLAYED.id()));
      assertEquals(2, in.drops(CounterTypes.OTHER_REASON));
      assertEquals(5, in.totalDrops());
      assertEquals("site-a in spi 0x0000c001 peer 203.0.113.7", in.description());

      List<CountersSnapshot.Sa> sas = reader.snapshot().securityAssociations();
      assertEquals(2, sas.size());
      CountersSnapshot.Sa inbound = sas.get(0);
      assertEquals(0xc001, inbound.spi());
      assertEquals(CounterTypes.INBOUND, inbound.direction());
      assertEquals(7, inbound.connectionId());
      assertEquals("site-a in spi 0x0000c001 peer 203.0.113.7", inbound.description());
      assertEquals(2, inbound.packets());
      assertEquals(1500, inbound.bytes());
      assertEquals(2L, inbound.dropsByReason().get(DropReason.REPLAYED.id()));
      assertEquals(1L, inbound.dropsByReason().get(PipelineDropReason.SELECTOR_MISMATCH.id()));
      assertEquals(2L, inbound.dropsByReason().get(CounterTypes.OTHER_REASON));
      assertEquals(0L, inbound.dropsByReason().get(DropReason.BAD_ICV.id()));
      assertEquals(5, inbound.totalDrops());
      // The eight reasons the owning worker can see inbound, the bandwidth limit, and "other".
      assertEquals(10, inbound.dropsByReason().size());

      CountersSnapshot.Sa outbound = sas.get(1);
      assertEquals(0xfeed_beef, outbound.spi());
      assertEquals(CounterTypes.OUTBOUND, outbound.direction());
      assertEquals("site-a out spi 0xfeedbeef peer 203.0.113.7", outbound.description());
      assertEquals(10, outbound.packets());
      assertEquals(12_000, outbound.bytes());
      assertEquals(1L, outbound.dropsByReason().get(DropReason.SEQUENCE_EXHAUSTED.id()));
      assertEquals(1L, outbound.dropsByReason().get(CounterTypes.OTHER_REASON));
      // The five reasons the owning worker can see outbound, the bandwidth limit, and "other".
      assertEquals(7, outbound.dropsByReason().size());

      CountersSnapshot.Counter packets =
          reader.snapshot().counters().stream()
              .filter(c -> c.typeId() == CounterTypes.SA_PACKETS_OUT)
              .findFirst()
              .orElseThrow();
      assertEquals("site-a out spi 0xfeedbeef peer 203.0.113.7: packets", packets.label());
      assertEquals("sa_packets_out", packets.typeName());
      assertEquals(-1, packets.reasonId());

      assertThrows(
          IllegalArgumentException.class,
          () ->
              SaCounters.allocate(
                  file.manager(), "x".repeat(400), 8, Direction.INBOUND, 1, "203.0.113.7"));

      in.close();
      out.close();
      in.close(); // idempotent
      assertEquals(List.of(), reader.snapshot().securityAssociations());
    }
  }

  @Test
  void freedCountersAreReusedOnlyAfterTheTimeout() throws IOException {
    CachedEpochClock clock = new CachedEpochClock();
    clock.update(1_000_000);
    Path path = dir.resolve("counters");
    try (CountersFile file =
            CountersFile.create(path, 16 * CountersReader.COUNTER_LENGTH, clock, 1000);
        CountersFile.Reader reader = CountersFile.openReadOnly(path)) {
      SaCounters first =
          SaCounters.allocate(file.manager(), "a", 1, Direction.OUTBOUND, 1, "192.0.2.1");
      first.packet(77);
      assertEquals(9, reader.snapshot().counters().size());
      first.close();
      assertEquals(0, reader.snapshot().counters().size());
      assertEquals(16 - 9, file.manager().available());

      // Within the timeout only the 7 never-used slots are free: an inbound SA (12) does not fit,
      // and a failed allocation leaves nothing behind.
      assertThrows(
          IllegalStateException.class,
          () -> SaCounters.allocate(file.manager(), "b", 2, Direction.INBOUND, 2, "192.0.2.2"));
      assertEquals(0, reader.snapshot().counters().size());

      clock.advance(1000);
      assertEquals(16, file.manager().available());
      SaCounters second =
          SaCounters.allocate(file.manager(), "b", 2, Direction.INBOUND, 2, "192.0.2.2");
      assertEquals(0, second.packets(), "a reused slot starts at zero");
      assertEquals(0, second.bytes());
      List<CountersSnapshot.Sa> sas = reader.snapshot().securityAssociations();
      assertEquals(1, sas.size());
      assertEquals(2, sas.get(0).spi());
      assertEquals(0, sas.get(0).bytes());
      second.close();
    }
  }

  @Test
  void aFullFileFailsCleanly() throws IOException {
    // Room for exactly one agent's pipeline counters: one per reason.
    int room = PipelineDropReason.values().length;
    try (CountersFile file =
        CountersFile.create(
            dir.resolve("small"),
            room * CountersReader.COUNTER_LENGTH,
            new CachedEpochClock(),
            0)) {
      assertThrows(IllegalStateException.class, () -> new EspCounters(file.manager(), "w"));
      assertEquals(room, file.manager().available(), "a failed allocation leaves nothing behind");
      try (PipelineCounters exactlyFits = new PipelineCounters(file.manager(), "w")) {
        assertEquals(0, file.manager().available());
        assertEquals(0, exactlyFits.dropCount(PipelineDropReason.NO_ROUTE));
      }
    }
  }

  @Test
  void aMissingFileSaysSo() {
    Path missing = dir.resolve("nope");
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> CountersFile.openReadOnly(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("gateway running"), e.getMessage());
  }

  @Test
  void aForeignFileIsRefused() throws IOException {
    Path tiny = dir.resolve("tiny");
    Files.write(tiny, new byte[10]);
    IOException e = assertThrows(IOException.class, () -> CountersFile.openReadOnly(tiny));
    assertTrue(e.getMessage().contains("not a vpngw counters file"), e.getMessage());

    Path text = dir.resolve("text");
    Files.writeString(text, "#!/bin/sh\n" + "echo hello\n".repeat(50));
    e = assertThrows(IOException.class, () -> CountersFile.openReadOnly(text));
    assertTrue(e.getMessage().contains("not a vpngw counters file (magic"), e.getMessage());
  }

  @Test
  void aDamagedOrNewerFileIsRefused() throws IOException {
    Path path = dir.resolve("counters");
    CountersFile.create(path, 4 * CountersReader.COUNTER_LENGTH).close();
    byte[] bytes = Files.readAllBytes(path);

    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 128);
    Path damaged = dir.resolve("damaged");
    Files.write(damaged, truncated);
    IOException e = assertThrows(IOException.class, () -> CountersFile.openReadOnly(damaged));
    assertTrue(e.getMessage().contains("is damaged"), e.getMessage());

    byte[] newer = bytes.clone();
    java.nio.ByteBuffer.wrap(newer)
        .order(java.nio.ByteOrder.nativeOrder())
        .putInt(CountersFileDescriptor.VERSION_OFFSET, 99);
    Path future = dir.resolve("future");
    Files.write(future, newer);
    e = assertThrows(IOException.class, () -> CountersFile.openReadOnly(future));
    assertTrue(e.getMessage().contains("version 99"), e.getMessage());
  }

  @Test
  void recreatingReplacesTheFileAndTheOldReaderKeepsItsView() throws IOException {
    Path path = dir.resolve("counters");
    try (CountersFile first = CountersFile.create(path, 32 * CountersReader.COUNTER_LENGTH);
        EspCounters esp = new EspCounters(first.manager(), "old")) {
      esp.delivered(1);
      try (CountersFile.Reader oldReader = CountersFile.openReadOnly(path);
          CountersFile second = CountersFile.create(path, 64 * CountersReader.COUNTER_LENGTH);
          CountersFile.Reader newReader = CountersFile.openReadOnly(path)) {
        assertEquals(1, oldReader.snapshot().total(CounterTypes.ESP_PACKETS_IN));
        assertEquals(0, newReader.snapshot().counters().size());
        assertEquals(path.toAbsolutePath(), second.path());
      }
    }
    try (var files = Files.list(dir)) {
      assertEquals(List.of(path), files.toList(), "no temporary file left behind");
    }
  }

  @Test
  void rejectsBadLengths() {
    assertThrows(IllegalArgumentException.class, () -> CountersFile.create(dir.resolve("a"), 0));
    assertThrows(IllegalArgumentException.class, () -> CountersFile.create(dir.resolve("a"), 100));
    assertThrows(IllegalArgumentException.class, () -> CountersFile.inMemory(0));
  }

  @Test
  void theLastValuesOutliveTheWriter() throws IOException {
    Path path = dir.resolve("counters");
    CountersFile file = CountersFile.create(path, 32 * CountersReader.COUNTER_LENGTH);
    EspCounters esp = new EspCounters(file.manager(), "w");
    esp.protectedOut(5);
    file.close(); // as if the gateway died: counters still allocated, file unmapped
    file.close();
    try (CountersFile.Reader reader = CountersFile.openReadOnly(path)) {
      assertEquals(1, reader.snapshot().total(CounterTypes.ESP_PACKETS_OUT));
      assertEquals(5, reader.snapshot().total(CounterTypes.ESP_BYTES_OUT));
      assertEquals(path, reader.path());
    }
  }

  @Test
  void updatesAllocateNothing() throws IOException {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
    threads.setThreadAllocatedMemoryEnabled(true);
    try (CountersFile file =
            CountersFile.create(dir.resolve("counters"), 64 * CountersReader.COUNTER_LENGTH);
        EspCounters esp = new EspCounters(file.manager(), "w");
        PipelineCounters pipeline = new PipelineCounters(file.manager(), "p");
        SaCounters sa =
            SaCounters.allocate(file.manager(), "c", 1, Direction.INBOUND, 5, "192.0.2.1")) {
      // Best of the later rounds: a per-call allocation would show in every round (>= 100 KB);
      // a stray one-off (JIT transitions, the MXBean itself) must not fail the test.
      long best = Long.MAX_VALUE;
      for (int round = 0; round < 5; round++) {
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
          esp.delivered(i);
          esp.protectedOut(i);
          esp.drop(DropReason.REPLAYED);
          pipeline.drop(PipelineDropReason.NO_ROUTE);
          sa.packet(i);
          sa.drop(DropReason.BAD_ICV.id());
          sa.drop(PipelineDropReason.SELECTOR_MISMATCH);
        }
        if (round >= 2) {
          best = Math.min(best, threads.getCurrentThreadAllocatedBytes() - before);
        }
      }
      assertEquals(0, best, "bytes allocated in the best steady-state round of 100k updates");
      assertEquals(500_000, sa.packets());
      assertEquals(500_000, esp.dropCount(DropReason.REPLAYED));
    }
  }
}
