package dev.vpngw.appliance.monitor;

import dev.vpngw.counters.CounterTypes;
import dev.vpngw.counters.CountersSnapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Per-connection totals that only grow, built from successive counters snapshots. The counters file
 * holds counters per live SA, freed when the SA is deleted (a rekey replaces both SAs of a
 * connection), so the sum over live SAs would fall at every rekey, which a Prometheus counter or an
 * IF-MIB octet counter must never do. This keeps the last values seen of every SA and, when an SA
 * is gone (or its SPI comes back with smaller values: a new SA), adds them to its connection's
 * retired totals. What an SA counted between the last sample and its deletion is lost, so callers
 * sample often ({@link Monitoring} does every 250 ms; SA counters themselves are refreshed every
 * 100 ms) and again at every read.
 *
 * <p>Thread-safe: {@link #update} is synchronized; the returned {@link Sample} is immutable.
 */
public final class ConnectionTotals {
  /**
   * Traffic of one connection or SA.
   *
   * @param packetsIn inner packets received and delivered
   * @param bytesIn inner bytes received and delivered
   * @param packetsOut inner packets protected and sent
   * @param bytesOut inner bytes protected and sent
   * @param drops drops by reason id
   * @param dropsIn drops of inbound SAs, every reason
   * @param dropsOut drops of outbound SAs, every reason
   */
  public record Traffic(
      long packetsIn,
      long bytesIn,
      long packetsOut,
      long bytesOut,
      SortedMap<Integer, Long> drops,
      long dropsIn,
      long dropsOut) {
    static final Traffic ZERO = new Traffic(0, 0, 0, 0, Collections.emptySortedMap(), 0, 0);

    Traffic plus(Traffic o) {
      SortedMap<Integer, Long> d = new TreeMap<>(drops);
      o.drops.forEach((k, v) -> d.merge(k, v, Long::sum));
      return new Traffic(
          packetsIn + o.packetsIn,
          bytesIn + o.bytesIn,
          packetsOut + o.packetsOut,
          bytesOut + o.bytesOut,
          Collections.unmodifiableSortedMap(d),
          dropsIn + o.dropsIn,
          dropsOut + o.dropsOut);
    }

    /** Drops for every reason. */
    public long totalDrops() {
      return dropsIn + dropsOut;
    }
  }

  /**
   * One live SA in a sample.
   *
   * @param connection its connection's name (from the counter label)
   * @param peer the peer address from the label
   * @param spi its SPI
   * @param inbound its direction
   * @param packets inner packets through it
   * @param bytes inner bytes through it
   * @param drops its drops by reason id
   */
  public record SaSample(
      String connection,
      String peer,
      int spi,
      boolean inbound,
      long packets,
      long bytes,
      SortedMap<Integer, Long> drops) {
    Traffic traffic() {
      long total = 0;
      for (long v : drops.values()) {
        total += v;
      }
      return inbound
          ? new Traffic(packets, bytes, 0, 0, drops, total, 0)
          : new Traffic(0, 0, packets, bytes, drops, 0, total);
    }
  }

  /**
   * One sample: the live SAs and every connection's totals (retired SAs plus live ones).
   *
   * @param sas the live SAs, in counter order
   * @param connections totals by connection name, including connections whose SAs are all gone
   * @param snapshot the counters snapshot it came from
   */
  public record Sample(
      List<SaSample> sas, Map<String, Traffic> connections, CountersSnapshot snapshot) {
    /** A connection's totals, zero if it never had an SA. */
    public Traffic connection(String name) {
      return connections.getOrDefault(name, Traffic.ZERO);
    }

    /** Whether the connection has an inbound and an outbound SA in the dataplane now. */
    public boolean up(String name) {
      boolean in = false;
      boolean out = false;
      for (SaSample sa : sas) {
        if (sa.connection.equals(name)) {
          in |= sa.inbound;
          out |= !sa.inbound;
        }
      }
      return in && out;
    }
  }

  private record Key(int spi, int direction, long connectionId) {}

  private Map<Key, SaSample> live = new HashMap<>();
  private final Map<String, Traffic> retired = new HashMap<>();

  /** Takes in a new snapshot and returns the totals as of it. */
  public synchronized Sample update(CountersSnapshot snapshot) {
    Map<Key, SaSample> now = new HashMap<>();
    List<SaSample> sas = new ArrayList<>();
    for (CountersSnapshot.Sa sa : snapshot.securityAssociations()) {
      SaLabel label = SaLabel.parse(sa.description());
      SaSample s =
          new SaSample(
              label.connection(),
              label.peer(),
              sa.spi(),
              sa.direction() == CounterTypes.INBOUND,
              sa.packets(),
              sa.bytes(),
              sa.dropsByReason());
      Key key = new Key(sa.spi(), sa.direction(), sa.connectionId());
      SaSample before = live.get(key);
      if (before != null && (s.packets < before.packets || s.bytes < before.bytes)) {
        retire(before); // the same key again with smaller values: a new SA replaced the old one
      }
      now.put(key, s);
      sas.add(s);
    }
    for (Map.Entry<Key, SaSample> e : live.entrySet()) {
      if (!now.containsKey(e.getKey())) {
        retire(e.getValue());
      }
    }
    live = now;
    Map<String, Traffic> totals = new HashMap<>(retired);
    for (SaSample s : sas) {
      totals.merge(s.connection, s.traffic(), Traffic::plus);
    }
    return new Sample(
        Collections.unmodifiableList(sas), Collections.unmodifiableMap(totals), snapshot);
  }

  private void retire(SaSample s) {
    retired.merge(s.connection, s.traffic(), Traffic::plus);
  }
}
