package dev.vpngw.pipeline;

import static dev.vpngw.pipeline.RingMessages.GENERATION_OFFSET;
import static dev.vpngw.pipeline.RingMessages.OUTBOUND_HEADER_LENGTH;
import static dev.vpngw.pipeline.RingMessages.OUTBOUND_PLAIN;
import static dev.vpngw.pipeline.RingMessages.TUNNEL_ID_OFFSET;

import dev.vpngw.counters.OffloadCounters;
import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.fib.Fib;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.tun.TunQueue;
import dev.vpngw.io.tun.VirtioNetHeader;
import dev.vpngw.packet.GsoSegmenter;
import dev.vpngw.packet.IcmpErrors;
import dev.vpngw.packet.IcmpRateLimiter;
import dev.vpngw.packet.Ipv4Header;
import dev.vpngw.packet.TcpMssClamp;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.function.Supplier;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Reads inner packets the kernel routed into the TUN device (one queue), and for each: finds its
 * tunnel by longest-prefix match on the destination, enforces the tunnel MTU (a DF packet that does
 * not fit gets ICMP "fragmentation needed" / "packet too big" back through the TUN, rate-limited),
 * clamps the MSS of TCP SYNs, and hands the packet to the crypto worker that owns the tunnel.
 *
 * <p>On a device with offloads ({@link TunQueue#vnetHeaderLength()} non-zero) each read starts with
 * a {@link VirtioNetHeader}. A GSO super-packet (up to 64 KiB of one TCP or UDP flow) is routed
 * once and cut by {@link GsoSegmenter} straight into the owner's inbox, segment by segment, each
 * complete with its headers and checksums, before any other check sees it; a plain packet whose
 * checksum the kernel left partial has it finished first. So everything after this agent sees the
 * same packets as without offloads, and the kernel hands over dozens of them per read.
 */
final class TunRxAgent implements Agent {
  private static final int PACKETS_PER_DUTY_CYCLE = 64;

  /**
   * Where the IP packet starts in the read buffer: room before it for the vnet header, which is
   * read in front of it.
   */
  private static final int PACKET_AT = 48;

  /** Where an ICMP error starts in its buffer: room before it for the vnet header of its write. */
  private static final int ICMP_AT = 16;

  /** The largest IP packet a read carries: a GSO super-packet of 64 KiB. */
  private static final int MAX_PACKET = 65_536;

  /** The DF flag in the IPv4 flags-and-fragment-offset field (RFC 791). */
  private static final int DONT_FRAGMENT = 0x4000;

  /** IPv6's minimum link MTU (RFC 8200 5): no Packet Too Big may announce less. */
  private static final int IPV6_MIN_MTU = 1280;

  private final TunQueue queue;
  private final Supplier<RoutingState> routing;
  private final RingBuffer[] workerInboxes;
  private final AgentCounters counters;
  private final OffloadCounters offload;
  private final IcmpRateLimiter icmpLimiter;
  private final int gatewayIpv4;
  private final byte[] gatewayIpv6;
  private final Arena arena = Arena.ofShared();
  private final PacketBuffer packet;
  private final PacketBuffer icmp;
  private final Ipv4Header ipv4 = new Ipv4Header();
  private final int vnetHeaderLength;
  private final VirtioNetHeader vnet = new VirtioNetHeader();
  private final GsoSegmenter segmenter = new GsoSegmenter();

  /** Where a segment too big for its tunnel is written to be quoted by an ICMP error. */
  private final PacketBuffer oversized;

  TunRxAgent(
      TunQueue queue,
      Supplier<RoutingState> routing,
      RingBuffer[] workerInboxes,
      AgentCounters counters,
      OffloadCounters offload,
      IcmpRateLimiter icmpLimiter,
      int gatewayIpv4,
      byte[] gatewayIpv6) {
    this.queue = queue;
    this.routing = routing;
    this.workerInboxes = workerInboxes;
    this.counters = counters;
    this.offload = offload;
    this.icmpLimiter = icmpLimiter;
    this.gatewayIpv4 = gatewayIpv4;
    this.gatewayIpv6 = gatewayIpv6;
    this.vnetHeaderLength = queue.vnetHeaderLength();
    this.packet = PacketBuffer.allocate(arena, PACKET_AT + MAX_PACKET);
    this.icmp = PacketBuffer.allocate(arena, ICMP_AT + 2048);
    this.oversized = vnetHeaderLength == 0 ? null : PacketBuffer.allocate(arena, MAX_PACKET);
    vnet.wrap(packet.buffer(), PACKET_AT - vnetHeaderLength);
  }

  @Override
  public String roleName() {
    return "tun-rx-" + queue.index();
  }

  @Override
  public int doWork() throws IOException {
    RoutingState state = routing.get();
    int packets = 0;
    int frameAt = PACKET_AT - vnetHeaderLength;
    while (packets < PACKETS_PER_DUTY_CYCLE) {
      int frame = queue.read(packet, frameAt, packet.capacity() - frameAt);
      if (frame <= 0) {
        break;
      }
      packets++;
      if (vnetHeaderLength == 0) {
        route(state, frame);
      } else {
        offloaded(state, frame - vnetHeaderLength);
      }
    }
    return packets;
  }

  /** A frame from a device with offloads: the vnet header says what is left to do. */
  private void offloaded(RoutingState state, int length) throws IOException {
    if (length <= 0) {
      counters.drop(PipelineDropReason.NOT_IP);
      return;
    }
    UnsafeBuffer b = packet.buffer();
    int gsoType = vnet.gsoType();
    if (gsoType != VirtioNetHeader.GSO_NONE) {
      routeSuperPacket(state, length, gsoType);
      return;
    }
    if ((vnet.flags() & VirtioNetHeader.FLAG_NEEDS_CSUM) != 0
        && !GsoSegmenter.completeChecksum(
            b, PACKET_AT, length, vnet.csumStart(), vnet.csumOffset())) {
      counters.drop(PipelineDropReason.BAD_OFFLOAD);
      return;
    }
    route(state, length);
  }

  /**
   * Routes a super-packet once (its segments share the destination) and cuts it into the owner's
   * inbox. A SYN never comes as a super-packet, so there is no MSS to clamp.
   */
  private void routeSuperPacket(RoutingState state, int length, int gsoType) throws IOException {
    UnsafeBuffer b = packet.buffer();
    int segments =
        segmenter.prepare(b, PACKET_AT, length, gsoType, vnet.gsoSize(), vnet.csumStart());
    if (segments == GsoSegmenter.MALFORMED) {
      counters.drop(PipelineDropReason.BAD_OFFLOAD);
      return;
    }
    offload.add(segments);
    int tunnelId = state.fib.lookupDestination(b, PACKET_AT, length);
    if (tunnelId != Fib.NO_ROUTE) {
      tunnelId = state.outboundTunnel(tunnelId, b, PACKET_AT, length);
    }
    TunnelInfo tunnel = tunnelId == Fib.NO_ROUTE ? null : state.tunnel(tunnelId);
    if (tunnel == null) {
      counters.pipeline().drop(PipelineDropReason.NO_ROUTE, segments);
      return;
    }
    if (segmenter.maxSegmentLength() > tunnel.mtu()) {
      // Only a route wider than the tunnel lets the kernel send such segments; the first (the
      // largest) is what the ICMP error quotes, and the others go the same way.
      int first = segmenter.writeSegment(0, oversized.buffer(), 0);
      int version = (b.getByte(PACKET_AT) & 0xf0) >>> 4;
      tooBig(oversized.buffer(), 0, first, tunnel.mtu(), version);
      counters.pipeline().drop(PipelineDropReason.TOO_BIG, segments - 1);
      return;
    }
    RingBuffer inbox = workerInboxes[tunnel.worker()];
    UnsafeBuffer ring = (UnsafeBuffer) inbox.buffer();
    int generation = state.generation(tunnelId);
    for (int i = 0; i < segments; i++) {
      int claim =
          inbox.tryClaim(OUTBOUND_PLAIN, OUTBOUND_HEADER_LENGTH + segmenter.segmentLength(i));
      if (claim < 0) {
        counters.pipeline().drop(PipelineDropReason.RING_FULL, segments - i);
        return;
      }
      ring.putInt(claim + TUNNEL_ID_OFFSET, tunnelId);
      ring.putInt(claim + GENERATION_OFFSET, generation);
      segmenter.writeSegment(i, ring, claim + OUTBOUND_HEADER_LENGTH);
      inbox.commit(claim);
    }
  }

  @Override
  public void onClose() {
    arena.close();
  }

  private void route(RoutingState state, int length) throws IOException {
    UnsafeBuffer b = packet.buffer();
    int version = (b.getByte(PACKET_AT) & 0xf0) >>> 4;
    if (version != 4 && version != 6) {
      counters.drop(PipelineDropReason.NOT_IP);
      return;
    }
    int tunnelId = state.fib.lookupDestination(b, PACKET_AT, length);
    if (tunnelId != Fib.NO_ROUTE) {
      tunnelId = state.outboundTunnel(tunnelId, b, PACKET_AT, length);
    }
    TunnelInfo tunnel = tunnelId == Fib.NO_ROUTE ? null : state.tunnel(tunnelId);
    if (tunnel == null) {
      counters.drop(PipelineDropReason.NO_ROUTE);
      return;
    }
    if (length > tunnel.mtu()) {
      tooBig(b, PACKET_AT, length, tunnel.mtu(), version);
      return;
    }
    if (tunnel.clampMss()) {
      TcpMssClamp.clamp(b, PACKET_AT, length, tunnel.maxMss(version));
    }
    RingBuffer inbox = workerInboxes[tunnel.worker()];
    int claim = inbox.tryClaim(OUTBOUND_PLAIN, OUTBOUND_HEADER_LENGTH + length);
    if (claim < 0) {
      counters.drop(PipelineDropReason.RING_FULL);
      return;
    }
    inbox.buffer().putInt(claim + TUNNEL_ID_OFFSET, tunnelId);
    inbox.buffer().putInt(claim + GENERATION_OFFSET, state.generation(tunnelId));
    inbox.buffer().putBytes(claim + OUTBOUND_HEADER_LENGTH, b, PACKET_AT, length);
    inbox.commit(claim);
  }

  /**
   * RFC 1191 / RFC 8201: a packet too big for the tunnel is dropped; if it forbids fragmentation
   * (IPv4 DF, or any IPv6 packet) its sender learns the tunnel MTU from an ICMP error. An IPv4
   * packet without DF is dropped too: fragmenting inner packets is not this gateway's job, and the
   * TUN device's MTU makes the kernel fragment before packets reach us.
   */
  private void tooBig(UnsafeBuffer b, int offset, int length, int mtu, int version)
      throws IOException {
    counters.drop(PipelineDropReason.TOO_BIG);
    boolean mayFragment =
        version == 4 && (ipv4.wrap(b, offset).flagsAndFragmentOffset() & DONT_FRAGMENT) == 0;
    if (mayFragment) {
      return;
    }
    boolean canReply = version == 4 ? gatewayIpv4 != 0 : gatewayIpv6 != null && mtu >= IPV6_MIN_MTU;
    if (!canReply) {
      return; // no address of that family to send the error from (or an MTU IPv6 forbids)
    }
    if (!icmpLimiter.tryAcquire(System.nanoTime())) {
      counters.drop(PipelineDropReason.ICMP_RATE_LIMITED);
      return;
    }
    int n =
        IcmpErrors.tooBig(b, offset, length, mtu, gatewayIpv4, gatewayIpv6, icmp.buffer(), ICMP_AT);
    boolean written;
    try {
      written = n == 0 || queue.write(icmp, ICMP_AT, n);
    } catch (IOException e) {
      written = false;
    }
    if (!written) {
      counters.drop(PipelineDropReason.TX_FAILED);
    }
  }
}
