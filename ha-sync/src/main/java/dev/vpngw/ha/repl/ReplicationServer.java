package dev.vpngw.ha.repl;

import dev.vpngw.ha.journal.RecordCodec;
import dev.vpngw.ha.journal.ReplicationLog;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The active's end of the replication stream: accepts the standby on the HA link, sends it a
 * snapshot of the state and then every journal entry after it (read from the active's own Chronicle
 * Queue with a tailer), and collects its acknowledgements; the stream is encrypted and
 * authenticated ({@link SecureStream}). Serves only while this node is active; a connection made to
 * a standby is closed at once. One thread accepts, one thread per standby connection ships.
 */
public final class ReplicationServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("vpngw.ha.repl");

  private final ReplicationLog log;
  private final byte[] key;
  private final BooleanSupplier active;
  private final LongConsumer onAck;
  private final ServerSocket server;
  private final Thread acceptor;
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean closed;
  private volatile Session current;

  /**
   * One standby connection and what it acknowledged. Acknowledgements count only for their own
   * session: an lsn a standby acknowledged in an earlier session (or in an earlier term of this
   * node, whose numbering a peer that took over unsynced may since have restarted below) says
   * nothing about what the standby holds now.
   */
  private record Session(Socket socket, AtomicLong acked) {}

  /**
   * Listens on BIND (the HA link address).
   *
   * @param key the pair's shared HA key (the stream's keys derive from it)
   * @param active whether this node is active now
   * @param onAck called on the shipping thread with each acknowledged lsn
   */
  public ReplicationServer(
      InetSocketAddress bind,
      ReplicationLog log,
      byte[] key,
      BooleanSupplier active,
      LongConsumer onAck)
      throws IOException {
    this.log = log;
    this.key = key.clone();
    this.active = active;
    this.onAck = onAck;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(bind);
    this.acceptor = Thread.ofPlatform().name("ha-repl-accept").daemon().start(this::acceptLoop);
  }

  private void acceptLoop() {
    while (!closed) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.log(Level.WARNING, "replication accept failed: " + e.getMessage());
        }
        continue;
      }
      if (!active.getAsBoolean()) {
        closeQuietly(s);
        continue;
      }
      Session previous = current;
      Session session = new Session(s, new AtomicLong(-1));
      current = session;
      if (previous != null) {
        closeQuietly(previous.socket());
      }
      Thread.ofPlatform().name("ha-repl-ship").daemon().start(() -> ship(session));
    }
  }

  private void ship(Session session) {
    Socket s = session.socket();
    try (s) {
      s.setTcpNoDelay(true);
      SecureStream stream = SecureStream.open(s, key, false);
      Frames.Frame hello = Frames.parse(stream.read());
      if (hello.type() != Frames.HELLO) {
        throw new IOException("expected HELLO, got frame type " + hello.type());
      }
      ByteBuffer h = ByteBuffer.wrap(hello.payload());
      int standby = h.getInt();
      long standbyLsn = h.getLong();
      ReplicationLog.Cut cut = log.cut();
      LOG.log(
          Level.INFO,
          "standby node "
              + standby
              + " joined at lsn "
              + standbyLsn
              + ": snapshot of "
              + cut.records().size()
              + " records at lsn "
              + cut.lsn());
      stream.write(Frames.lsn(Frames.SNAP_BEGIN, cut.lsn()));
      for (var r : cut.records()) {
        stream.write(Frames.record(Frames.SNAP_RECORD, 0, RecordCodec.encode(r)));
      }
      stream.write(Frames.lsn(Frames.SNAP_END, cut.lsn()));
      stream.flush();
      while (!closed && active.getAsBoolean() && current == session) {
        boolean work = false;
        ReplicationLog.Entry e;
        while ((e = ReplicationLog.nextEntry(cut.tailer())) != null) {
          stream.write(Frames.record(Frames.ENTRY, e.lsn(), e.record()));
          work = true;
        }
        if (work) {
          stream.flush();
        }
        while (stream.available()) {
          Frames.Frame f = Frames.parse(stream.read());
          if (f.type() != Frames.ACK) {
            throw new IOException("expected ACK, got frame type " + f.type());
          }
          long lsn = f.lsn();
          session.acked().accumulateAndGet(lsn, Math::max);
          onAck.accept(lsn);
          work = true;
        }
        if (!work) {
          LockSupport.parkNanos(200_000);
        }
      }
    } catch (IOException e) {
      if (!closed) {
        refused.incrementAndGet();
        LOG.log(Level.INFO, "standby connection ended: " + e.getMessage());
      }
    } finally {
      if (current == session) {
        current = null;
      }
    }
  }

  /** The highest lsn the standby acknowledged in its current session, -1 without one or before. */
  public long ackedLsn() {
    Session c = current;
    return c == null ? -1 : c.acked().get();
  }

  /** Streams that ended in an error (a peer without the key, a broken connection). */
  public long refusedStreams() {
    return refused.get();
  }

  /** Whether a standby is connected. */
  public boolean standbyAttached() {
    return current != null;
  }

  /** The local address and port it listens on. */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing a socket we are abandoning: nothing more to do with it
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    Session s = current;
    if (s != null) {
      closeQuietly(s.socket());
    }
    try {
      acceptor.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
