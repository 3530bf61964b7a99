package dev.vpngw.appliance;

import dev.vpngw.counters.CounterTypes;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.CountersSnapshot;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gateway status}: reads a running gateway's counters file (never the gateway itself, so it
 * costs the dataplane nothing) and shows each SA (SPI, peer, direction, packets, bytes, drops by
 * reason), the gateway's drops by reason and what the TUN and WAN offloads did; {@code --json} for
 * machines.
 */
@Command(name = "status", description = "Show a running gateway's SAs and counters.")
final class StatusCommand implements Callable<Integer> {
  @Option(
      names = "--counters",
      description = "The counters file (default: /run/vpngw/<name>/counters.dat).")
  Path counters;

  @Option(names = "--name", description = "The gateway's name, for the default counters path.")
  String name;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (counters == null && name == null) {
      System.err.println("vpngw: say which gateway: --name NAME or --counters FILE");
      return 2;
    }
    Path path = counters != null ? counters : Path.of("/run/vpngw", name, "counters.dat");
    CountersSnapshot snapshot;
    boolean alive;
    long pid;
    try (CountersFile.Reader reader = CountersFile.openReadOnly(path)) {
      snapshot = reader.snapshot();
      alive = reader.isWriterAlive();
      pid = reader.writerPid();
    } catch (NoSuchFileException e) {
      System.err.println("vpngw: no counters file at " + path + ": is the gateway running?");
      return 1;
    }
    PrintStream out = System.out;
    if (json) {
      printJson(out, snapshot, alive, pid);
    } else {
      printTable(out, snapshot, alive, pid);
    }
    return alive ? 0 : 3;
  }

  private static void printTable(PrintStream out, CountersSnapshot s, boolean alive, long pid) {
    out.printf("gateway pid %d: %s%n", pid, alive ? "running" : "NOT RUNNING (stale counters)");
    out.printf("%-60s %12s %14s %8s%n", "SA", "packets", "bytes", "drops");
    for (CountersSnapshot.Sa sa : s.securityAssociations()) {
      out.printf(
          "%-60s %12d %14d %8d%n", sa.description(), sa.packets(), sa.bytes(), sa.totalDrops());
      for (Map.Entry<Integer, Long> d : sa.dropsByReason().entrySet()) {
        if (d.getValue() > 0) {
          out.printf(
              "    drop: %-52s %12d%n", CounterTypes.reasonDescription(d.getKey()), d.getValue());
        }
      }
    }
    out.printf(
        "gateway: in %d packets / %d bytes, out %d packets / %d bytes%n",
        s.total(CounterTypes.ESP_PACKETS_IN),
        s.total(CounterTypes.ESP_BYTES_IN),
        s.total(CounterTypes.ESP_PACKETS_OUT),
        s.total(CounterTypes.ESP_BYTES_OUT));
    if (s.total(CounterTypes.TUN_GSO_PACKETS) + s.total(CounterTypes.TUN_GRO_WRITES) > 0) {
      out.printf(
          "tun offload: %d super-packets read, split into %d segments; %d writes of %d coalesced"
              + " segments%n",
          s.total(CounterTypes.TUN_GSO_PACKETS),
          s.total(CounterTypes.TUN_GSO_SEGMENTS),
          s.total(CounterTypes.TUN_GRO_WRITES),
          s.total(CounterTypes.TUN_GRO_SEGMENTS));
    }
    if (s.total(CounterTypes.WAN_GSO_SENDS) + s.total(CounterTypes.WAN_GRO_RECEIVES) > 0) {
      out.printf(
          "wan offload: %d segmented sends of %d datagrams; %d coalesced receives of %d"
              + " datagrams%n",
          s.total(CounterTypes.WAN_GSO_SENDS),
          s.total(CounterTypes.WAN_GSO_DATAGRAMS),
          s.total(CounterTypes.WAN_GRO_RECEIVES),
          s.total(CounterTypes.WAN_GRO_DATAGRAMS));
    }
    for (Map.Entry<Integer, Long> d : s.dropsByReason().entrySet()) {
      if (d.getValue() > 0) {
        out.printf(
            "  drop: %-56s %12d%n", CounterTypes.reasonDescription(d.getKey()), d.getValue());
      }
    }
  }

  private static void printJson(PrintStream out, CountersSnapshot s, boolean alive, long pid) {
    StringBuilder b = new StringBuilder();
    b.append("{\"pid\":").append(pid).append(",\"running\":").append(alive);
    b.append(",\"packetsIn\":").append(s.total(CounterTypes.ESP_PACKETS_IN));
    b.append(",\"bytesIn\":").append(s.total(CounterTypes.ESP_BYTES_IN));
    b.append(",\"packetsOut\":").append(s.total(CounterTypes.ESP_PACKETS_OUT));
    b.append(",\"bytesOut\":").append(s.total(CounterTypes.ESP_BYTES_OUT));
    b.append(",\"tunGsoPackets\":").append(s.total(CounterTypes.TUN_GSO_PACKETS));
    b.append(",\"tunGsoSegments\":").append(s.total(CounterTypes.TUN_GSO_SEGMENTS));
    b.append(",\"tunGroWrites\":").append(s.total(CounterTypes.TUN_GRO_WRITES));
    b.append(",\"tunGroSegments\":").append(s.total(CounterTypes.TUN_GRO_SEGMENTS));
    b.append(",\"wanGsoSends\":").append(s.total(CounterTypes.WAN_GSO_SENDS));
    b.append(",\"wanGsoDatagrams\":").append(s.total(CounterTypes.WAN_GSO_DATAGRAMS));
    b.append(",\"wanGroReceives\":").append(s.total(CounterTypes.WAN_GRO_RECEIVES));
    b.append(",\"wanGroDatagrams\":").append(s.total(CounterTypes.WAN_GRO_DATAGRAMS));
    b.append(",\"drops\":");
    drops(b, s.dropsByReason());
    b.append(",\"sas\":[");
    boolean first = true;
    for (CountersSnapshot.Sa sa : s.securityAssociations()) {
      b.append(first ? "" : ",");
      first = false;
      b.append("{\"spi\":\"").append(String.format("0x%08x", sa.spi())).append('"');
      b.append(",\"direction\":\"")
          .append(sa.direction() == CounterTypes.INBOUND ? "in" : "out")
          .append('"');
      b.append(",\"connectionId\":").append(sa.connectionId());
      b.append(",\"description\":\"").append(escape(sa.description())).append('"');
      b.append(",\"packets\":").append(sa.packets());
      b.append(",\"bytes\":").append(sa.bytes());
      b.append(",\"drops\":");
      drops(b, sa.dropsByReason());
      b.append('}');
    }
    b.append("]}");
    out.println(b);
  }

  private static void drops(StringBuilder b, Map<Integer, Long> drops) {
    b.append('{');
    boolean first = true;
    for (Map.Entry<Integer, Long> d : drops.entrySet()) {
      if (d.getValue() == 0) {
        continue;
      }
      b.append(first ? "" : ",");
      first = false;
      b.append('"').append(escape(CounterTypes.reasonDescription(d.getKey()))).append("\":");
      b.append(d.getValue());
    }
    b.append('}');
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
