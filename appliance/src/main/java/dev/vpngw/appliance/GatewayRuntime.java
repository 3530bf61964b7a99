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

  /**
   * The metric of the kernel routes into the TUN device. An ExpressRoute gateway in the same
   * namespace routes its circuit's prefixes at a lower (preferred) metric, {@code
   * dev.vpngw.appliance.er.CircuitMonitor#ROUTE_METRIC}: for the same prefix the kernel then
   * prefers the circuit while it is up and falls back to the tunnel (docs/ARCHITECTURE.md).
   */
  static final int VPN_ROUTE_METRIC = 100;

  /**
   * The routing table of forced tunneling: the default route into the TUN device, consulted only
   * for packets from the virtual network (rule {@link #DEFAULT_SITE_RULE}) that the main table has
   * no more specific route for (rule {@link #MAIN_UNLESS_DEFAULT_RULE}).
   */
  static final int DEFAULT_SITE_TABLE = 5400;

  /** Priority of the rule that lets the main table decide unless all it has is a default. */
  static final int MAIN_UNLESS_DEFAULT_RULE = 5390;

  /** Priority of the rules that send the virtual network's other packets to the default site. */
  static final int DEFAULT_SITE_RULE = 5400;

  /** What a kernel object a connection needs is. */
  private enum Kind {
    /** A route of a site's prefix into the TUN device (main table). */
    ROUTE,
    /**
     * The default route (0.0.0.0/0 or ::/0) into the TUN device, in {@link #DEFAULT_SITE_TABLE}.
     */
    DEFAULT_ROUTE,
    /** The main table first, unless its match is a default route (one per family). */
    MAIN_UNLESS_DEFAULT,
    /** Packets from this virtual network prefix look the default site's table up. */
    FROM_VNET
  }

  /** One route or rule in the kernel that connections need. */
  private record KernelItem(Kind kind, IpPrefix prefix) {}

  /** Kernel routes and rules, with how many connections need each. */
  private final Map<KernelItem, Integer> kernelRoutes = new HashMap<>();

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

  /** Who else hears the IKE thread's events (the FQDN watcher); set once the gateway runs. */
  private volatile java.util.function.Consumer<dev.vpngw.ikev2.IkeLog.Event> ikeEventHook = e -> {};

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

  /** Hands the IKE thread's events to {@code hook} too (on the IKE thread: it must not block). */
  void ikeEventHook(java.util.function.Consumer<dev.vpngw.ikev2.IkeLog.Event> hook) {
    ikeEventHook = hook;
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
      addKernelRoutes(c, gw, mtu);
      running(c.name(), c);
      if (c.manualKeys() != null) {
        addManual(c, gw, mtu);
      } else {
        installer.connection(c.name(), route(c, gw, mtu));
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
            monitoring.ikeEvents().andThen(e -> ikeEventHook.accept(e)),
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
    addKernelRoutes(c, gw, mtu);
    try {
      ike.call(daemon -> startOnIkeThread(daemon, c, gw, mtu));
    } catch (RuntimeException e) {
      removeKernelRoutes(c, gw);
      throw e;
    }
    running(c.name(), c);
  }

  /**
   * Stops one connection: on the IKE thread its IKE SAs are deleted (the peer is told; tunnels and
   * SAs go when the delete is answered) or its manual tunnel removed; then its routes go.
   */
  @Override
  public void stop(Connection c, GatewayConfig.Gateway gw) throws IOException {
    ike.call(daemon -> stopOnIkeThread(daemon, c));
    removeKernelRoutes(c, gw);
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
    addKernelRoutes(now, gw, mtu);
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
      removeKernelRoutes(now, gw);
      throw e;
    }
    removeKernelRoutes(old, oldGw);
    running(old.name(), null);
    running(now.name(), now);
    if (mtu != oldMtu) {
      List<KernelItem> before = kernelItems(old, oldGw);
      for (KernelItem k : kernelItems(now, gw)) {
        if (before.contains(k) && k.kind() == Kind.ROUTE) {
          LinkConfig.replaceRoute(k.prefix().toString(), tun.name(), mtu, VPN_ROUTE_METRIC);
        } else if (before.contains(k) && k.kind() == Kind.DEFAULT_ROUTE) {
          LinkConfig.replaceTableRoute(k.prefix().toString(), tun.name(), mtu, DEFAULT_SITE_TABLE);
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
    installer.connection(c.name(), route(c, gw, mtu));
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
        route(c, gw, mtu),
        SelectorSet.of(localTs, remoteTs),
        saConfig(c, gw, keys.inbound()),
        saConfig(c, gw, keys.outbound()));
  }

  private static DataplaneInstaller.Route route(Connection c, GatewayConfig.Gateway gw, int mtu) {
    List<IpPrefix> routes = new ArrayList<>(c.localNetworkGateway().addressPrefixes());
    if (isDefaultSite(c, gw)) {
      routes.addAll(defaultPrefixes(gw));
    }
    return new DataplaneInstaller.Route(List.copyOf(routes), mtu, c.routingWeight());
  }

  /** Whether {@code c} leads to the gateway's default site (forced tunneling). */
  private static boolean isDefaultSite(Connection c, GatewayConfig.Gateway gw) {
    return c.localNetworkGateway().name().equals(gw.gatewayDefaultSite());
  }

  /** The default routes of the families the virtual network has: 0.0.0.0/0, ::/0. */
  private static List<IpPrefix> defaultPrefixes(GatewayConfig.Gateway gw) {
    List<IpPrefix> out = new ArrayList<>();
    if (gw.vnetPrefixes().stream().anyMatch(p -> !p.isIpv6())) {
      out.add(IpPrefix.parse("0.0.0.0/0"));
    }
    if (gw.vnetPrefixes().stream().anyMatch(IpPrefix::isIpv6)) {
      out.add(IpPrefix.parse("::/0"));
    }
    return out;
  }

  /**
   * The kernel routes and rules a connection needs: its site's prefixes into the TUN device and,
   * for the default site, the virtual network's default route into it as well. That default lives
   * in a table of its own that only packets from the virtual network consult, after the main table
   * had its say on anything more specific than a default, so the gateway's own traffic (IKE and ESP
   * to the peers) keeps the WAN's routes.
   */
  private static List<KernelItem> kernelItems(Connection c, GatewayConfig.Gateway gw) {
    List<KernelItem> items = new ArrayList<>();
    for (IpPrefix p : c.localNetworkGateway().addressPrefixes()) {
      items.add(new KernelItem(Kind.ROUTE, p));
    }
    if (isDefaultSite(c, gw)) {
      for (IpPrefix d : defaultPrefixes(gw)) {
        items.add(new KernelItem(Kind.DEFAULT_ROUTE, d));
        items.add(new KernelItem(Kind.MAIN_UNLESS_DEFAULT, d));
      }
      for (IpPrefix v : gw.vnetPrefixes()) {
        items.add(new KernelItem(Kind.FROM_VNET, v));
      }
    }
    return items;
  }

  /**
   * Routes the connection's site prefixes (and the default site's default) into the TUN device. The
   * routes stay while the tunnel is down: traffic for the site is dropped (and counted) in the
   * gateway instead of leaking out of another interface. Two connections to one site share them.
   */
  private void addKernelRoutes(Connection c, GatewayConfig.Gateway gw, int mtu) throws IOException {
    List<KernelItem> added = new ArrayList<>();
    try {
      for (KernelItem k : kernelItems(c, gw)) {
        int n = kernelRoutes.getOrDefault(k, 0);
        if (n == 0) {
          install(k, mtu);
        }
        kernelRoutes.put(k, n + 1);
        added.add(k);
      }
    } catch (IOException | RuntimeException e) {
      for (KernelItem k : added) {
        try {
          release(k);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private void removeKernelRoutes(Connection c, GatewayConfig.Gateway gw) throws IOException {
    for (KernelItem k : kernelItems(c, gw)) {
      release(k);
    }
  }

  private void install(KernelItem k, int mtu) throws IOException {
    String p = k.prefix().toString();
    switch (k.kind()) {
      case ROUTE -> LinkConfig.addRoute(p, tun.name(), mtu, VPN_ROUTE_METRIC);
      case DEFAULT_ROUTE -> LinkConfig.addTableRoute(p, tun.name(), mtu, DEFAULT_SITE_TABLE);
      case MAIN_UNLESS_DEFAULT ->
          LinkConfig.addMainUnlessDefaultRule(k.prefix().isIpv6(), MAIN_UNLESS_DEFAULT_RULE);
      case FROM_VNET -> LinkConfig.addSourceRule(p, DEFAULT_SITE_TABLE, DEFAULT_SITE_RULE);
    }
  }

  private void release(KernelItem k) throws IOException {
    Integer n = kernelRoutes.get(k);
    if (n == null) {
      return;
    }
    if (n > 1) {
      kernelRoutes.put(k, n - 1);
      return;
    }
    kernelRoutes.remove(k);
    String p = k.prefix().toString();
    switch (k.kind()) {
      case ROUTE -> LinkConfig.deleteRoute(p, tun.name(), VPN_ROUTE_METRIC);
      case DEFAULT_ROUTE -> LinkConfig.deleteTableRoute(p, tun.name(), DEFAULT_SITE_TABLE);
      case MAIN_UNLESS_DEFAULT ->
          LinkConfig.deleteMainUnlessDefaultRule(k.prefix().isIpv6(), MAIN_UNLESS_DEFAULT_RULE);
      case FROM_VNET -> LinkConfig.deleteSourceRule(p, DEFAULT_SITE_TABLE, DEFAULT_SITE_RULE);
    }
  }

  /**
   * The policy rules of forced tunneling outlive the TUN device (its routes go with it), so they
   * are taken out when the gateway stops.
   */
  private void removeRules() {
    for (KernelItem k : List.copyOf(kernelRoutes.keySet())) {
      if (k.kind() == Kind.MAIN_UNLESS_DEFAULT || k.kind() == Kind.FROM_VNET) {
        kernelRoutes.put(k, 1);
        try {
          release(k);
        } catch (IOException e) {
          System.err.println("vpngw: cannot remove a forced-tunneling rule: " + e.getMessage());
        }
      }
    }
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
    if (tun != null) {
      removeRules();
    }
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    java.util.Collections.reverse(reversed);
    CloseHelper.closeAll(reversed);
  }
}
