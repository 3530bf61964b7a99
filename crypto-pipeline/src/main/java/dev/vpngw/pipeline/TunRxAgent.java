package dev.vpngw.pipeline;

import static dev.vpngw.pipeline.RingMessages.GENERATION_OFFSET;
import static dev.vpngw.pipeline.RingMessages.OUTBOUND_HEADER_LENGTH;
import static dev.vpngw.pipeline.RingMessages.OUTBOUND_PLAIN;
import static dev.vpngw.pipeline.RingMessages.TUNNEL_ID_OFFSET;

import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.fib.Fib;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.tun.TunQueue;
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
 */
final class TunRxAgent implements Agent {
  private static final int PACKETS_PER_DUTY_CYCLE = 64;

  /** Room before the packet so an ICMP error can be built in place in front of its quote. */
  private static final int ICMP_ROOM = 48;

  /** The DF flag in the IPv4 flags-and-fragment-offset field (RFC 791). */
  private static final int DONT_FRAGMENT = 0x4000;

  /** IPv6's minimum link MTU (RFC 8200 5): no Packet Too Big may announce less. */
  private static final int IPV6_MIN_MTU = 1280;

  private final TunQueue queue;
  private final Supplier<RoutingState> routing;
  private final RingBuffer[] workerInboxes;
  private final AgentCounters counters;
  private final IcmpRateLimiter icmpLimiter;
  private final int gatewayIpv4;
  private final byte[] gatewayIpv6;
  private final Arena arena = Arena.ofShared();
  private final PacketBuffer packet;
  private final PacketBuffer icmp;
  private final Ipv4Header ipv4 = new Ipv4Header();

  TunRxAgent(
      TunQueue queue,
      Supplier<RoutingState> routing,
      RingBuffer[] workerInboxes,
      AgentCounters counters,
      IcmpRateLimiter icmpLimiter,
      int gatewayIpv4,
      byte[] gatewayIpv6) {
    this.queue = queue;
    this.routing = routing;
    this.workerInboxes = workerInboxes;
    this.counters = counters;
    this.icmpLimiter = icmpLimiter;
    this.gatewayIpv4 = gatewayIpv4;
    this.gatewayIpv6 = gatewayIpv6;
    this.packet = PacketBuffer.allocate(arena, ICMP_ROOM + 65_536);
    this.icmp = PacketBuffer.allocate(arena, 2048);
  }

  @Override
  public String roleName() {
    return "tun-rx-" + queue.index();
  }

  @Override
  public int doWork() throws IOException {
    RoutingState state = routing.get();
    int packets = 0;
    while (packets < PACKETS_PER_DUTY_CYCLE) {
      int length = queue.read(packet, ICMP_ROOM, packet.capacity() - ICMP_ROOM);
      if (length <= 0) {
        break;
      }
      packets++;
      route(state, length);
    }
    return packets;
  }

  @Override
  public void onClose() {
    arena.close();
  }

  private void route(RoutingState state, int length) throws IOException {
    UnsafeBuffer b = packet.buffer();
    int version = (b.getByte(ICMP_ROOM) & 0xf0) >>> 4;
    if (version != 4 && version != 6) {
      counters.drop(PipelineDropReason.NOT_IP);
      return;
    }
    int tunnelId = state.fib.lookupDestination(b, ICMP_ROOM, length);
    TunnelInfo tunnel = tunnelId == Fib.NO_ROUTE ? null : state.tunnel(tunnelId);
    if (tunnel == null) {
      counters.drop(PipelineDropReason.NO_ROUTE);
      return;
    }
    if (length > tunnel.mtu()) {
      tooBig(b, length, tunnel.mtu(), version);
      return;
    }
    if (tunnel.clampMss()) {
      TcpMssClamp.clamp(b, ICMP_ROOM, length, tunnel.maxMss(version));
    }
    RingBuffer inbox = workerInboxes[tunnel.worker()];
    int claim = inbox.tryClaim(OUTBOUND_PLAIN, OUTBOUND_HEADER_LENGTH + length);
    if (claim < 0) {
      counters.drop(PipelineDropReason.RING_FULL);
      return;
    }
    inbox.buffer().putInt(claim + TUNNEL_ID_OFFSET, tunnelId);
    inbox.buffer().putInt(claim + GENERATION_OFFSET, state.generation(tunnelId));
    inbox.buffer().putBytes(claim + OUTBOUND_HEADER_LENGTH, b, ICMP_ROOM, length);
    inbox.commit(claim);
  }

  /**
   * RFC 1191 / RFC 8201: a packet too big for the tunnel is dropped; if it forbids fragmentation
   * (IPv4 DF, or any IPv6 packet) its sender learns the tunnel MTU from an ICMP error. An IPv4
   * packet without DF is dropped too: fragmenting inner packets is not this gateway's job, and the
   * TUN device's MTU makes the kernel fragment before packets reach us.
   */
  private void tooBig(UnsafeBuffer b, int length, int mtu, int version) throws IOException {
    counters.drop(PipelineDropReason.TOO_BIG);
    boolean mayFragment =
        version == 4 && (ipv4.wrap(b, ICMP_ROOM).flagsAndFragmentOffset() & DONT_FRAGMENT) == 0;
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
        IcmpErrors.tooBig(b, ICMP_ROOM, length, mtu, gatewayIpv4, gatewayIpv6, icmp.buffer(), 0);
    boolean written;
    try {
      written = n == 0 || queue.write(icmp, 0, n);
    } catch (IOException e) {
      written = false;
    }
    if (!written) {
      counters.drop(PipelineDropReason.TX_FAILED);
    }
  }
}
