package dev.vpngw.pipeline;

import dev.vpngw.counters.OffloadCounters;
import dev.vpngw.counters.PipelineCounters;
import dev.vpngw.counters.SaCounters;
import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.esp.EspCounters;
import dev.vpngw.esp.EspEncapsulator;
import dev.vpngw.fib.FibBuilder;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.io.raw.RawIpSocket;
import dev.vpngw.io.sys.NativeIOException;
import dev.vpngw.io.tun.TunDevice;
import dev.vpngw.io.udp.UdpSocket;
import dev.vpngw.packet.EspHeader;
import dev.vpngw.packet.IcmpRateLimiter;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SecurityAssociation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.CountersManager;

/**
 * The running dataplane of one gateway and its control-side API. Owns the agents (TUN receive, WAN
 * receive per socket, crypto workers, transmit), the rings between them and their threads.
 *
 * <p>Control calls (any thread, serialised here) never touch a worker's state: they key SAs, then
 * send them to the owning worker as commands, and they publish new {@link RoutingState} versions
 * for the receive agents. So the packet path takes no lock.
 *
 * <p>IKE shares the NAT-T socket with ESP (RFC 3948): the receive agents copy IKE messages into a
 * control ring that the IKE thread drains with {@link #pollControl}, and {@link #sendControl} sends
 * IKE from the same socket, so a peer behind a NAT sees one port for both.
 *
 * <pre>
 *  TUN --TunRxAgent--> worker inbox --CryptoWorker--> worker outbox --TxAgent--> UDP/raw socket
 *  UDP/raw --EspRxAgent--> worker inbox --CryptoWorker--> worker outbox --TxAgent--> TUN
 *  UDP 4500 --EspRxAgent--> control ring --pollControl--> IKE thread --sendControl--> UDP 4500
 * </pre>
 */
public final class Dataplane implements AutoCloseable {
  /**
   * How to run the dataplane.
   *
   * @param workers crypto worker count (each owns the SAs of the tunnels assigned to it)
   * @param mode how agents map onto threads
   * @param ringCapacity bytes per ring (a power of two)
   * @param pinThreads whether to pin the I/O thread and the workers to cores
   * @param engine the crypto engine the SAs are keyed on
   */
  public record Options(
      int workers, ThreadingMode mode, int ringCapacity, boolean pinThreads, CryptoEngine engine) {
    /** Checks the values. */
    public Options {
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be >= 1, not " + workers);
      }
      if (Integer.bitCount(ringCapacity) != 1 || ringCapacity < 65_536) {
        throw new IllegalArgumentException("ringCapacity must be a power of two >= 64 KiB");
      }
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(engine, "engine");
    }
  }

  /**
   * The kernel-facing ends: the TUN device (queue 0 is used) and the WAN sockets; absent sockets
   * are null. A tunnel needs the socket of its peer's family and its encapsulation.
   *
   * @param tun the TUN device for inner packets; null for a dataplane without a LAN side, which
   *     only the control path's tests use (no CAP_NET_ADMIN needed): decrypted packets are then
   *     dropped as {@link dev.vpngw.counters.PipelineDropReason#TX_FAILED}
   * @param udp4 UDP socket on the NAT-T port, IPv4
   * @param udp6 UDP socket on the NAT-T port, IPv6
   * @param raw4 raw protocol 50 socket, IPv4
   * @param raw6 raw protocol 50 socket, IPv6
   * @param gatewayIpv4 our IPv4 address as the source of ICMP errors (big-endian int), or 0
   * @param gatewayIpv6 our IPv6 address as the source of ICMPv6 errors, or null
   */
  public record Ports(
      TunDevice tun,
      UdpSocket udp4,
      UdpSocket udp6,
      RawIpSocket raw4,
      RawIpSocket raw6,
      int gatewayIpv4,
      byte[] gatewayIpv6) {}

  /** The longest IKE message {@link #sendControl} takes: a UDP payload less the marker. */
  public static final int MAX_CONTROL_MESSAGE = NatTControlPath.MAX_MESSAGE;

  /** The name of the thread of the I/O agents in {@link ThreadingMode#DEDICATED}. */
  static final String IO_THREAD = "vpngw-io";

  /** The name of the one thread in {@link ThreadingMode#SHARED}. */
  static final String SHARED_THREAD = "vpngw-dataplane";

  /** The longest sleep of an idle dataplane thread. */
  static final long IDLE_SLEEP_NANOS = 1_000_000;

  /**
   * How long a control call waits for a worker whose command queue is full before giving up: a
   * worker drains commands every duty cycle, so one that takes none for this long is stuck or dead.
   */
  static final long COMMAND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

  /**
   * The most an ESP packet adds to its inner packet, without the outer IP and UDP headers (the
   * worker hands ESP alone to the transmit agent): the ESP header, the longest IV, and the longest
   * padding, trailer and ICV ({@link EspEncapsulator#TAILROOM}).
   */
  static final int MAX_ESP_OVERHEAD =
      EspHeader.LENGTH
          + Arrays.stream(Encryption.values()).mapToInt(Encryption::ivLength).max().orElseThrow()
          + EspEncapsulator.TAILROOM;

  /**
   * The longest message a receive agent may put into a worker's inbox regardless of tunnels: a
   * received ESP datagram (up to a receive slot, {@link TxAgent#SLOT}) behind its peer.
   */
  static final int LARGEST_RECEIVED_MESSAGE = RingMessages.PEER_LENGTH + TxAgent.SLOT;

  private final Options options;
  private final Ports ports;
  private final CountersManager counters;
  private final NatTControlPath control;
  private final WorkerProxy workerProxy;
  private final Doorbell.Poll ioDoorbell;
  private final BandwidthLimiter outboundBandwidth = new BandwidthLimiter();
  private final BandwidthLimiter inboundBandwidth = new BandwidthLimiter();
  private final List<AgentRunner> runners = new ArrayList<>();
  private final List<AutoCloseable> agentCounters = new ArrayList<>();
  private final AgentErrorLog errors = new AgentErrorLog(System.err);

  // Control-side state, guarded by this object's monitor (every control method is synchronized).
  private final FibBuilder fibBuilder = new FibBuilder();
  private volatile RoutingState routing = RoutingState.EMPTY;
  private final Map<Integer, List<IpPrefix>> routesByTunnel = new HashMap<>();
  private final Int2IntHashMap inboundSpiToTunnel = new Int2IntHashMap(-1);
  private final SaCounterIndex saCounters = new SaCounterIndex();
  private int lastGeneration;
  private boolean closed;

  private Dataplane(Options options, Ports ports, CountersManager counters) {
    this.options = options;
    this.ports = ports;
    this.counters = counters;
    this.control = new NatTControlPath(ports.udp4(), ports.udp6());
    RingBuffer[] inboxes = new RingBuffer[options.workers()];
    RingBuffer[] outboxes = new RingBuffer[options.workers()];
    for (int i = 0; i < options.workers(); i++) {
      inboxes[i] = new ManyToOneRingBuffer(ring(options.ringCapacity()));
      outboxes[i] = new OneToOneRingBuffer(ring(options.ringCapacity()));
    }
    // Refused before any counter or thread exists: a ring that cannot take the largest message
    // would make its agent throw on every such packet.
    int ringMaxMessage = Math.min(inboxes[0].maxMsgLength(), outboxes[0].maxMsgLength());
    if (ringMaxMessage < LARGEST_RECEIVED_MESSAGE) {
      throw new IllegalArgumentException(
          String.format(
              "ringCapacity %d takes messages of up to %d bytes, but a received ESP datagram of up"
                  + " to %d bytes needs %d: use a ringCapacity of at least %d",
              options.ringCapacity(),
              ringMaxMessage,
              TxAgent.SLOT,
              LARGEST_RECEIVED_MESSAGE,
              Integer.highestOneBit(LARGEST_RECEIVED_MESSAGE * 8 - 1) << 1));
    }
    boolean shared = options.mode() == ThreadingMode.SHARED;
    // The I/O thread sleeps in poll(2) on its fds and an eventfd; each worker parks. In SHARED
    // mode one thread does it all, and the workers' doorbell is the I/O thread's.
    try {
      ioDoorbell = new Doorbell.Poll(inputFds(ports));
    } catch (NativeIOException e) {
      throw new UncheckedIOException(e);
    }
    Doorbell[] workerDoorbells = new Doorbell[options.workers()];
    for (int i = 0; i < workerDoorbells.length; i++) {
      workerDoorbells[i] = shared ? ioDoorbell : new Doorbell.Park();
    }
    Doorbell[] ioOnly = {ioDoorbell};
    List<ManyToOneConcurrentArrayQueue<WorkerCommand>> commandQueues = new ArrayList<>();
    List<Agent> workers = new ArrayList<>();
    for (int i = 0; i < options.workers(); i++) {
      ManyToOneConcurrentArrayQueue<WorkerCommand> q = new ManyToOneConcurrentArrayQueue<>(1024);
      commandQueues.add(q);
      AgentCounters c = agentCounters("worker-" + i);
      Agent worker =
          guard(
              new CryptoWorker(
                  i, inboxes[i], outboxes[i], q, c, outboundBandwidth, inboundBandwidth),
              c);
      workers.add(shared ? worker : new RingingAgent(worker, ioOnly));
    }
    this.workerProxy =
        new WorkerProxy(
            commandQueues, workerDoorbells, COMMAND_TIMEOUT_NANOS, SystemNanoClock.INSTANCE);
    List<Agent> io = new ArrayList<>();
    // The receive agents feed the workers: they ring them (in SHARED mode nobody sleeps then).
    Doorbell[] feeds = shared ? new Doorbell[0] : workerDoorbells;
    if (ports.tun() != null) {
      AgentCounters c = agentCounters("tun-rx");
      OffloadCounters offload =
          new OffloadCounters(counters, "tun-rx", OffloadCounters.Kind.TUN_GSO);
      agentCounters.add(offload);
      io.add(
          ringing(
              feeds,
              new TunRxAgent(
                  ports.tun().queue(0),
                  this::routing,
                  inboxes,
                  c,
                  offload,
                  new IcmpRateLimiter(100, 20),
                  ports.gatewayIpv4(),
                  ports.gatewayIpv6()),
              c));
    }
    for (UdpSocket udp : new UdpSocket[] {ports.udp4(), ports.udp6()}) {
      if (udp != null) {
        String agent = udp.isIpv6() ? "udp6-rx" : "udp4-rx";
        AgentCounters c = agentCounters(agent);
        OffloadCounters gro = new OffloadCounters(counters, agent, OffloadCounters.Kind.WAN_GRO);
        agentCounters.add(gro);
        io.add(
            ringing(feeds, EspRxAgent.udp(udp, this::routing, inboxes, control.ring(), c, gro), c));
      }
    }
    if (ports.raw4() != null) {
      AgentCounters c = agentCounters("raw4-rx");
      io.add(ringing(feeds, EspRxAgent.raw(ports.raw4(), this::routing, inboxes, c), c));
    }
    if (ports.raw6() != null) {
      AgentCounters c = agentCounters("raw6-rx");
      io.add(ringing(feeds, EspRxAgent.raw(ports.raw6(), this::routing, inboxes, c), c));
    }
    AgentCounters tx = agentCounters("tx");
    OffloadCounters tunGro = new OffloadCounters(counters, "tx", OffloadCounters.Kind.TUN_GRO);
    agentCounters.add(tunGro);
    OffloadCounters wanGso = new OffloadCounters(counters, "tx", OffloadCounters.Kind.WAN_GSO);
    agentCounters.add(wanGso);
    TxAgent txAgent =
        new TxAgent(
            outboxes,
            ports.tun() == null ? null : ports.tun().queue(0),
            ports.udp4(),
            ports.udp6(),
            ports.raw4(),
            ports.raw6(),
            tx,
            tunGro,
            wanGso);
    io.add(guard(txAgent, tx));
    BandwidthAllocator allocator =
        new BandwidthAllocator(outboundBandwidth, inboundBandwidth, counters);
    agentCounters.add(allocator);
    io.add(allocator);
    switch (options.mode()) {
      case SHARED -> {
        List<Agent> all = new ArrayList<>(io);
        all.addAll(workers);
        BooleanSupplier pending =
            () -> txAgent.hasBacklog() || anyPending(inboxes) || anyPending(commandQueues);
        start(SHARED_THREAD, new CompositeAgent(all), 0, idle(ioDoorbell, pending));
      }
      case DEDICATED -> {
        start(IO_THREAD, new CompositeAgent(io), 0, idle(ioDoorbell, txAgent::hasBacklog));
        for (int i = 0; i < workers.size(); i++) {
          RingBuffer inbox = inboxes[i];
          ManyToOneConcurrentArrayQueue<WorkerCommand> q = commandQueues.get(i);
          start(
              workers.get(i).roleName(),
              workers.get(i),
              1 + i,
              idle(workerDoorbells[i], () -> inbox.size() > 0 || !q.isEmpty()));
        }
      }
    }
  }

  /**
   * Starts the dataplane on {@code ports}; counters go to {@code counters}.
   *
   * @throws IllegalArgumentException if the ring capacity cannot take the largest message a receive
   *     agent may queue (nothing is started then)
   */
  public static Dataplane start(Options options, Ports ports, CountersManager counters) {
    return new Dataplane(options, ports, counters);
  }

  private AgentCounters agentCounters(String agent) {
    EspCounters esp = new EspCounters(counters, agent);
    PipelineCounters pipeline = new PipelineCounters(counters, agent);
    agentCounters.add(esp);
    agentCounters.add(pipeline);
    return new AgentCounters(esp, pipeline);
  }

  private Agent guard(Agent agent, AgentCounters agentCounters) {
    return new GuardedAgent(agent, agentCounters.pipeline(), errors);
  }

  private Agent ringing(Doorbell[] consumers, Agent agent, AgentCounters agentCounters) {
    Agent guarded = guard(agent, agentCounters);
    return consumers.length == 0 ? guarded : new RingingAgent(guarded, consumers);
  }

  /** The fds the I/O thread reads: it sleeps in poll(2) on them. */
  private static int[] inputFds(Ports ports) {
    List<Integer> fds = new ArrayList<>();
    if (ports.tun() != null) {
      fds.add(ports.tun().queue(0).fd());
    }
    for (UdpSocket udp : new UdpSocket[] {ports.udp4(), ports.udp6()}) {
      if (udp != null) {
        fds.add(udp.fd());
      }
    }
    for (RawIpSocket raw : new RawIpSocket[] {ports.raw4(), ports.raw6()}) {
      if (raw != null) {
        fds.add(raw.fd());
      }
    }
    return fds.stream().mapToInt(Integer::intValue).toArray();
  }

  private static boolean anyPending(RingBuffer[] rings) {
    for (RingBuffer r : rings) {
      if (r.size() > 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyPending(List<ManyToOneConcurrentArrayQueue<WorkerCommand>> queues) {
    for (ManyToOneConcurrentArrayQueue<WorkerCommand> q : queues) {
      if (!q.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private static UnsafeBuffer ring(int capacity) {
    return new UnsafeBuffer(
        ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH));
  }

  /**
   * Spin, yield, then sleep until woken (see {@link WakeableIdleStrategy}) or for at most a
   * millisecond, so timers (the workers' counter publication) still run.
   */
  private static IdleStrategy idle(Doorbell doorbell, BooleanSupplier pendingWork) {
    return new WakeableIdleStrategy(doorbell, pendingWork, 100, 10, IDLE_SLEEP_NANOS);
  }

  private void start(String threadName, Agent agent, int cpuIndex, IdleStrategy idle) {
    AgentRunner runner =
        new AgentRunner(
            idle,
            // Each GuardedAgent counts and reports its own agent's errors; only what fails
            // outside every agent (the composite itself) arrives here.
            t -> errors.report(threadName, t),
            null,
            new ThreadAgent(threadName, agent, options.pinThreads() ? cpuIndex : -1));
    runners.add(runner);
    AgentRunner.startOnThread(runner);
  }

  /** The current routing state (what the receive agents route by): tests look into it. */
  RoutingState routing() {
    return routing;
  }

  /**
   * Starts carrying a tunnel: routes its prefixes (inner destinations) to it. Its SAs follow with
   * {@link #installOutbound} and {@link #installInbound}.
   *
   * @throws IllegalArgumentException if the id is in use, the worker does not exist, there is no
   *     socket for the tunnel's peer family and encapsulation, or its MTU makes ESP packets larger
   *     than the dataplane's packet slots
   */
  public synchronized void addTunnel(TunnelInfo tunnel, List<IpPrefix> routes) {
    addTunnel(tunnel, routes, 0);
  }

  /**
   * Starts carrying a tunnel whose routes compete with other tunnels' routes to the same prefixes:
   * of the tunnels carrying a prefix, the one of lowest {@code weight} gets its packets (a tie goes
   * to the lower tunnel id, {@link dev.vpngw.fib.FibBuilder}); when it is removed the next one
   * takes over with the same routing update. Otherwise as {@link #addTunnel(TunnelInfo, List)}.
   *
   * @param weight the routes' FIB weight: lower is preferred
   */
  public synchronized void addTunnel(TunnelInfo tunnel, List<IpPrefix> routes, int weight) {
    if (tunnel.worker() >= options.workers()) {
      throw new IllegalArgumentException(
          "tunnel " + tunnel.name() + ": worker " + tunnel.worker() + " of " + options.workers());
    }
    // The start-time check made every ring take a slot's worth of ESP, so this covers the rings.
    int largestEsp = tunnel.mtu() + MAX_ESP_OVERHEAD;
    if (largestEsp > TxAgent.SLOT) {
      throw new IllegalArgumentException(
          String.format(
              "tunnel %s: MTU %d makes ESP packets of up to %d bytes, more than the dataplane's"
                  + " %d-byte packet slots: the largest tunnel MTU is %d",
              tunnel.name(),
              tunnel.mtu(),
              largestEsp,
              TxAgent.SLOT,
              TxAgent.SLOT - MAX_ESP_OVERHEAD));
    }
    if (routing.tunnel(tunnel.id()) != null) {
      throw new IllegalArgumentException("tunnel id " + tunnel.id() + " is in use");
    }
    requireSocketFor(tunnel);
    List<IpPrefix> own = List.copyOf(routes);
    int size = Math.max(routing.tunnels().length, tunnel.id() + 1);
    TunnelInfo[] tunnels = Arrays.copyOf(routing.tunnels(), size);
    int[] generations = Arrays.copyOf(routing.generations(), size);
    tunnels[tunnel.id()] = tunnel;
    generations[tunnel.id()] = ++lastGeneration;
    command(tunnel.worker(), new WorkerCommand.AddTunnel(tunnel, generations[tunnel.id()]));
    for (IpPrefix p : own) {
      fibBuilder.add(p, tunnel.id(), weight);
    }
    routesByTunnel.put(tunnel.id(), own);
    publish(tunnels, generations, routing.spiToWorkerCopy());
  }

  /**
   * Stops carrying a tunnel: its routes leave the FIB (packets to its prefixes then count as {@link
   * dev.vpngw.counters.PipelineDropReason#NO_ROUTE}), its inbound SPIs are no longer routed (their
   * packets count as unknown SPI), and its worker closes its outbound and inbound SAs, wiping their
   * keys and freeing their counters. Packets already queued for it are dropped. The id may then be
   * given to {@link #addTunnel} again.
   *
   * @throws IllegalArgumentException if there is no such tunnel
   */
  public synchronized void removeTunnel(int tunnelId) {
    TunnelInfo tunnel = requireTunnel(tunnelId);
    for (IpPrefix p : routesByTunnel.remove(tunnelId)) {
      fibBuilder.remove(p, tunnelId);
    }
    Int2IntHashMap spis = routing.spiToWorkerCopy();
    IntArrayList tunnelSpis = new IntArrayList();
    inboundSpiToTunnel.forEach(
        (spi, owner) -> {
          if (owner == tunnelId) {
            tunnelSpis.addInt(spi);
          }
        });
    for (int i = 0; i < tunnelSpis.size(); i++) {
      inboundSpiToTunnel.remove(tunnelSpis.getInt(i));
      saCounters.removeInbound(tunnelSpis.getInt(i));
      spis.remove(tunnelSpis.getInt(i));
    }
    saCounters.removeOutbound(tunnelId);
    TunnelInfo[] tunnels = routing.tunnels();
    tunnels[tunnelId] = null;
    // Unroute first: what the receive agents queue from now on no longer names the tunnel.
    publish(tunnels, routing.generations(), spis);
    command(tunnel.worker(), new WorkerCommand.RemoveTunnel(tunnelId));
  }

  /**
   * Sends the tunnel's ESP to a new peer address and port from now on: behind a NAT, IKE learns
   * them from where the peer's IKE messages come from (RFC 7296 2.23, RFC 3948), possibly after the
   * tunnel exists, and again if the NAT mapping changes. Port 0 means plain ESP (protocol 50). SA
   * counter labels keep the peer they were installed with.
   *
   * @throws IllegalArgumentException if there is no such tunnel, the port is out of range, or there
   *     is no socket for the new peer's family and encapsulation
   */
  public synchronized void updateTunnelPeer(int tunnelId, InetAddress peer, int peerPort) {
    TunnelInfo old = requireTunnel(tunnelId);
    TunnelInfo updated =
        new TunnelInfo(
            old.id(),
            old.name(),
            old.worker(),
            Objects.requireNonNull(peer, "peer"),
            peerPort,
            old.mtu(),
            old.clampMss(),
            old.selectors());
    requireSocketFor(updated);
    command(old.worker(), new WorkerCommand.UpdatePeer(updated));
    TunnelInfo[] tunnels = routing.tunnels();
    tunnels[tunnelId] = updated;
    publish(tunnels, routing.generations(), routing.spiToWorkerCopy());
  }

  /**
   * Keys an outbound SA and makes it the tunnel's sender. The previous outbound SA, if any, is
   * closed by the worker (keys wiped, counters freed) the moment the new one takes over: a rekey
   * needs no separate delete, and a tunnel that stops altogether goes with {@link #removeTunnel}.
   */
  public synchronized void installOutbound(int tunnelId, SaConfig config) {
    TunnelInfo tunnel = requireTunnel(tunnelId);
    OwnedSa owned = own(tunnel, config, true);
    command(tunnel.worker(), new WorkerCommand.InstallOutbound(tunnelId, owned), owned);
    saCounters.outbound(tunnelId, owned.counters);
  }

  /**
   * Bytes an installed SA has carried (its counter in the counters file), for volume lifetimes: the
   * inbound SA with this SPI, else the outbound one; -1 when neither is installed.
   */
  public synchronized long saBytes(int spi) {
    return saCounters.bytes(spi);
  }

  /** Keys an inbound SA for the tunnel and routes its SPI to the tunnel's worker. */
  public synchronized void installInbound(int tunnelId, SaConfig config) {
    TunnelInfo tunnel = requireTunnel(tunnelId);
    if (routing.workerForSpi(config.spi()) >= 0) {
      throw new IllegalArgumentException(
          String.format("inbound SPI 0x%08x is already installed", config.spi()));
    }
    OwnedSa owned = own(tunnel, config, false);
    command(tunnel.worker(), new WorkerCommand.InstallInbound(tunnelId, owned), owned);
    saCounters.inbound(owned.counters);
    inboundSpiToTunnel.put(config.spi(), tunnelId);
    Int2IntHashMap spis = routing.spiToWorkerCopy();
    spis.put(config.spi(), tunnel.worker());
    publish(routing.tunnels(), routing.generations(), spis);
  }

  /** Deletes an inbound SA (after a rekey, once the peer sends on the new one). */
  public synchronized void deleteInbound(int spi) {
    int worker = routing.workerForSpi(spi);
    if (worker < 0) {
      return;
    }
    inboundSpiToTunnel.remove(spi);
    saCounters.removeInbound(spi);
    Int2IntHashMap spis = routing.spiToWorkerCopy();
    spis.remove(spi);
    publish(routing.tunnels(), routing.generations(), spis);
    command(worker, new WorkerCommand.DeleteInbound(spi));
  }

  // ---------------------------------------------------------------------------------------------
  // The IKE thread's path through the NAT-T socket (RFC 3948)

  /**
   * Hands up to {@code limit} IKE messages that arrived on the NAT-T socket to {@code handler}, in
   * arrival order, and returns how many. For one IKE thread at a time (the control ring has a
   * single consumer); never blocks: the ring is not a file descriptor, so the IKE thread calls this
   * in its own duty cycle, between waits on its other sockets. A handler that throws has consumed
   * its message, and the exception reaches the caller.
   */
  public int pollControl(ControlPacketHandler handler, int limit) {
    return control.poll(handler, limit);
  }

  /**
   * Sends an IKE message from our NAT-T socket to {@code to}, behind the non-ESP marker (RFC 3948
   * 2.2), on the socket of {@code to}'s family. Any thread: the marker and message are put together
   * in a buffer of this method's own, one caller at a time, never in the transmit agent's batches;
   * the datagram goes straight to the kernel beside the agent's own sends.
   *
   * @return true when the kernel took it; false when the socket's send buffer was full, which loses
   *     the message as the network might (IKE retransmits)
   * @throws IOException when there is no UDP socket of that family, or the kernel refuses it
   * @throws IllegalArgumentException for a message longer than {@link #MAX_CONTROL_MESSAGE}
   */
  public boolean sendControl(InetSocketAddress to, byte[] message, int offset, int length)
      throws IOException {
    return control.send(to, message, offset, length);
  }

  /**
   * Sends a NAT-keepalive (RFC 3948 2.3: one 0xFF byte) from our NAT-T socket to {@code to}, which
   * the side behind a NAT sends to keep its mapping open. Any thread.
   *
   * @return as {@link #sendControl}
   * @throws IOException when there is no UDP socket of that family, or the kernel refuses it
   */
  public boolean sendNatKeepalive(InetSocketAddress to) throws IOException {
    return control.sendNatKeepalive(to);
  }

  /**
   * Whether the dataplane has a NAT-T (UDP) socket for IP version {@code ipVersion}, 4 or 6: only
   * then can IKE go through {@link #sendControl} to peers of that family.
   */
  public boolean hasUdp(int ipVersion) {
    return control.hasUdp(ipVersion);
  }

  private void requireSocketFor(TunnelInfo tunnel) {
    boolean v6 = tunnel.peer() instanceof Inet6Address;
    boolean present =
        tunnel.udpEncapsulated()
            ? (v6 ? ports.udp6() : ports.udp4()) != null
            : (v6 ? ports.raw6() : ports.raw4()) != null;
    if (!present) {
      throw new IllegalArgumentException(
          String.format(
              "tunnel %s: no %s socket to send to %s",
              tunnel.name(),
              (tunnel.udpEncapsulated() ? "UDP" : "raw ESP") + " IPv" + (v6 ? 6 : 4),
              tunnel.peer().getHostAddress()));
    }
  }

  /** Keys the SA and allocates its counters; on failure nothing stays allocated. */
  private OwnedSa own(TunnelInfo tunnel, SaConfig config, boolean outbound) {
    SecurityAssociation sa =
        outbound
            ? SecurityAssociation.outbound(config, options.engine())
            : SecurityAssociation.inbound(config, options.engine());
    try {
      SaCounters saCounters =
          SaCounters.allocate(
              counters,
              tunnel.name(),
              tunnel.id(),
              sa.direction(),
              sa.spi(),
              tunnel.peer().getHostAddress());
      return new OwnedSa(sa, saCounters);
    } catch (RuntimeException e) {
      sa.close();
      throw e;
    }
  }

  private TunnelInfo requireTunnel(int tunnelId) {
    TunnelInfo tunnel = routing.tunnel(tunnelId);
    if (tunnel == null) {
      throw new IllegalArgumentException("no tunnel " + tunnelId);
    }
    return tunnel;
  }

  private void publish(TunnelInfo[] tunnels, int[] generations, Int2IntHashMap spis) {
    routing = new RoutingState(fibBuilder.build(), tunnels, generations, spis);
  }

  /**
   * Queues a command for a worker, waiting while its queue is full, at most {@link
   * #COMMAND_TIMEOUT_NANOS}.
   *
   * @throws IllegalStateException when the dataplane is closed or the worker takes no command
   */
  private void command(int worker, WorkerCommand command) {
    if (closed) {
      throw new IllegalStateException("the dataplane is closed");
    }
    workerProxy.offer(worker, command);
  }

  /** As {@link #command}, closing the SA the command carries if it cannot be delivered. */
  private void command(int worker, WorkerCommand command, OwnedSa carried) {
    try {
      command(worker, command);
    } catch (RuntimeException e) {
      carried.close();
      throw e;
    }
  }

  /**
   * Limits the traffic of all tunnels together to {@code bitsPerSecond} in each direction (inner
   * bytes: encrypted out, decrypted in), shared fairly among the tunnels that want it (see {@link
   * BandwidthLimiter}); 0 lifts the limit. Packets over a tunnel's share are dropped and counted as
   * {@link dev.vpngw.counters.PipelineDropReason#BANDWIDTH_LIMIT}, per SA too. Takes effect within
   * {@link BandwidthLimiter#ALLOCATION_INTERVAL_NANOS}.
   */
  public void bandwidthLimit(long bitsPerSecond) {
    outboundBandwidth.limit(bitsPerSecond);
    inboundBandwidth.limit(bitsPerSecond);
  }

  /**
   * Stops every agent (each worker closes its SAs, wiping their keys) and frees the agents'
   * counters. Control calls fail from now on.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    CloseHelper.closeAll(runners);
    CloseHelper.closeAll(agentCounters);
    CloseHelper.close(ioDoorbell);
  }
}
