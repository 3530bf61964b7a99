package dev.vpngw.esp;

import dev.vpngw.counters.CounterTypes;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.OwnedCounters;
import org.agrona.concurrent.status.CountersManager;

/**
 * The codec's counters for one worker: a drop count per {@link DropReason} and inner packets and
 * bytes protected (out) and delivered (in). Every call to the codec bumps exactly one of the packet
 * counters or one drop counter, so they add up to the number of packets seen.
 *
 * <p>The counters live in an Agrona {@link CountersManager}: the gateway's counters file, so other
 * processes read them while traffic flows (type {@link CounterTypes#DROPS} keyed by the reason id,
 * and {@link CounterTypes#ESP_PACKETS_IN} and friends), or, with the no-argument constructor, a
 * private in-memory manager for tests and benchmarks. Only the owning worker writes them: an update
 * is a plain read and a release store, never an atomic read-modify-write, and never allocates.
 */
public final class EspCounters implements AutoCloseable {
  private static final int PACKETS_IN = 0;
  private static final int BYTES_IN = 1;
  private static final int PACKETS_OUT = 2;
  private static final int BYTES_OUT = 3;
  private static final DropReason[] REASONS = DropReason.values();
  private static final int COUNTERS = 4 + REASONS.length;

  private final OwnedCounters counters;
  private final int[] dropIndexById = new int[DropReason.MAX_ID + 1];

  /** Counters in private memory, for tests, benchmarks and tools without a counters file. */
  public EspCounters() {
    this(CountersFile.inMemory(COUNTERS), "esp");
  }

  /**
   * Allocates one counter per drop reason and four for packets and bytes in {@code manager}.
   *
   * @param labelPrefix names the owning worker, e.g. {@code "worker-0"}
   * @throws IllegalStateException if the manager is full (nothing stays allocated)
   */
  public EspCounters(CountersManager manager, String labelPrefix) {
    counters = new OwnedCounters(manager);
    try {
      allocate(CounterTypes.ESP_PACKETS_IN, labelPrefix + ": inner packets delivered");
      allocate(CounterTypes.ESP_BYTES_IN, labelPrefix + ": inner bytes delivered");
      allocate(CounterTypes.ESP_PACKETS_OUT, labelPrefix + ": inner packets protected");
      allocate(CounterTypes.ESP_BYTES_OUT, labelPrefix + ": inner bytes protected");
      for (DropReason reason : REASONS) {
        dropIndexById[reason.id()] =
            counters.allocate(
                CounterTypes.DROPS,
                labelPrefix + ": " + reason.description(),
                key -> key.putInt(CounterTypes.DROPS_REASON_OFFSET, reason.id()));
      }
    } catch (RuntimeException e) {
      counters.close();
      throw e;
    }
  }

  private void allocate(int typeId, String label) {
    counters.allocate(typeId, label, key -> {});
  }

  /** Counts one packet dropped for {@code reason}. */
  public void drop(DropReason reason) {
    counters.increment(dropIndexById[reason.id()]);
  }

  /** Counts one inner packet of {@code bytes} decapsulated and delivered. */
  public void delivered(int bytes) {
    counters.increment(PACKETS_IN);
    counters.add(BYTES_IN, bytes);
  }

  /** Counts one inner packet of {@code bytes} encapsulated and ready to send. */
  public void protectedOut(int bytes) {
    counters.increment(PACKETS_OUT);
    counters.add(BYTES_OUT, bytes);
  }

  /** Packets dropped for {@code reason}. */
  public long dropCount(DropReason reason) {
    return counters.get(dropIndexById[reason.id()]);
  }

  /** Packets dropped for any reason. */
  public long totalDrops() {
    long total = 0;
    for (DropReason reason : REASONS) {
      total += counters.get(dropIndexById[reason.id()]);
    }
    return total;
  }

  /** Inner packets delivered. */
  public long packetsIn() {
    return counters.get(PACKETS_IN);
  }

  /** Inner bytes delivered. */
  public long bytesIn() {
    return counters.get(BYTES_IN);
  }

  /** Inner packets protected. */
  public long packetsOut() {
    return counters.get(PACKETS_OUT);
  }

  /** Inner bytes protected. */
  public long bytesOut() {
    return counters.get(BYTES_OUT);
  }

  /** Frees the counters (when the worker stops for good); later calls do nothing. */
  @Override
  public void close() {
    counters.close();
  }
}
