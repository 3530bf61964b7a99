package dev.vpngw.io.tun;

import dev.vpngw.io.batch.PacketBatch;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.sys.NativeIOException;

/**
 * One queue of a {@link TunDevice}: a non-blocking fd on which each {@code read} returns one IP
 * packet the kernel routed into the device and each {@code write} injects one IP packet as if it
 * had arrived on the interface. Owned by one thread; closed with its device.
 *
 * <p>The TUN driver has no batched read or write, so the batch methods loop single calls until the
 * fd runs dry or the batch is full; the per-packet cost is one syscall and no allocation. What
 * batches instead is the device's offload ({@link TunDevice#offloads()}): then every frame read or
 * written starts with a {@link VirtioNetHeader} ({@link #vnetHeaderLength()} bytes), and one read
 * may carry a whole TCP super-packet.
 */
public final class TunQueue {
  private final int fd;
  private final int index;
  private final int vnetHeaderLength;

  TunQueue(int fd, int index, int vnetHeaderLength) {
    this.fd = fd;
    this.index = index;
    this.vnetHeaderLength = vnetHeaderLength;
  }

  /**
   * Reads one frame into {@code buffer} at {@code offset}, at most {@code max} bytes, and returns
   * its length; 0 when no packet is waiting. The frame is the IP packet, behind a {@link
   * VirtioNetHeader} when the device has offloads. A frame longer than {@code max} is cut to {@code
   * max} and its tail lost, so {@code max} should be at least the device MTU (with offloads: 64 KiB
   * and the header).
   */
  public int read(PacketBuffer buffer, int offset, int max) throws NativeIOException {
    return LibC.read(fd, buffer.address() + offset, max);
  }

  /**
   * Reads frames (as {@link #read}) into the batch's slots (at its headroom) until none is waiting
   * or the batch is full; sets each slot's offset and length and the batch's count, and returns the
   * count.
   */
  public int readBatch(PacketBatch batch) throws NativeIOException {
    int capacity = batch.capacity();
    int max = batch.receiveCapacity();
    int headroom = batch.headroom();
    int n = 0;
    while (n < capacity) {
      batch.offset(n, headroom);
      int length = LibC.read(fd, batch.dataAddress(n), max);
      if (length == 0) {
        break;
      }
      batch.length(n, length);
      n++;
    }
    batch.count(n);
    return n;
  }

  /**
   * Writes one IP packet of {@code length} bytes at {@code offset}; false when the queue cannot
   * take it now. The packet must be a well-formed IPv4 or IPv6 packet with complete checksums: the
   * driver picks the protocol from the version nibble and fails anything else with EINVAL. With
   * offloads, a zero {@link VirtioNetHeader} (no GSO, checksum done) is written into the {@link
   * #vnetHeaderLength()} bytes before {@code offset}, which the caller leaves free for it.
   */
  public boolean write(PacketBuffer buffer, int offset, int length) throws NativeIOException {
    long address = buffer.address() + offset;
    if (vnetHeaderLength != 0) {
      address = zeroHeaderBefore(buffer, offset);
    }
    return LibC.write(fd, address, vnetHeaderLength + length) > 0;
  }

  /**
   * Writes one frame as it stands: a {@link VirtioNetHeader} the caller filled in (a GSO
   * super-packet, a partial checksum) and the packet behind it, {@code length} bytes in all from
   * {@code offset}; false when the queue cannot take it now. Only for a device with offloads.
   *
   * @throws IllegalStateException on a queue without the vnet header
   */
  public boolean writeFrame(PacketBuffer buffer, int offset, int length) throws NativeIOException {
    if (vnetHeaderLength == 0) {
      throw new IllegalStateException("queue " + index + " has no vnet header");
    }
    return LibC.write(fd, buffer.address() + offset, length) > 0;
  }

  /**
   * Writes slots {@code from .. from + count - 1} of {@code batch}, one packet each (as {@link
   * #write}: with offloads each slot's offset leaves room for the header), and returns how many
   * were written before the queue refused one (the caller retries the rest later).
   */
  public int writeBatch(PacketBatch batch, int from, int count) throws NativeIOException {
    int written = 0;
    while (written < count) {
      int i = from + written;
      if (!write(batch.buffer(), batch.dataOffset(i), batch.length(i))) {
        break;
      }
      written++;
    }
    return written;
  }

  private long zeroHeaderBefore(PacketBuffer buffer, int offset) {
    int at = offset - vnetHeaderLength;
    if (at < 0) {
      throw new IllegalArgumentException(
          "a write needs " + vnetHeaderLength + " free bytes before the packet, offset " + offset);
    }
    buffer.buffer().setMemory(at, vnetHeaderLength, (byte) 0);
    return buffer.address() + at;
  }

  /** Bytes of {@link VirtioNetHeader} in front of every frame: 0, or 10 with offloads. */
  public int vnetHeaderLength() {
    return vnetHeaderLength;
  }

  /** The fd, for a {@link dev.vpngw.io.sys.Poller}. */
  public int fd() {
    return fd;
  }

  /** This queue's index in its device. */
  public int index() {
    return index;
  }
}
