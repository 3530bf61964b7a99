package dev.vpngw.benchmarks.ike;

import dev.vpngw.fib.IpPrefix;
import dev.vpngw.ikev2.IkeDaemon;
import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.IkeSettings;
import dev.vpngw.ikev2.IkeTransport;
import dev.vpngw.ikev2.KeyLog;
import dev.vpngw.ikev2.config.ConnectionMode;
import dev.vpngw.ikev2.config.DpdAction;
import dev.vpngw.ikev2.config.Identity;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.proposal.ProposalParser;
import dev.vpngw.ikev2.sa.IkeSaState;
import dev.vpngw.selector.TrafficSelector;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A responder for the load generator's tests: our own IKE daemon on a loopback address's port 500,
 * with one responderOnly connection per load-generator source (as the appliance is configured by
 * benchmarks/ike-bench.sh), on a thread of its own. Port 500 needs root, as the benchmark does.
 */
final class LoopbackResponder implements AutoCloseable {
  private final DatagramChannel socket;
  private final Selector selector;
  private final IkeDaemon daemon;
  private final Thread thread;
  private final List<String> log = new ArrayList<>();
  private volatile boolean running = true;

  /**
   * Starts the responder.
   *
   * @param sourcesFrom the load generator's first source address
   * @param sources how many sources get a connection
   * @param psk the key the responder expects
   */
  LoopbackResponder(InetAddress address, InetAddress sourcesFrom, int sources, String psk)
      throws IOException {
    List<IkeConnectionConfig> connections = new ArrayList<>();
    int base = ByteBuffer.wrap(sourcesFrom.getAddress()).getInt();
    IkeConnectionConfig.Psk key = new IkeConnectionConfig.Psk(psk.getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < sources; i++) {
      connections.add(
          new IkeConnectionConfig(
              "c" + i,
              address,
              InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(base + i).array()),
              Identity.of(address),
              null,
              key,
              key,
              List.of(ProposalParser.ike("aes128gcm16-prfsha256-ecp256")),
              List.of(ProposalParser.esp("aes128gcm16")),
              List.of(TrafficSelector.parse("10.2.0.0/24")),
              List.of(TrafficSelector.of(IpPrefix.ipv4((100 << 24 | 64 << 16) + i, 32))),
              IkeConnectionConfig.Lifetimes.defaults(),
              null,
              null,
              DpdAction.CLEAR,
              ConnectionMode.RESPONDER_ONLY,
              false,
              false));
    }
    socket = DatagramChannel.open(StandardProtocolFamily.INET);
    socket.bind(new InetSocketAddress(address, 500));
    socket.configureBlocking(false);
    selector = Selector.open();
    socket.register(selector, java.nio.channels.SelectionKey.OP_READ);
    IkeTransport transport =
        new IkeTransport() {
          @Override
          public void send(InetSocketAddress to, int localPort, byte[] datagram)
              throws IOException {
            socket.send(ByteBuffer.wrap(datagram), to);
          }

          @Override
          public void sendKeepalive(InetSocketAddress to) {}
        };
    daemon =
        new IkeDaemon(
            connections,
            transport,
            new CountingInstaller(),
            new IkeLog(this::log),
            System::nanoTime,
            new SecureRandom(),
            IkeSettings.defaults(),
            KeyLog.NONE);
    thread = new Thread(this::run, "loopback-responder");
    thread.start();
  }

  private synchronized void log(String line) {
    log.add(line);
  }

  /** The responder's event lines so far. */
  synchronized List<String> log() {
    return List.copyOf(log);
  }

  private void run() {
    ByteBuffer buffer = ByteBuffer.allocate(65_535);
    try {
      while (running) {
        selector.select(5);
        selector.selectedKeys().clear();
        InetSocketAddress from;
        buffer.clear();
        while ((from = (InetSocketAddress) socket.receive(buffer)) != null) {
          daemon.onDatagram(from, 500, buffer.array(), 0, buffer.position());
          buffer.clear();
        }
        daemon.onTimer();
      }
    } catch (IOException e) {
      log("receive failed: " + e);
    }
  }

  /** Stops the responder's thread, then counts the IKE SAs it still has. */
  long stopAndCountSas() throws InterruptedException {
    running = false;
    thread.join();
    return daemon.ikeSas().stream().filter(sa -> sa.state() != IkeSaState.DESTROYED).count();
  }

  @Override
  public void close() throws Exception {
    running = false;
    thread.join();
    selector.close();
    socket.close();
  }
}
