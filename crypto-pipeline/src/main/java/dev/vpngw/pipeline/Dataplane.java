package dev.vpngw.pipeline;

import dev.vpngw.counters.PipelineCounters;
import dev.vpngw.counters.SaCounters;
import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.esp.EspCounters;
import dev.vpngw.fib.FibBuilder;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.io.raw.RawIpSocket;
import dev.vpngw.io.sys.Affinity;
import dev.vpngw.io.tun.TunDevice;
import dev.vpngw.io.udp.UdpSocket;
import dev.vpngw.packet.IcmpRateLimiter;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SecurityAssociation;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
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
 * <pre>
 *  TUN --TunRxAgent--> worker inbox --CryptoWorker--> worker outbox --TxAgent--> UDP/raw socket
 *  UDP/raw --EspRxAgent--> worker inbox --CryptoWorker--> worker outbox --TxAgent--> TUN
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
   * are null.
   *
   * @param tun the TUN device for inner packets
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

  private final Options options;
  private final FibBuilder fibBuilder = new FibBuilder();
  private volatile RoutingState routing = RoutingState.EMPTY;
  private final List<ManyToOneConcurrentArrayQueue<WorkerCommand>> commandQueues =
      new ArrayList<>();
  private final List<AgentRunner> runners = new ArrayList<>();
  private final CountersManager counters;
  private final List<AutoCloseable> agentCounters = new ArrayList<>();

  private Dataplane(Options options, Ports ports, CountersManager counters) {
    this.options = options;
    this.counters = counters;
    RingBuffer[] inboxes = new RingBuffer[options.workers()];
    RingBuffer[] outboxes = new RingBuffer[options.workers()];
    List<Agent> workers = new ArrayList<>();
    for (int i = 0; i < options.workers(); i++) {
      inboxes[i] = new ManyToOneRingBuffer(ring(options.ringCapacity()));
      outboxes[i] = new OneToOneRingBuffer(ring(options.ringCapacity()));
      ManyToOneConcurrentArrayQueue<WorkerCommand> q = new ManyToOneConcurrentArrayQueue<>(1024);
      commandQueues.add(q);
      workers.add(new CryptoWorker(i, inboxes[i], outboxes[i], q, agentCounters("worker-" + i)));
    }
    List<Agent> io = new ArrayList<>();
    io.add(
        new TunRxAgent(
            ports.tun().queue(0),
            this::routing,
            inboxes,
            agentCounters("tun-rx"),
            new IcmpRateLimiter(100, 20),
            ports.gatewayIpv4(),
            ports.gatewayIpv6()));
    if (ports.udp4() != null) {
      io.add(EspRxAgent.udp(ports.udp4(), this::routing, inboxes, agentCounters("udp4-rx")));
    }
    if (ports.udp6() != null) {
      io.add(EspRxAgent.udp(ports.udp6(), this::routing, inboxes, agentCounters("udp6-rx")));
    }
    if (ports.raw4() != null) {
      io.add(EspRxAgent.raw(ports.raw4(), this::routing, inboxes, agentCounters("raw4-rx")));
    }
    if (ports.raw6() != null) {
      io.add(EspRxAgent.raw(ports.raw6(), this::routing, inboxes, agentCounters("raw6-rx")));
    }
    io.add(
        new TxAgent(
            outboxes,
            ports.tun().queue(0),
            ports.udp4(),
            ports.udp6(),
            ports.raw4(),
            ports.raw6(),
            agentCounters("tx")));
    switch (options.mode()) {
      case SHARED -> {
        List<Agent> all = new ArrayList<>(io);
        all.addAll(workers);
        start(new CompositeAgent(all), 0, backoff());
      }
      case DEDICATED -> {
        start(new CompositeAgent(io), 0, backoff());
        for (int i = 0; i < workers.size(); i++) {
          start(workers.get(i), 1 + i, backoff());
        }
      }
    }
  }

  /** Starts the dataplane on {@code ports}; counters go to {@code counters}. */
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

  private static UnsafeBuffer ring(int capacity) {
    return new UnsafeBuffer(
        ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH));
  }

  /**
   * Spin, yield, then park up to 100 us. A poll(2)-based idle for the SHARED thread was measured
   * too (benchmarks/tunnel-bench.sh): it cost throughput (0.48-0.50 against 0.55-0.60 Gbps TCP), as
   * every burst then starts with a wake-up.
   */
  private static IdleStrategy backoff() {
    return new BackoffIdleStrategy(100, 10, 1_000, 100_000);
  }

  private void start(Agent agent, int cpuIndex, IdleStrategy idle) {
    Agent pinned = options.pinThreads() ? new PinnedAgent(agent, cpuIndex) : agent;
    AgentRunner runner =
        new AgentRunner(
            idle,
            t -> System.err.println("vpngw: agent " + agent.roleName() + " failed: " + t),
            null,
            pinned);
    runners.add(runner);
    AgentRunner.startOnThread(runner);
  }

  private RoutingState routing() {
    return routing;
  }

  /**
   * Starts carrying a tunnel: routes its prefixes (inner destinations) to it. Its SAs follow with
   * {@link #installOutbound} and {@link #installInbound}.
   */
  public synchronized void addTunnel(TunnelInfo tunnel, List<IpPrefix> routes) {
    if (tunnel.worker() >= options.workers()) {
      throw new IllegalArgumentException(
          "tunnel " + tunnel.name() + ": worker " + tunnel.worker() + " of " + options.workers());
    }
    TunnelInfo[] tunnels = routing.tunnels();
    if (tunnel.id() < tunnels.length && tunnels[tunnel.id()] != null) {
      throw new IllegalArgumentException("tunnel id " + tunnel.id() + " is in use");
    }
    tunnels = Arrays.copyOf(tunnels, Math.max(tunnels.length, tunnel.id() + 1));
    tunnels[tunnel.id()] = tunnel;
    for (IpPrefix p : routes) {
      fibBuilder.add(p, tunnel.id());
    }
    command(tunnel.worker(), new WorkerCommand.AddTunnel(tunnel));
    publish(tunnels, routing.spiToWorkerCopy());
  }

  /** Keys an outbound SA and makes it the tunnel's sender (replacing the previous one). */
  public synchronized void installOutbound(int tunnelId, SaConfig config) {
    TunnelInfo tunnel = requireTunnel(tunnelId);
    command(
        tunnel.worker(), new WorkerCommand.InstallOutbound(tunnelId, own(tunnel, config, true)));
  }

  /** Keys an inbound SA for the tunnel and routes its SPI to the tunnel's worker. */
  public synchronized void installInbound(int tunnelId, SaConfig config) {
    TunnelInfo tunnel = requireTunnel(tunnelId);
    if (routing.workerForSpi(config.spi()) >= 0) {
      throw new IllegalArgumentException(
          String.format("inbound SPI 0x%08x is already installed", config.spi()));
    }
    command(
        tunnel.worker(), new WorkerCommand.InstallInbound(tunnelId, own(tunnel, config, false)));
    Int2IntHashMap spis = routing.spiToWorkerCopy();
    spis.put(config.spi(), tunnel.worker());
    publish(routing.tunnels(), spis);
  }

  /** Deletes an inbound SA (after a rekey, once the peer sends on the new one). */
  public synchronized void deleteInbound(int spi) {
    int worker = routing.workerForSpi(spi);
    if (worker < 0) {
      return;
    }
    Int2IntHashMap spis = routing.spiToWorkerCopy();
    spis.remove(spi);
    publish(routing.tunnels(), spis);
    command(worker, new WorkerCommand.DeleteInbound(spi));
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

  private void publish(TunnelInfo[] tunnels, Int2IntHashMap spis) {
    routing = new RoutingState(fibBuilder.build(), tunnels, spis);
  }

  private void command(int worker, WorkerCommand command) {
    ManyToOneConcurrentArrayQueue<WorkerCommand> q = commandQueues.get(worker);
    while (!q.offer(command)) {
      Thread.onSpinWait(); // the worker drains 16 commands a duty cycle
    }
  }

  @Override
  public void close() {
    CloseHelper.closeAll(runners);
    CloseHelper.closeAll(agentCounters);
  }

  /** Pins its thread to a core on start (sched_setaffinity), then runs the agent it wraps. */
  private record PinnedAgent(Agent agent, int cpuIndex) implements Agent {
    @Override
    public void onStart() {
      try {
        int[] cpus = Affinity.availableCpus();
        Affinity.pinCurrentThread(cpus[cpuIndex % cpus.length]);
      } catch (java.io.IOException e) {
        System.err.println("vpngw: cannot pin " + agent.roleName() + ": " + e.getMessage());
      }
      agent.onStart();
    }

    @Override
    public int doWork() throws Exception {
      return agent.doWork();
    }

    @Override
    public void onClose() {
      agent.onClose();
    }

    @Override
    public String roleName() {
      return agent.roleName();
    }
  }
}
