package dev.vpngw.pipeline;

import static dev.vpngw.pipeline.RingMessages.ESP_OUT;
import static dev.vpngw.pipeline.RingMessages.GENERATION_OFFSET;
import static dev.vpngw.pipeline.RingMessages.INBOUND_ESP;
import static dev.vpngw.pipeline.RingMessages.OUTBOUND_HEADER_LENGTH;
import static dev.vpngw.pipeline.RingMessages.OUTBOUND_PLAIN;
import static dev.vpngw.pipeline.RingMessages.PEER_LENGTH;
import static dev.vpngw.pipeline.RingMessages.TUNNEL_ID_OFFSET;
import static dev.vpngw.pipeline.RingMessages.TUN_OUT;

import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.esp.EspDecapsulator;
import dev.vpngw.esp.EspEncapsulator;
import dev.vpngw.esp.EspResult;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.packet.EspHeader;
import dev.vpngw.sa.SaDatabase;
import dev.vpngw.sa.SecurityAssociation;
import java.lang.foreign.Arena;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * One crypto worker: owns a set of tunnels and all their SAs, so each SA's sequence number and
 * replay window has exactly one writer and needs no lock (VPP's per-thread SA ownership). It drains
 * its command queue, then its inbox (packets the receive agents routed to it), encrypts or decrypts
 * each in a buffer of its own and hands the result to the transmit agent's ring.
 *
 * <p>Per packet: one copy in (from the ring into the work buffer, where ESP has its headroom), the
 * crypto in place, one copy out (into the transmit ring). Drops are counted by the codec or here
 * per packet, an inbound packet as delivered only once it is in the transmit ring; SA counters in
 * the counters file are refreshed from per-SA totals a few times a second, off the per-packet path.
 */
public final class CryptoWorker implements Agent {
  private static final int MESSAGES_PER_DUTY_CYCLE = 64;
  private static final int COMMANDS_PER_DUTY_CYCLE = 16;

  /** How often SA packet and byte totals reach the counters file. */
  private static final long PUBLISH_INTERVAL_NANOS = 100_000_000L;

  private final int index;
  private final RingBuffer inbox;
  private final RingBuffer outbox;
  private final ManyToOneConcurrentArrayQueue<WorkerCommand> commands;
  private final AgentCounters counters;
  private final BandwidthLimiter outboundLimit;
  private final BandwidthLimiter inboundLimit;
  private long nowNanos;
  private final SaDatabase inboundSas = new SaDatabase();
  private final Int2ObjectHashMap<TunnelState> tunnels = new Int2ObjectHashMap<>();
  private final Int2ObjectHashMap<TunnelState> tunnelBySpi = new Int2ObjectHashMap<>();
  private final Int2ObjectHashMap<OwnedSa> inboundBySpi = new Int2ObjectHashMap<>();
  private long nextPublishNanos;
  private final EspEncapsulator encapsulator;
  private final EspDecapsulator decapsulator;
  private final EspResult result = new EspResult();
  private final Arena arena = Arena.ofShared();
  private final PacketBuffer work;
  private final MessageHandler onMessage = this::onMessage;
  private final Consumer<WorkerCommand> onCommand = this::onCommand;

  /** A tunnel as this worker holds it. */
  private static final class TunnelState {
    final int generation;
    BandwidthLimiter.Share outShare;
    BandwidthLimiter.Share inShare;
    TunnelInfo info;
    int family;
    byte[] peer;
    OwnedSa outbound;
    final List<OwnedSa> inbound = new ArrayList<>(2);

    TunnelState(TunnelInfo info, int generation) {
      this.generation = generation;
      peer(info);
    }

    /** Takes the peer (address, port) of {@code info}, which is this tunnel at a later moment. */
    void peer(TunnelInfo info) {
      this.info = info;
      this.peer = info.peer().getAddress();
      this.family = peer.length == 4 ? 4 : 6;
    }
  }

  CryptoWorker(
      int index,
      RingBuffer inbox,
      RingBuffer outbox,
      ManyToOneConcurrentArrayQueue<WorkerCommand> commands,
      AgentCounters counters,
      BandwidthLimiter outboundLimit,
      BandwidthLimiter inboundLimit) {
    this.index = index;
    this.outboundLimit = outboundLimit;
    this.inboundLimit = inboundLimit;
    this.inbox = inbox;
    this.outbox = outbox;
    this.commands = commands;
    this.counters = counters;
    this.encapsulator = new EspEncapsulator(counters.esp());
    this.decapsulator = new EspDecapsulator(inboundSas, counters.esp());
    this.work = PacketBuffer.allocate(arena, EspEncapsulator.HEADROOM + 65_536 + 256);
  }

  @Override
  public String roleName() {
    return "crypto-worker-" + index;
  }

  @Override
  public int doWork() {
    nowNanos = System.nanoTime();
    int work = commands.drain(onCommand, COMMANDS_PER_DUTY_CYCLE);
    work += inbox.read(onMessage, MESSAGES_PER_DUTY_CYCLE);
    long now = nowNanos;
    if (now - nextPublishNanos >= 0) {
      nextPublishNanos = now + PUBLISH_INTERVAL_NANOS;
      publishSaCounters();
    }
    return work;
  }

  @Override
  public void onClose() {
    WorkerCommand leftover;
    while ((leftover = commands.poll()) != null) {
      onCommand(leftover);
    }
    for (TunnelState t : tunnels.values()) {
      closeTunnel(t);
    }
    tunnels.clear();
    arena.close();
  }

  private void onMessage(int type, org.agrona.MutableDirectBuffer buffer, int index, int length) {
    if (type == OUTBOUND_PLAIN) {
      outbound(buffer, index, length);
    } else if (type == INBOUND_ESP) {
      inbound(buffer, index, length);
    }
  }

  private void outbound(org.agrona.MutableDirectBuffer ring, int index, int length) {
    int tunnelId = ring.getInt(index + TUNNEL_ID_OFFSET);
    int innerLength = length - OUTBOUND_HEADER_LENGTH;
    int generation = ring.getInt(index + GENERATION_OFFSET);
    TunnelState tunnel = tunnels.get(tunnelId);
    if (tunnel == null || tunnel.generation != generation) {
      catchUp();
      tunnel = tunnels.get(tunnelId);
    }
    // A packet routed to a tunnel since removed (its id perhaps reused) has no SA to go out on.
    boolean current = tunnel != null && tunnel.generation == generation;
    SecurityAssociation sa = current && tunnel.outbound != null ? tunnel.outbound.sa : null;
    if (sa == null) {
      counters.drop(PipelineDropReason.NO_SA);
      return;
    }
    if (!tunnel.outShare.admit(innerLength, nowNanos)) {
      counters.drop(PipelineDropReason.BANDWIDTH_LIMIT);
      tunnel.outbound.counters.drop(PipelineDropReason.BANDWIDTH_LIMIT);
      return;
    }
    UnsafeBuffer w = work.buffer();
    w.putBytes(EspEncapsulator.HEADROOM, ring, index + OUTBOUND_HEADER_LENGTH, innerLength);
    int status = encapsulator.encapsulate(sa, work, EspEncapsulator.HEADROOM, innerLength, result);
    if (status != EspResult.OK) {
      tunnel.outbound.counters.drop(status); // gateway-wide, the encapsulator counted it
      return;
    }
    int espLength = result.espLength();
    int claim = outbox.tryClaim(ESP_OUT, PEER_LENGTH + espLength);
    if (claim < 0) {
      counters.drop(PipelineDropReason.RING_FULL);
      return;
    }
    UnsafeBuffer out = (UnsafeBuffer) outbox.buffer();
    RingMessages.putPeer(out, claim, tunnel.family, tunnel.info.peerPort(), tunnel.peer);
    out.putBytes(claim + PEER_LENGTH, w, result.espOffset(), espLength);
    outbox.commit(claim);
    tunnel.outbound.carried(innerLength);
  }

  private void inbound(org.agrona.MutableDirectBuffer ring, int index, int length) {
    int espLength = length - PEER_LENGTH;
    if (espLength >= EspHeader.LENGTH
        && inboundSas.lookup(ring.getInt(index + PEER_LENGTH, ByteOrder.BIG_ENDIAN)) == null) {
      catchUp();
    }
    UnsafeBuffer w = work.buffer();
    w.putBytes(0, ring, index + PEER_LENGTH, espLength);
    int status = decapsulator.decapsulate(work, 0, espLength, result);
    if (status != EspResult.OK) {
      // Counted gateway-wide by the decapsulator; also per SA once the SPI was known.
      OwnedSa owned = result.sa() == null ? null : inboundBySpi.get(result.spi());
      if (owned != null) {
        owned.counters.drop(status);
      }
      return;
    }
    TunnelState tunnel = tunnelBySpi.get(result.spi());
    if (tunnel == null
        || !tunnel.info.selectors().matchesInbound(w, result.innerOffset(), result.innerLength())) {
      counters.drop(PipelineDropReason.SELECTOR_MISMATCH);
      OwnedSa owned = inboundBySpi.get(result.spi());
      if (owned != null) {
        owned.counters.drop(PipelineDropReason.SELECTOR_MISMATCH);
      }
      return;
    }
    int innerLength = result.innerLength();
    // Policed only once authenticated: a forged packet must not spend a tunnel's share.
    if (!tunnel.inShare.admit(innerLength, nowNanos)) {
      counters.drop(PipelineDropReason.BANDWIDTH_LIMIT);
      OwnedSa owned = inboundBySpi.get(result.spi());
      if (owned != null) {
        owned.counters.drop(PipelineDropReason.BANDWIDTH_LIMIT);
      }
      return;
    }
    int claim = outbox.tryClaim(TUN_OUT, innerLength);
    if (claim < 0) {
      counters.drop(PipelineDropReason.RING_FULL);
      return;
    }
    outbox.buffer().putBytes(claim, w, result.innerOffset(), innerLength);
    outbox.commit(claim);
    // Delivered means on its way to the TUN writer: only now, after every check, is it counted.
    counters.esp().delivered(innerLength);
    OwnedSa owned = inboundBySpi.get(result.spi());
    if (owned != null) {
      owned.carried(innerLength);
    }
  }

  /**
   * Applies the commands queued since this duty cycle drained them, for a packet that names an SA
   * or tunnel this worker does not hold. The control side queues a command before it publishes the
   * routing that sends packets here, so such a packet's command is already queued, unless the SA or
   * tunnel is gone for good: without this, a packet routed in the instant between the drain and the
   * inbox read would be dropped although its SA exists.
   */
  private void catchUp() {
    commands.drain(onCommand);
  }

  private void onCommand(WorkerCommand command) {
    switch (command) {
      case WorkerCommand.AddTunnel c -> {
        TunnelState t = new TunnelState(c.tunnel(), c.generation());
        long now = System.nanoTime();
        t.outShare = outboundLimit.register(now);
        t.inShare = inboundLimit.register(now);
        TunnelState replaced = tunnels.put(c.tunnel().id(), t);
        if (replaced != null) {
          closeTunnel(replaced);
        }
      }
      case WorkerCommand.InstallOutbound c -> {
        TunnelState t = tunnels.get(c.tunnelId());
        if (t == null) {
          c.sa().close();
          return;
        }
        OwnedSa old = t.outbound;
        t.outbound = c.sa();
        if (old != null) {
          old.close();
        }
      }
      case WorkerCommand.InstallInbound c -> {
        TunnelState t = tunnels.get(c.tunnelId());
        if (t == null) {
          c.sa().close();
          return;
        }
        t.inbound.add(c.sa());
        inboundSas.add(c.sa().sa);
        inboundBySpi.put(c.sa().sa.spi(), c.sa());
        tunnelBySpi.put(c.sa().sa.spi(), t);
      }
      case WorkerCommand.DeleteInbound c -> {
        inboundSas.remove(c.spi());
        OwnedSa owned = inboundBySpi.remove(c.spi());
        TunnelState t = tunnelBySpi.remove(c.spi());
        if (owned != null) {
          if (t != null) {
            t.inbound.remove(owned);
          }
          owned.close();
        }
      }
      case WorkerCommand.RemoveTunnel c -> {
        TunnelState t = tunnels.remove(c.tunnelId());
        if (t != null) {
          closeTunnel(t);
        }
      }
      case WorkerCommand.UpdatePeer c -> {
        TunnelState t = tunnels.get(c.tunnel().id());
        if (t != null) {
          t.peer(c.tunnel());
        }
      }
    }
  }

  private void publishSaCounters() {
    for (TunnelState t : tunnels.values()) {
      if (t.outbound != null) {
        t.outbound.publish();
      }
      for (int i = 0; i < t.inbound.size(); i++) {
        t.inbound.get(i).publish();
      }
    }
  }

  private void closeTunnel(TunnelState t) {
    outboundLimit.unregister(t.outShare);
    inboundLimit.unregister(t.inShare);
    if (t.outbound != null) {
      t.outbound.close();
      t.outbound = null;
    }
    for (OwnedSa owned : t.inbound) {
      int spi = owned.sa.spi();
      inboundSas.remove(spi);
      inboundBySpi.remove(spi);
      tunnelBySpi.remove(spi);
      owned.close();
    }
    t.inbound.clear();
  }
}
