package dev.vpngw.ha;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Answers UDP probes sent to the virtual address while this node is active: each reply is the
 * probe's first 8 bytes (its sequence number) followed by our node id. It stands in for the tunnel
 * endpoint the gateway will serve on the address, so a prober can tell that the address is served
 * (and by whom) by this process, not merely held by a kernel: a killed process stops answering even
 * while its address lease runs out.
 */
final class ProbeResponder implements AutoCloseable {
  private final DatagramSocket socket;

  ProbeResponder(InetAddress vip, int port, int nodeId) throws IOException {
    socket = new DatagramSocket(null);
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(vip, port));
    Thread.ofPlatform()
        .name("ha-probe")
        .daemon()
        .start(
            () -> {
              byte[] buf = new byte[64];
              DatagramPacket p = new DatagramPacket(buf, buf.length);
              try {
                while (true) {
                  p.setLength(buf.length);
                  socket.receive(p);
                  if (p.getLength() < 8) {
                    continue;
                  }
                  byte[] reply = ByteBuffer.allocate(12).put(buf, 0, 8).putInt(nodeId).array();
                  socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                }
              } catch (IOException e) {
                // closed on step-down
              }
            });
  }

  @Override
  public void close() {
    socket.close();
  }
}
