package dev.vpngw.counters;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.agrona.concurrent.status.CountersReader;

/**
 * Every allocated counter of a counters file at one moment, decoded by type: what {@code gateway
 * status}, its JSON form and the exporters print. Reading takes no lock and disturbs no writer;
 * values are read one by one while traffic flows, so they are each current, not mutually atomic.
 */
public final class CountersSnapshot {
  /**
   * One counter.
   *
   * @param id its counters-file id
   * @param typeId its {@link CounterTypes} type
   * @param label its label
   * @param value its value when read
   * @param reasonId the drop reason id for {@link CounterTypes#DROPS} and {@link
   *     CounterTypes#SA_DROPS}, otherwise -1
   * @param spi the SPI for SA counters, otherwise 0
   * @param direction {@link CounterTypes#INBOUND} or {@link CounterTypes#OUTBOUND} for SA and
   *     bandwidth counters, otherwise -1
   * @param connectionId the connection id for SA counters, otherwise 0
   */
  public record Counter(
      int id,
      int typeId,
      String label,
      long value,
      int reasonId,
      int spi,
      int direction,
      long connectionId) {
    /** The type's stable name, see {@link CounterTypes#name}. */
    public String typeName() {
      return CounterTypes.name(typeId);
    }
  }

  /**
   * The counters of one SA gathered together.
   *
   * @param spi its SPI
   * @param direction {@link CounterTypes#INBOUND} or {@link CounterTypes#OUTBOUND}
   * @param connectionId its connection's id
   * @param description connection name, direction, SPI and peer, from the labels
   * @param packets inner packets through it
   * @param bytes inner bytes through it
   * @param dropsByReason drops by reason id ({@link CounterTypes#OTHER_REASON} for the rest)
   */
  public record Sa(
      int spi,
      int direction,
      long connectionId,
      String description,
      long packets,
      long bytes,
      SortedMap<Integer, Long> dropsByReason) {
    /** Drops for every reason. */
    public long totalDrops() {
      long total = 0;
      for (long count : dropsByReason.values()) {
        total += count;
      }
      return total;
    }
  }

  private final List<Counter> counters;

  private CountersSnapshot(List<Counter> counters) {
    this.counters = counters;
  }

  /** Reads every allocated counter through {@code reader}. */
  public static CountersSnapshot read(CountersReader reader) {
    List<Counter> counters = new ArrayList<>();
    reader.forEach(
        (CountersReader.MetaData)
            (counterId, typeId, key, label) -> {
              int reasonId = -1;
              int spi = 0;
              int direction = -1;
              long connectionId = 0;
              if (typeId == CounterTypes.DROPS) {
                reasonId = key.getInt(CounterTypes.DROPS_REASON_OFFSET);
              } else if (typeId == CounterTypes.BANDWIDTH_LIMIT
                  || typeId == CounterTypes.BANDWIDTH_USED) {
                direction = key.getInt(CounterTypes.BANDWIDTH_DIRECTION_OFFSET);
              } else if (CounterTypes.isSaType(typeId)) {
                spi = key.getInt(CounterTypes.SA_SPI_OFFSET);
                direction = key.getInt(CounterTypes.SA_DIRECTION_OFFSET);
                connectionId = key.getLong(CounterTypes.SA_CONNECTION_ID_OFFSET);
                if (typeId == CounterTypes.SA_DROPS) {
                  reasonId = key.getInt(CounterTypes.SA_REASON_OFFSET);
                }
              }
              counters.add(
                  new Counter(
                      counterId,
                      typeId,
                      label,
                      reader.getCounterValue(counterId),
                      reasonId,
                      spi,
                      direction,
                      connectionId));
            });
    return new CountersSnapshot(Collections.unmodifiableList(counters));
  }

  /** Every counter, in id order. */
  public List<Counter> counters() {
    return counters;
  }

  /** The sum of every counter of {@code typeId}, e.g. {@link CounterTypes#ESP_PACKETS_IN}. */
  public long total(int typeId) {
    long total = 0;
    for (Counter counter : counters) {
      if (counter.typeId == typeId) {
        total += counter.value;
      }
    }
    return total;
  }

  /**
   * The sum of the counters of {@code typeId} keyed with {@code direction} ({@link
   * CounterTypes#INBOUND} or {@link CounterTypes#OUTBOUND}), 0 if there are none.
   */
  public long total(int typeId, int direction) {
    long total = 0;
    for (Counter counter : counters) {
      if (counter.typeId == typeId && counter.direction == direction) {
        total += counter.value;
      }
    }
    return total;
  }

  /** Gateway-wide drops by reason id: the {@link CounterTypes#DROPS} counters of all agents. */
  public SortedMap<Integer, Long> dropsByReason() {
    SortedMap<Integer, Long> drops = new TreeMap<>();
    for (Counter counter : counters) {
      if (counter.typeId == CounterTypes.DROPS) {
        drops.merge(counter.reasonId, counter.value, Long::sum);
      }
    }
    return drops;
  }

  /** The live SAs, in the order their counters were allocated. */
  public List<Sa> securityAssociations() {
    record Key(int spi, int direction, long connectionId) {}
    Map<Key, List<Counter>> bySa = new LinkedHashMap<>();
    for (Counter counter : counters) {
      if (CounterTypes.isSaType(counter.typeId)) {
        bySa.computeIfAbsent(
                new Key(counter.spi, counter.direction, counter.connectionId),
                k -> new ArrayList<>())
            .add(counter);
      }
    }
    List<Sa> sas = new ArrayList<>();
    for (Map.Entry<Key, List<Counter>> entry : bySa.entrySet()) {
      String description = "";
      long packets = 0;
      long bytes = 0;
      SortedMap<Integer, Long> drops = new TreeMap<>();
      for (Counter counter : entry.getValue()) {
        switch (counter.typeId) {
          case CounterTypes.SA_PACKETS_IN, CounterTypes.SA_PACKETS_OUT -> {
            packets += counter.value;
            description = stripSuffix(counter.label, SaCounters.PACKETS_LABEL_SUFFIX);
          }
          case CounterTypes.SA_BYTES_IN, CounterTypes.SA_BYTES_OUT -> bytes += counter.value;
          default -> drops.merge(counter.reasonId, counter.value, Long::sum);
        }
      }
      Key key = entry.getKey();
      sas.add(
          new Sa(
              key.spi,
              key.direction,
              key.connectionId,
              description,
              packets,
              bytes,
              Collections.unmodifiableSortedMap(drops)));
    }
    return sas;
  }

  private static String stripSuffix(String label, String suffix) {
    return label.endsWith(suffix) ? label.substring(0, label.length() - suffix.length()) : label;
  }
}
