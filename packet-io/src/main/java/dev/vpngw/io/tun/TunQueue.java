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
 * <p>The TUN driver has no batched read or write (short of the vnet header with GSO), so the batch
 * methods loop single calls until the fd runs dry or the batch is full; the per-packet cost is one
 * syscall and no allocation.
 */
public final class TunQueue {
  private final int fd;
  private final int index;

  TunQueue(int fd, int index) {
    this.fd = fd;
    this.index = index;
  }

  /**
   * Reads one packet into {@code buffer} at {@code offset}, at most {@code max} bytes, and returns
   * its length; 0 when no packet is waiting. A packet longer than {@code max} is cut to {@code max}
   * and its tail lost, so {@code max} should be at least the device MTU.
   */
  public int read(PacketBuffer buffer, int offset, int max) throws NativeIOException {
    return LibC.read(fd, buffer.address() + offset, max);
  }

  /**
   * Reads packets into the batch's slots (at its headroom) until none is waiting or the batch is
   * full; sets each slot's offset and length and the batch's count, and returns the count.
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
   * take it now. The packet must be a well-formed IPv4 or IPv6 packet: the driver picks the
   * protocol from the version nibble and fails anything else with EINVAL.
   */
  public boolean write(PacketBuffer buffer, int offset, int length) throws NativeIOException {
    return LibC.write(fd, buffer.address() + offset, length) > 0;
  }

  /**
   * Writes slots {@code from .. from + count - 1} of {@code batch}, one packet each, and returns
   * how many were written before the queue refused one (the caller retries the rest later).
   */
  public int writeBatch(PacketBatch batch, int from, int count) throws NativeIOException {
    int written = 0;
    while (written < count) {
      int i = from + written;
      if (LibC.write(fd, batch.dataAddress(i), batch.length(i)) == 0) {
        break;
      }
      written++;
    }
    return written;
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
