package dev.vpngw.appliance.monitor;

import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.appliance.config.MonitoringConfig;
import dev.vpngw.appliance.events.EventJournal;
import dev.vpngw.appliance.snmp.InterfaceIndexes;
import dev.vpngw.appliance.snmp.MibView;
import dev.vpngw.appliance.snmp.SnmpAgent;
import dev.vpngw.counters.CountersFile;
import dev.vpngw.ikev2.IkeLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.agrona.CloseHelper;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.Variable;

/**
 * A gateway's monitoring, wired from its {@code monitoring} configuration: the event journal and
 * the IKE event counts (both fed by the IKE thread's events, {@link #ikeEvents()}), the Prometheus
 * endpoint and the SNMP agent. The exporters read the counters file through their own read-only
 * mapping, as {@code gateway status} does, and ask the IKE thread for its SAs. A {@code
 * vpngw-monitor} thread samples the counters four times a second, so that per-connection totals
 * survive rekeys ({@link ConnectionTotals}) and a connection going up or down becomes an SNMP
 * notification. Nothing here runs on the packet path.
 */
public final class Monitoring implements AutoCloseable {
  /** The software version the metrics report. */
  public static final String VERSION = "0.1.0";

  private static final long SAMPLE_PERIOD_MS = 250;

  /** How long one SNMP MIB view answers requests (see {@link RecentMib}). */
  static final long MIB_REUSE_MS = 200;

  private final GatewayConfig config;
  private final EventJournal journal;
  private final IkeEventStats stats = new IkeEventStats();
  private final ConnectionTotals totals = new ConnectionTotals();
  private final long startNanos = System.nanoTime();
  private final Map<String, Boolean> lastUp = new HashMap<>();
  private final Map<String, Long> lastChange = new ConcurrentHashMap<>();
  private final InterfaceIndexes ifIndexes = new InterfaceIndexes();
  private CountersFile.Reader counters;
  private ScheduledExecutorService sampler;
  private MetricsServer server;
  private SnmpAgent snmp;
  private boolean samplerFailed;
  // The connections running now; set when the exporters start.
  private volatile Supplier<List<GatewayConfig.Connection>> running = List::of;
  private volatile Supplier<HaView> ha = () -> HaView.STANDALONE;

  /**
   * The HA role and epoch as the metrics and the MIB show them.
   *
   * @param role {@code standalone}, {@code active} or {@code standby}
   */
  public record HaView(String role, long epoch) {
    /** A gateway that is not in a pair. */
    public static final HaView STANDALONE = new HaView("standalone", 0);
  }

  /** Where the HA role and epoch come from (an HA node); standalone until set. */
  public void ha(Supplier<HaView> view) {
    this.ha = view;
  }

  private Monitoring(GatewayConfig config, EventJournal journal) {
    this.config = config;
    this.journal = journal;
  }

  /** Opens the event journal if configured; exporters start with {@link #startExporters}. */
  public static Monitoring create(GatewayConfig config) throws IOException {
    Path dir = config.monitoring().eventJournal();
    return new Monitoring(
        config,
        dir == null ? null : EventJournal.open(dir, config.monitoring().eventJournalDays()));
  }

  /** Where the IKE thread's events go: the counts, and the journal if there is one. */
  public Consumer<IkeLog.Event> ikeEvents() {
    return journal == null ? stats : stats.andThen(journal);
  }

  /**
   * Starts the Prometheus endpoint and the SNMP agent, those configured, over the counters file at
   * {@code countersPath}.
   *
   * @param ikeState the IKE thread's SAs, or null when it does not answer in time; a null supplier
   *     when the gateway has no IKE connection
   * @param connections the connections running now (they change with live reconfiguration)
   * @param mtu a connection's tunnel MTU (ifMtu)
   */
  public void startExporters(
      Path countersPath,
      Supplier<List<IkeSaView>> ikeState,
      Supplier<List<GatewayConfig.Connection>> connections,
      ToIntFunction<GatewayConfig.Connection> mtu)
      throws IOException {
    MonitoringConfig m = config.monitoring();
    if (m.metrics() == null && m.snmp() == null) {
      return;
    }
    Supplier<List<IkeSaView>> ike = ikeState == null ? List::of : ikeState;
    running = connections;
    counters = CountersFile.openReadOnly(countersPath);
    if (m.snmp() != null) {
      Supplier<List<MibView.Interface>> interfaces =
          () ->
              connections.get().stream()
                  .map(
                      c ->
                          new MibView.Interface(
                              ifIndexes.of(c.name()),
                              c.name(),
                              c.localNetworkGateway().gatewayAddress().getHostAddress(),
                              mtu.applyAsInt(c)))
                  .toList();
      Supplier<NavigableMap<OID, Variable>> build =
          () ->
              MibView.build(
                  config.gateway().name(),
                  uptimeHundredths(),
                  interfaces.get(),
                  totals.update(counters.snapshot()),
                  lastChange,
                  ikeFigures(ike.get()),
                  ha.get().role(),
                  ha.get().epoch());
      snmp = SnmpAgent.start(m.snmp(), config.gateway().name(), new RecentMib(build));
      snmp.coldStart(uptimeHundredths());
    }
    sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vpngw-monitor");
              t.setDaemon(true);
              return t;
            });
    sampler.scheduleAtFixedRate(this::sample, 0, SAMPLE_PERIOD_MS, TimeUnit.MILLISECONDS);
    if (m.metrics() != null) {
      Supplier<List<MetricsRenderer.ConnectionInfo>> connectionInfo =
          () ->
              connections.get().stream()
                  .map(
                      c ->
                          new MetricsRenderer.ConnectionInfo(
                              c.name(),
                              c.ike() != null ? "ike" : "manual",
                              c.localNetworkGateway().gatewayAddress().getHostAddress()))
                  .toList();
      boolean anyIke = ikeState != null;
      Supplier<String> render =
          () ->
              MetricsRenderer.render(
                  new MetricsRenderer.Inputs(
                      config.gateway().name(),
                      VERSION,
                      counters.startTimeMs(),
                      connectionInfo.get(),
                      totals.update(counters.snapshot()),
                      anyIke ? ikeState.get() : List.of(),
                      stats.snapshot(),
                      journal == null ? -1 : journal.failures(),
                      ThreadCpu.seconds(),
                      ha.get().role(),
                      ha.get().epoch()));
      server =
          MetricsServer.start(
              new InetSocketAddress(m.metrics().address(), m.metrics().port()), render);
    }
  }

  /**
   * One sampler tick: totals forward, and a notification for each connection that changed. A
   * failure is reported once and the next tick tries again (an exception escaping would cancel
   * every later tick).
   */
  private void sample() {
    try {
      sampleOnce();
    } catch (RuntimeException e) {
      if (!samplerFailed) {
        samplerFailed = true;
        System.err.println("vpngw: monitoring: counters sample failed (reported once): " + e);
      }
    }
  }

  private void sampleOnce() {
    ConnectionTotals.Sample s = totals.update(counters.snapshot());
    for (GatewayConfig.Connection c : running.get()) {
      String name = c.name();
      boolean up = s.up(name);
      Boolean before = lastUp.put(name, up);
      if (before != null && before != up) {
        long now = uptimeHundredths();
        lastChange.put(name, now);
        if (snmp != null) {
          snmp.linkChanged(ifIndexes.of(name), up, now);
        }
      }
    }
  }

  /**
   * The MIB of the last {@value #MIB_REUSE_MS} ms: a walk is many GETNEXTs in a row, and each would
   * otherwise read every counter and ask the IKE thread again; this way a walk also sees one
   * moment.
   */
  private static final class RecentMib implements Supplier<NavigableMap<OID, Variable>> {
    private final Supplier<NavigableMap<OID, Variable>> build;
    private NavigableMap<OID, Variable> last;
    private long builtNanos;

    RecentMib(Supplier<NavigableMap<OID, Variable>> build) {
      this.build = build;
    }

    @Override
    public synchronized NavigableMap<OID, Variable> get() {
      long now = System.nanoTime();
      if (last == null || now - builtNanos > MIB_REUSE_MS * 1_000_000L) {
        last = build.get();
        builtNanos = now;
      }
      return last;
    }
  }

  private MibView.Ike ikeFigures(List<IkeSaView> sas) {
    long failures = 0;
    for (Map.Entry<IkeEventStats.Key, Long> e : stats.snapshot().entrySet()) {
      if (e.getKey().kind() == IkeEventStats.Kind.EXCHANGE_FAILURE) {
        failures += e.getValue();
      }
    }
    if (sas == null) {
      return new MibView.Ike(-1, -1, failures);
    }
    long children = sas.stream().mapToLong(sa -> sa.children().size()).sum();
    return new MibView.Ike(sas.size(), children, failures);
  }

  private long uptimeHundredths() {
    return (System.nanoTime() - startNanos) / 10_000_000L;
  }

  /** The IKE event counts. */
  public IkeEventStats stats() {
    return stats;
  }

  @Override
  public void close() {
    // The readers of the counters first, then the mapping; the journal last (the IKE thread,
    // which appends to it, is stopped before this is closed).
    CloseHelper.closeAll(server, snmp);
    if (sampler != null) {
      sampler.shutdownNow();
      awaitQuietly(sampler);
    }
    CloseHelper.closeAll(counters, journal);
  }

  /** Waits for a stopped executor's running task, so no one reads a mapping being unmapped. */
  static void awaitQuietly(ExecutorService executor) {
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
