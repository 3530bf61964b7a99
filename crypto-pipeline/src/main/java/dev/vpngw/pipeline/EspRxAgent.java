package dev.vpngw.pipeline;

import static dev.vpngw.pipeline.RingMessages.CONTROL_HEADER_LENGTH;
import static dev.vpngw.pipeline.RingMessages.CONTROL_IN;
import static dev.vpngw.pipeline.RingMessages.INBOUND_ESP;
import static dev.vpngw.pipeline.RingMessages.LOCAL_PORT_OFFSET;
import static dev.vpngw.pipeline.RingMessages.PEER_ADDRESS_OFFSET;
import static dev.vpngw.pipeline.RingMessages.PEER_FAMILY_OFFSET;
import static dev.vpngw.pipeline.RingMessages.PEER_LENGTH;
import static dev.vpngw.pipeline.RingMessages.PEER_PORT_OFFSET;
import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.counters.OffloadCounters;
import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.esp.DropReason;
import dev.vpngw.esp.UdpEncapsulation;
import dev.vpngw.io.batch.PacketBatch;
import dev.vpngw.io.raw.RawIpSocket;
import dev.vpngw.io.udp.UdpSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.function.Supplier;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Receives ESP from the WAN in batches (one {@code recvmmsg} per duty cycle) from a UDP socket on
 * port 4500 (RFC 3948: ESP, NAT-keepalives and IKE behind the non-ESP marker share the port) or a
 * raw IP protocol 50 socket, and hands each ESP packet to the crypto worker that owns its SPI.
 *
 * <p>On the UDP socket, an IKE message (RFC 3948 2.2) is copied, marker stripped, with its sender
 * and our local port into the control ring, which the IKE thread drains through {@link
 * Dataplane#pollControl}; a NAT-keepalive (2.3) is counted and consumed. A socket with {@linkplain
 * UdpSocket#segmentation() segmentation} may hand over several datagrams of one sender in one slot
 * (UDP_GRO); they are cut apart at the size the kernel reports and each goes its own way.
 */
final class EspRxAgent implements Agent {
  private static final int BATCH = 32;

  /** Slot size on a socket with UDP_GRO: the largest coalesced receive. */
  private static final int COALESCED_SLOT = 65_536;

  private final String name;
  private final UdpSocket udp;
  private final RawIpSocket raw;
  private final Supplier<RoutingState> routing;
  private final RingBuffer[] workerInboxes;
  private final RingBuffer controlRing;
  private final AgentCounters counters;
  private final OffloadCounters coalesced;
  private final Arena arena = Arena.ofShared();
  private final PacketBatch batch;

  private EspRxAgent(
      String name,
      UdpSocket udp,
      RawIpSocket raw,
      Supplier<RoutingState> routing,
      RingBuffer[] workerInboxes,
      RingBuffer controlRing,
      AgentCounters counters,
      OffloadCounters coalesced) {
    this.name = name;
    this.udp = udp;
    this.raw = raw;
    this.routing = routing;
    this.workerInboxes = workerInboxes;
    this.controlRing = controlRing;
    this.counters = counters;
    this.coalesced = coalesced;
    // With UDP_GRO a receive may hold up to 64 KiB of coalesced datagrams: slots to match.
    this.batch =
        udp != null && udp.segmentation()
            ? new PacketBatch(arena, BATCH, COALESCED_SLOT, 0, true)
            : new PacketBatch(arena, BATCH, TxAgent.SLOT, 0);
  }

  /**
   * An agent over a UDP socket bound to the NAT-T port, punting IKE into {@code controlRing} (a
   * many-to-one ring: the IPv4 and IPv6 agents share it).
   */
  static EspRxAgent udp(
      UdpSocket socket,
      Supplier<RoutingState> routing,
      RingBuffer[] workerInboxes,
      RingBuffer controlRing,
      AgentCounters counters,
      OffloadCounters coalesced) {
    return new EspRxAgent(
        "esp-rx-udp" + (socket.isIpv6() ? "6" : "4"),
        socket,
        null,
        routing,
        workerInboxes,
        controlRing,
        counters,
        coalesced);
  }

  /** An agent over a raw IP protocol 50 socket. */
  static EspRxAgent raw(
      RawIpSocket socket,
      Supplier<RoutingState> routing,
      RingBuffer[] workerInboxes,
      AgentCounters counters) {
    return new EspRxAgent(
        "esp-rx-raw" + (socket.isIpv6() ? "6" : "4"),
        null,
        socket,
        routing,
        workerInboxes,
        null,
        counters,
        null);
  }

  @Override
  public String roleName() {
    return name;
  }

  @Override
  public int doWork() throws IOException {
    int n = udp != null ? udp.receive(batch) : raw.receive(batch);
    if (n == 0) {
      return 0;
    }
    RoutingState state = routing.get();
    UnsafeBuffer b = batch.buffer().buffer();
    for (int i = 0; i < n; i++) {
      int offset = batch.dataOffset(i);
      int length = batch.length(i);
      if (batch.truncated(i)) {
        counters.esp().drop(DropReason.TRUNCATED);
        continue;
      }
      int segment = batch.segmentSize(i);
      if (segment > 0 && length > segment) {
        // UDP_GRO: datagrams of one sender back to back, all but the last of this size.
        coalesced.add((length + segment - 1) / segment);
        for (int at = 0; at < length; at += segment) {
          datagram(state, b, i, offset + at, Math.min(segment, length - at));
        }
        continue;
      }
      datagram(state, b, i, offset, length);
    }
    return n;
  }

  /** One datagram (or raw packet) of slot {@code i}: classified and handed on. */
  private void datagram(RoutingState state, UnsafeBuffer b, int i, int offset, int length) {
    if (raw != null && raw.deliversIpHeader()) {
      // IPv4 raw sockets hand over the IP header; ESP starts after it (IHL words).
      int headerLength = (b.getByte(offset) & 0x0f) * 4;
      if (headerLength < 20 || headerLength > length) {
        counters.esp().drop(DropReason.MALFORMED_HEADER);
        return;
      }
      offset += headerLength;
      length -= headerLength;
    } else if (udp != null) {
      UdpEncapsulation.PayloadType type = UdpEncapsulation.classify(b, offset, length);
      if (type == UdpEncapsulation.PayloadType.IKE) {
        punt(i, b, offset, length);
        return;
      }
      if (type != UdpEncapsulation.PayloadType.ESP) {
        counters.esp().drop(reasonFor(type));
        return;
      }
    }
    if (length < 8) {
      counters.esp().drop(DropReason.TRUNCATED);
      return;
    }
    int worker = state.workerForSpi(b.getInt(offset, BIG_ENDIAN));
    if (worker < 0) {
      counters.esp().drop(DropReason.UNKNOWN_SPI);
      return;
    }
    handOff(workerInboxes[worker], i, b, offset, length);
  }

  private static DropReason reasonFor(UdpEncapsulation.PayloadType type) {
    return switch (type) {
      case NAT_KEEPALIVE -> DropReason.NAT_KEEPALIVE;
      case MALFORMED, ESP, IKE -> DropReason.TRUNCATED;
    };
  }

  /** Copies an IKE message, without its non-ESP marker, into the control ring. */
  private void punt(int slot, UnsafeBuffer b, int offset, int length) {
    int ikeLength = length - UdpEncapsulation.NON_ESP_MARKER_LENGTH;
    int claim = controlRing.tryClaim(CONTROL_IN, CONTROL_HEADER_LENGTH + ikeLength);
    if (claim < 0) {
      counters.drop(PipelineDropReason.CONTROL_RING_FULL);
      return;
    }
    MutableDirectBuffer ring = controlRing.buffer();
    putPeer(slot, ring, claim);
    ring.putInt(claim + LOCAL_PORT_OFFSET, udp.localPort());
    ring.putBytes(
        claim + CONTROL_HEADER_LENGTH,
        b,
        offset + UdpEncapsulation.NON_ESP_MARKER_LENGTH,
        ikeLength);
    controlRing.commit(claim);
  }

  private void putPeer(int slot, MutableDirectBuffer ring, int offset) {
    ring.putInt(offset + PEER_FAMILY_OFFSET, batch.isIpv6(slot) ? 6 : 4);
    ring.putInt(offset + PEER_PORT_OFFSET, batch.port(slot));
    batch.peerAddress(slot, ring, offset + PEER_ADDRESS_OFFSET);
  }

  private void handOff(RingBuffer inbox, int slot, UnsafeBuffer b, int offset, int length) {
    int claim = inbox.tryClaim(INBOUND_ESP, PEER_LENGTH + length);
    if (claim < 0) {
      counters.drop(PipelineDropReason.RING_FULL);
      return;
    }
    MutableDirectBuffer ring = inbox.buffer();
    putPeer(slot, ring, claim);
    ring.putBytes(claim + PEER_LENGTH, b, offset, length);
    inbox.commit(claim);
  }

  @Override
  public void onClose() {
    arena.close();
  }
}
