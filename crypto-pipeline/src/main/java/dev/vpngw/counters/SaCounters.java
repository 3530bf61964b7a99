package dev.vpngw.counters;

import dev.vpngw.esp.DropReason;
import dev.vpngw.sa.SecurityAssociation;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The counters of one SA: inner packets and bytes through it, and its drops by reason, allocated
 * when the SA is installed and freed when it is deleted, so {@code gateway status} lists exactly
 * the live SAs.
 *
 * <p>Each counter's key holds the SPI, direction and connection id ({@link CounterTypes} has the
 * layout) and drop counters the reason id; the label carries the connection name, direction, SPI in
 * hex and the peer for people: {@code "site-a in spi 0x0000c001 peer 203.0.113.7: packets"}.
 *
 * <p>Drops are counted per reason only for the reasons an SA of that direction can meet once the
 * codec or pipeline knows the SA (the replay and integrity checks inbound, sequence exhaustion and
 * MTU outbound, ...); any other reason lands in one "other" counter, so an SA costs 11 (inbound) or
 * 9 (outbound) counters rather than one per reason. The gateway-wide drop counters still count
 * every reason.
 *
 * <p>Threading: allocate and {@link #close} on the control path; every update method is for the
 * single worker that owns the SA, allocation-free, a plain read and a release store per counter.
 */
public final class SaCounters implements AutoCloseable {
  /** Reasons an inbound SA counts separately. */
  static final List<Integer> INBOUND_REASONS =
      List.of(
          DropReason.REPLAYED.id(),
          DropReason.TOO_OLD.id(),
          DropReason.BAD_ICV.id(),
          DropReason.BAD_PADDING.id(),
          DropReason.BAD_NEXT_HEADER.id(),
          DropReason.BAD_INNER_PACKET.id(),
          DropReason.SA_EXPIRED.id(),
          PipelineDropReason.SELECTOR_MISMATCH.id(),
          PipelineDropReason.BANDWIDTH_LIMIT.id());

  /** Reasons an outbound SA counts separately. */
  static final List<Integer> OUTBOUND_REASONS =
      List.of(
          DropReason.SEQUENCE_EXHAUSTED.id(),
          DropReason.SEQUENCE_FENCED.id(),
          DropReason.SA_EXPIRED.id(),
          DropReason.NO_ROOM.id(),
          DropReason.INNER_TOO_BIG.id(),
          PipelineDropReason.BANDWIDTH_LIMIT.id());

  /** What the packets counter's label adds to the {@link #description()}. */
  static final String PACKETS_LABEL_SUFFIX = ": packets";

  private static final int PACKETS = 0;
  private static final int BYTES = 1;

  private final OwnedCounters counters;
  private final SecurityAssociation.Direction direction;
  private final int spi;
  private final long connectionId;
  private final String description;

  /** Index of the drop counter for a reason id, or of the "other" counter; by reason id. */
  private final int[] dropIndexByReason = new int[PipelineDropReason.MAX_ID + 1];

  private final int otherIndex;

  private SaCounters(
      CountersManager manager,
      String description,
      SecurityAssociation.Direction direction,
      int spi,
      long connectionId) {
    this.counters = new OwnedCounters(manager);
    this.direction = direction;
    this.spi = spi;
    this.connectionId = connectionId;
    this.description = description;
    boolean inbound = direction == SecurityAssociation.Direction.INBOUND;
    try {
      counters.allocate(
          inbound ? CounterTypes.SA_PACKETS_IN : CounterTypes.SA_PACKETS_OUT,
          description + PACKETS_LABEL_SUFFIX,
          this::writeKey);
      counters.allocate(
          inbound ? CounterTypes.SA_BYTES_IN : CounterTypes.SA_BYTES_OUT,
          description + ": bytes",
          this::writeKey);
      otherIndex = allocateDrop(CounterTypes.OTHER_REASON);
      Arrays.fill(dropIndexByReason, otherIndex);
      for (int reasonId : inbound ? INBOUND_REASONS : OUTBOUND_REASONS) {
        dropIndexByReason[reasonId] = allocateDrop(reasonId);
      }
    } catch (RuntimeException e) {
      counters.close();
      throw e;
    }
  }

  /**
   * Allocates the counters of a newly installed SA.
   *
   * @param manager the gateway's counters (from {@link CountersFile#manager()})
   * @param connectionName the configured connection the SA belongs to
   * @param connectionId a stable number for the connection, for machine readers
   * @param direction inbound or outbound
   * @param spi the SA's SPI
   * @param peer the peer's address, as people should see it
   * @throws IllegalArgumentException if the label would not fit a counter's label
   * @throws IllegalStateException if the counters file is full (nothing stays allocated)
   */
  public static SaCounters allocate(
      CountersManager manager,
      String connectionName,
      long connectionId,
      SecurityAssociation.Direction direction,
      int spi,
      String peer) {
    String description =
        String.format(
            "%s %s spi 0x%08x peer %s",
            connectionName,
            direction == SecurityAssociation.Direction.INBOUND ? "in" : "out",
            spi,
            peer);
    String longest = description + ": drops: " + longestReasonDescription();
    if (longest.getBytes(StandardCharsets.UTF_8).length > CountersReader.MAX_LABEL_LENGTH) {
      throw new IllegalArgumentException(
          "connection name and peer too long for a counter label: " + description);
    }
    return new SaCounters(manager, description, direction, spi, connectionId);
  }

  private static String longestReasonDescription() {
    String longest = "";
    for (int id : INBOUND_REASONS) {
      longest = longer(longest, CounterTypes.reasonDescription(id));
    }
    for (int id : OUTBOUND_REASONS) {
      longest = longer(longest, CounterTypes.reasonDescription(id));
    }
    return longest;
  }

  private static String longer(String a, String b) {
    return b.length() > a.length() ? b : a;
  }

  private int allocateDrop(int reasonId) {
    return counters.allocate(
        CounterTypes.SA_DROPS,
        description + ": drops: " + CounterTypes.reasonDescription(reasonId),
        key -> {
          writeKey(key);
          key.putInt(CounterTypes.SA_REASON_OFFSET, reasonId);
        });
  }

  private void writeKey(MutableDirectBuffer key) {
    key.putInt(CounterTypes.SA_SPI_OFFSET, spi);
    key.putInt(CounterTypes.SA_DIRECTION_OFFSET, CounterTypes.direction(direction));
    key.putLong(CounterTypes.SA_CONNECTION_ID_OFFSET, connectionId);
  }

  /** Counts one inner packet of {@code bytes} through the SA. Owner worker only. */
  public void packet(int bytes) {
    counters.increment(PACKETS);
    counters.add(BYTES, bytes);
  }

  /** Counts a run of {@code packets} totalling {@code bytes}, bumped once per batch. */
  public void packets(int packets, long bytes) {
    counters.add(PACKETS, packets);
    counters.add(BYTES, bytes);
  }

  /** Counts one drop for a codec reason. Owner worker only. */
  public void drop(DropReason reason) {
    counters.increment(dropIndexByReason[reason.id()]);
  }

  /** Counts one drop for a pipeline reason. Owner worker only. */
  public void drop(PipelineDropReason reason) {
    counters.increment(dropIndexByReason[reason.id()]);
  }

  /**
   * Counts one drop by reason id, as the codec returns it ({@link DropReason#id()}) or as {@link
   * PipelineDropReason#id()}; an unknown id counts as "other". Owner worker only.
   */
  public void drop(int reasonId) {
    counters.increment(
        reasonId > 0 && reasonId < dropIndexByReason.length
            ? dropIndexByReason[reasonId]
            : otherIndex);
  }

  /** Inner packets through the SA. */
  public long packets() {
    return counters.get(PACKETS);
  }

  /** Inner bytes through the SA. */
  public long bytes() {
    return counters.get(BYTES);
  }

  /**
   * Drops counted under {@code reasonId}: its own counter, or the shared "other" counter for a
   * reason this SA does not count separately.
   */
  public long drops(int reasonId) {
    return counters.get(
        reasonId > 0 && reasonId < dropIndexByReason.length
            ? dropIndexByReason[reasonId]
            : otherIndex);
  }

  /** Drops for every reason. */
  public long totalDrops() {
    long total = 0;
    for (int i = BYTES + 1; i < counters.size(); i++) {
      total += counters.get(i);
    }
    return total;
  }

  /** The SA's SPI. */
  public int spi() {
    return spi;
  }

  /** Inbound or outbound. */
  public SecurityAssociation.Direction direction() {
    return direction;
  }

  /** The connection id in the keys. */
  public long connectionId() {
    return connectionId;
  }

  /** The common part of the labels: connection, direction, SPI and peer. */
  public String description() {
    return description;
  }

  /** Frees the counters when the SA is deleted; later calls do nothing. Control path. */
  @Override
  public void close() {
    counters.close();
  }
}
