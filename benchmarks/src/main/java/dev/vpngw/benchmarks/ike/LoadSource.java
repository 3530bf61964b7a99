package dev.vpngw.benchmarks.ike;

import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.sa.IkeSa;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * One simulated peer of the load test: a source address of its own (added to the load generator's
 * namespace), its UDP sockets on ports 500 and, only if IKE moves there, 4500, the connection it
 * initiates, and the one IKE SA it has at a time. Giving every peer its own address is what lets
 * our responder match each to a connection of its own (it looks a peer up by address), and keeps
 * the NAT-detection hashes true, so no setup is pushed onto UDP 4500 by accident.
 */
final class LoadSource {
  /** Where the source is in its life. */
  enum State {
    /** Free to start a setup. */
    IDLE,
    /** IKE_SA_INIT or IKE_AUTH in flight. */
    SETTING_UP,
    /** Established and kept (the responder holds it until the delete phase). */
    HELD,
    /** Our INFORMATIONAL delete is in flight. */
    DELETING,
    /** Finished for this run. */
    DONE
  }

  private final InetAddress address;
  private final IkeConnectionConfig config;
  private final boolean reusable;
  private DatagramChannel port500;
  private DatagramChannel port4500;
  private IkeSa sa;
  private State state = State.IDLE;
  private long sinceNanos;

  /**
   * A source.
   *
   * @param reusable whether it starts a new setup once its SA is gone (churn) or serves one SA only
   *     (hold)
   */
  LoadSource(InetAddress address, IkeConnectionConfig config, boolean reusable) {
    this.address = address;
    this.config = config;
    this.reusable = reusable;
  }

  /** Binds port 500 on the source address and registers it for reading. */
  void open(Selector selector) throws IOException {
    port500 = bind(500, selector);
  }

  /** The socket for our port 500 or 4500; 4500 is bound the first time IKE asks for it. */
  DatagramChannel channel(int localPort, Selector selector) throws IOException {
    if (localPort == 500) {
      return port500;
    }
    if (port4500 == null) {
      port4500 = bind(4500, selector);
    }
    return port4500;
  }

  private DatagramChannel bind(int port, Selector selector) throws IOException {
    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
    try {
      ch.bind(new InetSocketAddress(address, port));
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ, new Endpoint(this, port));
      return ch;
    } catch (IOException e) {
      ch.close();
      throw new IOException("cannot bind " + address.getHostAddress() + ":" + port, e);
    }
  }

  /** Closes the sockets. */
  void close() {
    for (DatagramChannel ch : new DatagramChannel[] {port500, port4500}) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException e) {
          // closing a UDP socket has nothing left to report
        }
      }
    }
  }

  InetAddress address() {
    return address;
  }

  boolean reusable() {
    return reusable;
  }

  IkeConnectionConfig config() {
    return config;
  }

  IkeSa sa() {
    return sa;
  }

  State state() {
    return state;
  }

  /** When the current state began (the setup's start, or the delete's). */
  long sinceNanos() {
    return sinceNanos;
  }

  void sa(IkeSa sa) {
    this.sa = sa;
  }

  void state(State state, long nowNanos) {
    this.state = state;
    this.sinceNanos = nowNanos;
  }

  /**
   * What a selection key carries: the source and which of its ports received.
   *
   * @param source the source
   * @param localPort 500 or 4500
   */
  record Endpoint(LoadSource source, int localPort) {}
}
