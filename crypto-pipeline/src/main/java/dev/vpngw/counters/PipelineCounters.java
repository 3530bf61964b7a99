package dev.vpngw.counters;

import org.agrona.concurrent.status.CountersManager;

/**
 * One agent's drop counters for the {@link PipelineDropReason}s, one counter each (type {@link
 * CounterTypes#DROPS}, key the reason id, label the prefix and the reason's description). Each
 * agent (RX, worker, TX) owns its own instance, so every counter has a single writer; the
 * gateway-wide count of a reason is the sum over agents, which {@link CountersSnapshot} computes.
 */
public final class PipelineCounters implements AutoCloseable {
  private final OwnedCounters counters;
  private final int[] indexById =
      new int[PipelineDropReason.MAX_ID - PipelineDropReason.FIRST_ID + 1];

  /**
   * Allocates the counters in {@code manager}.
   *
   * @param labelPrefix names the owning agent, e.g. {@code "rx-0"}
   * @throws IllegalStateException if the counters file is full (nothing stays allocated)
   */
  public PipelineCounters(CountersManager manager, String labelPrefix) {
    counters = new OwnedCounters(manager);
    try {
      for (PipelineDropReason reason : PipelineDropReason.values()) {
        indexById[reason.id() - PipelineDropReason.FIRST_ID] =
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

  /** Counts one packet dropped for {@code reason}. Owner thread only; allocation-free. */
  public void drop(PipelineDropReason reason) {
    counters.increment(indexById[reason.id() - PipelineDropReason.FIRST_ID]);
  }

  /** Counts {@code packets} dropped at once for {@code reason}. Owner thread only. */
  public void drop(PipelineDropReason reason, int packets) {
    counters.add(indexById[reason.id() - PipelineDropReason.FIRST_ID], packets);
  }

  /** Packets this agent dropped for {@code reason}. */
  public long dropCount(PipelineDropReason reason) {
    return counters.get(indexById[reason.id() - PipelineDropReason.FIRST_ID]);
  }

  /** Frees the counters (when the agent stops for good). */
  @Override
  public void close() {
    counters.close();
  }
}
