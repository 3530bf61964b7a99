package dev.vpngw.appliance.monitor;

import dev.vpngw.appliance.events.EventJournalReader;
import dev.vpngw.appliance.events.JournalEntry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The per-connection lines of {@code gateway status}: state, uptime, throughput now and drops, from
 * two counters samples a moment apart (throughput is the difference of inner bytes) and the event
 * journal (when each IKE connection last came up). A connection is up while it has an inbound and
 * an outbound SA in the dataplane; an IKE connection's uptime runs from its last {@code
 * ike_sa_established} without an {@code ike_sa_down} after it, a manual one's from the gateway's
 * start.
 */
public final class ConnectionStatus implements AutoCloseable {
  /**
   * One connection's line.
   *
   * @param name the connection
   * @param up whether it has an SA each way
   * @param uptime how long it has been up, or null if unknown or down
   * @param bitsPerSecondIn inner bits per second received over the interval
   * @param bitsPerSecondOut inner bits per second sent over the interval
   * @param drops drops of its SAs, past and present
   */
  public record Row(
      String name,
      boolean up,
      Duration uptime,
      double bitsPerSecondIn,
      double bitsPerSecondOut,
      long drops) {}

  private final EventJournalReader journal;
  private final Map<String, Instant> upSince = new HashMap<>();
  private final java.util.Set<String> seen = new java.util.HashSet<>();

  private ConnectionStatus(EventJournalReader journal) {
    this.journal = journal;
  }

  /** Reads the journal in {@code journalDir} if there is one (uptimes of IKE connections). */
  public static ConnectionStatus open(Path journalDir) {
    EventJournalReader reader;
    try {
      reader = EventJournalReader.open(journalDir);
    } catch (IOException | RuntimeException e) {
      reader = null;
    }
    return new ConnectionStatus(reader);
  }

  private void readJournal() {
    if (journal == null) {
      return;
    }
    JournalEntry e;
    while ((e = journal.next()) != null) {
      if (e.connection().isEmpty()) {
        continue;
      }
      seen.add(e.connection());
      switch (e.event()) {
        case "ike_sa_established" -> upSince.put(e.connection(), e.time());
        case "ike_sa_down" -> upSince.remove(e.connection());
        default -> {}
      }
    }
  }

  /**
   * The rows between two samples {@code seconds} apart; connections that have SAs now, had some, or
   * appear in the journal.
   */
  public List<Row> rows(
      ConnectionTotals.Sample before,
      ConnectionTotals.Sample now,
      double seconds,
      Instant gatewayStart,
      Instant clock) {
    readJournal();
    TreeSet<String> names = new TreeSet<>(now.connections().keySet());
    names.addAll(seen);
    List<Row> rows = new ArrayList<>();
    for (String name : names) {
      ConnectionTotals.Traffic a = before.connection(name);
      ConnectionTotals.Traffic b = now.connection(name);
      boolean up = now.up(name);
      Duration uptime = null;
      if (up) {
        Instant since = seen.contains(name) ? upSince.get(name) : gatewayStart;
        uptime = since == null ? null : Duration.between(since, clock);
      }
      rows.add(
          new Row(
              name,
              up,
              uptime,
              seconds > 0 ? Math.max(0, b.bytesIn() - a.bytesIn()) * 8 / seconds : 0,
              seconds > 0 ? Math.max(0, b.bytesOut() - a.bytesOut()) * 8 / seconds : 0,
              b.totalDrops()));
    }
    return rows;
  }

  /** Prints rows as a table. */
  public static void printTable(PrintStream out, List<Row> rows) {
    out.printf(
        "%-24s %-5s %12s %14s %14s %10s%n", "CONNECTION", "STATE", "UPTIME", "IN", "OUT", "DROPS");
    for (Row r : rows) {
      out.printf(
          "%-24s %-5s %12s %14s %14s %10d%n",
          r.name,
          r.up ? "up" : "down",
          r.uptime == null ? "-" : duration(r.uptime),
          rate(r.bitsPerSecondIn),
          rate(r.bitsPerSecondOut),
          r.drops);
    }
  }

  /** Appends rows as a JSON array. */
  public static void appendJson(StringBuilder b, List<Row> rows) {
    b.append('[');
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      b.append(i == 0 ? "" : ",");
      b.append("{\"name\":\"")
          .append(r.name.replace("\\", "\\\\").replace("\"", "\\\""))
          .append('"');
      b.append(",\"up\":").append(r.up);
      b.append(",\"uptimeSeconds\":").append(r.uptime == null ? "null" : r.uptime.toSeconds());
      b.append(",\"bitsPerSecondIn\":").append(Math.round(r.bitsPerSecondIn));
      b.append(",\"bitsPerSecondOut\":").append(Math.round(r.bitsPerSecondOut));
      b.append(",\"drops\":").append(r.drops).append('}');
    }
    b.append(']');
  }

  static String duration(Duration d) {
    long s = d.toSeconds();
    if (s >= 86_400) {
      return String.format(Locale.ROOT, "%dd%02dh%02dm", s / 86_400, s / 3600 % 24, s / 60 % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
  }

  static String rate(double bitsPerSecond) {
    String[] units = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s"};
    double v = bitsPerSecond;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  }

  @Override
  public void close() {
    if (journal != null) {
      journal.close();
    }
  }
}
