package dev.vpngw.ikev2;

import dev.vpngw.sa.SaConfig;
import dev.vpngw.selector.SelectorSet;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataplane in memory: it records the tunnels and SAs the IKE daemon installs, so a test can
 * check that both ends keyed matching SA pairs and that rekeys and deletes leave exactly what they
 * should.
 */
final class MemoryInstaller implements ChildSaInstaller {
  /** One tunnel as the dataplane would hold it. */
  static final class Tunnel {
    final String connection;
    InetSocketAddress peer;
    final SelectorSet selectors;
    final Map<Integer, SaConfig> inbound = new LinkedHashMap<>();
    SaConfig outbound;
    final List<Integer> outboundHistory = new ArrayList<>();

    Tunnel(String connection, InetSocketAddress peer, SelectorSet selectors) {
      this.connection = connection;
      this.peer = peer;
      this.selectors = selectors;
    }
  }

  final Map<Integer, Tunnel> tunnels = new LinkedHashMap<>();
  final Map<Integer, Long> bytes = new HashMap<>();

  /** Inbound SAs it takes before it refuses, as a dataplane out of counters does. */
  int capacity = Integer.MAX_VALUE;

  private int nextId;

  @Override
  public int addTunnel(String connection, InetSocketAddress peer, SelectorSet selectors) {
    int id = nextId++;
    tunnels.put(id, new Tunnel(connection, peer, selectors));
    return id;
  }

  @Override
  public void installInbound(int tunnel, SaConfig sa) {
    Tunnel t = tunnels.get(tunnel);
    if (t == null) {
      throw new IllegalArgumentException("no tunnel " + tunnel);
    }
    if (allInbound().size() >= capacity) {
      throw new IllegalStateException("unable to allocate counter, buffer is full");
    }
    for (Tunnel other : tunnels.values()) {
      if (other.inbound.containsKey(sa.spi())) {
        throw new IllegalArgumentException("inbound SPI installed twice");
      }
    }
    t.inbound.put(sa.spi(), sa);
  }

  @Override
  public void installOutbound(int tunnel, SaConfig sa) {
    Tunnel t = tunnels.get(tunnel);
    if (t == null) {
      throw new IllegalArgumentException("no tunnel " + tunnel);
    }
    t.outbound = sa;
    t.outboundHistory.add(sa.spi());
  }

  @Override
  public void deleteInbound(int spi) {
    for (Tunnel t : tunnels.values()) {
      t.inbound.remove(spi);
    }
  }

  @Override
  public void removeTunnel(int tunnel) {
    tunnels.remove(tunnel);
  }

  @Override
  public void updatePeer(int tunnel, InetSocketAddress peer) {
    Tunnel t = tunnels.get(tunnel);
    if (t != null) {
      t.peer = peer;
    }
  }

  @Override
  public long bytes(int spi) {
    return bytes.getOrDefault(spi, -1L);
  }

  /** All inbound SAs of all tunnels. */
  List<SaConfig> allInbound() {
    List<SaConfig> all = new ArrayList<>();
    tunnels.values().forEach(t -> all.addAll(t.inbound.values()));
    return all;
  }
}
