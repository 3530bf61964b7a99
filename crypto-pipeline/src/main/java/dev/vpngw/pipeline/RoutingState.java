package dev.vpngw.pipeline;

import dev.vpngw.fib.Fib;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the receive agents consult per packet, as one immutable version: the FIB (inner destination
 * to tunnel), the tunnels (owner worker, MTU, MSS) with the generation of each, and which worker
 * owns each inbound SPI. The control thread builds a new version on every change and publishes it
 * through a volatile reference ({@link Dataplane}); an agent reads the reference once per batch, so
 * a batch is never routed by a half-changed table and no lock is taken.
 */
final class RoutingState {
  static final RoutingState EMPTY =
      new RoutingState(new Fib().snapshot(), new TunnelInfo[0], new int[0], new Int2IntHashMap(-1));

  final Fib.Snapshot fib;
  private final TunnelInfo[] tunnels;
  private final int[] generations;
  private final Int2IntHashMap spiToWorker;

  /**
   * Per tunnel id, the other tunnels of the same connection, or null when it has none (every
   * route-based connection, and one child SA per connection): a policy-based connection with one
   * child SA per pair of prefixes has several children with the same remote prefix that differ in
   * the local one, which the FIB, keyed by destination alone, cannot tell apart.
   */
  private final int[][] siblings;

  RoutingState(
      Fib.Snapshot fib, TunnelInfo[] tunnels, int[] generations, Int2IntHashMap spiToWorker) {
    if (generations.length != tunnels.length) {
      throw new IllegalArgumentException("a generation per tunnel slot");
    }
    this.fib = fib;
    this.tunnels = tunnels;
    this.generations = generations;
    this.spiToWorker = spiToWorker;
    this.siblings = siblings(tunnels);
  }

  private static int[][] siblings(TunnelInfo[] tunnels) {
    int[][] out = new int[tunnels.length][];
    java.util.Map<String, java.util.List<Integer>> byConnection = new java.util.HashMap<>();
    for (TunnelInfo t : tunnels) {
      if (t != null) {
        byConnection.computeIfAbsent(t.name(), k -> new java.util.ArrayList<>()).add(t.id());
      }
    }
    for (java.util.List<Integer> ids : byConnection.values()) {
      if (ids.size() < 2) {
        continue;
      }
      for (int id : ids) {
        out[id] = ids.stream().filter(other -> other != id).mapToInt(Integer::intValue).toArray();
      }
    }
    return out;
  }

  /**
   * The tunnel an outbound packet goes into, given the one its destination's route names: that one,
   * unless its child SA's selectors do not cover the packet's source and another child SA of the
   * same connection covers source and destination (one child SA per pair of prefixes, RFC 7296
   * 2.9). Only such connections pay for the selector check; nothing is allocated.
   */
  int outboundTunnel(int routed, UnsafeBuffer buffer, int offset, int length) {
    int[] others = routed >= 0 && routed < siblings.length ? siblings[routed] : null;
    if (others == null || tunnels[routed].selectors().matchesOutbound(buffer, offset, length)) {
      return routed;
    }
    for (int other : others) {
      if (tunnels[other].selectors().matchesOutbound(buffer, offset, length)) {
        return other;
      }
    }
    return routed;
  }

  /** The tunnel with this id, or null. */
  TunnelInfo tunnel(int id) {
    return id >= 0 && id < tunnels.length ? tunnels[id] : null;
  }

  /**
   * The generation of the tunnel with this id (which must exist): a number the control side gives
   * each {@code addTunnel}, so a reused id is told apart from the tunnel it replaced.
   */
  int generation(int id) {
    return generations[id];
  }

  /** The worker that owns inbound SPI {@code spi}, or -1. */
  int workerForSpi(int spi) {
    return spiToWorker.get(spi);
  }

  TunnelInfo[] tunnels() {
    return tunnels.clone();
  }

  int[] generations() {
    return generations.clone();
  }

  Int2IntHashMap spiToWorkerCopy() {
    Int2IntHashMap copy = new Int2IntHashMap(-1);
    copy.putAll(spiToWorker);
    return copy;
  }
}
