package dev.vpngw.appliance;

import dev.vpngw.appliance.monitor.ConnectionStatus;
import dev.vpngw.appliance.monitor.ConnectionTotals;
import dev.vpngw.counters.CounterTypes;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.CountersSnapshot;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gateway status}: reads a running gateway's counters file (never the gateway itself, so it
 * costs the dataplane nothing) and shows each SA (SPI, peer, direction, packets, bytes, drops by
 * reason), the gateway's drops by reason and what the TUN and WAN offloads did; {@code --json} for
 * machines. Above that, one line per connection: state, uptime, throughput over the last {@code
 * --interval} seconds and drops ({@link ConnectionStatus}); {@code --watch} refreshes it all.
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

  @Option(
      names = "--watch",
      description = "Refresh every --interval seconds until interrupted (or the gateway stops).")
  boolean watch;

  @Option(
      names = "--interval",
      defaultValue = "1",
      description = "Seconds over which throughput is measured, and between refreshes (default 1).")
  double interval;

  @Override
  public Integer call() throws Exception {
    if (counters == null && name == null) {
      System.err.println("vpngw: say which gateway: --name NAME or --counters FILE");
      return 2;
    }
    if (!(interval >= 0 && interval <= 3600) || (watch && interval == 0)) {
      System.err.println("vpngw: --interval: seconds from 0 to 3600 (more than 0 with --watch)");
      return 2;
    }
    Path path = counters != null ? counters : Path.of("/run/vpngw", name, "counters.dat");
    Path journal = path.toAbsolutePath().resolveSibling("events");
    PrintStream out = System.out;
    boolean alive;
    try (CountersFile.Reader reader = CountersFile.openReadOnly(path);
        ConnectionStatus connections = ConnectionStatus.open(journal)) {
      ConnectionTotals totals = new ConnectionTotals();
      ConnectionTotals.Sample before = totals.update(reader.snapshot());
      long beforeNanos = System.nanoTime();
      do {
        if (interval > 0) {
          Thread.sleep((long) (interval * 1000));
        }
        ConnectionTotals.Sample now = totals.update(reader.snapshot());
        long nowNanos = System.nanoTime();
        alive = reader.isWriterAlive();
        List<ConnectionStatus.Row> rows =
            connections.rows(
                before,
                now,
                interval > 0 ? (nowNanos - beforeNanos) / 1e9 : 0,
                Instant.ofEpochMilli(reader.startTimeMs()),
                Instant.now());
        if (watch) {
          out.print("\033[H\033[2J"); // home and clear, as watch(1) does
        }
        if (json) {
          printJson(out, now.snapshot(), alive, reader.writerPid(), rows);
        } else {
          printTable(out, now.snapshot(), alive, reader.writerPid(), rows);
        }
        out.flush();
        before = now;
        beforeNanos = nowNanos;
      } while (watch && alive);
    } catch (NoSuchFileException e) {
      System.err.println("vpngw: no counters file at " + path + ": is the gateway running?");
      return 1;
    }
    return alive ? 0 : 3;
  }

  private static void printTable(
      PrintStream out,
      CountersSnapshot s,
      boolean alive,
      long pid,
      List<ConnectionStatus.Row> connections) {
    out.printf("gateway pid %d: %s%n", pid, alive ? "running" : "NOT RUNNING (stale counters)");
    ConnectionStatus.printTable(out, connections);
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

  private static void printJson(
      PrintStream out,
      CountersSnapshot s,
      boolean alive,
      long pid,
      List<ConnectionStatus.Row> connections) {
    StringBuilder b = new StringBuilder();
    b.append("{\"pid\":").append(pid).append(",\"running\":").append(alive);
    b.append(",\"connections\":");
    ConnectionStatus.appendJson(b, connections);
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
