package dev.vpngw.io.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One off-heap packet buffer, seen three ways over the same memory: a {@link MemorySegment} for
 * Panama calls (and its raw {@link #address()} for downcalls that take pointers as longs), an
 * Agrona {@link UnsafeBuffer} for header flyweights, and a direct {@link ByteBuffer} for JDK APIs
 * such as {@code javax.crypto.Cipher}. Buffers are allocated once (from a pool or a test) and
 * reused for every packet; nothing here allocates after construction.
 *
 * <p>Offsets passed around the dataplane are ints relative to the start of this buffer.
 */
public final class PacketBuffer {
  private final MemorySegment segment;
  private final long address;
  private final UnsafeBuffer buffer;
  private final ByteBuffer byteBuffer;

  private PacketBuffer(MemorySegment segment) {
    this.segment = segment;
    this.address = segment.address();
    this.buffer = new UnsafeBuffer(address, Math.toIntExact(segment.byteSize()));
    this.byteBuffer = segment.asByteBuffer().order(ByteOrder.BIG_ENDIAN);
  }

  /**
   * Allocates a buffer of {@code capacity} bytes, 64-byte aligned, that lives as long as {@code
   * arena}.
   */
  public static PacketBuffer allocate(Arena arena, int capacity) {
    return new PacketBuffer(arena.allocate(capacity, 64));
  }

  /** Wraps existing native memory. */
  public static PacketBuffer wrap(MemorySegment nativeSegment) {
    if (!nativeSegment.isNative()) {
      throw new IllegalArgumentException("PacketBuffer needs native memory");
    }
    return new PacketBuffer(nativeSegment);
  }

  /** The memory as a segment. */
  public MemorySegment segment() {
    return segment;
  }

  /** The native address of byte 0. */
  public long address() {
    return address;
  }

  /** The memory as an Agrona buffer (network byte order is the caller's choice per access). */
  public UnsafeBuffer buffer() {
    return buffer;
  }

  /**
   * The memory as a direct ByteBuffer, big-endian. Its position and limit are scratch state: any
   * user sets them before use.
   */
  public ByteBuffer byteBuffer() {
    return byteBuffer;
  }

  /** Size in bytes. */
  public int capacity() {
    return buffer.capacity();
  }
}
