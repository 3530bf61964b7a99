package dev.vpngw.appliance.ha;

import dev.vpngw.appliance.config.HaSection;
import dev.vpngw.ha.Election;
import dev.vpngw.ha.EpochStore;
import dev.vpngw.ha.HaAgent;
import dev.vpngw.ha.HaConfig;
import dev.vpngw.ha.JumpAhead;
import dev.vpngw.ha.Role;
import dev.vpngw.ha.journal.HaRecord;
import dev.vpngw.ha.journal.ReplicatedState;
import dev.vpngw.ha.journal.ReplicationLog;
import dev.vpngw.ha.repl.ReplicationClient;
import dev.vpngw.ha.repl.ReplicationServer;
import dev.vpngw.ha.vip.VipOwner;
import dev.vpngw.ikev2.IkeDaemon;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

/**
 * One gateway node of an active-standby pair (issue 6; docs/ARCHITECTURE.md, "Active-standby HA"):
 * the {@code ha-agent} thread (heartbeats, election, fencing epochs), the virtual addresses, the
 * replication journal with its server (active) and client (standby), and the {@link HaReplicator}.
 * The gateway runs fully on both nodes, but the standby's IKE daemon is held (it initiates nothing
 * and answers nothing) and its dataplane has no SAs: it only follows the journal. On takeover the
 * IKE SAs and child SAs are imported ({@link HaTakeover}) before the address is announced; on a
 * step-down the address goes first, then every SA.
 */
public final class HaService implements HaAgent.Listener, AutoCloseable {
  private static final System.Logger LOG = System.getLogger("vpngw.ha");

  /** The IKE thread, as the runtime gives it: runs an action there and waits for it. */
  public interface IkeThread {
    /** Runs ACTION on the IKE thread and waits; what it throws is thrown here. */
    void call(Consumer<IkeDaemon> action);
  }

  /** A role change, for the event journal, the log and the metrics. */
  public interface RoleEvents {
    /** This node became ROLE in EPOCH because of REASON (took over N IKE SAs when active). */
    void onRole(Role role, long epoch, String reason, Map<String, Object> details);
  }

  /** How long a planned switchover may take before it is called off, in heartbeat intervals. */
  static final int SWITCHOVER_INTERVALS = 20;

  private final HaConfig config;
  private final ReplicationLog log;
  private final VipOwner vip;
  private final VipOwner vnetVip;
  private final HaReplicator replicator;
  private final ReplicationClient client;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final RoleEvents events;
  private ReplicationServer server;
  private HaAgent agent;
  private AgentRunner runner;
  private IkeThread ike;
  private volatile Role role = Role.STANDBY;
  private volatile long epoch;
  private volatile String reason = "started";
  private final Object vipLock = new Object();
  private final java.util.concurrent.ExecutorService renewer =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().name("ha-vip").daemon().unstarted(r));
  private final java.util.concurrent.atomic.AtomicBoolean renewing =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final JournalTrust trust;
  private volatile long handOverSince;
  private volatile long takeovers;
  private volatile long lastTakeoverMicros;

  private HaService(HaSection section, ReplicationLog log, long epoch, RoleEvents events)
      throws IOException {
    this.config = section.node();
    this.log = log;
    this.epoch = epoch;
    this.events = events;
    this.vip =
        new VipOwner(
            config.publicDevice(),
            config.vip(),
            config.vipPrefixLength(),
            config.vipLeaseSeconds());
    resources.add(vip);
    this.vnetVip =
        section.vnetVirtualAddress() == null
            ? null
            : new VipOwner(
                section.vnetInterface(),
                section.vnetVirtualAddress(),
                section.vnetPrefixLength(),
                config.vipLeaseSeconds());
    if (vnetVip != null) {
      resources.add(vnetVip);
    }
    this.replicator =
        new HaReplicator(
            log, JumpAhead.DEFAULT_WINDOW, config.intervalMillis() * 1_000_000L * config.misses());
    resources.add(replicator);
    this.trust = new JournalTrust(config.intervalMillis() * 1_000_000L * config.misses());
    this.client =
        new ReplicationClient(
            config.nodeId(),
            config.peerReplication(),
            config.key(),
            log,
            lsn -> {},
            config.intervalMillis() * 1_000_000L);
    client.sessions(
        new ReplicationClient.Sessions() {
          @Override
          public void started() {
            trust.sessionStarted();
          }

          @Override
          public void synced(long lsn) {
            trust.snapshotInstalled();
          }

          @Override
          public void ended() {
            trust.sessionEnded(System.nanoTime());
          }
        });
    resources.add(client);
  }

  /**
   * Opens the journal and the epoch, and gives up the virtual addresses a previous life may have
   * left; nothing runs until {@link #start}.
   */
  public static HaService open(HaSection section, RoleEvents events) throws IOException {
    HaConfig config = section.node();
    Path dir = config.stateDirectory();
    Files.createDirectories(dir);
    EpochStore epochs = EpochStore.file(dir.resolve("epoch"));
    long epoch = epochs.load();
    ReplicationLog log =
        ReplicationLog.open(
            dir.resolve("journal"), RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE);
    HaService service;
    try {
      service = new HaService(section, log, epoch, events);
    } catch (IOException | RuntimeException e) {
      log.close();
      throw e;
    }
    service.resources.add(log);
    // A node that died while active may have left the addresses behind: never start holding them.
    service.vip.release();
    if (service.vnetVip != null) {
      service.vnetVip.release();
    }
    return service;
  }

  /** The replicator the IKE daemon reports to and the installer fences outbound SAs with. */
  public HaReplicator replicator() {
    return replicator;
  }

  /** Starts the election and the replication server; the node starts as standby. */
  public void start(IkeThread ike) throws IOException {
    this.ike = ike;
    EpochStore epochs = EpochStore.file(config.stateDirectory().resolve("epoch"));
    SystemNanoClock clock = new SystemNanoClock();
    Election election = Election.of(config, epochs, epoch, clock.nanoTime());
    server =
        new ReplicationServer(
            config.replication(), log, config.key(), () -> role == Role.ACTIVE, lsn -> {});
    resources.add(server);
    replicator.server(server);
    agent = new HaAgent(config, election, HaAgent.openChannels(config), this, log::lastLsn, clock);
    runner =
        new AgentRunner(
            new SleepingMillisIdleStrategy(1),
            t -> LOG.log(Level.ERROR, "HA agent error", t),
            null,
            agent);
    AgentRunner.startOnThread(runner);
    LOG.log(
        Level.INFO, "HA node " + config.nodeId() + " started in epoch " + epoch + " as STANDBY");
  }

  @Override
  public void onActive(long newEpoch) throws IOException {
    long start = System.nanoTime();
    epoch = newEpoch;
    // Decided before following stops (which ends the session): see JournalTrust.
    boolean trusted = trust.trusted(agent == null ? 0 : agent.lastHeardNanos());
    client.follow(false);
    vip.renew();
    if (vnetVip != null) {
      vnetVip.renew();
    }
    List<HaRecord> records;
    if (trusted) {
      records = log.read(ReplicatedState::toRecords);
    } else {
      // A journal not synced in the current session may be stale (the peer may have run the
      // same SAs further since: after a restart, a step-down, a session that dropped while the
      // peer lived on): taking it over could repeat sequence numbers. The peers renegotiate
      // instead, and standbys joining later get an empty state, not the stale one.
      int stale = log.read(ReplicatedState::ikeSaCount);
      if (stale > 0) {
        LOG.log(
            Level.WARNING,
            "journal not synced with the peer in the current session: its "
                + stale
                + " IKE SA(s) are not taken over, the peers renegotiate");
      }
      log.installSnapshot(log.lastLsn() + 1, List.of());
      records = List.of();
    }
    replicator.active(true);
    HaTakeover.Result[] result = new HaTakeover.Result[1];
    ike.call(
        d -> {
          result[0] = HaTakeover.restore(d, records, config.nodeId(), replicator::grant);
          d.stateListener(replicator);
          d.hold(false);
        });
    vip.announce();
    if (vnetVip != null) {
      vnetVip.announce();
    }
    role = Role.ACTIVE;
    long micros = (System.nanoTime() - start) / 1000;
    lastTakeoverMicros = micros;
    takeovers++;
    reason = agent == null ? "active" : agent.election().lastReason();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("ike_sas", result[0].ikeSas());
    details.put("child_sas", result[0].childSas());
    details.put("refused", result[0].refused().size());
    details.put("takeover_us", micros);
    for (String r : result[0].refused()) {
      LOG.log(Level.WARNING, "not taken over: " + r);
    }
    events.onRole(Role.ACTIVE, newEpoch, reason, details);
  }

  @Override
  public void onStandby(long newEpoch, String why) throws IOException {
    // Our journal as the old active is older than what the new active sends from now on.
    trust.distrust();
    handOverSince = 0;
    // Under the lock: a lease renewal in progress finishes first and none starts after.
    synchronized (vipLock) {
      role = Role.STANDBY;
      epoch = newEpoch;
      reason = why;
      vip.release();
      if (vnetVip != null) {
        vnetVip.release();
      }
    }
    replicator.active(false);
    ike.call(
        d -> {
          d.hold(true);
          d.stateListener(dev.vpngw.ikev2.IkeStateListener.NONE);
          d.dropAllForStandby();
        });
    events.onRole(Role.STANDBY, newEpoch, why, Map.of());
  }

  @Override
  public void onFollow(boolean follow) {
    client.follow(follow);
  }

  @Override
  public void onPeer(boolean alive) {
    replicator.peerFailed(!alive);
  }

  @Override
  public void onActiveTick(long intervals) throws IOException {
    long since = handOverSince;
    if (since != 0
        && System.nanoTime() - since
            > SWITCHOVER_INTERVALS * config.intervalMillis() * 1_000_000L) {
      // The standby did not take over: this node carries on, its fences rise again once the
      // standby acknowledged the marks that end the handover.
      handOverSince = 0;
      agent.cancelSwitchover();
      replicator.resume();
      LOG.log(
          Level.WARNING,
          "planned switchover called off: the standby did not take over within "
              + SWITCHOVER_INTERVALS
              + " intervals");
    }
    if (intervals <= 3) {
      vip.announce();
      if (vnetVip != null) {
        vnetVip.announce();
      }
    }
    long perLease = Math.max(1, config.vipLeaseSeconds() * 1000L / 4 / config.intervalMillis());
    if (intervals % perLease == 0 && renewing.compareAndSet(false, true)) {
      // A renewal runs `ip`, a process: on a busy machine that can take longer than a heartbeat
      // interval, and the heartbeats must not wait for it.
      renewer.execute(this::renewLeases);
    }
  }

  private void renewLeases() {
    try {
      synchronized (vipLock) {
        if (role == Role.ACTIVE) {
          vip.renew();
          if (vnetVip != null) {
            vnetVip.renew();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "cannot renew the virtual address lease: " + e.getMessage());
    } finally {
      renewing.set(false);
    }
  }

  /**
   * Asks for a planned switchover: this node must be active with a standby following its journal.
   * The outbound SAs are handed over first ({@link HaReplicator#handOver}: this node's fences stay
   * where they are, the standby may send the next window at once), then the heartbeats ask the
   * standby to take over once it has applied the journal that far. Called off (fences rise again)
   * if the standby has not taken over within {@value #SWITCHOVER_INTERVALS} intervals.
   */
  public synchronized String switchover() {
    if (role != Role.ACTIVE) {
      throw new IllegalStateException("this node is " + role + ": only the active hands over");
    }
    ReplicationServer srv = server;
    if (srv == null || !srv.standbyAttached()) {
      throw new IllegalStateException(
          "no standby follows this node's journal: nothing to hand over to");
    }
    if (handOverSince != 0) {
      return "switchover already requested";
    }
    int handed = replicator.handOver(config.nodeId());
    handOverSince = System.nanoTime();
    agent.requestSwitchover();
    return "switchover requested: "
        + handed
        + " outbound SA(s) handed over; the standby takes over once it has applied lsn "
        + log.lastLsn();
  }

  /** The HA state for {@code gateway ha status} and the metrics. */
  public Map<String, Object> status() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("nodeId", config.nodeId());
    s.put("role", role.name());
    s.put("epoch", epoch);
    s.put("reason", reason);
    s.put("lsn", log.lastLsn());
    ReplicationServer srv = server;
    s.put("standbyAttached", srv != null && srv.standbyAttached());
    s.put("ackedLsn", srv == null ? -1 : srv.ackedLsn());
    s.put("synced", client.synced());
    s.put("ikeSas", log.read(ReplicatedState::ikeSaCount));
    s.put("childSas", log.read(ReplicatedState::childSaCount));
    s.put("fencedSas", replicator.fencedSas());
    s.put("ackTimeouts", replicator.ackTimeouts());
    s.put("takeovers", takeovers);
    s.put("lastTakeoverMicros", lastTakeoverMicros);
    HaAgent a = agent;
    if (a != null) {
      s.put("heartbeatsReceived", a.received());
      s.put("heartbeatsUnauthenticated", a.unauthenticated());
      s.put("heartbeatSendErrors", a.sendErrors());
      s.put("agentStalls", a.stalls());
    }
    return s;
  }

  /** This node's role now. */
  public Role role() {
    return role;
  }

  /** This node's epoch now. */
  public long epoch() {
    return epoch;
  }

  @Override
  public void close() {
    CloseHelper.close(runner);
    renewer.shutdownNow();
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    java.util.Collections.reverse(reversed);
    CloseHelper.closeAll(reversed);
  }
}
