package dev.vpngw.benchmarks.ike;

import dev.vpngw.benchmarks.ike.LoadWorker.PhaseResult;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.ikev2.config.ConnectionMode;
import dev.vpngw.ikev2.config.DpdAction;
import dev.vpngw.ikev2.config.Identity;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.message.Proposal;
import dev.vpngw.ikev2.proposal.ProposalParser;
import dev.vpngw.selector.TrafficSelector;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * IKE SA setups per second against a real responder: many simulated peers, each from its own source
 * address, run full IKEv2 setups (IKE_SA_INIT and IKE_AUTH with a pre-shared key, the first child
 * SA included) with our own initiator ({@code IkeDaemon} and its tasks) over UDP, {@code
 * --concurrency} at a time. It reports the setups per second over the measured window, each setup's
 * latency (first IKE_SA_INIT sent to IKE_AUTH response processed) as an HdrHistogram, the
 * responder's CPU seconds over the window read from {@code /proc/<pid>/stat} (setups per responder
 * core-second do not depend on which side was the bottleneck), and its resident memory.
 *
 * <p>Phases: a warm-up (setups deleted at once, not counted: JIT and caches of both sides), then
 * the measured setups, then, in {@code hold} mode, the deletes of everything the responder held.
 * {@code hold} keeps every SA until the end, one source address each, so the memory per held SA can
 * be read off; {@code churn} deletes each SA as soon as it is up and reuses the sources, so the
 * responder's state stays small and a run can be as long as wanted. Source {@code i} is {@code
 * --sources-from + i}; its inner selector (TSi) is {@code --inner-from + i}/32. The first {@code 2
 * x concurrency} sources are the reused ones; hold mode uses {@code total} more. {@code
 * benchmarks/ike-bench.sh} sets up the namespaces, the addresses and both responders.
 */
@Command(
    name = "ike-load",
    mixinStandardHelpOptions = true,
    description = "Measure IKEv2 SA setups per second against a responder.")
public final class IkeLoadGenerator implements Callable<Integer> {
  @Option(names = "--responder", defaultValue = "192.0.2.2", description = "Responder address.")
  String responder;

  @Option(
      names = "--sources-from",
      defaultValue = "198.18.0.1",
      description = "First source address (RFC 2544 benchmarking range by default).")
  String sourcesFrom;

  @Option(
      names = "--sources",
      defaultValue = "0",
      description = "Source addresses available (0: exactly as many as needed).")
  int sources;

  @Option(
      names = "--inner-from",
      defaultValue = "100.64.0.0",
      description = "Inner address of source 0, proposed as TSi (a /32 per source).")
  String innerFrom;

  @Option(
      names = "--remote-ts",
      defaultValue = "10.2.0.0/24",
      description = "Proposed TSr: the responder's protected network.")
  String remoteTs;

  @Option(names = "--psk", required = true, description = "The pre-shared key.")
  String psk;

  @Option(
      names = "--ike-proposal",
      defaultValue = "aes128gcm16-prfsha256-ecp256",
      description = "IKE proposal (strongSwan syntax).")
  String ikeProposal;

  @Option(
      names = "--esp-proposal",
      defaultValue = "aes128gcm16",
      description = "Child SA proposal (strongSwan syntax).")
  String espProposal;

  @Option(names = "--total", defaultValue = "400", description = "Measured setups.")
  int total;

  @Option(names = "--concurrency", defaultValue = "32", description = "Setups in flight.")
  int concurrency;

  @Option(
      names = "--warmup",
      defaultValue = "200",
      description = "Setups before the measurement, deleted at once and not counted.")
  int warmup;

  @Option(
      names = "--teardown",
      defaultValue = "hold",
      description =
          "hold: keep every SA, then delete all (memory per SA); churn: delete each at once.")
  String teardown;

  @Option(
      names = "--settle",
      defaultValue = "2",
      description =
          "Seconds between the warm-up and the measurement: the responder frees what the"
              + " warm-up used (our gateway keeps a freed counter slot for 1 s) and goes idle.")
  int settleSeconds;

  @Option(names = "--threads", defaultValue = "1", description = "Load generator threads.")
  int threads;

  @Option(
      names = "--timeout",
      defaultValue = "30",
      description = "Seconds after which a setup or delete counts as failed.")
  int timeoutSeconds;

  @Option(
      names = "--responder-pid",
      defaultValue = "0",
      description = "The responder's process, for its CPU time and memory (0: not measured).")
  long responderPid;

  @Option(
      names = "--idle-sample",
      defaultValue = "3",
      description =
          "Seconds of the responder's idle CPU use measured before the warm-up (0: none).")
  int idleSampleSeconds;

  @Option(names = "--label", defaultValue = "responder", description = "Name in the result.")
  String label;

  @Option(names = "--json", description = "Write the result here (default: standard output).")
  Path json;

  @Option(names = "--ike-log", description = "Write every IKE event of the load generator here.")
  Path ikeLog;

  @Option(
      names = "--sources-needed",
      description = "Print how many source addresses these options need, and exit.")
  boolean printSourcesNeeded;

  /** Runs the load generator; see {@code --help}. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new IkeLoadGenerator()).execute(args));
  }

  private boolean hold() {
    return teardown.equals("hold");
  }

  /** Sources the options need: 2 x concurrency reused ones, plus one per held SA. */
  private int needed() {
    return 2 * concurrency + (hold() ? total : 0);
  }

  @Override
  public Integer call() throws Exception {
    if (!teardown.equals("hold") && !teardown.equals("churn")) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--teardown must be hold or churn");
    }
    if (total < 1 || concurrency < 1 || threads < 1 || threads > concurrency || warmup < 0) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "need total >= 1, 1 <= threads <= concurrency, warmup >= 0");
    }
    if (printSourcesNeeded) {
      System.out.println(needed());
      return 0;
    }
    int available = sources == 0 ? needed() : sources;
    if (available < needed()) {
      System.err.printf(
          "ike-load: %d source addresses needed (2 x concurrency%s), only %d given%n",
          needed(), hold() ? " + total" : "", available);
      return 2;
    }
    ProcStat responderProc = responderPid > 0 ? new ProcStat(responderPid) : null;
    ProcStat self = ProcStat.self();
    Result out = new Result();
    if (responderProc != null && idleSampleSeconds > 0) {
      // What the responder burns doing nothing (idle strategies, timers): per-core figures are
      // also given net of it, since it is paid whether or not anyone sets up an SA.
      double a = responderProc.cpuSeconds();
      long ta = System.nanoTime();
      Thread.sleep(idleSampleSeconds * 1000L);
      out.idleBusyCores = (responderProc.cpuSeconds() - a) / ((System.nanoTime() - ta) / 1e9);
    }
    try (FailureLog failures = new FailureLog(ikeLog)) {
      List<LoadWorker> workers = workers(failures);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        long rssStart = responderProc == null ? -1 : responderProc.rssKb();
        if (warmup > 0) {
          System.err.printf("ike-load %s: warm-up, %d setups%n", label, warmup);
          phase(pool, workers, (w, k) -> w.churn(share(warmup, k), false));
          Thread.sleep(settleSeconds * 1000L);
        }
        double cpu0 = responderProc == null ? Double.NaN : responderProc.cpuSeconds();
        double self0 = self.cpuSeconds();
        long rss0 = responderProc == null ? -1 : responderProc.rssKb();
        System.err.printf(
            "ike-load %s: %d setups, %d in flight, %s%n", label, total, concurrency, teardown);
        long t0 = System.nanoTime();
        List<PhaseResult> measured =
            phase(
                pool,
                workers,
                (w, k) -> hold() ? w.hold(share(total, k)) : w.churn(share(total, k), true));
        long t1 = System.nanoTime();
        double cpu1 = responderProc == null ? Double.NaN : responderProc.cpuSeconds();
        double self1 = self.cpuSeconds();
        long rss1 = responderProc == null ? -1 : responderProc.rssKb();
        out.setup(measured, t0, t1, cpu1 - cpu0, self1 - self0);
        out.memory(rssStart, rss0, rss1);
        if (hold()) {
          System.err.printf("ike-load %s: deleting the held SAs%n", label);
          long d0 = System.nanoTime();
          List<PhaseResult> deletes = phase(pool, workers, (w, k) -> w.deleteHeld());
          long d1 = System.nanoTime();
          double cpu2 = responderProc == null ? Double.NaN : responderProc.cpuSeconds();
          out.deletes(deletes, (d1 - d0) / 1e9, cpu2 - cpu1);
          out.memoryAfterDelete(responderProc == null ? -1 : responderProc.rssKb());
        }
        long sendFailures = workers.stream().mapToLong(LoadWorker::sendFailures).sum();
        out.failures(failures, sendFailures);
        out.childTunnels(
            workers.stream().mapToLong(w -> w.installer().added()).sum(),
            workers.stream().mapToLong(w -> w.installer().removed()).sum());
      } finally {
        pool.shutdownNow();
        workers.forEach(LoadWorker::close);
      }
    }
    Json result = out.json(this, responderProc);
    if (json != null) {
      Files.writeString(json, result + "\n", StandardCharsets.UTF_8);
    } else {
      System.out.println(result);
    }
    System.err.println(out.summary(label));
    return out.established > 0 ? 0 : 1;
  }

  private int share(int x, int k) {
    return x / threads + (k < x % threads ? 1 : 0);
  }

  private List<LoadWorker> workers(FailureLog failures) throws IOException {
    int base = ipv4(sourcesFrom);
    int inner = ipv4(innerFrom);
    InetAddress peer = InetAddress.ofLiteral(responder);
    List<Proposal> ike = List.of(ProposalParser.ike(ikeProposal));
    List<Proposal> esp = List.of(ProposalParser.esp(espProposal));
    TrafficSelector tsr = TrafficSelector.parse(remoteTs);
    IkeConnectionConfig.Psk key = new IkeConnectionConfig.Psk(psk.getBytes(StandardCharsets.UTF_8));
    Function<Integer, IkeConnectionConfig> config =
        i -> {
          InetAddress local = address(base + i);
          return new IkeConnectionConfig(
              "lg" + i,
              local,
              peer,
              Identity.of(local),
              null,
              key,
              key,
              ike,
              esp,
              List.of(TrafficSelector.of(IpPrefix.ipv4(inner + i, 32))),
              List.of(tsr),
              IkeConnectionConfig.Lifetimes.defaults(),
              null,
              null,
              DpdAction.CLEAR,
              ConnectionMode.INITIATOR_ONLY,
              false,
              false);
        };
    List<LoadWorker> workers = new ArrayList<>();
    try {
      for (int k = 0; k < threads; k++) {
        List<LoadSource> churn = new ArrayList<>();
        for (int i = k; i < 2 * concurrency; i += threads) {
          churn.add(new LoadSource(address(base + i), config.apply(i), true));
        }
        List<LoadSource> held = new ArrayList<>();
        for (int j = k; hold() && j < total; j += threads) {
          int i = 2 * concurrency + j;
          held.add(new LoadSource(address(base + i), config.apply(i), false));
        }
        workers.add(
            new LoadWorker(
                churn, held, share(concurrency, k), Duration.ofSeconds(timeoutSeconds), failures));
      }
      return workers;
    } catch (IOException | RuntimeException e) {
      workers.forEach(LoadWorker::close);
      throw e;
    }
  }

  /** One phase on every worker at once, each on a pool thread; waits for all. */
  private static List<PhaseResult> phase(
      ExecutorService pool, List<LoadWorker> workers, PhaseTask task)
      throws InterruptedException, ExecutionException {
    List<Future<PhaseResult>> futures = new ArrayList<>();
    for (int k = 0; k < workers.size(); k++) {
      LoadWorker w = workers.get(k);
      int index = k;
      futures.add(pool.submit(() -> task.run(w, index)));
    }
    List<PhaseResult> results = new ArrayList<>();
    for (Future<PhaseResult> f : futures) {
      results.add(f.get());
    }
    return results;
  }

  /** What a phase does on one worker. */
  @FunctionalInterface
  private interface PhaseTask {
    PhaseResult run(LoadWorker worker, int index);
  }

  private static int ipv4(String literal) {
    InetAddress a = InetAddress.ofLiteral(literal);
    if (!(a instanceof Inet4Address)) {
      throw new IllegalArgumentException(literal + ": the load generator's ranges are IPv4");
    }
    return ByteBuffer.wrap(a.getAddress()).getInt();
  }

  private static InetAddress address(int v4) {
    try {
      return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(v4).array());
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an address", e);
    }
  }

  /** The figures of one run, gathered phase by phase. */
  private static final class Result {
    long established;
    long failed;
    double windowSeconds;
    double sampledSeconds;
    double idleBusyCores = Double.NaN;
    double responderCpu = Double.NaN;
    double selfCpu;
    Histogram latency;
    long rssStart = -1;
    long rssBefore = -1;
    long rssEstablished = -1;
    long rssAfterDelete = -1;
    long deleted;
    long deleteFailed;
    double deleteSeconds = Double.NaN;
    double deleteCpu = Double.NaN;
    long failureLines;
    List<String> failureSamples = List.of();
    long sendFailures;
    long tunnelsAdded;
    long tunnelsRemoved;

    void setup(List<PhaseResult> results, long t0, long t1, double cpu, double self) {
      latency = new Histogram(3_600_000_000L, 3);
      long end = t0;
      for (PhaseResult r : results) {
        established += r.established();
        failed += r.failed();
        end = Math.max(end, r.endNanos());
        latency.add(r.latency());
      }
      windowSeconds = (end - t0) / 1e9;
      sampledSeconds = (t1 - t0) / 1e9;
      responderCpu = cpu;
      selfCpu = self;
    }

    void memory(long start, long before, long afterSetups) {
      rssStart = start;
      rssBefore = before;
      rssEstablished = afterSetups;
    }

    void deletes(List<PhaseResult> results, double seconds, double cpu) {
      for (PhaseResult r : results) {
        deleted += r.deleted();
        deleteFailed += r.deleteFailed();
      }
      deleteSeconds = seconds;
      deleteCpu = cpu;
    }

    void memoryAfterDelete(long rss) {
      rssAfterDelete = rss;
    }

    void failures(FailureLog log, long sends) {
      failureLines = log.count();
      failureSamples = log.samples();
      sendFailures = sends;
    }

    void childTunnels(long added, long removed) {
      tunnelsAdded = added;
      tunnelsRemoved = removed;
    }

    private static double ms(long micros) {
      return micros / 1000.0;
    }

    Json json(IkeLoadGenerator o, ProcStat responder) {
      boolean hold = o.hold();
      Json lat =
          new Json()
              .put("p50", ms(latency.getValueAtPercentile(50)))
              .put("p90", ms(latency.getValueAtPercentile(90)))
              .put("p99", ms(latency.getValueAtPercentile(99)))
              .put("p999", ms(latency.getValueAtPercentile(99.9)))
              .put("max", ms(latency.getMaxValue()))
              .put("mean", latency.getMean() / 1000.0);
      Json r =
          new Json()
              .put("pid", responder == null ? null : responder.pid())
              .put("command", responder == null ? null : responder.command())
              .put("cpu_s", responderCpu)
              .put("busy_cores", responderCpu / sampledSeconds)
              .put("setups_per_cpu_s", established / responderCpu)
              .put("idle_busy_cores", idleBusyCores)
              .put(
                  "setups_per_cpu_s_net_of_idle",
                  established / (responderCpu - idleBusyCores * sampledSeconds))
              .put("rss_kb_start", rssStart)
              .put("rss_kb_before", rssBefore)
              .put("rss_kb_established", rssEstablished)
              .put(
                  "rss_bytes_per_held_sa",
                  hold && rssBefore > 0 && established > 0
                      ? (rssEstablished - rssBefore) * 1024.0 / established
                      : null);
      Json j =
          new Json()
              .put("label", o.label)
              .put("responder_address", o.responder)
              .put("ike_proposal", o.ikeProposal)
              .put("esp_proposal", o.espProposal)
              .put("teardown", o.teardown)
              .put("total", o.total)
              .put("concurrency", o.concurrency)
              .put("warmup", o.warmup)
              .put("threads", o.threads)
              .put("established", established)
              .put("failed", failed)
              .put("window_s", windowSeconds)
              .put("setups_per_s", established / windowSeconds)
              .put("latency_ms", lat)
              .put("responder", r)
              .put(
                  "loadgen",
                  new Json()
                      .put("cpu_s", selfCpu)
                      .put("busy_cores", selfCpu / sampledSeconds)
                      // warm-up included: a cross-check that every setup brought its child SA
                      .put("child_sa_tunnels_added", tunnelsAdded)
                      .put("child_sa_tunnels_removed", tunnelsRemoved));
      if (hold) {
        r.put("rss_kb_after_delete", rssAfterDelete);
        j.put(
            "delete",
            new Json()
                .put("deleted", deleted)
                .put("failed", deleteFailed)
                .put("window_s", deleteSeconds)
                .put("per_s", deleted / deleteSeconds)
                .put("responder_cpu_s", deleteCpu));
      }
      j.put("send_failures", sendFailures);
      j.put("failure_lines", failureLines);
      j.put("failure_samples", failureSamples);
      return j;
    }

    String summary(String label) {
      return String.format(
          "ike-load %s: %d established, %d failed in %.2f s: %.1f setups/s, p50 %.1f ms, p99"
              + " %.1f ms; responder %.2f CPU s (%.1f setups per CPU s)",
          label,
          established,
          failed,
          windowSeconds,
          established / windowSeconds,
          ms(latency.getValueAtPercentile(50)),
          ms(latency.getValueAtPercentile(99)),
          responderCpu,
          established / responderCpu);
    }
  }
}
