package dev.vpngw.appliance;

import dev.vpngw.fib.IpPrefix;
import dev.vpngw.ikev2.ChildSaInstaller;
import dev.vpngw.pipeline.Dataplane;
import dev.vpngw.pipeline.TunnelInfo;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.selector.SelectorSet;
import dev.vpngw.selector.TrafficSelector;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The IKE daemon's commands applied to the running dataplane: each negotiated child SA gets a
 * tunnel (a small dense id, its worker chosen round-robin by id), routed to the connection's remote
 * prefixes, with the MTU worked out for the connection's proposals. Manual-key connections get
 * their tunnels here too, so one owner hands out every tunnel id. Called on the IKE thread only
 * (and, before that thread starts, by the runtime setting up the first configuration); connections
 * come and go with the management API's changes, as commands on that thread.
 */
final class DataplaneInstaller implements ChildSaInstaller {
  /**
   * What the installer must know per connection.
   *
   * @param routes the prefixes the FIB sends into the connection's tunnel
   * @param mtu the tunnel MTU: the WAN MTU less the worst ESP overhead of its proposals
   * @param routingWeight the connection's {@code routingWeight}: of the tunnels up for one prefix,
   *     the highest weight carries it (the cloud's rule: the higher routing weight is preferred)
   */
  record Route(List<IpPrefix> routes, int mtu, int routingWeight) {
    Route(List<IpPrefix> routes, int mtu) {
      this(routes, mtu, 0);
    }

    /** The FIB weight of this connection's routes: the FIB prefers the lowest, we the highest. */
    int fibWeight() {
      return -routingWeight;
    }
  }

  private final Dataplane dataplane;
  private final Map<String, Route> connections = new HashMap<>();
  private final Map<String, Integer> manualTunnels = new HashMap<>();
  private final int workers;
  private final BitSet used = new BitSet();
  private java.util.function.UnaryOperator<SaConfig> outboundHook = sa -> sa;

  /** An installer for a dataplane with this many workers. */
  DataplaneInstaller(Dataplane dataplane, int workers) {
    this.dataplane = dataplane;
    this.workers = workers;
  }

  /**
   * Passes every negotiated outbound SA through HOOK before the dataplane gets it (an HA pair
   * bounds its sequence numbers by a fence).
   */
  void outboundHook(java.util.function.UnaryOperator<SaConfig> hook) {
    this.outboundHook = hook;
  }

  /** Serves an IKE connection's child SAs from now on with these routes (replacing any before). */
  void connection(String name, Route route) {
    connections.put(name, route);
  }

  /** Stops serving an IKE connection: its child SAs get no new tunnels. */
  void forget(String name) {
    connections.remove(name);
  }

  /**
   * Adds a manual-key connection's tunnel with its two static SAs; on a refusal nothing of it
   * stays.
   *
   * @param name the connection
   * @param peer where ESP goes (port 0: plain ESP)
   * @param route its prefixes and MTU
   * @param selectors its traffic selectors
   * @param inbound the SA we receive with
   * @param outbound the SA we send with
   */
  void addManual(
      String name,
      InetSocketAddress peer,
      Route route,
      SelectorSet selectors,
      SaConfig inbound,
      SaConfig outbound) {
    if (manualTunnels.containsKey(name)) {
      throw new IllegalArgumentException("connection " + name + " exists");
    }
    int id = used.nextClearBit(0);
    TunnelInfo tunnel =
        new TunnelInfo(
            id,
            name,
            id % workers,
            peer.getAddress(),
            peer.getPort(),
            route.mtu(),
            true,
            selectors);
    dataplane.addTunnel(tunnel, route.routes(), route.fibWeight());
    used.set(id);
    try {
      dataplane.installInbound(id, inbound);
      dataplane.installOutbound(id, outbound);
    } catch (RuntimeException e) {
      removeTunnel(id);
      throw e;
    }
    manualTunnels.put(name, id);
  }

  /** Removes a manual-key connection's tunnel and SAs; returns whether it existed. */
  boolean removeManual(String name) {
    Integer id = manualTunnels.remove(name);
    if (id == null) {
      return false;
    }
    removeTunnel(id);
    return true;
  }

  @Override
  public int addTunnel(String connection, InetSocketAddress peer, SelectorSet selectors) {
    Route route = route(connection);
    int id = used.nextClearBit(0);
    TunnelInfo tunnel =
        new TunnelInfo(
            id,
            connection,
            id % workers,
            peer.getAddress(),
            peer.getPort(),
            route.mtu(),
            true,
            selectors);
    dataplane.addTunnel(tunnel, routes(connection, selectors), route.fibWeight());
    used.set(id);
    return id;
  }

  /**
   * The FIB routes of a new child SA of {@code connection}: the site's prefixes cut to the child's
   * remote selectors. With one child SA per pair of prefixes each child routes only its own pair's
   * prefix (all of them would send every site's traffic into whichever child came first); a
   * route-based child (0.0.0.0/0, ::/0) routes the site's prefixes and nothing more, so it never
   * takes the WAN's traffic.
   */
  List<IpPrefix> routes(String connection, SelectorSet selectors) {
    return routes(route(connection).routes(), selectors.remote());
  }

  private Route route(String connection) {
    Route route = connections.get(connection);
    if (route == null) {
      throw new IllegalArgumentException("no connection " + connection);
    }
    return route;
  }

  @Override
  public void installInbound(int tunnel, SaConfig sa) {
    dataplane.installInbound(tunnel, sa);
  }

  @Override
  public void installOutbound(int tunnel, SaConfig sa) {
    dataplane.installOutbound(tunnel, outboundHook.apply(sa));
  }

  @Override
  public void deleteInbound(int spi) {
    dataplane.deleteInbound(spi);
  }

  @Override
  public void removeTunnel(int tunnel) {
    if (used.get(tunnel)) {
      dataplane.removeTunnel(tunnel);
      used.clear(tunnel);
    }
  }

  @Override
  public void updatePeer(int tunnel, InetSocketAddress peer) {
    dataplane.updateTunnelPeer(tunnel, peer.getAddress(), peer.getPort());
  }

  @Override
  public long bytes(int spi) {
    return dataplane.saBytes(spi);
  }

  /**
   * The part of the connection's routes a child SA carries: each route cut to the child's remote
   * selectors (all of it for 0.0.0.0/0, one prefix for a policy-based pair), as prefixes.
   */
  static List<IpPrefix> routes(List<IpPrefix> connection, List<TrafficSelector> remote) {
    List<IpPrefix> out = new ArrayList<>();
    for (IpPrefix p : connection) {
      BigInteger pStart = new BigInteger(1, p.address());
      BigInteger pEnd =
          pStart.add(BigInteger.ONE.shiftLeft(bits(p) - p.length())).subtract(BigInteger.ONE);
      for (TrafficSelector ts : remote) {
        if (ts.isIpv6() != p.isIpv6()) {
          continue;
        }
        BigInteger start = pStart.max(new BigInteger(1, ts.startAddress()));
        BigInteger end = pEnd.min(new BigInteger(1, ts.endAddress()));
        for (IpPrefix cut : cidrs(start, end, bits(p))) {
          if (!out.contains(cut)) {
            out.add(cut);
          }
        }
      }
    }
    return out;
  }

  private static int bits(IpPrefix p) {
    return p.isIpv6() ? 128 : 32;
  }

  /** The fewest prefixes covering [start, end] exactly. */
  private static List<IpPrefix> cidrs(BigInteger start, BigInteger end, int bits) {
    List<IpPrefix> out = new ArrayList<>();
    while (start.compareTo(end) <= 0) {
      int size = start.signum() == 0 ? bits : Math.min(bits, start.getLowestSetBit());
      while (size > 0
          && start.add(BigInteger.ONE.shiftLeft(size)).subtract(BigInteger.ONE).compareTo(end)
              > 0) {
        size--;
      }
      out.add(IpPrefix.of(bytes(start, bits / 8), bits - size));
      start = start.add(BigInteger.ONE.shiftLeft(size));
    }
    return out;
  }

  private static byte[] bytes(BigInteger v, int length) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }
}
