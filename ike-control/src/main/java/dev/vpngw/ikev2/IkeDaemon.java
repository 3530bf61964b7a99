package dev.vpngw.ikev2;

import dev.vpngw.ikev2.config.DpdAction;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.message.ExchangeType;
import dev.vpngw.ikev2.message.IkeHeader;
import dev.vpngw.ikev2.message.IkeMessage;
import dev.vpngw.ikev2.message.IkeParseException;
import dev.vpngw.ikev2.message.NoncePayload;
import dev.vpngw.ikev2.message.NotifyPayload;
import dev.vpngw.ikev2.message.NotifyType;
import dev.vpngw.ikev2.message.PayloadType;
import dev.vpngw.ikev2.sa.ChildSa;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import dev.vpngw.ikev2.task.ChildCreateTask;
import dev.vpngw.ikev2.task.ChildRekeyTask;
import dev.vpngw.ikev2.task.DeleteTask;
import dev.vpngw.ikev2.task.DpdTask;
import dev.vpngw.ikev2.task.Exchange;
import dev.vpngw.ikev2.task.IkeAuthTask;
import dev.vpngw.ikev2.task.IkeContext;
import dev.vpngw.ikev2.task.IkeInitTask;
import dev.vpngw.ikev2.task.IkeRekeyTask;
import dev.vpngw.ikev2.task.Inbound;
import dev.vpngw.ikev2.task.NatDetectionTask;
import dev.vpngw.ikev2.task.TaskManager;
import dev.vpngw.selector.TrafficSelector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The IKEv2 daemon of one gateway (RFC 7296): the IKE SA table, dispatch of each received datagram
 * to its SA's task manager, the responder's entry (connection lookup, COOKIE), and the timers that
 * start exchanges: initiation and retries, rekeys by time and volume, expiry, DPD, NAT-keepalives.
 * Single-threaded: every method runs on the IKE thread ({@link IkeConductor}), which is how the
 * tasks need no locks; the dataplane is reached only through {@link ChildSaInstaller} commands.
 */
public final class IkeDaemon implements IkeContext {
  private static final long TIMER_PERIOD_NANOS = 50_000_000L;
  private static final long COUNTERS_PERIOD_NANOS = 1_000_000_000L;

  /** A responder's IKE SA that has not authenticated in this time is dropped (RFC 7296 2.6). */
  static final long HALF_OPEN_TIMEOUT_NANOS = 30_000_000_000L;

  /** At most this many "message_dropped" lines a second: garbage must not flood the log. */
  private static final int DROP_LOGS_PER_SECOND = 10;

  /** The live connections; {@link #addConnection} and {@link #removeConnection} change it. */
  private final List<IkeConnectionConfig> connections;

  private final IkeTransport transport;
  private final ChildSaInstaller installer;
  private final IkeLog log;
  private final LongSupplier clock;
  private final SecureRandom random;
  private final IkeSettings settings;
  private final KeyLog keyLog;
  private final CookieGuard cookies;
  private final Map<Long, IkeSa> byLocalSpi = new HashMap<>();
  private final Map<IkeSa, TaskManager> managers = new LinkedHashMap<>();
  private final Map<String, Long> retryAt = new HashMap<>();
  private final Map<Integer, Long> lastBytes = new HashMap<>();
  private final Set<Integer> childSpis = new HashSet<>();
  private final Map<IkeSa, Long> keepaliveAt = new HashMap<>();
  private final java.util.PriorityQueue<Deferred> deferred =
      new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(Deferred::dueNanos));
  private final IkeStatePublisher publisher = new IkeStatePublisher();
  private boolean held;
  private long nextTimerNanos;
  private long nextCountersNanos;
  private long dropped;
  private long dropLogSecond;
  private int dropLogsThisSecond;
  private long dropLogsSuppressed;

  /** A daemon for these connections; nothing happens until {@link #start()}. */
  public IkeDaemon(
      List<IkeConnectionConfig> connections,
      IkeTransport transport,
      ChildSaInstaller installer,
      IkeLog log,
      LongSupplier clock,
      SecureRandom random,
      IkeSettings settings,
      KeyLog keyLog) {
    this.connections = new ArrayList<>(connections);
    this.transport = transport;
    this.installer = installer;
    this.log = log;
    this.clock = clock;
    this.random = random;
    this.settings = settings;
    this.keyLog = keyLog;
    this.cookies = new CookieGuard(random, clock.getAsLong());
  }

  /** Initiates every connection that starts its own IKE SA (none while {@link #hold held}). */
  public void start() {
    if (held) {
      return;
    }
    for (IkeConnectionConfig c : connections) {
      if (c.mode().initiates()) {
        initiate(c);
      }
    }
  }

  /** The connections the daemon serves now (a copy). */
  public List<IkeConnectionConfig> connections() {
    return List.copyOf(connections);
  }

  /**
   * Serves one more connection from now on (the management API adding a connection to a running
   * gateway) and, if it starts its own IKE SA, initiates it at once. A connection of the same name
   * that was removed before may still be deleting its IKE SAs; the new one is independent of them.
   *
   * @throws IllegalArgumentException if a connection of that name is already served
   */
  public void addConnection(IkeConnectionConfig c) {
    if (find(c.name()) != null) {
      throw new IllegalArgumentException("connection " + c.name() + " exists");
    }
    connections.add(c);
    retryAt.remove(c.name());
    log.event("connection_added", c.name(), "peer", c.remoteAddress().getHostAddress());
    if (c.mode().initiates() && !held) {
      initiate(c);
    }
  }

  /**
   * Stops serving a connection: each of its established IKE SAs is deleted with an INFORMATIONAL
   * Delete (RFC 7296 1.4.1), so the peer tears down at once, and its child SAs and tunnels go when
   * that exchange ends (answered, or given up after the retransmissions); an IKE SA still being set
   * up is dropped at once. None of them is started again, and a peer's new IKE_SA_INIT finds no
   * connection. Other connections and their SAs are not touched.
   *
   * @return whether the connection existed
   */
  public boolean removeConnection(String name) {
    IkeConnectionConfig c = find(name);
    if (c == null) {
      return false;
    }
    connections.remove(c);
    retryAt.remove(name);
    for (IkeSa sa : ikeSas()) {
      if (sa.config() == c) {
        if (sa.state() == IkeSaState.CONNECTING) {
          destroy(sa, "connection removed", false);
        } else {
          deleteRetired(sa);
        }
      }
    }
    log.event("connection_removed", name);
    return true;
  }

  /**
   * Deletes an established IKE SA of a connection no longer served. An SA in the middle of an IKE
   * rekey is left to finish it: its successor (adopted later) is caught by the timers, which call
   * this for every established SA of a removed connection.
   */
  private void deleteRetired(IkeSa sa) {
    TaskManager m = manager(sa);
    if (sa.state() == IkeSaState.ESTABLISHED && !m.pending("delete-ike")) {
      m.queue(
          new Exchange(
              ExchangeType.INFORMATIONAL,
              List.of(DeleteTask.ike(sa, this, "connection removed")),
              "delete-ike"));
    }
  }

  private IkeConnectionConfig find(String name) {
    for (IkeConnectionConfig c : connections) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }

  private boolean served(IkeConnectionConfig c) {
    for (IkeConnectionConfig x : connections) {
      if (x == c) {
        return true;
      }
    }
    return false;
  }

  /** Starts an IKE SA (and its first child SA) for a connection. */
  public IkeSa initiate(IkeConnectionConfig c) {
    IkeSa sa =
        new IkeSa(c, true, newIkeSpi(), 0, new InetSocketAddress(c.remoteAddress(), 500), 500);
    register(sa);
    log.event("ike_sa_initiate", c.name(), "peer", c.remoteAddress().getHostAddress());
    TaskManager m = manager(sa);
    m.queue(
        new Exchange(
            ExchangeType.IKE_SA_INIT,
            List.of(new IkeInitTask(sa, this, true), new NatDetectionTask(sa, this, true)),
            "ike-sa-init"));
    if (!c.childPerPair()) {
      m.queue(
          new Exchange(
              ExchangeType.IKE_AUTH,
              List.of(
                  new IkeAuthTask(sa, this, true),
                  new ChildCreateTask(sa, this, true, ExchangeType.IKE_AUTH, null)),
              "ike-auth"));
      return sa;
    }
    // Policy-based: the first pair rides on IKE_AUTH, every other pair gets a CREATE_CHILD_SA.
    boolean first = true;
    for (TrafficSelector local : c.localTs()) {
      for (TrafficSelector remote : c.remoteTs()) {
        if (local.isIpv6() != remote.isIpv6()) {
          continue;
        }
        int type = first ? ExchangeType.IKE_AUTH : ExchangeType.CREATE_CHILD_SA;
        ChildCreateTask child =
            ChildCreateTask.forSelectors(sa, this, type, List.of(local), List.of(remote));
        m.queue(
            first
                ? new Exchange(type, List.of(new IkeAuthTask(sa, this, true), child), "ike-auth")
                : new Exchange(type, List.of(child), "create-child"));
        first = false;
      }
    }
    return sa;
  }

  /** The IKE SAs, for status and tests. */
  public List<IkeSa> ikeSas() {
    return new ArrayList<>(managers.keySet());
  }

  /** Datagrams dropped before reaching a task manager (unparseable, unknown SA, bad ICV). */
  public long dropped() {
    return dropped;
  }

  /** Starts a rekey of every installed child SA of a connection (operator or test). */
  public void rekeyChildren(String connection) {
    for (IkeSa sa : ikeSas()) {
      if (sa.config().name().equals(connection) && sa.state() == IkeSaState.ESTABLISHED) {
        for (ChildSa c : List.copyOf(sa.children())) {
          if (c.state() == ChildSa.State.INSTALLED) {
            queueChildRekey(sa, c);
          }
        }
      }
    }
  }

  /** Starts a rekey of a connection's IKE SA (operator or test). */
  public void rekeyIke(String connection) {
    for (IkeSa sa : ikeSas()) {
      if (sa.config().name().equals(connection) && sa.state() == IkeSaState.ESTABLISHED) {
        queueIkeRekey(sa);
      }
    }
  }

  /** Deletes a connection's IKE SAs (operator or test); they are not restarted by timers. */
  public void terminate(String connection) {
    for (IkeSa sa : ikeSas()) {
      if (sa.config().name().equals(connection) && sa.state() == IkeSaState.ESTABLISHED) {
        manager(sa)
            .queue(
                new Exchange(
                    ExchangeType.INFORMATIONAL,
                    List.of(DeleteTask.ike(sa, this, "terminated")),
                    "delete-ike"));
      }
    }
    retryAt.put(connection, Long.MAX_VALUE);
  }

  /**
   * The gateway is stopping: every established IKE SA is deleted (the Delete goes out now, or after
   * the exchange in flight), so peers tear down at once instead of waiting for DPD.
   */
  public void shutdown() {
    for (IkeConnectionConfig c : List.copyOf(connections)) {
      terminate(c.name());
    }
  }

  // ---- receive path ----

  /** One IKE datagram from {@code from} to our {@code localPort}. */
  public void onDatagram(
      InetSocketAddress from, int localPort, byte[] data, int offset, int length) {
    if (held) {
      drop("HA standby: the active node serves the peers", from);
      return;
    }
    receive(from, localPort, data, offset, length);
    publishState();
  }

  private void receive(InetSocketAddress from, int localPort, byte[] data, int offset, int length) {
    byte[] raw = java.util.Arrays.copyOfRange(data, offset, offset + length);
    if (raw.length < IkeHeader.LENGTH) {
      drop("shorter than the IKE header", from);
      return;
    }
    ByteBuffer h = ByteBuffer.wrap(raw);
    long spiI = h.getLong(IkeHeader.INITIATOR_SPI_OFFSET);
    long spiR = h.getLong(IkeHeader.RESPONDER_SPI_OFFSET);
    int exchange = raw[IkeHeader.EXCHANGE_TYPE_OFFSET] & 0xff;
    int flags = raw[IkeHeader.FLAGS_OFFSET] & 0xff;
    boolean response = (flags & IkeHeader.FLAG_RESPONSE) != 0;
    boolean fromOriginalInitiator = (flags & IkeHeader.FLAG_INITIATOR) != 0;
    if (exchange == ExchangeType.IKE_SA_INIT && !response && spiR == 0) {
      IkeSa halfOpen = findHalfOpen(from, spiI);
      if (halfOpen == null) {
        newResponder(from, localPort, raw);
        return;
      }
      dispatch(halfOpen, from, localPort, raw, false);
      return;
    }
    IkeSa sa = byLocalSpi.get(fromOriginalInitiator ? spiR : spiI);
    if (sa == null || sa.state() == IkeSaState.DESTROYED) {
      drop("no IKE SA for SPI", from);
      return;
    }
    long theirs = fromOriginalInitiator ? spiI : spiR;
    if (sa.remoteSpi() != 0 && theirs != sa.remoteSpi()) {
      drop("SPI pair mismatch", from);
      return;
    }
    dispatch(sa, from, localPort, raw, response);
  }

  private void dispatch(
      IkeSa sa, InetSocketAddress from, int localPort, byte[] raw, boolean response) {
    IkeMessage message;
    try {
      int exchange = raw[IkeHeader.EXCHANGE_TYPE_OFFSET] & 0xff;
      if (exchange == ExchangeType.IKE_SA_INIT) {
        message = IkeMessage.decode(raw, 0, raw.length);
      } else if (sa.keys() == null) {
        drop("protected message before keys", from);
        return;
      } else if ((raw[IkeHeader.NEXT_PAYLOAD_OFFSET] & 0xff) == PayloadType.SKF) {
        message = sa.reassembler().offer(raw, 0, raw.length, sa.receiveCipher());
        if (message == null) {
          return; // more fragments to come
        }
      } else {
        message = IkeMessage.decodeProtected(raw, 0, raw.length, sa.receiveCipher());
      }
    } catch (IkeParseException e) {
      drop(e.reason() + ": " + e.getMessage(), from);
      if (e.reason() == IkeParseException.Reason.INVALID_SYNTAX && !response) {
        // It passed its integrity check, so the peer really sent it: answer as RFC 7296 2.21.
        manager(sa)
            .rejectRequest(
                IkeHeader.messageId(raw, 0),
                raw[IkeHeader.EXCHANGE_TYPE_OFFSET] & 0xff,
                NotifyType.INVALID_SYNTAX);
      }
      return;
    }
    long now = clock.getAsLong();
    sa.lastInboundNanos(now);
    if (message.exchangeType() != ExchangeType.IKE_SA_INIT) {
      followPeer(sa, from, localPort);
    }
    Inbound inbound = new Inbound(from, localPort, raw);
    TaskManager m = manager(sa);
    if (response) {
      m.onResponse(message, inbound);
    } else {
      m.onRequest(message, inbound);
    }
    if (sa.state() == IkeSaState.ESTABLISHED && sa.expireAtNanos() == Long.MAX_VALUE) {
      onEstablished(sa, now, message);
    }
  }

  /**
   * RFC 7296 2.23: an authenticated message from a new address or port (the initiator's move to
   * 4500, or a NAT's new mapping) is where we answer and send ESP from now on.
   */
  private void followPeer(IkeSa sa, InetSocketAddress from, int localPort) {
    if (from.equals(sa.peer()) && localPort == sa.localPort()) {
      return;
    }
    boolean portFloat = localPort == 4500 && sa.localPort() == 500;
    if (!portFloat && !sa.udpEncapsulation()) {
      return;
    }
    sa.peer(from);
    sa.localPort(localPort);
    for (ChildSa c : sa.children()) {
      installer.updatePeer(
          c.tunnel(), sa.udpEncapsulation() ? from : new InetSocketAddress(from.getAddress(), 0));
    }
    log.event(
        "peer_moved",
        sa.config().name(),
        "peer",
        from.getAddress().getHostAddress() + ":" + from.getPort());
  }

  private void onEstablished(IkeSa sa, long now, IkeMessage message) {
    IkeConnectionConfig.Lifetimes l = sa.config().lifetimes();
    long jitter = l.jitter().toNanos();
    long r = jitter == 0 ? 0 : Math.floorMod(random.nextLong(), jitter);
    sa.timers(now + l.ike().toNanos() - l.margin().toNanos() - r, now + l.ike().toNanos());
    retryAt.remove(sa.config().name());
    if (!sa.originalInitiator() && message.notify(NotifyType.INITIAL_CONTACT) != null) {
      // RFC 7296 2.4: the peer restarted; its old IKE SAs with us are gone.
      for (IkeSa other : ikeSas()) {
        if (other != sa && other.config() == sa.config() && !other.originalInitiator()) {
          destroy(other, "INITIAL_CONTACT from the peer", false);
        }
      }
    }
    resolveDuplicates(sa);
  }

  /**
   * Both sides may start the same connection at once. Once two IKE SAs of a connection are up, the
   * one with the lower initiator SPI is deleted by its own initiator: both ends reach the same
   * verdict, and only one delete is sent.
   */
  private void resolveDuplicates(IkeSa sa) {
    for (IkeSa other : ikeSas()) {
      if (other == sa || other.config() != sa.config() || other.state() != IkeSaState.ESTABLISHED) {
        continue;
      }
      IkeSa loser = Long.compareUnsigned(sa.initiatorSpi(), other.initiatorSpi()) < 0 ? sa : other;
      if (loser.originalInitiator()) {
        manager(loser)
            .queue(
                new Exchange(
                    ExchangeType.INFORMATIONAL,
                    List.of(DeleteTask.ike(loser, this, "duplicate IKE SA")),
                    "delete-ike"));
      }
    }
  }

  private void newResponder(InetSocketAddress from, int localPort, byte[] raw) {
    IkeMessage request;
    try {
      request = IkeMessage.decode(raw, 0, raw.length);
    } catch (IkeParseException e) {
      if (e.reason() == IkeParseException.Reason.INVALID_MAJOR_VERSION) {
        answerPlain(from, localPort, raw, NotifyType.INVALID_MAJOR_VERSION, null);
      }
      drop(e.reason() + ": " + e.getMessage(), from);
      return;
    }
    IkeConnectionConfig c = connectionFor(from);
    if (c == null) {
      log.event(
          "ike_sa_init_refused",
          null,
          "peer",
          from.getAddress().getHostAddress(),
          "reason",
          "no connection for this peer");
      answerPlain(from, localPort, raw, NotifyType.NO_PROPOSAL_CHOSEN, null);
      return;
    }
    long now = clock.getAsLong();
    if (halfOpenCount() >= settings.cookieThreshold()) {
      NoncePayload ni = request.first(NoncePayload.class);
      NotifyPayload cookie = request.notify(NotifyType.COOKIE);
      if (ni == null) {
        drop("IKE_SA_INIT without a nonce", from);
        return;
      }
      if (cookie == null
          || !cookies.valid(
              cookie.data(), ni.nonce(), from.getAddress(), request.initiatorSpi(), now)) {
        answerPlain(
            from,
            localPort,
            raw,
            NotifyType.COOKIE,
            cookies.cookie(ni.nonce(), from.getAddress(), request.initiatorSpi(), now));
        return;
      }
    }
    IkeSa sa = new IkeSa(c, false, request.initiatorSpi(), newIkeSpi(), from, localPort);
    register(sa);
    sa.lastInboundNanos(now);
    manager(sa).onRequest(request, new Inbound(from, localPort, raw));
  }

  /** An unprotected answer to an IKE_SA_INIT we keep no state for (RFC 7296 2.6, 2.21.1). */
  private void answerPlain(
      InetSocketAddress to, int localPort, byte[] request, int notify, byte[] data) {
    ByteBuffer h = ByteBuffer.wrap(request);
    IkeMessage answer =
        new IkeMessage(
            h.getLong(IkeHeader.INITIATOR_SPI_OFFSET),
            0,
            ExchangeType.IKE_SA_INIT,
            IkeHeader.FLAG_RESPONSE,
            h.getInt(IkeHeader.MESSAGE_ID_OFFSET),
            List.of(data == null ? NotifyPayload.of(notify) : NotifyPayload.of(notify, data)));
    try {
      transport.send(to, localPort, answer.encode());
    } catch (IOException e) {
      log.event(
          "send_failed", null, "peer", to.getAddress().getHostAddress(), "reason", e.getMessage());
    }
  }

  private IkeConnectionConfig connectionFor(InetSocketAddress from) {
    for (IkeConnectionConfig c : connections) {
      if (c.mode().responds() && c.remoteAddress().equals(from.getAddress())) {
        return c;
      }
    }
    return null;
  }

  private IkeSa findHalfOpen(InetSocketAddress from, long spiI) {
    for (IkeSa sa : managers.keySet()) {
      if (!sa.originalInitiator()
          && sa.initiatorSpi() == spiI
          && sa.peer().getAddress().equals(from.getAddress())
          && sa.state() == IkeSaState.CONNECTING) {
        return sa;
      }
    }
    return null;
  }

  private int halfOpenCount() {
    int n = 0;
    for (IkeSa sa : managers.keySet()) {
      if (!sa.originalInitiator() && sa.state() == IkeSaState.CONNECTING) {
        n++;
      }
    }
    return n;
  }

  private void drop(String reason, InetSocketAddress from) {
    dropped++;
    log.event(
        "message_dropped",
        null,
        "peer",
        from.getAddress().getHostAddress() + ":" + from.getPort(),
        "reason",
        reason);
  }

  // ---- timers ----

  /** Runs the timers when due; returns 1 if it did work. */
  public int onTimer() {
    long now = clock.getAsLong();
    if (now < nextTimerNanos || held) {
      return 0;
    }
    nextTimerNanos = now + TIMER_PERIOD_NANOS;
    // SA byte counters (volume lifetimes, ESP as proof of life) are read once a second.
    boolean countersDue = now >= nextCountersNanos;
    if (countersDue) {
      nextCountersNanos = now + COUNTERS_PERIOD_NANOS;
    }
    while (!deferred.isEmpty() && deferred.peek().dueNanos() <= now) {
      deferred.poll().action().run();
    }
    for (IkeSa sa : ikeSas()) {
      if (sa.state() == IkeSaState.DESTROYED) {
        continue;
      }
      manager(sa).onTimer(now);
      if (sa.state() == IkeSaState.CONNECTING
          && !sa.originalInitiator()
          && now - sa.createdNanos() > HALF_OPEN_TIMEOUT_NANOS) {
        destroy(sa, "half-open: no IKE_AUTH in time", false);
        continue;
      }
      if (sa.state() == IkeSaState.ESTABLISHED) {
        established(sa, now, countersDue);
      }
    }
    for (IkeConnectionConfig c : connections) {
      Long at = retryAt.get(c.name());
      if (at != null && now >= at) {
        retryAt.remove(c.name());
        if (managers.keySet().stream().noneMatch(sa -> sa.config() == c)) {
          initiate(c);
        }
      }
    }
    publishState();
    return 1;
  }

  private void established(IkeSa sa, long now, boolean countersDue) {
    IkeConnectionConfig c = sa.config();
    TaskManager m = manager(sa);
    if (!served(c)) {
      deleteRetired(sa);
      return;
    }
    if (now >= sa.expireAtNanos()) {
      destroy(sa, "IKE SA lifetime expired", true);
      return;
    }
    if (now >= sa.rekeyAtNanos() && !m.busy()) {
      queueIkeRekey(sa);
    }
    long hardBytes = c.lifetimes().childKilobytes() * 1024;
    for (ChildSa child : List.copyOf(sa.children())) {
      boolean volumeDue = false;
      if (countersDue) {
        long in = installer.bytes(child.inboundSpi());
        long out = installer.bytes(child.outboundSpi());
        Long before = lastBytes.put(child.inboundSpi(), in);
        if (before != null && before != in) {
          sa.lastInboundNanos(now); // ESP from the peer is proof of life too (RFC 7296 2.4)
        }
        volumeDue =
            hardBytes > 0 && Math.max(0, in) + Math.max(0, out) >= hardBytes - hardBytes / 10;
      }
      if (child.state() == ChildSa.State.INSTALLED
          && (now >= child.rekeyAtNanos() || volumeDue)
          && !m.pending("rekey-child")) {
        queueChildRekey(sa, child);
      }
      if (now >= child.expireAtNanos() && child.state() != ChildSa.State.DELETING) {
        child.state(ChildSa.State.DELETING);
        m.queue(
            new Exchange(
                ExchangeType.INFORMATIONAL,
                List.of(DeleteTask.children(sa, this, List.of(child), "lifetime expired")),
                "delete-child"));
      }
      if (!child.outboundActive()
          && child.state() == ChildSa.State.INSTALLED
          && now - child.createdNanos() > OUTBOUND_GRACE_NANOS) {
        activateLate(sa, child);
      }
    }
    long dpd = c.dpdDelay() == null ? 0 : c.dpdDelay().toNanos();
    if (dpd > 0 && now - sa.lastInboundNanos() >= dpd && !m.busy()) {
      m.queue(new Exchange(ExchangeType.INFORMATIONAL, List.of(new DpdTask(sa, this)), "dpd"));
    }
    if (sa.natLocal() && now >= keepaliveAt.getOrDefault(sa, 0L)) {
      keepaliveAt.put(sa, now + settings.natKeepalive().toNanos());
      try {
        transport.sendKeepalive(sa.peer());
      } catch (IOException e) {
        log.event("send_failed", c.name(), "reason", e.getMessage());
      }
    }
  }

  /** How long the responder of a rekey waits for the old SA's delete before it switches anyway. */
  private static final long OUTBOUND_GRACE_NANOS = 5_000_000_000L;

  private void activateLate(IkeSa sa, ChildSa child) {
    for (ChildSa c : sa.children()) {
      if (c.tunnel() == child.tunnel() && c.collision() != null) {
        return; // a rekey collision decides which successor sends
      }
    }
    installer.installOutbound(child.tunnel(), child.outbound());
    for (ChildSa c : sa.children()) {
      if (c.tunnel() == child.tunnel()) {
        c.outboundActive(c == child);
      }
    }
    log.event(
        "child_sa_outbound_switched",
        sa.config().name(),
        "spi_out",
        IkeLog.spi(child.outboundSpi()),
        "reason",
        "no delete of the old SA in time");
  }

  private void queueChildRekey(IkeSa sa, ChildSa child) {
    child.state(ChildSa.State.REKEYING);
    manager(sa)
        .queue(
            new Exchange(
                ExchangeType.CREATE_CHILD_SA,
                List.of(ChildRekeyTask.initiate(sa, this, child)),
                "rekey-child"));
  }

  private void queueIkeRekey(IkeSa sa) {
    sa.timers(Long.MAX_VALUE - 1, sa.expireAtNanos());
    manager(sa)
        .queue(
            new Exchange(
                ExchangeType.CREATE_CHILD_SA,
                List.of(new IkeRekeyTask(sa, this, true)),
                "rekey-ike"));
  }

  // ---- active-standby HA (issue 6) ----

  /** Reports every state change to {@code listener} from now on (an HA pair's journal). */
  public void stateListener(IkeStateListener listener) {
    publisher.listener(listener);
    publishState();
  }

  /**
   * Holds the daemon as an HA standby (true) or lets it serve (false): while held it initiates
   * nothing, runs no timers and drops every datagram; the active node serves the peers. Released,
   * it initiates the connections that start their own IKE SA and have none.
   */
  public void hold(boolean hold) {
    boolean wasHeld = held;
    this.held = hold;
    if (wasHeld && !hold) {
      // Serving now: a connection that starts its own IKE SA and has none (none was taken over)
      // is initiated, as at start.
      for (IkeConnectionConfig c : connections) {
        if (c.mode().initiates() && managers.keySet().stream().noneMatch(sa -> sa.config() == c)) {
          initiate(c);
        }
      }
      // What it took over is reported at once: the journal is this node's now.
      publishState();
    }
  }

  /** Whether the daemon is held as an HA standby. */
  public boolean held() {
    return held;
  }

  /**
   * An HA standby steps down or is fenced: every IKE SA and its tunnels are dropped here without a
   * word to the peers (they belong to the active node now), and nothing of it is reported.
   */
  public void dropAllForStandby() {
    IkeStateListener listener = publisher.listener();
    publisher.listener(IkeStateListener.NONE);
    try {
      for (IkeSa sa : ikeSas()) {
        destroy(sa, "HA: the peer node is active", false);
      }
      retryAt.clear();
    } finally {
      publisher.listener(listener);
    }
  }

  /**
   * A child SA carried over from the HA peer, to be installed by {@link #restore}.
   *
   * @param sends whether the tunnel sends on its outbound SA (the newest of a tunnel does)
   * @param rekeyAtNanos when it is rekeyed, on this daemon's clock
   * @param expireAtNanos when it expires, on this daemon's clock
   */
  public record RestoredChild(
      int inboundSpi,
      int outboundSpi,
      dev.vpngw.crypto.EspSuite suite,
      boolean esn,
      List<TrafficSelector> localTs,
      List<TrafficSelector> remoteTs,
      dev.vpngw.sa.SaConfig inbound,
      dev.vpngw.sa.SaConfig outbound,
      boolean sends,
      long rekeyAtNanos,
      long expireAtNanos) {}

  /**
   * Takes over an established IKE SA from the HA peer (issue 6): it is filed, its child SAs are
   * installed in the dataplane (one tunnel per selector pair, the sending SA's outbound keyed with
   * the first sequence number the caller chose past the peer's last mark), its message ids are
   * restored, and timers (DPD, rekeys, expiry) run from now. A request that was in flight on the
   * old active is resolved at once by a liveness check with the same message id: the peer either
   * processes it or answers with its cached response, and either way both sides agree again (RFC
   * 6311 describes the problem; this needs nothing of the peer beyond RFC 7296 2.2).
   *
   * @param sa the IKE SA, ESTABLISHED, with its keys, peer, NAT state and no children yet
   * @throws IllegalArgumentException if its connection is not served or its SPI is in use
   */
  public void restore(
      IkeSa sa,
      int nextRequestId,
      boolean requestInFlight,
      int expectedRequestId,
      List<RestoredChild> children) {
    if (!served(sa.config())) {
      throw new IllegalArgumentException("connection " + sa.config().name() + " is not served");
    }
    if (byLocalSpi.containsKey(sa.localSpi())) {
      throw new IllegalArgumentException("IKE SA " + IkeLog.spi(sa.localSpi()) + " exists already");
    }
    long now = clock.getAsLong();
    register(sa);
    sa.state(IkeSaState.ESTABLISHED);
    sa.establishedNanos(now);
    sa.lastInboundNanos(now);
    IkeConnectionConfig.Lifetimes l = sa.config().lifetimes();
    sa.timers(now + l.ike().toNanos() - l.margin().toNanos(), now + l.ike().toNanos());
    TaskManager m = manager(sa);
    m.restoreMessageIds(nextRequestId, expectedRequestId);
    IkeConnectionConfig c = sa.config();
    boolean encap = sa.udpEncapsulation() || c.forceEncapsulation();
    InetSocketAddress espPeer =
        new InetSocketAddress(sa.peer().getAddress(), encap ? sa.peer().getPort() : 0);
    Map<List<List<TrafficSelector>>, Integer> tunnels = new HashMap<>();
    for (RestoredChild r : children) {
      List<List<TrafficSelector>> key = List.of(r.localTs(), r.remoteTs());
      Integer tunnel = tunnels.get(key);
      if (tunnel == null) {
        tunnel =
            installer.addTunnel(
                c.name(), espPeer, dev.vpngw.selector.SelectorSet.of(r.localTs(), r.remoteTs()));
        tunnels.put(key, tunnel);
      }
      installer.installInbound(tunnel, r.inbound());
      if (r.sends()) {
        installer.installOutbound(tunnel, r.outbound());
      }
      ChildSa child =
          new ChildSa(
              r.inboundSpi(),
              r.outboundSpi(),
              r.suite(),
              r.esn(),
              0,
              r.localTs(),
              r.remoteTs(),
              tunnel,
              r.outbound(),
              r.sends(),
              now);
      child.inbound(r.inbound());
      child.timers(r.rekeyAtNanos(), r.expireAtNanos());
      childSpis.add(r.inboundSpi());
      sa.children().add(child);
    }
    log.event(
        "ike_sa_taken_over",
        c.name(),
        "spi_i",
        IkeLog.spi(sa.initiatorSpi()),
        "spi_r",
        IkeLog.spi(sa.responderSpi()),
        "children",
        children.size(),
        "message_id",
        nextRequestId + (requestInFlight ? " in flight" : ""));
    if (requestInFlight) {
      m.queue(new Exchange(ExchangeType.INFORMATIONAL, List.of(new DpdTask(sa, this)), "dpd"));
    }
    publishState();
  }

  private void publishState() {
    if (!held) {
      publisher.publish(managers);
    }
  }

  // ---- IkeContext ----

  @Override
  public SecureRandom random() {
    return random;
  }

  @Override
  public long nanoTime() {
    return clock.getAsLong();
  }

  @Override
  public IkeLog log() {
    return log;
  }

  @Override
  public ChildSaInstaller installer() {
    return installer;
  }

  @Override
  public KeyLog keyLog() {
    return keyLog;
  }

  @Override
  public int newChildSpi() {
    while (true) {
      int spi = random.nextInt();
      if (Integer.toUnsignedLong(spi) > 0xffff && childSpis.add(spi)) {
        return spi;
      }
    }
  }

  @Override
  public long newIkeSpi() {
    while (true) {
      long spi = random.nextLong();
      if (spi != 0 && !byLocalSpi.containsKey(spi)) {
        return spi;
      }
    }
  }

  @Override
  public TaskManager manager(IkeSa sa) {
    TaskManager m = managers.get(sa);
    if (m == null) {
      IkeConnectionConfig c = sa.config();
      long giveUp = c.dpdTimeout() == null ? 0 : c.dpdTimeout().toNanos();
      m = new TaskManager(sa, this, settings.retransmission(), giveUp);
      managers.put(sa, m);
    }
    return m;
  }

  @Override
  public void adopt(IkeSa successor) {
    register(successor);
    IkeConnectionConfig.Lifetimes l = successor.config().lifetimes();
    long now = clock.getAsLong();
    long jitter = l.jitter().toNanos();
    long r = jitter == 0 ? 0 : Math.floorMod(random.nextLong(), jitter);
    successor.timers(now + l.ike().toNanos() - l.margin().toNanos() - r, now + l.ike().toNanos());
  }

  private void register(IkeSa sa) {
    sa.createdNanos(clock.getAsLong());
    byLocalSpi.put(sa.localSpi(), sa);
    manager(sa);
  }

  /** An action the IKE thread runs later. */
  private record Deferred(long dueNanos, Runnable action) {}

  @Override
  public void later(long delayNanos, Runnable action) {
    deferred.add(new Deferred(clock.getAsLong() + delayNanos, action));
  }

  @Override
  public void send(IkeSa sa, byte[] datagram) {
    publishState();
    publisher.listener().beforeSend();
    try {
      transport.send(sa.peer(), sa.localPort(), datagram);
    } catch (IOException e) {
      log.event(
          "send_failed",
          sa.config().name(),
          "peer",
          sa.peer().getAddress().getHostAddress(),
          "reason",
          e.getMessage());
    }
  }

  @Override
  public void destroy(IkeSa sa, String reason, boolean restart) {
    if (sa.state() == IkeSaState.DESTROYED) {
      return;
    }
    Set<Integer> tunnels = new HashSet<>();
    for (ChildSa c : sa.children()) {
      if (tunnels.add(c.tunnel())) {
        installer.removeTunnel(c.tunnel());
      }
      childSpis.remove(c.inboundSpi());
      lastBytes.remove(c.inboundSpi());
    }
    sa.children().clear();
    byLocalSpi.remove(sa.localSpi(), sa);
    managers.remove(sa);
    keepaliveAt.remove(sa);
    boolean wasUp = sa.state() != IkeSaState.CONNECTING;
    sa.destroy();
    IkeConnectionConfig c = sa.config();
    log.event(
        "ike_sa_down",
        c.name(),
        "spi_i",
        IkeLog.spi(sa.initiatorSpi()),
        "spi_r",
        IkeLog.spi(sa.responderSpi()),
        "reason",
        reason);
    boolean deadPeer = wasUp && reason.startsWith("no response to dpd");
    // A removed connection (or the old version of a changed one) is never started again.
    boolean again =
        restart
            && served(c)
            && c.mode().initiates()
            && !(deadPeer && c.dpdAction() == DpdAction.CLEAR);
    if (again && retryAt.get(c.name()) == null) {
      long delay = deadPeer ? 0 : settings.retryInterval().toNanos();
      retryAt.put(c.name(), clock.getAsLong() + delay);
    }
  }
}
