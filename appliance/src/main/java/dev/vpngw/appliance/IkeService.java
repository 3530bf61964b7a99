package dev.vpngw.appliance;

import dev.vpngw.appliance.monitor.IkeSaView;
import dev.vpngw.ikev2.DatagramSource;
import dev.vpngw.ikev2.IkeConductor;
import dev.vpngw.ikev2.IkeDaemon;
import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.IkeSettings;
import dev.vpngw.ikev2.IkeTransport;
import dev.vpngw.ikev2.KeyLog;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.sa.ChildSa;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import dev.vpngw.io.sys.NativeIOException;
import dev.vpngw.io.udp.UdpSocket;
import dev.vpngw.pipeline.Dataplane;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * The IKE side of a running gateway: our UDP socket on port 500, the dataplane's port-4500 socket
 * (IKE behind the non-ESP marker goes through its control ring), the daemon and the IKE thread. The
 * thread sleeps a millisecond when idle: IKE needs no microseconds, and on a small machine the
 * cores belong to the crypto workers. It is also the thread that changes the dataplane's tunnels
 * when the configuration changes ({@link #call}), so the daemon and the installer keep one owner.
 */
final class IkeService implements AutoCloseable {
  static final int IKE_PORT = 500;
  private static final int MAX_IKE_DATAGRAM = 65_535;

  private final UdpSocket socket;
  private final AgentRunner runner;
  private final IkeConductor conductor;
  private boolean pairMember;

  private IkeService(UdpSocket socket, IkeConductor conductor) {
    this.socket = socket;
    this.conductor = conductor;
    this.runner =
        new AgentRunner(
            new SleepingMillisIdleStrategy(1),
            t -> {
              System.err.println("vpngw: IKE thread error: " + t);
              t.printStackTrace();
            },
            null,
            conductor);
  }

  /** Opens port 500 on {@code local} and starts the IKE thread. */
  static IkeService start(
      InetAddress local,
      Dataplane dataplane,
      List<IkeConnectionConfig> connections,
      DataplaneInstaller installer,
      java.nio.file.Path keyLogDirectory,
      int cookieThreshold,
      java.util.function.Consumer<IkeLog.Event> events,
      java.time.Duration natKeepalive,
      boolean haStandby)
      throws IOException {
    UdpSocket socket = UdpSocket.open(local, IKE_PORT, false, true);
    try {
      IkeTransport transport =
          new IkeTransport() {
            @Override
            public void send(InetSocketAddress to, int localPort, byte[] datagram)
                throws IOException {
              if (localPort == IKE_PORT) {
                socket.sendTo(to, datagram, 0, datagram.length);
              } else {
                dataplane.sendControl(to, datagram, 0, datagram.length);
              }
            }

            @Override
            public void sendKeepalive(InetSocketAddress to) throws IOException {
              dataplane.sendNatKeepalive(to);
            }
          };
      byte[] buffer = new byte[MAX_IKE_DATAGRAM];
      DatagramSource port500 =
          (handler, limit) -> {
            int n = 0;
            try {
              UdpSocket.Datagram d;
              while (n < limit && (d = socket.receive(buffer, 0, buffer.length)) != null) {
                n++;
                if (!d.truncated()) {
                  handler.onDatagram(d.sender(), IKE_PORT, buffer, 0, d.length());
                }
              }
            } catch (NativeIOException e) {
              System.err.println("vpngw: IKE receive: " + e.getMessage());
            }
            return n;
          };
      DatagramSource port4500 =
          (handler, limit) ->
              dataplane.pollControl(
                  (from, localPort, b, offset, length) -> {
                    byte[] copy = new byte[length];
                    b.getBytes(offset, copy);
                    handler.onDatagram(from, localPort, copy, 0, length);
                  },
                  limit);
      IkeDaemon daemon =
          new IkeDaemon(
              connections,
              transport,
              installer,
              IkeLog.stdout(events),
              System::nanoTime,
              new SecureRandom(),
              IkeSettings.defaults()
                  .withCookieThreshold(cookieThreshold)
                  .withNatKeepalive(natKeepalive),
              keyLogDirectory == null ? KeyLog.NONE : KeyLog.wireshark(keyLogDirectory));
      // An HA node starts as standby: the active node serves the peers until this one takes over.
      daemon.hold(haStandby);
      IkeService service =
          new IkeService(socket, new IkeConductor(daemon, List.of(port500, port4500)));
      service.pairMember = haStandby;
      AgentRunner.startOnThread(service.runner);
      return service;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * The IKE SAs and their child SAs as the IKE thread sees them now (a copy, no keys), or null if
   * the thread does not answer within {@code timeout}.
   */
  List<IkeSaView> ikeSas(java.time.Duration timeout) {
    java.util.concurrent.CompletableFuture<List<IkeSaView>> answer =
        new java.util.concurrent.CompletableFuture<>();
    conductor.command(
        d -> {
          long now = d.nanoTime();
          List<IkeSaView> views = new java.util.ArrayList<>();
          for (IkeSa sa : d.ikeSas()) {
            List<IkeSaView.Child> children = new java.util.ArrayList<>();
            for (ChildSa c : sa.children()) {
              children.add(
                  new IkeSaView.Child(
                      c.inboundSpi(),
                      c.outboundSpi(),
                      c.state().name(),
                      (now - c.createdNanos()) / 1e9));
            }
            long since =
                sa.state() == IkeSaState.CONNECTING || sa.establishedNanos() == 0
                    ? sa.createdNanos()
                    : sa.establishedNanos();
            views.add(
                new IkeSaView(
                    sa.config().name(),
                    sa.initiatorSpi(),
                    sa.responderSpi(),
                    sa.state().name(),
                    (now - since) / 1e9,
                    List.copyOf(children)));
          }
          answer.complete(List.copyOf(views));
        });
    try {
      return answer.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return null;
    }
  }

  /** The conductor, to run commands on the IKE thread. */
  IkeConductor conductor() {
    return conductor;
  }

  /**
   * Runs {@code action} on the IKE thread and waits for it: what it throws is thrown here.
   *
   * @throws IllegalStateException if the IKE thread did not run it within 10 seconds
   */
  void call(Consumer<IkeDaemon> action) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    conductor.command(
        d -> {
          try {
            action.accept(d);
            done.complete(null);
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
          }
        });
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the IKE thread did not take the command within 10 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the IKE thread");
    }
  }

  @Override
  public void close() {
    // Tell the peers first (RFC 7296 1.4.1), waiting briefly for the IKE thread to send; not in an
    // HA pair, whose other node carries the SAs on.
    java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(1);
    if (!pairMember) {
      conductor.command(IkeDaemon::shutdown);
    }
    conductor.command(d -> sent.countDown());
    try {
      sent.await(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    CloseHelper.closeAll(runner, socket);
  }
}
