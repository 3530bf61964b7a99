package dev.vpngw.ha.repl;

import dev.vpngw.ha.journal.HaRecord;
import dev.vpngw.ha.journal.RecordCodec;
import dev.vpngw.ha.journal.ReplicationLog;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * The standby's end of the replication stream: while told to {@link #follow}, connects to the
 * active over the HA link, installs the snapshot it sends, then applies and journals every entry,
 * acknowledging each batch (over an encrypted, authenticated {@link SecureStream}). On any error it
 * drops the connection, is no longer {@link #synced()}, and tries again after a short pause. One
 * thread.
 */
public final class ReplicationClient implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("vpngw.ha.repl");

  /** Acknowledge at least every this many entries even while more are arriving. */
  private static final int ACK_EVERY = 64;

  private final int nodeId;
  private final InetSocketAddress active;
  private final byte[] key;
  private final ReplicationLog log;
  private final LongConsumer onApplied;
  private final long retryNanos;
  private final Thread thread;
  private volatile boolean follow;
  private volatile boolean synced;
  private volatile boolean closed;
  private volatile Socket socket;
  private volatile Sessions sessions = Sessions.NONE;

  /**
   * The life of each replication session, for a node that decides whether its journal may be taken
   * over (called on the client's thread).
   */
  public interface Sessions {
    /** Reports nothing. */
    Sessions NONE = new Sessions() {};

    /** A connection to the active is open: a new session starts (its snapshot is to come). */
    default void started() {}

    /** The session's snapshot as of LSN is installed: the state is the active's. */
    default void synced(long lsn) {}

    /** The session ended (an error, the active closed it, or following stopped). */
    default void ended() {}
  }

  /**
   * @param active the peer's replication address on the HA link
   * @param onApplied called with each lsn applied (and journaled)
   * @param retryNanos pause between connection attempts
   */
  public ReplicationClient(
      int nodeId,
      InetSocketAddress active,
      byte[] key,
      ReplicationLog log,
      LongConsumer onApplied,
      long retryNanos) {
    this.nodeId = nodeId;
    this.active = active;
    this.key = key.clone();
    this.log = log;
    this.onApplied = onApplied;
    this.retryNanos = retryNanos;
    this.thread = Thread.ofPlatform().name("ha-repl-follow").daemon().start(this::run);
  }

  /** Reports every session to SESSIONS from now on. */
  public void sessions(Sessions sessions) {
    this.sessions = sessions;
  }

  /** Whether to follow the peer (it is alive and active, and this node is standby). */
  public void follow(boolean follow) {
    this.follow = follow;
    if (follow) {
      // Connect now, not after the pause: in a planned switchover the new active's fences wait
      // for this node's first acknowledgement.
      LockSupport.unpark(thread);
    } else {
      synced = false;
      Socket s = socket;
      if (s != null) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing to stop following: nothing more to do with it
        }
      }
    }
  }

  /** Whether the snapshot is installed and the stream is live (the state is the active's). */
  public boolean synced() {
    return synced;
  }

  private void run() {
    while (!closed) {
      if (!follow) {
        LockSupport.parkNanos(retryNanos);
        continue;
      }
      boolean session = false;
      try (Socket s = new Socket()) {
        socket = s;
        if (!follow) {
          continue;
        }
        s.connect(active, (int) Math.max(1, retryNanos / 1_000_000));
        s.setTcpNoDelay(true);
        session = true;
        sessions.started();
        stream(s);
      } catch (IOException | RuntimeException e) {
        if (follow && !closed) {
          // A record this build cannot read (another format version) is worth a warning.
          Level level = e instanceof IllegalArgumentException ? Level.WARNING : Level.DEBUG;
          LOG.log(level, "replication from " + active + " ended: " + e.getMessage());
        }
      } finally {
        socket = null;
        synced = false;
        if (session) {
          sessions.ended();
        }
      }
      LockSupport.parkNanos(retryNanos);
    }
  }

  private void stream(Socket s) throws IOException {
    SecureStream stream = SecureStream.open(s, key, true);
    stream.write(Frames.hello(nodeId, log.lastLsn()));
    stream.flush();
    List<HaRecord> snapshot = null;
    long pendingAck = -1;
    int unacked = 0;
    while (follow && !closed) {
      Frames.Frame f = Frames.parse(stream.read());
      switch (f.type()) {
        case Frames.SNAP_BEGIN -> snapshot = new ArrayList<>();
        case Frames.SNAP_RECORD -> {
          if (snapshot == null) {
            throw new IOException("snapshot record outside a snapshot");
          }
          snapshot.add(RecordCodec.decode(f.payload()));
        }
        case Frames.SNAP_END -> {
          if (snapshot == null) {
            throw new IOException("snapshot end without a beginning");
          }
          long lsn = f.lsn();
          log.installSnapshot(lsn, snapshot);
          snapshot = null;
          synced = true;
          sessions.synced(lsn);
          LOG.log(Level.INFO, "in sync with " + active + " at lsn " + lsn);
          pendingAck = lsn;
        }
        case Frames.ENTRY -> {
          long lsn = ByteBuffer.wrap(f.payload()).getLong();
          HaRecord r = RecordCodec.decode(Arrays.copyOfRange(f.payload(), 8, f.payload().length));
          log.applyReplicated(lsn, r);
          pendingAck = lsn;
          unacked++;
        }
        default -> throw new IOException("unexpected replication frame type " + f.type());
      }
      if (pendingAck >= 0 && (!stream.available() || unacked >= ACK_EVERY)) {
        stream.write(Frames.lsn(Frames.ACK, pendingAck));
        stream.flush();
        onApplied.accept(pendingAck);
        pendingAck = -1;
        unacked = 0;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    follow(false);
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
