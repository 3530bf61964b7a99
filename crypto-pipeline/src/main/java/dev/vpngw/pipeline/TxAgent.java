package dev.vpngw.pipeline;

import static dev.vpngw.pipeline.RingMessages.ESP_OUT;
import static dev.vpngw.pipeline.RingMessages.PEER_FAMILY_OFFSET;
import static dev.vpngw.pipeline.RingMessages.PEER_PORT_OFFSET;
import static dev.vpngw.pipeline.RingMessages.TUN_OUT;

import dev.vpngw.counters.OffloadCounters;
import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.raw.RawIpSocket;
import dev.vpngw.io.tun.TunQueue;
import dev.vpngw.io.udp.UdpSocket;
import dev.vpngw.packet.TcpCoalescer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Drains the crypto workers' output rings: ESP goes out in batches (one {@code sendmmsg} per batch,
 * see {@link EspSender}) on the UDP socket of its family, or on a raw protocol 50 socket for plain
 * ESP; decrypted inner packets are written to the TUN device for the kernel to route into the
 * virtual network.
 *
 * <p>On a TUN device with offloads, consecutive in-order segments of one TCP flow are coalesced by
 * a {@link TcpCoalescer} into one GSO write (receive offload, as a NIC's GRO): the kernel then
 * forwards them as one packet. A run ends at the first packet that does not continue it, and at the
 * end of each duty cycle, so nothing waits for more and the packets' order is kept.
 */
final class TxAgent implements Agent {
  /** Slot size of a send batch: the largest ESP packet a 9000-byte WAN MTU allows, and more. */
  static final int SLOT = 9216;

  private static final int MESSAGES_PER_RING = 64;

  /**
   * Where an inner packet goes in the TUN write buffer: a device with offloads needs the bytes
   * before it for the (zero) vnet header that every write then starts with.
   */
  private static final int INNER_AT = 16;

  private final RingBuffer[] workerOutboxes;
  private final TunQueue tun;
  private final EspSender[] senders; // udp4, udp6, raw4, raw6; absent ones null
  private final AgentCounters counters;
  private final OffloadCounters tunGro;
  private final Arena arena = Arena.ofShared();
  private final PacketBuffer inner;

  /** Where coalesced TCP runs are built; null without TUN offloads. */
  private final PacketBuffer coalesced;

  private final TcpCoalescer coalescer;
  private final MessageHandler onMessage = this::onMessage;

  TxAgent(
      RingBuffer[] workerOutboxes,
      TunQueue tun,
      UdpSocket udp4,
      UdpSocket udp6,
      RawIpSocket raw4,
      RawIpSocket raw6,
      AgentCounters counters,
      OffloadCounters tunGro,
      OffloadCounters wanGso) {
    this.workerOutboxes = workerOutboxes;
    this.tun = tun;
    this.counters = counters;
    this.tunGro = tunGro;
    this.inner = PacketBuffer.allocate(arena, INNER_AT + 65_536);
    if (tun != null && tun.vnetHeaderLength() != 0) {
      coalesced = PacketBuffer.allocate(arena, INNER_AT + 65_536);
      coalescer = new TcpCoalescer(coalesced.buffer(), INNER_AT, 65_536);
    } else {
      coalesced = null;
      coalescer = null;
    }
    this.senders =
        new EspSender[] {
          udp4 == null ? null : new EspSender(arena, udp4, null, counters, wanGso),
          udp6 == null ? null : new EspSender(arena, udp6, null, counters, wanGso),
          raw4 == null ? null : new EspSender(arena, null, raw4, counters, wanGso),
          raw6 == null ? null : new EspSender(arena, null, raw6, counters, wanGso)
        };
  }

  @Override
  public String roleName() {
    return "tx";
  }

  /**
   * Whether anything waits for this agent: a message in a worker's outbox, or ESP a sender could
   * not hand to its socket yet. Read by its own thread's idle strategy before it sleeps.
   */
  boolean hasBacklog() {
    for (RingBuffer outbox : workerOutboxes) {
      if (outbox.size() > 0) {
        return true;
      }
    }
    for (EspSender s : senders) {
      if (s != null && s.pending()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int doWork() throws IOException {
    int work = 0;
    try {
      for (RingBuffer outbox : workerOutboxes) {
        work += outbox.read(onMessage, MESSAGES_PER_RING);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    flushCoalesced();
    for (EspSender s : senders) {
      if (s != null && s.pending()) {
        s.flush();
      }
    }
    return work;
  }

  private void onMessage(int type, MutableDirectBuffer ring, int index, int length) {
    try {
      if (type == ESP_OUT) {
        boolean v6 = ring.getInt(index + PEER_FAMILY_OFFSET) == 6;
        boolean udp = ring.getInt(index + PEER_PORT_OFFSET) != 0;
        EspSender s = senders[(udp ? 0 : 2) + (v6 ? 1 : 0)];
        if (s == null) {
          counters.drop(PipelineDropReason.TX_FAILED);
          return;
        }
        s.add(ring, index, length);
      } else if (type == TUN_OUT) {
        toTun((UnsafeBuffer) ring, index, length);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An inner packet for the TUN: into the pending TCP run if it continues it, else written. */
  private void toTun(UnsafeBuffer ring, int index, int length) {
    if (coalescer != null) {
      if (coalescer.append(ring, index, length)) {
        return;
      }
      flushCoalesced();
      if (coalescer.start(ring, index, length)) {
        return;
      }
    }
    inner.buffer().putBytes(INNER_AT, ring, index, length);
    if (!writeToTun(length)) {
      counters.drop(PipelineDropReason.TX_FAILED);
    }
  }

  /** Writes the pending TCP run, if any: one GSO frame, or the lone segment as it came. */
  private void flushCoalesced() {
    if (coalescer == null || coalescer.isEmpty()) {
      return;
    }
    int segments = coalescer.segments();
    int frame = coalescer.finish();
    boolean written;
    try {
      written = tun.writeFrame(coalesced, coalescer.frameOffset(), frame);
    } catch (IOException e) {
      written = false;
    }
    if (!written) {
      counters.pipeline().drop(PipelineDropReason.TX_FAILED, segments);
    } else if (segments > 1) {
      tunGro.add(segments);
    }
  }

  /**
   * A TUN write that fails (device down: EIO) is a counted drop, not an agent error; so is a packet
   * for a dataplane without a TUN device.
   */
  private boolean writeToTun(int length) {
    if (tun == null) {
      return false;
    }
    try {
      return tun.write(inner, INNER_AT, length);
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void onClose() {
    arena.close();
  }
}
