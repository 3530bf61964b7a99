package dev.vpngw.benchmarks.ike;

import dev.vpngw.benchmarks.ike.LoadSource.Endpoint;
import dev.vpngw.benchmarks.ike.LoadSource.State;
import dev.vpngw.ikev2.IkeDaemon;
import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.IkeSettings;
import dev.vpngw.ikev2.IkeTransport;
import dev.vpngw.ikev2.KeyLog;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.config.Retransmission;
import dev.vpngw.ikev2.message.ExchangeType;
import dev.vpngw.ikev2.message.IkeHeader;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import dev.vpngw.ikev2.task.DeleteTask;
import dev.vpngw.ikev2.task.Exchange;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One load generator thread: our own IKE daemon as the initiator of many IKE SAs at once, each from
 * its own {@link LoadSource}, over real UDP sockets behind one selector. It keeps {@code
 * concurrency} setups in flight, times each from the first IKE_SA_INIT sent to the IKE_AUTH
 * response processed (the IKE SA and its first child SA up), and deletes the SAs either right away
 * (churn) or in a phase of their own (hold). The daemon is single-threaded, so a worker touches it
 * only from the thread running its current phase; phases are handed from thread to thread through
 * an executor, which orders them.
 */
final class LoadWorker implements AutoCloseable {
  private static final int MAX_DATAGRAM = 65_535;
  private static final int NON_ESP_MARKER = 4;
  private static final int RECEIVE_BATCH = 64;

  /**
   * The outcome of one phase.
   *
   * @param established setups that brought the IKE SA and its child SA up
   * @param failed setups that failed or timed out
   * @param deleted deletes the responder answered
   * @param deleteFailed deletes that timed out or whose SA was already gone
   * @param endNanos when the phase's last setup (or delete) finished
   * @param latency setup latencies in microseconds (null outside the measured phase)
   */
  record PhaseResult(
      long established,
      long failed,
      long deleted,
      long deleteFailed,
      long endNanos,
      Histogram latency) {}

  private final Selector selector;
  private final IkeDaemon daemon;
  private final CountingInstaller installer = new CountingInstaller();
  private final FailureLog failures;
  private final int concurrency;
  private final long timeoutNanos;
  private final Deque<LoadSource> churnPool;
  private final Deque<LoadSource> holdPool;
  private final List<LoadSource> all = new ArrayList<>();
  private final List<LoadSource> held = new ArrayList<>();
  private final List<LoadSource> active = new ArrayList<>();
  private final Map<Long, LoadSource> bySpi = new HashMap<>();
  private final ByteBuffer receiveBuffer = ByteBuffer.allocate(MAX_DATAGRAM);
  private LoadSource initiating;
  private long sendFailures;

  // the phase in progress
  private boolean deleteAfterSetup;
  private Histogram latency;
  private long established;
  private long failed;
  private long deleted;
  private long deleteFailed;
  private long lastFinishNanos;

  /**
   * A worker over its share of the sources.
   *
   * @param churnSources sources reused setup after setup (warm-up, and the churn mode)
   * @param holdSources one source per held SA (the hold mode)
   * @param concurrency setups (and deletes) in flight at most
   * @param timeout a setup or delete not finished by then counts as failed
   * @param failures where failure reasons are kept for the report
   */
  LoadWorker(
      List<LoadSource> churnSources,
      List<LoadSource> holdSources,
      int concurrency,
      Duration timeout,
      FailureLog failures)
      throws IOException {
    this.selector = Selector.open();
    this.concurrency = concurrency;
    this.timeoutNanos = timeout.toNanos();
    this.failures = failures;
    this.churnPool = new ArrayDeque<>(churnSources);
    this.holdPool = new ArrayDeque<>(holdSources);
    all.addAll(churnSources);
    all.addAll(holdSources);
    List<IkeConnectionConfig> configs = all.stream().map(LoadSource::config).toList();
    // A failed setup is a result, not something to retry: the daemon's own retry never comes.
    IkeSettings settings =
        new IkeSettings(
            Retransmission.defaults(), 1000, Duration.ofSeconds(20), Duration.ofDays(3650));
    this.daemon =
        new IkeDaemon(
            configs,
            new Transport(),
            installer,
            new IkeLog(failures::offer),
            System::nanoTime,
            new SecureRandom(),
            settings,
            KeyLog.NONE);
    try {
      for (LoadSource s : all) {
        s.open(selector);
      }
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  /**
   * Setups, each deleted as soon as it is up, from the reused sources; their latencies are recorded
   * if {@code timed} (not in the warm-up).
   */
  PhaseResult churn(int count, boolean timed) {
    begin(true, timed);
    runSetups(count, churnPool);
    return result();
  }

  /** Setups that stay up, each from a source of its own; timed. */
  PhaseResult hold(int count) {
    begin(false, true);
    runSetups(count, holdPool);
    return result();
  }

  /** Deletes every held SA, {@code concurrency} at a time. */
  PhaseResult deleteHeld() {
    begin(false, false);
    Deque<LoadSource> toDelete = new ArrayDeque<>(held);
    held.clear();
    while (!toDelete.isEmpty() || !active.isEmpty()) {
      while (!toDelete.isEmpty() && active.size() < concurrency) {
        LoadSource s = toDelete.poll();
        if (s.sa().state() == IkeSaState.ESTABLISHED) {
          startDelete(s, System.nanoTime());
        } else {
          deleteFailed++; // the responder (or a timer) took it down before we asked
          finished(s);
        }
      }
      pollOnce();
    }
    return result();
  }

  /** Sends that the kernel refused (a full socket buffer); the daemon retransmits them. */
  long sendFailures() {
    return sendFailures;
  }

  /** The counting dataplane, for the report's cross-check. */
  CountingInstaller installer() {
    return installer;
  }

  private void begin(boolean deleteAfter, boolean timed) {
    deleteAfterSetup = deleteAfter;
    latency = timed ? new Histogram(3_600_000_000L, 3) : null;
    established = 0;
    failed = 0;
    deleted = 0;
    deleteFailed = 0;
    lastFinishNanos = System.nanoTime();
  }

  private PhaseResult result() {
    return new PhaseResult(established, failed, deleted, deleteFailed, lastFinishNanos, latency);
  }

  private void runSetups(int count, Deque<LoadSource> pool) {
    int started = 0;
    while (established + failed < count || !active.isEmpty()) {
      while (started < count && settingUp() < concurrency && !pool.isEmpty()) {
        start(pool.poll());
        started++;
      }
      if (started < count && pool.isEmpty() && active.isEmpty()) {
        throw new IllegalStateException(
            "ran out of source addresses after " + started + " of " + count + " setups");
      }
      pollOnce();
    }
  }

  private int settingUp() {
    int n = 0;
    for (LoadSource s : active) {
      if (s.state() == State.SETTING_UP) {
        n++;
      }
    }
    return n;
  }

  private void start(LoadSource s) {
    // The clock starts as the setup starts: IKE_SA_INIT is built (KEi generated) and sent at once.
    long now = System.nanoTime();
    s.state(State.SETTING_UP, now);
    active.add(s);
    // initiate() sends IKE_SA_INIT before it returns, before the SPI can be mapped to the source.
    initiating = s;
    IkeSa sa = daemon.initiate(s.config());
    initiating = null;
    s.sa(sa);
    bySpi.put(sa.initiatorSpi(), s);
  }

  private void startDelete(LoadSource s, long now) {
    s.state(State.DELETING, now);
    active.add(s);
    daemon
        .manager(s.sa())
        .queue(
            new Exchange(
                ExchangeType.INFORMATIONAL,
                List.of(DeleteTask.ike(s.sa(), daemon, "load test done")),
                "delete-ike"));
  }

  /** Waits up to a millisecond for datagrams, hands them to the daemon, runs its timers. */
  private void pollOnce() {
    try {
      selector.select(1);
    } catch (IOException e) {
      throw new IllegalStateException("select failed", e);
    }
    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
    while (keys.hasNext()) {
      SelectionKey key = keys.next();
      keys.remove();
      Endpoint endpoint = (Endpoint) key.attachment();
      receive((DatagramChannel) key.channel(), endpoint);
      check(endpoint.source(), System.nanoTime());
    }
    if (daemon.onTimer() > 0) {
      long now = System.nanoTime();
      for (LoadSource s : List.copyOf(active)) {
        check(s, now);
        if (active.contains(s) && now - s.sinceNanos() > timeoutNanos) {
          timedOut(s);
        }
      }
    }
  }

  private void receive(DatagramChannel ch, Endpoint endpoint) {
    for (int i = 0; i < RECEIVE_BATCH; i++) {
      receiveBuffer.clear();
      InetSocketAddress from;
      try {
        from = (InetSocketAddress) ch.receive(receiveBuffer);
      } catch (IOException e) {
        failures.offer("receive failed: " + e.getMessage());
        return;
      }
      if (from == null) {
        return;
      }
      byte[] data = receiveBuffer.array();
      int length = receiveBuffer.position();
      int offset = 0;
      if (endpoint.localPort() == 4500) {
        // RFC 3948: IKE follows a zero non-ESP marker; a keepalive or ESP is not for IKE.
        if (length < NON_ESP_MARKER + IkeHeader.LENGTH || receiveBuffer.getInt(0) != 0) {
          continue;
        }
        offset = NON_ESP_MARKER;
      }
      daemon.onDatagram(from, endpoint.localPort(), data, offset, length - offset);
    }
  }

  /** Moves a source on if its SA changed state. */
  private void check(LoadSource s, long now) {
    IkeSa sa = s.sa();
    if (sa == null) {
      return;
    }
    switch (s.state()) {
      case SETTING_UP -> {
        if (sa.state() == IkeSaState.ESTABLISHED) {
          if (sa.children().isEmpty()) {
            failed++;
            failures.offer("IKE SA up without its child SA (see the responder's log)");
            daemon.destroy(sa, "load test: no child SA", false);
            finished(s);
            return;
          }
          established++;
          lastFinishNanos = now;
          if (latency != null) {
            latency.recordValue(Math.max(1, (now - s.sinceNanos()) / 1000));
          }
          active.remove(s);
          if (deleteAfterSetup) {
            startDelete(s, now);
          } else {
            s.state(State.HELD, now);
            held.add(s);
          }
        } else if (sa.state() == IkeSaState.DESTROYED) {
          failed++;
          lastFinishNanos = now;
          finished(s);
        }
      }
      case DELETING -> {
        if (sa.state() == IkeSaState.DESTROYED) {
          deleted++;
          if (!deleteAfterSetup) {
            lastFinishNanos = now; // in churn, the phase ends with its last setup
          }
          finished(s);
        }
      }
      default -> {}
    }
  }

  private void timedOut(LoadSource s) {
    boolean setup = s.state() == State.SETTING_UP;
    failures.offer(
        (setup ? "setup" : "delete")
            + " timed out after "
            + timeoutNanos / 1_000_000_000L
            + " s (source "
            + s.address().getHostAddress()
            + ")");
    if (setup) {
      failed++;
    } else {
      deleteFailed++;
    }
    lastFinishNanos = System.nanoTime();
    daemon.destroy(s.sa(), "load test: timed out", false);
    finished(s);
  }

  /** The source is free again: back to the pool if it is a reused one, else done for the run. */
  private void finished(LoadSource s) {
    active.remove(s);
    bySpi.remove(s.sa().initiatorSpi());
    if (s.reusable()) {
      s.state(State.IDLE, System.nanoTime());
      churnPool.add(s);
    } else {
      s.state(State.DONE, System.nanoTime());
    }
  }

  @Override
  public void close() {
    for (LoadSource s : all) {
      s.close();
    }
    try {
      selector.close();
    } catch (IOException e) {
      // nothing to add: the sockets are closed already
    }
  }

  /** Sends each datagram from the socket of the source whose IKE SA it belongs to. */
  private final class Transport implements IkeTransport {
    @Override
    public void send(InetSocketAddress to, int localPort, byte[] datagram) throws IOException {
      // We are the original initiator of every SA: the initiator SPI is always ours.
      long spiI = ByteBuffer.wrap(datagram).getLong(IkeHeader.INITIATOR_SPI_OFFSET);
      LoadSource s = bySpi.get(spiI);
      if (s == null) {
        s = initiating;
      }
      if (s == null) {
        throw new IOException("no source for initiator SPI " + IkeLog.spi(spiI));
      }
      ByteBuffer out;
      if (localPort == 4500) {
        out = ByteBuffer.allocate(NON_ESP_MARKER + datagram.length);
        out.putInt(0).put(datagram).flip();
      } else {
        out = ByteBuffer.wrap(datagram);
      }
      if (s.channel(localPort, selector).send(out, to) == 0) {
        sendFailures++;
      }
    }

    @Override
    public void sendKeepalive(InetSocketAddress to) {
      // Only a peer behind a NAT sends these, and the sources are never behind one.
    }
  }
}
