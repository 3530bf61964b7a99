package dev.vpngw.appliance;

import dev.vpngw.ikev2.DatagramSource;
import dev.vpngw.ikev2.IkeConductor;
import dev.vpngw.ikev2.IkeDaemon;
import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.IkeSettings;
import dev.vpngw.ikev2.IkeTransport;
import dev.vpngw.ikev2.KeyLog;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.io.sys.NativeIOException;
import dev.vpngw.io.udp.UdpSocket;
import dev.vpngw.pipeline.Dataplane;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * The IKE side of a running gateway: our UDP socket on port 500, the dataplane's port-4500 socket
 * (IKE behind the non-ESP marker goes through its control ring), the daemon and the IKE thread. The
 * thread sleeps a millisecond when idle: IKE needs no microseconds, and on a small machine the
 * cores belong to the crypto workers.
 */
final class IkeService implements AutoCloseable {
  static final int IKE_PORT = 500;
  private static final int MAX_IKE_DATAGRAM = 65_535;

  private final UdpSocket socket;
  private final AgentRunner runner;
  private final IkeConductor conductor;

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
      Map<String, DataplaneInstaller.Route> routes,
      int workers,
      int firstTunnelId,
      java.nio.file.Path keyLogDirectory,
      int cookieThreshold,
      java.time.Duration natKeepalive)
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
              new DataplaneInstaller(dataplane, routes, workers, firstTunnelId),
              IkeLog.stdout(),
              System::nanoTime,
              new SecureRandom(),
              IkeSettings.defaults()
                  .withCookieThreshold(cookieThreshold)
                  .withNatKeepalive(natKeepalive),
              keyLogDirectory == null ? KeyLog.NONE : KeyLog.wireshark(keyLogDirectory));
      IkeService service =
          new IkeService(socket, new IkeConductor(daemon, List.of(port500, port4500)));
      AgentRunner.startOnThread(service.runner);
      return service;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** The conductor, to run commands on the IKE thread. */
  IkeConductor conductor() {
    return conductor;
  }

  @Override
  public void close() {
    // Tell the peers first (RFC 7296 1.4.1), waiting briefly for the IKE thread to send.
    java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(1);
    conductor.command(IkeDaemon::shutdown);
    conductor.command(d -> sent.countDown());
    try {
      sent.await(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    CloseHelper.closeAll(runner, socket);
  }
}
