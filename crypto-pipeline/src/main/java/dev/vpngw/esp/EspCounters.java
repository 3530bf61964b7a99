package dev.vpngw.esp;

/**
 * The codec's counters for one worker: a drop count per {@link DropReason}, indexed by its stable
 * id, and inner packets and bytes protected (out) and delivered (in). Plain longs: only the owning
 * worker writes them, and every call to the codec bumps exactly one of the packet counters or one
 * drop counter, so they add up to the number of packets seen.
 */
public final class EspCounters {
  private final long[] drops = new long[DropReason.MAX_ID + 1];
  private long packetsIn;
  private long bytesIn;
  private long packetsOut;
  private long bytesOut;

  /** Counts one packet dropped for {@code reason}. */
  public void drop(DropReason reason) {
    drops[reason.id()]++;
  }

  /** Counts one inner packet of {@code bytes} decapsulated and delivered. */
  public void delivered(int bytes) {
    packetsIn++;
    bytesIn += bytes;
  }

  /** Counts one inner packet of {@code bytes} encapsulated and ready to send. */
  public void protectedOut(int bytes) {
    packetsOut++;
    bytesOut += bytes;
  }

  /** Packets dropped for {@code reason}. */
  public long dropCount(DropReason reason) {
    return drops[reason.id()];
  }

  /** Packets dropped for any reason. */
  public long totalDrops() {
    long total = 0;
    for (long count : drops) {
      total += count;
    }
    return total;
  }

  /** Inner packets delivered. */
  public long packetsIn() {
    return packetsIn;
  }

  /** Inner bytes delivered. */
  public long bytesIn() {
    return bytesIn;
  }

  /** Inner packets protected. */
  public long packetsOut() {
    return packetsOut;
  }

  /** Inner bytes protected. */
  public long bytesOut() {
    return bytesOut;
  }
}
