package dev.vpngw.ha;

import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Run in the subnet namespace: sends a UDP probe to ADDRESS:PORT every 10 ms and writes one line
 * per reply to LOG: {@code <epoch seconds> <sequence> <node id>}.
 */
public final class UdpProber {
  private UdpProber() {}

  public static void main(String[] args) throws Exception {
    InetSocketAddress target =
        new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
    DatagramSocket socket = new DatagramSocket();
    PrintWriter log = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])), true);
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              byte[] buf = new byte[64];
              DatagramPacket p = new DatagramPacket(buf, buf.length);
              try {
                while (true) {
                  socket.receive(p);
                  ByteBuffer b = ByteBuffer.wrap(buf, 0, p.getLength());
                  long seq = b.getLong();
                  int node = b.getInt();
                  log.printf("%.6f %d %d%n", System.currentTimeMillis() / 1000.0, seq, node);
                }
              } catch (Exception e) {
                log.println("receiver stopped: " + e);
              }
            });
    long next = System.nanoTime();
    for (long seq = 1; ; seq++) {
      byte[] probe = ByteBuffer.allocate(8).putLong(seq).array();
      try {
        socket.send(new DatagramPacket(probe, probe.length, target));
      } catch (java.io.IOException e) {
        // no route for a moment: the reply log shows the gap
      }
      next += 10_000_000L;
      LockSupport.parkNanos(next - System.nanoTime());
    }
  }
}
