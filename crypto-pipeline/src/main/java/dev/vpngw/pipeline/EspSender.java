package dev.vpngw.pipeline;

import static dev.vpngw.pipeline.RingMessages.PEER_ADDRESS_OFFSET;
import static dev.vpngw.pipeline.RingMessages.PEER_FAMILY_OFFSET;
import static dev.vpngw.pipeline.RingMessages.PEER_LENGTH;
import static dev.vpngw.pipeline.RingMessages.PEER_PORT_OFFSET;

import dev.vpngw.counters.OffloadCounters;
import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.io.batch.PacketBatch;
import dev.vpngw.io.raw.RawIpSocket;
import dev.vpngw.io.sys.Errno;
import dev.vpngw.io.sys.NativeIOException;
import dev.vpngw.io.udp.UdpSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import org.agrona.MutableDirectBuffer;

/**
 * One outgoing WAN socket of the transmit agent and the batch that fills for it: ESP packets from
 * the workers' rings are copied into the batch and go out with one {@code sendmmsg} per batch.
 *
 * <p>On a UDP socket with {@linkplain UdpSocket#segmentation() segmentation}, consecutive ESP
 * packets to the same peer share one slot, back to back, as long as each is no longer than the
 * first (the last may be shorter: then the run ends), and the slot goes out as one message with a
 * {@code UDP_SEGMENT} control message of the first one's length: the kernel builds and routes one
 * 64 KiB packet and cuts it into the datagrams at the last moment (or the receiver takes it whole,
 * with {@code UDP_GRO}), instead of doing all of that once per datagram. A full-sized TCP flow's
 * ESP packets are all the same length, so a run is as long as the ring delivers them in a row.
 * Should the kernel refuse a segmented send (EINVAL, EIO, EMSGSIZE: say a WAN MTU below what the
 * configuration promised), its datagrams are dropped and counted, and the sender goes on without
 * segmentation for good.
 */
final class EspSender {
  private static final int BATCH = 32;

  /** Slots of a segmenting batch: each may hold a whole run. */
  private static final int SEGMENTED_BATCH = 16;

  /** Bytes per slot of a segmenting batch. */
  private static final int SEGMENTED_SLOT = 65_536;

  /** The most datagrams one UDP_SEGMENT send may carry ({@code UDP_MAX_SEGMENTS}, 64 or more). */
  static final int MAX_SEGMENTS = 64;

  /** The most bytes one segmented send carries: 65,535 less the IPv4 and UDP headers. */
  static final int MAX_SEGMENTED_BYTES = 65_507;

  private final UdpSocket udp;
  private final RawIpSocket raw;
  private final AgentCounters counters;
  private final OffloadCounters segmented;
  private final PacketBatch batch;
  private final int[] datagrams;
  private boolean segmenting;

  // The peer and datagram size of the run in the last slot, while it may grow.
  private boolean open;
  private int openFamily;
  private int openPort;
  private long openAddressHigh;
  private long openAddressLow;
  private int segmentSize;

  /**
   * A sender on {@code udp} or on {@code raw} (the other null), counting its drops in {@code
   * counters} and its segmented sends in {@code segmented}.
   */
  EspSender(
      Arena arena,
      UdpSocket udp,
      RawIpSocket raw,
      AgentCounters counters,
      OffloadCounters segmented) {
    this.udp = udp;
    this.raw = raw;
    this.counters = counters;
    this.segmented = segmented;
    this.segmenting = udp != null && udp.segmentation();
    this.batch =
        segmenting
            ? new PacketBatch(arena, SEGMENTED_BATCH, SEGMENTED_SLOT, 0, true)
            : new PacketBatch(arena, BATCH, TxAgent.SLOT, 0);
    this.datagrams = new int[batch.capacity()];
  }

  /** Whether ESP waits in the batch. */
  boolean pending() {
    return batch.count() > 0;
  }

  /** Takes the ESP_OUT message at {@code index} (peer, then ESP) of {@code length} bytes. */
  void add(MutableDirectBuffer ring, int index, int length) throws IOException {
    int espLength = length - PEER_LENGTH;
    if (espLength > TxAgent.SLOT) {
      counters.drop(PipelineDropReason.TX_FAILED);
      return;
    }
    if (open && continuesRun(ring, index, espLength)) {
      int slot = batch.count() - 1;
      int used = batch.length(slot);
      batch
          .buffer()
          .buffer()
          .putBytes(batch.dataOffset(slot) + used, ring, index + PEER_LENGTH, espLength);
      batch.length(slot, used + espLength);
      datagrams[slot]++;
      open =
          espLength == segmentSize
              && datagrams[slot] < MAX_SEGMENTS
              && used + espLength + segmentSize <= MAX_SEGMENTED_BYTES;
      return;
    }
    if (batch.count() == batch.capacity()) {
      flush();
    }
    int slot = batch.count();
    int family = ring.getInt(index + PEER_FAMILY_OFFSET);
    int port = ring.getInt(index + PEER_PORT_OFFSET);
    batch.peer(slot, ring, index + PEER_ADDRESS_OFFSET, family == 4 ? 4 : 16, port);
    batch.offset(slot, 0).length(slot, espLength);
    batch.buffer().buffer().putBytes(batch.dataOffset(slot), ring, index + PEER_LENGTH, espLength);
    batch.count(slot + 1);
    datagrams[slot] = 1;
    if (batch.hasSegments()) {
      batch.segmentSize(slot, espLength);
    }
    if (segmenting) {
      open = true;
      openFamily = family;
      openPort = port;
      openAddressHigh = addressHigh(ring, index, family);
      openAddressLow = addressLow(ring, index, family);
      segmentSize = espLength;
    } else if (slot + 1 == batch.capacity()) {
      flush();
    }
  }

  /** Whether the ESP packet may join the run in the last slot: same peer, no longer, room left. */
  private boolean continuesRun(MutableDirectBuffer ring, int index, int espLength) {
    int family = ring.getInt(index + PEER_FAMILY_OFFSET);
    return espLength <= segmentSize
        && family == openFamily
        && ring.getInt(index + PEER_PORT_OFFSET) == openPort
        && addressHigh(ring, index, family) == openAddressHigh
        && addressLow(ring, index, family) == openAddressLow;
  }

  /**
   * The first 8 bytes of the peer address, or the 4 of an IPv4 one: the rest of the ring's 16-byte
   * field behind an IPv4 address is whatever the ring held before.
   */
  private static long addressHigh(MutableDirectBuffer ring, int index, int family) {
    return family == 4
        ? ring.getInt(index + PEER_ADDRESS_OFFSET)
        : ring.getLong(index + PEER_ADDRESS_OFFSET);
  }

  /** The last 8 bytes of an IPv6 peer address; 0 for IPv4. */
  private static long addressLow(MutableDirectBuffer ring, int index, int family) {
    return family == 4 ? 0 : ring.getLong(index + PEER_ADDRESS_OFFSET + 8);
  }

  /**
   * Sends everything in the batch. What the socket does not take (its buffer full) or refuses is
   * dropped and counted per datagram, rather than stalling the rings.
   */
  void flush() throws IOException {
    open = false;
    int count = batch.count();
    if (count == 0) {
      return;
    }
    if (batch.hasSegments()) {
      for (int i = 0; i < count; i++) {
        if (datagrams[i] == 1) {
          batch.segmentSize(i, 0); // a lone datagram needs no UDP_SEGMENT
        }
      }
    }
    int sent = 0;
    while (sent < count) {
      int n;
      try {
        n = udp != null ? udp.send(batch, sent, count - sent) : raw.send(batch, sent, count - sent);
      } catch (IOException e) {
        // The kernel reports an error for the first message only: drop it and go on.
        counters.pipeline().drop(PipelineDropReason.TX_FAILED, datagrams[sent]);
        if (datagrams[sent] > 1 && refusesSegments(e)) {
          segmenting = false;
        }
        n = 1;
      }
      if (n == 0) {
        // Socket buffer full: what is left is dropped rather than stalling the ring.
        for (int i = sent; i < count; i++) {
          counters.pipeline().drop(PipelineDropReason.TX_FAILED, datagrams[i]);
        }
        break;
      }
      for (int i = sent; i < sent + n; i++) {
        if (datagrams[i] > 1) {
          segmented.add(datagrams[i]);
        }
      }
      sent += n;
    }
    batch.count(0);
  }

  private static boolean refusesSegments(IOException e) {
    if (!(e instanceof NativeIOException n)) {
      return false;
    }
    return n.errno() == Errno.EINVAL || n.errno() == Errno.EIO || n.errno() == Errno.EMSGSIZE;
  }
}
