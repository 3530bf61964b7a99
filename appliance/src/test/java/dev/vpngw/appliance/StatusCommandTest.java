package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.OffloadCounters;
import dev.vpngw.counters.PipelineCounters;
import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.counters.SaCounters;
import dev.vpngw.esp.DropReason;
import dev.vpngw.esp.EspCounters;
import dev.vpngw.sa.SecurityAssociation.Direction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gateway status} reads a counters file written the way a running gateway writes it and
 * shows each SA (SPI, peer, packets, bytes, drops by reason), the gateway's drops and what the TUN
 * offloads did, as a table and as JSON.
 */
class StatusCommandTest {
  @TempDir Path dir;

  private String status(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int exit = new CommandLine(new Main()).execute(args);
      assertEquals(0, exit, "status exit code (0 = the writer is alive)");
    } finally {
      System.setOut(old);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void showsEachSaAndTheDropsAsATableAndAsJson() throws Exception {
    Path path = dir.resolve("counters.dat");
    try (CountersFile file = CountersFile.create(path, 256 * CountersReader.COUNTER_LENGTH);
        EspCounters esp = new EspCounters(file.manager(), "worker-0");
        PipelineCounters pipeline = new PipelineCounters(file.manager(), "tun-rx");
        OffloadCounters tunGso =
            new OffloadCounters(file.manager(), "tun-rx", OffloadCounters.Kind.TUN_GSO);
        OffloadCounters tunGro =
            new OffloadCounters(file.manager(), "tx", OffloadCounters.Kind.TUN_GRO);
        OffloadCounters wanGso =
            new OffloadCounters(file.manager(), "tx", OffloadCounters.Kind.WAN_GSO);
        OffloadCounters wanGro =
            new OffloadCounters(file.manager(), "udp4-rx", OffloadCounters.Kind.WAN_GRO);
        SaCounters in =
            SaCounters.allocate(
                file.manager(), "to-site", 0, Direction.INBOUND, 0x2001, "192.0.2.2");
        SaCounters out =
            SaCounters.allocate(
                file.manager(), "to-site", 0, Direction.OUTBOUND, 0x1001, "192.0.2.2")) {
      in.packets(7, 7000);
      in.drop(DropReason.REPLAYED);
      out.packets(5, 6000);
      esp.delivered(1000);
      esp.drop(DropReason.REPLAYED);
      pipeline.drop(PipelineDropReason.NO_ROUTE);
      tunGso.add(40);
      tunGso.add(2);
      tunGro.add(30);
      wanGso.add(44);
      wanGro.add(20);
      wanGro.add(24);

      String table = status("status", "--counters", path.toString());
      assertTrue(table.contains("running"), table);
      assertTrue(table.contains("to-site in spi 0x00002001 peer 192.0.2.2"), table);
      assertTrue(
          table.matches("(?s).*spi 0x00002001 peer 192\\.0\\.2\\.2\\s+7\\s+7000\\s+1.*"), table);
      assertTrue(table.contains(DropReason.REPLAYED.description()), table);
      assertTrue(table.contains(PipelineDropReason.NO_ROUTE.description()), table);
      assertTrue(
          table.contains(
              "tun offload: 2 super-packets read, split into 42 segments; 1 writes of 30 coalesced"
                  + " segments"),
          table);
      assertTrue(
          table.contains(
              "wan offload: 1 segmented sends of 44 datagrams; 2 coalesced receives of 44"
                  + " datagrams"),
          table);

      String json = status("status", "--counters", path.toString(), "--json");
      assertTrue(json.contains("\"running\":true"), json);
      assertTrue(json.contains("\"spi\":\"0x00002001\",\"direction\":\"in\""), json);
      assertTrue(json.contains("\"spi\":\"0x00001001\",\"direction\":\"out\""), json);
      assertTrue(json.contains("\"packets\":7,\"bytes\":7000"), json);
      assertTrue(json.contains("\"packets\":5,\"bytes\":6000"), json);
      assertTrue(json.contains("\"packetsIn\":1,\"bytesIn\":1000"), json);
      assertTrue(
          json.contains(
              "\"tunGsoPackets\":2,\"tunGsoSegments\":42,\"tunGroWrites\":1,\"tunGroSegments\":30"
                  + ",\"wanGsoSends\":1,\"wanGsoDatagrams\":44,\"wanGroReceives\":2"
                  + ",\"wanGroDatagrams\":44"),
          json);
      assertTrue(json.contains("\"" + DropReason.REPLAYED.description() + "\":1"), json);
    }
  }
}
