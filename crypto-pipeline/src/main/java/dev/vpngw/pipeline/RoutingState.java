package dev.vpngw.pipeline;

import dev.vpngw.fib.Fib;
import org.agrona.collections.Int2IntHashMap;

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

  RoutingState(
      Fib.Snapshot fib, TunnelInfo[] tunnels, int[] generations, Int2IntHashMap spiToWorker) {
    if (generations.length != tunnels.length) {
      throw new IllegalArgumentException("a generation per tunnel slot");
    }
    this.fib = fib;
    this.tunnels = tunnels;
    this.generations = generations;
    this.spiToWorker = spiToWorker;
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
