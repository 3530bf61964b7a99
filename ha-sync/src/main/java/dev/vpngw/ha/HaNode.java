package dev.vpngw.ha;

import dev.vpngw.ha.journal.HaRecord;
import dev.vpngw.ha.journal.ReplicationLog;
import dev.vpngw.ha.repl.ReplicationClient;
import dev.vpngw.ha.repl.ReplicationServer;
import dev.vpngw.ha.vip.VipOwner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

/**
 * One HA node as a process: the {@link HaAgent} on its thread, the replication server and client,
 * the virtual address, and the journal in {@code state-dir}. Standalone until the gateway wires
 * ha-sync into {@code gateway run}: it replicates synthetic child SAs that its stdin asks for, so
 * the pair's failover, fencing, address takeover and journal sync can be tested as real processes.
 *
 * <p>With {@code --probe-port=P} it answers UDP probes on the virtual address while active ({@link
 * ProbeResponder}), standing in for the tunnel endpoint.
 *
 * <p>stdin commands: {@code put N} (active only: journal N child SAs and their sequence marks),
 * {@code switchover} (active: hand over to the standby), {@code compact} (snapshot the journal and
 * prune it). It writes its status to {@code state-dir/status} (key=value lines, replaced
 * atomically) whenever something changes.
 */
public final class HaNode implements HaAgent.Listener {
  private static final System.Logger LOG = System.getLogger("vpngw.ha");

  private final HaConfig config;
  private final ReplicationLog log;
  private final VipOwner vip;
  private final ReplicationClient client;
  private volatile Role role = Role.STANDBY;
  private volatile long epoch;
  private volatile String reason = "started";
  private volatile boolean statusDirty = true;
  private ProbeResponder probe;
  private int nextSpi;

  private HaNode(HaConfig config, ReplicationLog log, long epoch) throws IOException {
    this.config = config;
    this.log = log;
    this.epoch = epoch;
    this.vip =
        new VipOwner(
            config.publicDevice(),
            config.vip(),
            config.vipPrefixLength(),
            config.vipLeaseSeconds());
    this.client =
        new ReplicationClient(
            config.nodeId(),
            config.peerReplication(),
            config.key(),
            log,
            lsn -> statusDirty = true,
            config.intervalMillis() * 1_000_000L);
    this.nextSpi = 0x1000_0000 + config.nodeId() * 0x0100_0000;
  }

  /** Runs a node until killed. */
  public static void main(String[] args) throws Exception {
    HaConfig config;
    try {
      config = HaConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Files.createDirectories(config.stateDirectory());
    EpochStore epochs = EpochStore.file(config.stateDirectory().resolve("epoch"));
    long epoch = epochs.load();
    ReplicationLog log =
        ReplicationLog.open(
            config.stateDirectory().resolve("journal"),
            RollCycles.FAST_HOURLY,
            SystemTimeProvider.INSTANCE);
    HaNode node = new HaNode(config, log, epoch);
    // A node that died while active may have left the address behind: never start holding it.
    node.vip.release();
    LOG.log(
        Level.INFO,
        "node "
            + config.nodeId()
            + " starting in epoch "
            + epoch
            + " with "
            + log.read(s -> s)
            + " at lsn "
            + log.lastLsn());
    SystemNanoClock clock = new SystemNanoClock();
    Election election = Election.of(config, epochs, epoch, clock.nanoTime());
    HaAgent agent =
        new HaAgent(config, election, HaAgent.openChannels(config), node, log::lastLsn, clock);
    ReplicationServer server =
        new ReplicationServer(
            config.replication(), log, config.key(), () -> node.role == Role.ACTIVE, lsn -> {});
    AgentRunner runner =
        new AgentRunner(
            new SleepingMillisIdleStrategy(1),
            t -> LOG.log(Level.ERROR, "HA agent error", t),
            null,
            agent);
    AgentRunner.startOnThread(runner);
    Thread.ofPlatform().name("ha-status").daemon().start(() -> node.statusLoop(agent));
    node.commands(agent);
    runner.close();
    server.close();
  }

  private void commands(HaAgent agent) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] w = line.strip().split("\\s+");
      switch (w[0]) {
        case "put" -> {
          if (role != Role.ACTIVE) {
            System.out.println("error: not active");
          } else {
            int n = Integer.parseInt(w[1]);
            long lsn = 0;
            for (int i = 0; i < n; i++) {
              lsn = put();
            }
            System.out.println("ok put " + n + " lsn " + lsn);
          }
        }
        case "switchover" -> {
          agent.requestSwitchover();
          System.out.println("ok switchover requested");
        }
        case "compact" -> {
          log.compact();
          System.out.println("ok compact cycles " + log.cycles());
        }
        case "" -> {}
        default -> System.out.println("error: unknown command '" + w[0] + "'");
      }
      System.out.flush();
      statusDirty = true;
    }
    // stdin closed: keep serving until killed
    LockSupport.park();
  }

  private long put() {
    int in = nextSpi++;
    int out = in ^ 0x0080_0000;
    var ike = new HaRecord.IkeSaId(0x1111L * config.nodeId(), in);
    InetAddress any = config.vip();
    var sel = new HaRecord.Selector(any, any.getAddress().length * 8, 0, 0, 65535);
    byte[] key = new byte[20];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(key);
    log.append(
        new HaRecord.ChildSaAdded(
            new HaRecord.ChildSa(
                "node" + config.nodeId(),
                ike,
                in,
                out,
                20,
                128,
                0,
                key,
                key.clone(),
                false,
                false,
                List.of(sel),
                List.of(sel),
                3000,
                3600,
                0,
                0,
                System.currentTimeMillis())));
    return log.append(new HaRecord.SequenceMark(out, 1L << 20));
  }

  private void statusLoop(HaAgent agent) {
    Path file = config.stateDirectory().resolve("status");
    Path tmp = config.stateDirectory().resolve("status.tmp");
    long lastLsn = -1;
    while (true) {
      long lsn = log.lastLsn();
      if (statusDirty || lsn != lastLsn) {
        statusDirty = false;
        lastLsn = lsn;
        String text =
            "role="
                + role
                + "\nepoch="
                + epoch
                + "\nlsn="
                + lsn
                + "\nsynced="
                + client.synced()
                + "\nchildSas="
                + log.read(ReplicatedState -> ReplicatedState.childSaCount())
                + "\nunauthenticated="
                + agent.unauthenticated()
                + "\nreplayed="
                + agent.replayed()
                + "\nsendErrors="
                + agent.sendErrors()
                + "\nreason="
                + reason
                + "\n";
        try {
          Files.writeString(tmp, text);
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
          LOG.log(Level.WARNING, "cannot write " + file + ": " + e.getMessage());
        }
      }
      LockSupport.parkNanos(10_000_000);
    }
  }

  @Override
  public void onActive(long epoch) throws IOException {
    this.epoch = epoch;
    role = Role.ACTIVE;
    reason = "active";
    client.follow(false);
    // address first, then the service on it, then the announcement that draws traffic to it
    long start = System.nanoTime();
    vip.renew();
    long added = System.nanoTime();
    if (config.probePort() > 0) {
      probe = new ProbeResponder(config.vip(), config.probePort(), config.nodeId());
    }
    vip.announce();
    long announced = System.nanoTime();
    LOG.log(
        Level.INFO,
        String.format(
            "took %s in epoch %d: address %.1f ms, announced after %.1f ms",
            vip, epoch, (added - start) / 1e6, (announced - start) / 1e6));
    statusDirty = true;
  }

  @Override
  public void onStandby(long epoch, String why) throws IOException {
    role = Role.STANDBY;
    reason = why;
    if (probe != null) {
      probe.close();
      probe = null;
    }
    vip.release();
    statusDirty = true;
  }

  @Override
  public void onFollow(boolean follow) {
    client.follow(follow);
    statusDirty = true;
  }

  @Override
  public void onActiveTick(long intervals) throws IOException {
    if (intervals <= 3) {
      vip.announce();
    }
    long perLease = Math.max(1, config.vipLeaseSeconds() * 1000L / 4 / config.intervalMillis());
    if (intervals % perLease == 0) {
      vip.renew();
    }
  }
}
