package dev.vpngw.appliance;

import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.appliance.config.GatewayConfig.Connection;
import dev.vpngw.appliance.config.GatewayConfig.ManualSa;
import dev.vpngw.appliance.config.HaSection;
import dev.vpngw.appliance.ha.HaService;
import dev.vpngw.appliance.monitor.Monitoring;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.ikev2.IkeDaemon;
import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.proposal.EspSuites;
import dev.vpngw.io.link.LinkConfig;
import dev.vpngw.io.raw.RawIpSocket;
import dev.vpngw.io.tun.TunDevice;
import dev.vpngw.io.udp.UdpSocket;
import dev.vpngw.pipeline.Dataplane;
import dev.vpngw.pipeline.ThreadingMode;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.selector.SelectorSet;
import dev.vpngw.selector.TrafficSelector;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * and the routes to every site, the WAN sockets, the dataplane, the IKE thread, and one tunnel per
 * connection with its SAs. Connections can be started and stopped while it runs ({@link
 * Reconfigurer.Host}), one at a time, leaving the others alone. Closing it tears all of that down
 * (the TUN device, and with it its routes, goes away when its fd closes).
 */
final class GatewayRuntime implements AutoCloseable, Reconfigurer.Host {
  /**
   * Bytes of counter values in the counters file: 65,536 counters, about 3,270 child SAs (20
   * counters a pair: packets, bytes and drops by reason, per direction). The file is sparse: pages
   * of counters never allocated cost nothing.
   */
  private static final int COUNTER_VALUES_BYTES = 8 << 20;

  /** How long a metrics scrape waits for the IKE thread's list of SAs. */
  private static final java.time.Duration IKE_STATE_TIMEOUT = java.time.Duration.ofSeconds(1);

  private final GatewayConfig config;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final Path countersPath;

  /** Kernel routes into the TUN device, by prefix, with how many connections need each. */
  private final Map<IpPrefix, Integer> kernelRoutes = new HashMap<>();

  private Dataplane dataplane;
  private RawIpSocket raw;
  private TunDevice tun;
  private int tunMtu;
  private DataplaneInstaller installer;
  private IkeService ike;
  private Monitoring monitoring;
  private final HaSection ha;
  private HaService haService;
  // The connections running now, in the order they started (the monitoring's interface order).
  private final Map<String, Connection> running = new java.util.LinkedHashMap<>();

  private GatewayRuntime(GatewayConfig config, HaSection ha) {
    this.config = config;
    this.ha = ha;
    this.countersPath = config.gateway().runDirectory().resolve("counters.dat");
  }

  /** Starts everything; on any failure what was started is closed again. */
  static GatewayRuntime start(GatewayConfig config, ThreadingMode mode, boolean pinThreads)
      throws IOException {
    return start(config, mode, pinThreads, null);
  }

  /**
   * Starts everything as one node of an active-standby pair (HA null: a single gateway); on any
   * failure what was started is closed again.
   */
  static GatewayRuntime start(
      GatewayConfig config, ThreadingMode mode, boolean pinThreads, HaSection ha)
      throws IOException {
    GatewayRuntime runtime = new GatewayRuntime(config, ha);
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

  /** The HA node, or null for a single gateway. */
  HaService ha() {
    return haService;
  }

  private void startAll(ThreadingMode mode, boolean pinThreads) throws IOException {
    GatewayConfig.Gateway gw = config.gateway();
    Files.createDirectories(gw.runDirectory());
    CountersFile counters = CountersFile.create(countersPath, COUNTER_VALUES_BYTES);
    resources.add(counters);
    monitoring = Monitoring.create(config);
    resources.add(monitoring);
    tun = TunDevice.open(gw.tunnelInterface(), 1, gw.tunOffload());
    resources.add(tun);
    tunMtu = 576;
    for (Connection c : config.connections()) {
      tunMtu = Math.max(tunMtu, tunnelMtu(c, gw));
    }
    LinkConfig.setMtu(tun.name(), tunMtu);
    LinkConfig.up(tun.name());
    // The dataplane's ICMP errors come from our own address: without this the kernel drops them.
    LinkConfig.acceptLocalSource(tun.name());
    enableForwarding();
    if (ha != null) {
      // The standby binds its sockets to the virtual address it does not hold (yet).
      enableNonLocalBind();
      IkeLog roleLog = IkeLog.stdout(monitoring.ikeEvents());
      haService =
          HaService.open(
              ha,
              (role, epoch, reason, details) -> {
                List<Object> pairs = new ArrayList<>(List.of("role", role, "epoch", epoch));
                pairs.add("reason");
                pairs.add(reason);
                details.forEach(
                    (k, v) -> {
                      pairs.add(k);
                      pairs.add(v);
                    });
                // On the IKE thread: the event journal's appender belongs to that thread.
                Object[] fields = pairs.toArray();
                ike.conductor().command(d -> roleLog.event("ha_role_changed", null, fields));
              });
      resources.add(haService);
    }
    InetAddress local = gw.publicAddress();
    boolean v4 = local instanceof Inet4Address;
    // UDP 4500 always: IKE may find a NAT and move any negotiated tunnel there (RFC 7296 2.23),
    // and connections added later mostly want it. Raw ESP only when a connection at start uses
    // it: an idle socket would cost the I/O thread a receive call every duty cycle.
    UdpSocket udp = UdpSocket.open(local, SaConfig.DEFAULT_NAT_T_PORT, false, true);
    resources.add(udp);
    udp.setReceiveBufferSize(4 << 20);
    udp.setSendBufferSize(4 << 20);
    boolean wanOffload = gw.wanOffload() && udp.enableSegmentation();
    if (config.connections().stream().anyMatch(c -> !c.udpEncapsulation())) {
      raw = RawIpSocket.open(local, 50, true);
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
    dataplane.bandwidthLimit(Reconfigurer.bandwidthLimit(gw));
    installer = new DataplaneInstaller(dataplane, gw.workers());
    if (haService != null) {
      installer.outboundHook(haService.replicator()::fence);
    }
    List<IkeConnectionConfig> ikeConnections = new ArrayList<>();
    for (Connection c : config.connections()) {
      int mtu = tunnelMtu(c, gw);
      addKernelRoutes(c, mtu);
      running(c.name(), c);
      if (c.manualKeys() != null) {
        addManual(c, gw, mtu);
      } else {
        installer.connection(c.name(), route(c, mtu));
        ikeConnections.add(c.ike());
      }
    }
    ike =
        IkeService.start(
            local,
            dataplane,
            ikeConnections,
            installer,
            gw.keyLogDirectory(),
            gw.ikeCookieThreshold(),
            monitoring.ikeEvents(),
            gw.natKeepalive(),
            haService != null);
    resources.add(ike);
    if (haService != null) {
      // Stopped before the IKE thread and the dataplane it drives.
      resources.remove(haService);
      resources.add(haService);
      haService.start(ike::call);
    }
    IkeService ikeState = ike;
    if (haService != null) {
      HaService node = haService;
      monitoring.ha(
          () ->
              new Monitoring.HaView(
                  node.role().name().toLowerCase(java.util.Locale.ROOT), node.epoch()));
    }
    monitoring.startExporters(
        countersPath,
        () -> ikeState.ikeSas(IKE_STATE_TIMEOUT),
        this::runningConnections,
        c -> tunnelMtu(c, gw));
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

  /** Records that {@code name} runs as {@code c} now, or no longer runs (null). */
  private void running(String name, Connection c) {
    synchronized (running) {
      if (c == null) {
        running.remove(name);
      } else {
        running.put(name, c);
      }
    }
  }

  /** The connections running now, for the monitoring (any thread). */
  private List<Connection> runningConnections() {
    synchronized (running) {
      return List.copyOf(running.values());
    }
  }

  @Override
  public void bandwidthLimit(long bitsPerSecond) {
    dataplane.bandwidthLimit(bitsPerSecond);
  }

  @Override
  public String refuses(Connection c) {
    if (!c.udpEncapsulation() && raw == null) {
      return "plain ESP (protocol 50) needs the raw ESP socket, which the gateway opens only when a"
          + " connection uses it at start: restart the gateway to add it";
    }
    return null;
  }

  /**
   * Starts one connection: its routes (and a larger TUN MTU if it needs one), then on the IKE
   * thread its tunnel (manual keys) or its IKE connection, initiated at once unless it only
   * responds. Nothing of it stays if a step fails.
   */
  @Override
  public void start(Connection c, GatewayConfig.Gateway gw) throws IOException {
    int mtu = tunnelMtu(c, gw);
    raiseTunMtu(mtu);
    addKernelRoutes(c, mtu);
    try {
      ike.call(daemon -> startOnIkeThread(daemon, c, gw, mtu));
    } catch (RuntimeException e) {
      removeKernelRoutes(c);
      throw e;
    }
    running(c.name(), c);
  }

  /**
   * Stops one connection: on the IKE thread its IKE SAs are deleted (the peer is told; tunnels and
   * SAs go when the delete is answered) or its manual tunnel removed; then its routes go.
   */
  @Override
  public void stop(Connection c) throws IOException {
    ike.call(daemon -> stopOnIkeThread(daemon, c));
    removeKernelRoutes(c);
    running(c.name(), null);
  }

  /**
   * Replaces a connection by its new version: the new routes are in place first, the old connection
   * is stopped and the new one started in one command on the IKE thread (the old one is started
   * again if the new one is refused), and only then do routes the new version no longer has go; a
   * prefix both have keeps its route throughout, its MTU updated in place.
   */
  @Override
  public void restart(
      Connection old, GatewayConfig.Gateway oldGw, Connection now, GatewayConfig.Gateway gw)
      throws IOException {
    int oldMtu = tunnelMtu(old, oldGw);
    int mtu = tunnelMtu(now, gw);
    raiseTunMtu(mtu);
    addKernelRoutes(now, mtu);
    try {
      ike.call(
          daemon -> {
            stopOnIkeThread(daemon, old);
            try {
              startOnIkeThread(daemon, now, gw, mtu);
            } catch (RuntimeException e) {
              startOnIkeThread(daemon, old, oldGw, oldMtu);
              throw e;
            }
          });
    } catch (RuntimeException e) {
      removeKernelRoutes(now);
      throw e;
    }
    removeKernelRoutes(old);
    running(old.name(), null);
    running(now.name(), now);
    if (mtu != oldMtu) {
      for (IpPrefix p : now.localNetworkGateway().addressPrefixes()) {
        if (old.localNetworkGateway().addressPrefixes().contains(p)) {
          LinkConfig.replaceRoute(p.toString(), tun.name(), mtu);
        }
      }
    }
  }

  private void raiseTunMtu(int mtu) throws IOException {
    if (mtu > tunMtu) {
      LinkConfig.setMtu(tun.name(), mtu);
      tunMtu = mtu;
    }
  }

  /** On the IKE thread: the connection's manual tunnel, or its IKE connection. */
  private void startOnIkeThread(IkeDaemon daemon, Connection c, GatewayConfig.Gateway gw, int mtu) {
    if (c.manualKeys() != null) {
      addManual(c, gw, mtu);
      return;
    }
    installer.connection(c.name(), route(c, mtu));
    try {
      daemon.addConnection(c.ike());
    } catch (RuntimeException e) {
      installer.forget(c.name());
      throw e;
    }
  }

  /** On the IKE thread: the connection's tunnel removed, or its IKE SAs deleted. */
  private void stopOnIkeThread(IkeDaemon daemon, Connection c) {
    if (c.manualKeys() != null) {
      installer.removeManual(c.name());
    } else {
      daemon.removeConnection(c.name());
      installer.forget(c.name());
    }
  }

  private void addManual(Connection c, GatewayConfig.Gateway gw, int mtu) {
    List<TrafficSelector> localTs = gw.vnetPrefixes().stream().map(TrafficSelector::of).toList();
    List<TrafficSelector> remoteTs =
        c.localNetworkGateway().addressPrefixes().stream().map(TrafficSelector::of).toList();
    GatewayConfig.ManualKeys keys = c.manualKeys();
    installer.addManual(
        c.name(),
        new InetSocketAddress(
            c.localNetworkGateway().gatewayAddress(),
            c.udpEncapsulation() ? SaConfig.DEFAULT_NAT_T_PORT : 0),
        route(c, mtu),
        SelectorSet.of(localTs, remoteTs),
        saConfig(c, gw, keys.inbound()),
        saConfig(c, gw, keys.outbound()));
  }

  private static DataplaneInstaller.Route route(Connection c, int mtu) {
    return new DataplaneInstaller.Route(c.localNetworkGateway().addressPrefixes(), mtu);
  }

  /**
   * Routes the connection's site prefixes into the TUN device. The route stays while the tunnel is
   * down: traffic for the site is dropped (and counted) in the gateway instead of leaking out of
   * another interface. Two connections to one site share its routes.
   */
  private void addKernelRoutes(Connection c, int mtu) throws IOException {
    List<IpPrefix> added = new ArrayList<>();
    try {
      for (IpPrefix p : c.localNetworkGateway().addressPrefixes()) {
        int n = kernelRoutes.getOrDefault(p, 0);
        if (n == 0) {
          LinkConfig.addRoute(p.toString(), tun.name(), mtu);
        }
        kernelRoutes.put(p, n + 1);
        added.add(p);
      }
    } catch (IOException | RuntimeException e) {
      for (IpPrefix p : added) {
        try {
          release(p);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private void removeKernelRoutes(Connection c) throws IOException {
    for (IpPrefix p : c.localNetworkGateway().addressPrefixes()) {
      release(p);
    }
  }

  private void release(IpPrefix p) throws IOException {
    Integer n = kernelRoutes.get(p);
    if (n == null) {
      return;
    }
    if (n > 1) {
      kernelRoutes.put(p, n - 1);
      return;
    }
    kernelRoutes.remove(p);
    LinkConfig.deleteRoute(p.toString(), tun.name());
  }

  private static SaConfig saConfig(Connection c, GatewayConfig.Gateway gw, ManualSa sa) {
    InetAddress peer = c.localNetworkGateway().gatewayAddress();
    return SaConfig.builder()
        .spi(sa.spi())
        .suite(sa.suite())
        .encryptionKey(sa.key())
        .integrityKey(sa.integrityKey())
        .tunnel(gw.publicAddress(), peer)
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
  private static int tunnelMtu(Connection c, GatewayConfig.Gateway gw) {
    boolean v6 = c.localNetworkGateway().gatewayAddress().getAddress().length == 16;
    if (c.manualKeys() != null) {
      return gw.wanMtu() - overhead(c.manualKeys().outbound().suite(), v6, c.udpEncapsulation());
    }
    // Before IKE has chosen, the worst of the proposals; and UDP, which a NAT may force.
    int worst = 0;
    for (EspSuite suite : EspSuites.all(c.ike().espProposals())) {
      worst = Math.max(worst, overhead(suite, v6, true));
    }
    return gw.wanMtu() - worst;
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

  private static void enableNonLocalBind() throws IOException {
    for (String f :
        new String[] {
          "/proc/sys/net/ipv4/ip_nonlocal_bind", "/proc/sys/net/ipv6/ip_nonlocal_bind"
        }) {
      Files.writeString(Path.of(f), "1");
    }
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
