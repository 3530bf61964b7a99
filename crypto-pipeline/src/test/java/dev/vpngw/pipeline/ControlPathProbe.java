package dev.vpngw.pipeline;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.CountersSnapshot;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.esp.UdpEncapsulation;
import dev.vpngw.io.tun.TunDevice;
import dev.vpngw.io.udp.UdpSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.agrona.concurrent.status.CountersManager;

/**
 * Runs in the gateway namespace of {@link ControlPathSystemTest} (started with {@code ip netns
 * exec}): a dataplane with a TUN device and UDP sockets on the real NAT-T port 4500 of both
 * families, standing in for the IKE thread. Each IKE message that {@link Dataplane#pollControl}
 * yields is printed ({@code IKE <address> <port> <local port> <hex>}) and answered at once through
 * {@link Dataplane#sendControl} with its bytes reversed, then with a NAT-keepalive. Prints {@code
 * READY} once listening and {@code DONE} after {@code expected} messages; exits 1 on a timeout.
 */
final class ControlPathProbe {
  private ControlPathProbe() {}

  /** Arguments: IPv4 address, IPv6 address, how many IKE messages to answer. */
  public static void main(String[] args) throws Exception {
    InetAddress v4 = InetAddress.ofLiteral(args[0]);
    InetAddress v6 = InetAddress.ofLiteral(args[1]);
    int expected = Integer.parseInt(args[2]);
    CountersManager counters = CountersFile.inMemory(1 << 12);
    try (TunDevice tun = TunDevice.open("vgctl0", 1);
        UdpSocket udp4 = UdpSocket.open(v4, UdpEncapsulation.PORT, false, true);
        UdpSocket udp6 = UdpSocket.open(v6, UdpEncapsulation.PORT, false, true);
        Dataplane dataplane =
            Dataplane.start(
                new Dataplane.Options(
                    1, ThreadingMode.DEDICATED, 1 << 20, false, CryptoEngines.defaultEngine()),
                new Dataplane.Ports(tun, udp4, udp6, null, null, 0, null),
                counters)) {
      System.out.println("READY");
      System.out.flush();
      List<InetSocketAddress> peers = new ArrayList<>();
      List<byte[]> replies = new ArrayList<>();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (peers.size() < expected) {
        if (System.nanoTime() > deadline) {
          System.out.println("TIMEOUT after " + peers.size() + " messages");
          System.exit(1);
        }
        int n =
            dataplane.pollControl(
                (from, localPort, buffer, offset, length) -> {
                  byte[] message = new byte[length];
                  buffer.getBytes(offset, message);
                  System.out.printf(
                      "IKE %s %d %d %s%n",
                      from.getAddress().getHostAddress(),
                      from.getPort(),
                      localPort,
                      HexFormat.of().formatHex(message));
                  byte[] reply = new byte[length];
                  for (int i = 0; i < length; i++) {
                    reply[i] = message[length - 1 - i];
                  }
                  peers.add(from);
                  replies.add(reply);
                },
                16);
        // Answered outside the handler, as an IKE thread would after processing.
        for (int i = peers.size() - n; i < peers.size(); i++) {
          System.out.println(
              "SENT "
                  + dataplane.sendControl(peers.get(i), replies.get(i), 0, replies.get(i).length)
                  + " "
                  + dataplane.sendNatKeepalive(peers.get(i)));
        }
        if (n == 0) {
          Thread.sleep(1); // the IKE thread's own wait, between polls of the ring
        }
      }
      List<Integer> dropped = new ArrayList<>();
      CountersSnapshot.read(counters)
          .dropsByReason()
          .forEach(
              (reason, count) -> {
                if (count > 0) {
                  dropped.add(reason);
                }
              });
      System.out.println("DROPS " + dropped);
      System.out.println("DONE");
    }
  }
}
