package dev.vpngw.appliance;

import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.appliance.config.GatewayConfig.Connection;
import dev.vpngw.appliance.config.GatewayConfig.ManualSa;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.proposal.EspSuites;
import dev.vpngw.io.link.LinkConfig;
import dev.vpngw.io.raw.RawIpSocket;
import dev.vpngw.io.tun.TunDevice;
import dev.vpngw.io.udp.UdpSocket;
import dev.vpngw.pipeline.Dataplane;
import dev.vpngw.pipeline.ThreadingMode;
import dev.vpngw.pipeline.TunnelInfo;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.selector.SelectorSet;
import dev.vpngw.selector.TrafficSelector;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.CloseHelper;

/**
 * One running gateway built from its configuration: the counters file, the TUN device with its MTU
 * and the routes to every site, the WAN sockets, the dataplane, and one tunnel per connection with
 * its SAs. Closing it tears all of that down (the TUN device, and with it its routes, goes away
 * when its fd closes).
 */
final class GatewayRuntime implements AutoCloseable {
  /**
   * Bytes of counter values in the counters file: 65,536 counters, about 3,600 child SAs (18
   * counters a pair: packets, bytes and drops by reason, per direction). The file is sparse: pages
   * of counters never allocated cost nothing.
   */
  private static final int COUNTER_VALUES_BYTES = 8 << 20;

  private final GatewayConfig config;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final Path countersPath;
  private Dataplane dataplane;

  private GatewayRuntime(GatewayConfig config) {
    this.config = config;
    this.countersPath = config.gateway().runDirectory().resolve("counters.dat");
  }

  /** Starts everything; on any failure what was started is closed again. */
  static GatewayRuntime start(GatewayConfig config, ThreadingMode mode, boolean pinThreads)
      throws IOException {
    GatewayRuntime runtime = new GatewayRuntime(config);
    try {
      runtime.startAll(mode, pinThreads);
      return runtime;
    } catch (IOException | RuntimeException e) {
      runtime.close();
      throw e;
    }
  }

  Path countersPath() {
    return countersPath;
  }

  private void startAll(ThreadingMode mode, boolean pinThreads) throws IOException {
    GatewayConfig.Gateway gw = config.gateway();
    Files.createDirectories(gw.runDirectory());
    CountersFile counters = CountersFile.create(countersPath, COUNTER_VALUES_BYTES);
    resources.add(counters);
    TunDevice tun = TunDevice.open(gw.tunnelInterface(), 1, gw.tunOffload());
    resources.add(tun);
    int tunMtu = 576;
    for (Connection c : config.connections()) {
      tunMtu = Math.max(tunMtu, tunnelMtu(c));
    }
    LinkConfig.setMtu(tun.name(), tunMtu);
    LinkConfig.up(tun.name());
    // The dataplane's ICMP errors come from our own address: without this the kernel drops them.
    LinkConfig.acceptLocalSource(tun.name());
    enableForwarding();
    InetAddress local = gw.publicAddress();
    boolean v4 = local instanceof Inet4Address;
    // IKE may find a NAT and move any negotiated tunnel to UDP 4500 (RFC 7296 2.23).
    boolean anyUdp =
        config.connections().stream().anyMatch(c -> c.udpEncapsulation() || c.ike() != null);
    boolean anyRaw = config.connections().stream().anyMatch(c -> !c.udpEncapsulation());
    UdpSocket udp = anyUdp ? UdpSocket.open(local, SaConfig.DEFAULT_NAT_T_PORT, false, true) : null;
    RawIpSocket raw = anyRaw ? RawIpSocket.open(local, 50, true) : null;
    boolean wanOffload = false;
    if (udp != null) {
      resources.add(udp);
      udp.setReceiveBufferSize(4 << 20);
      udp.setSendBufferSize(4 << 20);
      wanOffload = gw.wanOffload() && udp.enableSegmentation();
    }
    if (raw != null) {
      resources.add(raw);
    }
    CryptoEngine engine = CryptoEngines.defaultEngine();
    dataplane =
        Dataplane.start(
            new Dataplane.Options(gw.workers(), mode, 1 << 22, pinThreads, engine),
            new Dataplane.Ports(
                tun,
                v4 ? udp : null,
                v4 ? null : udp,
                v4 ? raw : null,
                v4 ? null : raw,
                v4 ? ByteBuffer.wrap(local.getAddress()).getInt() : 0,
                v4 ? null : local.getAddress()),
            counters.manager());
    // Stop the agents before their counters file and sockets go.
    resources.add(dataplane);
    int id = 0;
    Map<String, DataplaneInstaller.Route> ikeRoutes = new HashMap<>();
    List<IkeConnectionConfig> ike = new ArrayList<>();
    for (Connection c : config.connections()) {
      if (c.manualKeys() != null) {
        addConnection(id++, c, tun.name());
        continue;
      }
      List<IpPrefix> remote = c.localNetworkGateway().addressPrefixes();
      ikeRoutes.put(c.name(), new DataplaneInstaller.Route(remote, tunnelMtu(c)));
      ike.add(c.ike());
      for (IpPrefix p : remote) {
        // The route stays while the tunnel is down: traffic for the site is dropped (and
        // counted) in the gateway instead of leaking out of another interface.
        LinkConfig.addRoute(p.toString(), tun.name(), tunnelMtu(c));
      }
    }
    if (!ike.isEmpty()) {
      resources.add(
          IkeService.start(
              local,
              dataplane,
              ike,
              ikeRoutes,
              gw.workers(),
              id,
              gw.keyLogDirectory(),
              gw.ikeCookieThreshold(),
              gw.natKeepalive()));
    }
    System.out.printf(
        "vpngw %s: %d connection(s) up on %s (mtu %d, offloads %s; wan udp offloads %s), crypto"
            + " engine %s, %d worker(s), counters %s%n",
        gw.name(),
        config.connections().size(),
        tun.name(),
        tunMtu,
        offloads(tun.offloads()),
        wanOffload ? "on" : "off",
        engine.name(),
        gw.workers(),
        countersPath);
  }

  private void addConnection(int id, Connection c, String tunName) throws IOException {
    GatewayConfig.Gateway gw = config.gateway();
    List<IpPrefix> remote = c.localNetworkGateway().addressPrefixes();
    List<TrafficSelector> localTs = gw.vnetPrefixes().stream().map(TrafficSelector::of).toList();
    List<TrafficSelector> remoteTs = remote.stream().map(TrafficSelector::of).toList();
    TunnelInfo tunnel =
        new TunnelInfo(
            id,
            c.name(),
            id % gw.workers(),
            c.localNetworkGateway().gatewayAddress(),
            c.udpEncapsulation() ? SaConfig.DEFAULT_NAT_T_PORT : 0,
            tunnelMtu(c),
            true,
            SelectorSet.of(localTs, remoteTs));
    dataplane.addTunnel(tunnel, remote);
    GatewayConfig.ManualKeys keys = c.manualKeys();
    dataplane.installInbound(id, saConfig(c, keys.inbound(), false));
    dataplane.installOutbound(id, saConfig(c, keys.outbound(), true));
    for (IpPrefix p : remote) {
      LinkConfig.addRoute(p.toString(), tunName, tunnel.mtu());
    }
  }

  private SaConfig saConfig(Connection c, ManualSa sa, boolean outbound) {
    InetAddress local = config.gateway().publicAddress();
    InetAddress peer = c.localNetworkGateway().gatewayAddress();
    return SaConfig.builder()
        .spi(sa.spi())
        .suite(sa.suite())
        .encryptionKey(sa.key())
        .integrityKey(sa.integrityKey())
        .tunnel(local, peer)
        .udpEncapsulation(c.udpEncapsulation())
        .esn(c.manualKeys().esn())
        .replayWindowSize(c.manualKeys().replayWindow())
        .allowLegacyCiphers(true)
        .build();
  }

  /**
   * The largest inner packet whose ESP packet still fits the WAN MTU: the outer IP header, UDP
   * (when encapsulated), ESP header, IV, the worst-case padding and trailer, and the ICV (RFC 4303
   * 2). TCP's MSS is clamped to match.
   */
  private int tunnelMtu(Connection c) {
    boolean v6 = c.localNetworkGateway().gatewayAddress().getAddress().length == 16;
    if (c.manualKeys() != null) {
      return config.gateway().wanMtu()
          - overhead(c.manualKeys().outbound().suite(), v6, c.udpEncapsulation());
    }
    // Before IKE has chosen, the worst of the proposals; and UDP, which a NAT may force.
    int worst = 0;
    for (EspSuite suite : EspSuites.all(c.ike().espProposals())) {
      worst = Math.max(worst, overhead(suite, v6, true));
    }
    return config.gateway().wanMtu() - worst;
  }

  private static int overhead(EspSuite suite, boolean v6, boolean udp) {
    return (v6 ? 40 : 20)
        + (udp ? 8 : 0)
        + 8
        + suite.encryption().ivLength()
        + suite.encryption().paddingAlignment()
        - 1
        + 2
        + suite.icvLength();
  }

  /** The TUN offloads in force, for the start-up line. */
  private static String offloads(int flags) {
    if (flags == 0) {
      return "off";
    }
    StringBuilder b = new StringBuilder("csum");
    b.append((flags & TunDevice.TUN_F_TSO4) != 0 ? " tso4" : "");
    b.append((flags & TunDevice.TUN_F_TSO6) != 0 ? " tso6" : "");
    b.append((flags & TunDevice.TUN_F_USO4) != 0 ? " uso4" : "");
    b.append((flags & TunDevice.TUN_F_USO6) != 0 ? " uso6" : "");
    return b.toString();
  }

  private static void enableForwarding() {
    // A gateway forwards between its LAN and the tunnel; without this the kernel drops transit.
    for (String f :
        new String[] {"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding"}) {
      try {
        Files.writeString(Path.of(f), "1");
      } catch (IOException e) {
        System.err.println("vpngw: cannot enable forwarding (" + f + "): " + e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    java.util.Collections.reverse(reversed);
    CloseHelper.closeAll(reversed);
  }
}
