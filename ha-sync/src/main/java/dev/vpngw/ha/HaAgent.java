package dev.vpngw.ha;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.function.LongSupplier;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

/**
 * The HA duty cycle ({@code HaAgent}, one thread): receives heartbeats on every path, sends ours
 * each interval, and drives the {@link Election}. Role changes reach the node through a {@link
 * Listener} called on this thread, in this order: on takeover the new epoch is already persisted,
 * the listener takes the address and announces it, and only then does our first heartbeat in the
 * new epoch go out, so the old active (which steps down on that heartbeat and gives up the address
 * at once) never leaves the neighbours pointing at a node without the address; on a step-down the
 * listener gives the address up before anything else.
 */
public final class HaAgent implements Agent {
  private static final System.Logger LOG = System.getLogger("vpngw.ha");

  /** What the node does on role changes (called on the agent thread). */
  public interface Listener {
    /** This node is now active in EPOCH: take the address and announce it. */
    void onActive(long epoch) throws IOException;

    /** This node stepped down: give up the address. */
    void onStandby(long epoch, String reason) throws IOException;

    /** Whether the node should follow the peer's journal (peer alive and active, we standby). */
    void onFollow(boolean follow);

    /** Called every interval while active, with the intervals since the takeover. */
    void onActiveTick(long intervalsSinceTakeover) throws IOException;

    /**
     * The election's verdict on the peer changed: ALIVE (a heartbeat on some path within {@code
     * misses} intervals) or failed. Called before {@link #onActive} when a takeover follows it.
     */
    default void onPeer(boolean alive) {}
  }

  private final HaConfig config;
  private final Election election;
  private final HeartbeatCodec codec;
  private final List<DatagramChannel> channels;
  private final long[] lastStamp;
  private final Listener listener;
  private final LongSupplier journalLsn;
  private final NanoClock clock;
  private final long intervalNanos;
  private final ByteBuffer rx = ByteBuffer.allocate(HeartbeatCodec.LENGTH + 1);
  private final ByteBuffer tx = ByteBuffer.allocate(HeartbeatCodec.LENGTH);
  private long nextSend;
  private long stamp;
  private long activeIntervals;
  private boolean following;
  private Boolean peerReported;
  private volatile long lastHeardNanos;
  private volatile boolean switchoverRequested;

  private volatile long unauthenticated;
  private volatile long malformed;
  private volatile long replayed;
  private volatile long received;
  private volatile long sendErrors;
  private volatile long stalls;
  private long lastCycle;

  /**
   * @param channels one bound, non-blocking datagram channel per {@link HaConfig#paths()} entry
   * @param journalLsn the last journal lsn this node wrote or applied
   */
  public HaAgent(
      HaConfig config,
      Election election,
      List<DatagramChannel> channels,
      Listener listener,
      LongSupplier journalLsn,
      NanoClock clock) {
    this.config = config;
    this.election = election;
    this.codec = new HeartbeatCodec(config.key());
    this.channels = channels;
    this.lastStamp = new long[channels.size()];
    this.listener = listener;
    this.journalLsn = journalLsn;
    this.clock = clock;
    this.intervalNanos = config.intervalMillis() * 1_000_000L;
    this.stamp = System.currentTimeMillis() * 1000;
  }

  /** Opens one non-blocking channel per path, bound to the path's local address. */
  public static List<DatagramChannel> openChannels(HaConfig config) throws IOException {
    List<DatagramChannel> list = new java.util.ArrayList<>();
    for (HaConfig.HeartbeatPath p : config.paths()) {
      DatagramChannel ch = DatagramChannel.open();
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ch.bind(p.local());
      ch.configureBlocking(false);
      list.add(ch);
    }
    return list;
  }

  @Override
  public int doWork() throws IOException {
    long now = clock.nanoTime();
    if (lastCycle != 0 && now - lastCycle > intervalNanos) {
      // This thread did not run for a whole interval (an overloaded machine, a long pause): our
      // heartbeats went out late and the peer may have counted misses. Worth knowing.
      stalls++;
      LOG.log(
          Level.WARNING,
          "HA agent stalled " + (now - lastCycle) / 1_000_000 + " ms: heartbeats were late");
    }
    lastCycle = now;
    int work = 0;
    for (int i = 0; i < channels.size(); i++) {
      work += receive(i, now);
    }
    if (election.role() == Role.STANDBY) {
      election.onApplied(journalLsn.getAsLong());
    }
    Election.Action action = election.tick(now);
    reportPeer(now);
    if (action == Election.Action.BECOME_ACTIVE) {
      LOG.log(
          Level.INFO,
          "node "
              + config.nodeId()
              + " ACTIVE in epoch "
              + election.epoch()
              + ": "
              + election.lastReason());
      activeIntervals = 0;
      updateFollow(now);
      listener.onActive(election.epoch());
      sendAll(clock.nanoTime());
      work++;
    }
    if (now - nextSend >= 0) {
      sendAll(now);
      if (election.role() == Role.ACTIVE) {
        listener.onActiveTick(++activeIntervals);
      }
      work++;
    }
    updateFollow(now);
    return work;
  }

  private void reportPeer(long now) {
    boolean alive = election.peerAlive(now);
    if (peerReported == null || peerReported != alive) {
      peerReported = alive;
      listener.onPeer(alive);
    }
  }

  /** When (on the agent's clock) the last authentic heartbeat of the peer arrived, 0 before any. */
  public long lastHeardNanos() {
    return lastHeardNanos;
  }

  private void updateFollow(long now) {
    boolean follow =
        election.role() == Role.STANDBY
            && election.peerAlive(now)
            && election.peerRole() == Role.ACTIVE;
    if (follow != following) {
      following = follow;
      listener.onFollow(follow);
    }
  }

  private int receive(int path, long now) throws IOException {
    int n = 0;
    DatagramChannel ch = channels.get(path);
    while (true) {
      rx.clear();
      InetSocketAddress from = (InetSocketAddress) ch.receive(rx);
      if (from == null) {
        return n;
      }
      n++;
      rx.flip();
      HeartbeatCodec.Verdict verdict = codec.decode(rx);
      if (verdict == HeartbeatCodec.Verdict.UNAUTHENTIC) {
        unauthenticated++;
        continue;
      }
      if (verdict == HeartbeatCodec.Verdict.MALFORMED) {
        malformed++;
        continue;
      }
      Heartbeat hb = codec.decoded();
      if (hb.nodeId() == config.nodeId()) {
        malformed++;
        continue;
      }
      if (hb.stamp() <= lastStamp[path]) {
        replayed++;
        continue;
      }
      lastStamp[path] = hb.stamp();
      received++;
      lastHeardNanos = now;
      if (election.onHeartbeat(path, hb, now) == Election.Action.STEP_DOWN) {
        LOG.log(Level.INFO, "node " + config.nodeId() + " STANDBY: " + election.lastReason());
        switchoverRequested = false;
        listener.onStandby(election.epoch(), election.lastReason());
      }
    }
  }

  private void sendAll(long now) {
    nextSend = now + intervalNanos;
    boolean handOver = switchoverRequested && election.canHandOver(now);
    Heartbeat hb =
        new Heartbeat(
            handOver ? Heartbeat.SWITCHOVER : Heartbeat.HEARTBEAT,
            config.nodeId(),
            config.priority(),
            election.role(),
            election.epoch(),
            journalLsn.getAsLong(),
            0);
    for (int i = 0; i < channels.size(); i++) {
      tx.clear();
      codec.encode(
          new Heartbeat(
              hb.type(), hb.nodeId(), hb.priority(), hb.role(), hb.epoch(), hb.lsn(), ++stamp),
          tx);
      tx.flip();
      try {
        channels.get(i).send(tx, config.paths().get(i).peer());
      } catch (IOException e) {
        sendErrors++;
      }
    }
  }

  /**
   * Asks for a planned switchover (any thread): while this node is active and the standby alive,
   * heartbeats carry a switchover request with our journal lsn; the standby takes over once it has
   * applied that far, and this node steps down on its first heartbeat in the new epoch. A request
   * made while there is no live standby waits for one; stepping down clears it.
   */
  public void requestSwitchover() {
    switchoverRequested = true;
  }

  /** Calls a switchover request off (any thread); a standby that already took over stays. */
  public void cancelSwitchover() {
    switchoverRequested = false;
  }

  /** Duty cycles that came more than an interval after the previous one. */
  public long stalls() {
    return stalls;
  }

  /** Heartbeats dropped because their HMAC did not verify. */
  public long unauthenticated() {
    return unauthenticated;
  }

  /** Heartbeats dropped as malformed. */
  public long malformed() {
    return malformed;
  }

  /** Heartbeats dropped as replays (stamp not above the last on that path). */
  public long replayed() {
    return replayed;
  }

  /** Authentic heartbeats accepted. */
  public long received() {
    return received;
  }

  /** Heartbeats the kernel refused to send (a path down). */
  public long sendErrors() {
    return sendErrors;
  }

  /** The election (read it only on the agent thread, or for a racy status snapshot). */
  public Election election() {
    return election;
  }

  @Override
  public void onClose() {
    for (DatagramChannel ch : channels) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // shutting down
      }
    }
  }

  @Override
  public String roleName() {
    return "ha-agent";
  }
}
