package dev.vpngw.benchmarks.udpping;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;

/**
 * Returns every UDP datagram it receives to its sender, unchanged: the far end of the latency
 * probe. One thread, one reused buffer and packet, so it adds the same small and steady delay to
 * every system measured; it runs until the socket is closed (or the process is killed).
 */
final class EchoServer implements AutoCloseable {
  private final DatagramSocket socket;

  EchoServer(InetSocketAddress bind) throws SocketException {
    socket = new DatagramSocket(bind);
  }

  int port() {
    return socket.getLocalPort();
  }

  /** Echoes until {@link #close()}; returns how many datagrams it echoed. */
  long run() throws IOException {
    byte[] buffer = new byte[65_535];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    long echoed = 0;
    while (true) {
      packet.setLength(buffer.length);
      try {
        socket.receive(packet);
        socket.send(packet);
      } catch (SocketException e) {
        if (socket.isClosed()) {
          return echoed;
        }
        throw e;
      }
      echoed++;
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
