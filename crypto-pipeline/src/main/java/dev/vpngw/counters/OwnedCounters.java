package dev.vpngw.counters;

import java.util.Arrays;
import java.util.function.Consumer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * A group of counters that one writer allocates together, updates alone and frees together: the
 * storage behind {@link SaCounters}, {@link PipelineCounters} and {@code EspCounters}.
 *
 * <p>Counters are addressed by the index {@link #allocate} returned, which maps to the value's
 * offset in the counters file. An update is a plain read and a release store ({@link #add}): one
 * writer per counter needs no atomic read-modify-write, and the release store keeps the value
 * visible to readers in other processes without a fence on x86. Updates never allocate.
 *
 * <p>Allocation and {@link #close} touch the {@link CountersManager}'s metadata and are meant for
 * the control path; {@link CountersFile} hands out a manager that is safe to allocate from on
 * several threads.
 */
public final class OwnedCounters implements AutoCloseable {
  private final CountersManager manager;
  private final AtomicBuffer values;
  private int[] ids = new int[8];
  private int[] offsets = new int[8];
  private int count;
  private boolean closed;

  /** An empty group allocating from {@code manager}. */
  public OwnedCounters(CountersManager manager) {
    this.manager = manager;
    this.values = manager.valuesBuffer();
  }

  /**
   * Allocates one counter, starting at 0.
   *
   * @param typeId one of {@link CounterTypes}
   * @param label for people
   * @param key writes the key (see {@link CounterTypes} for layouts)
   * @return its index in this group
   * @throws IllegalStateException if the counters file is full, or the group is closed
   */
  public int allocate(int typeId, String label, Consumer<MutableDirectBuffer> key) {
    if (closed) {
      throw new IllegalStateException("counters already freed");
    }
    int id = manager.allocate(label, typeId, key);
    if (count == ids.length) {
      ids = Arrays.copyOf(ids, count * 2);
      offsets = Arrays.copyOf(offsets, count * 2);
    }
    ids[count] = id;
    offsets[count] = CountersReader.counterOffset(id);
    return count++;
  }

  /** Adds {@code delta} to counter {@code index}. Owner thread only. */
  public void add(int index, long delta) {
    int offset = offsets[index];
    values.putLongRelease(offset, values.getLong(offset) + delta);
  }

  /** Sets counter {@code index} (a gauge) to {@code value}. Owner thread only. */
  public void set(int index, long value) {
    values.putLongRelease(offsets[index], value);
  }

  /** Adds one to counter {@code index}. Owner thread only. */
  public void increment(int index) {
    add(index, 1);
  }

  /** The current value of counter {@code index}; any thread. */
  public long get(int index) {
    return values.getLongVolatile(offsets[index]);
  }

  /** The counters-file id of counter {@code index}. */
  public int counterId(int index) {
    return ids[index];
  }

  /** How many counters the group holds. */
  public int size() {
    return count;
  }

  /**
   * Frees every counter of the group; later calls do nothing. Readers stop listing them at once;
   * the manager reuses their slots only after its free-to-reuse timeout, so a reader that was
   * mid-scan never sees a new label with an old value.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = 0; i < count; i++) {
      manager.free(ids[i]);
    }
  }
}
