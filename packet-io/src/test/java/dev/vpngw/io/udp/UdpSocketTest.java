package dev.vpngw.io.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.io.batch.PacketBatch;
import dev.vpngw.io.sys.Errno;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.sys.NativeIOException;
import dev.vpngw.io.sys.Poller;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UdpSocketTest {
  private static final int DATAGRAMS = 64;
  private static final long WAIT_MILLIS = 10_000;

  @BeforeAll
  static void needsLibC() {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void sixtyFourDatagramsInOneSendmmsgArriveWithPayloadsAndSenders(String loopback)
      throws Exception {
    InetAddress lo = InetAddress.ofLiteral(loopback);
    try (Arena arena = Arena.ofConfined();
        UdpSocket rx = UdpSocket.open(lo, 0, false, true);
        UdpSocket tx = UdpSocket.open(lo, 0, false, true)) {
      assertEquals(lo instanceof java.net.Inet6Address, rx.isIpv6());
      assertNotEquals(0, rx.localPort());
      byte[] loBytes = lo.getAddress();

      PacketBatch out = new PacketBatch(arena, DATAGRAMS, 2048, 64);
      for (int i = 0; i < DATAGRAMS; i++) {
        int length = 8 + i * 19;
        UnsafeBuffer b = out.buffer().buffer();
        for (int j = 0; j < length; j++) {
          b.putByte(out.dataOffset(i) + j, payloadByte(i, j));
        }
        out.length(i, length).peer(i, loBytes, rx.localPort());
      }
      out.count(DATAGRAMS);
      assertEquals(DATAGRAMS, tx.send(out, 0, DATAGRAMS), "one sendmmsg takes all 64");

      // Received 16 at a time, so several recvmmsg calls each fill a batch from the start.
      PacketBatch in = new PacketBatch(arena, 16, 2048, 32);
      Poller poller = new Poller(rx.fd());
      int received = 0;
      int calls = 0;
      long deadline = System.currentTimeMillis() + WAIT_MILLIS;
      while (received < DATAGRAMS && System.currentTimeMillis() < deadline) {
        int n = rx.receive(in);
        if (n == 0) {
          poller.poll(100);
          continue;
        }
        calls++;
        assertEquals(n, in.count());
        for (int k = 0; k < n; k++) {
          int i = received + k;
          assertEquals(32, in.offset(k));
          assertEquals(8 + i * 19, in.length(k), "datagram " + i);
          assertFalse(in.truncated(k));
          UnsafeBuffer b = in.buffer().buffer();
          for (int j = 0; j < in.length(k); j++) {
            assertEquals(payloadByte(i, j), b.getByte(in.dataOffset(k) + j), "datagram " + i);
          }
          assertEquals(new InetSocketAddress(lo, tx.localPort()), in.peerSocketAddress(k));
          assertEquals(tx.localPort(), in.port(k));
          assertEquals(rx.isIpv6(), in.isIpv6(k));
        }
        received += n;
      }
      assertEquals(DATAGRAMS, received);
      assertTrue(calls >= DATAGRAMS / 16, "a batch of 16 cannot take 64 in fewer calls");
      assertEquals(0, rx.receive(in), "nothing left: 0, not an exception");
    }
  }

  @Test
  void anOversizedDatagramIsTruncatedAndFlagged() throws Exception {
    InetAddress lo = InetAddress.ofLiteral("127.0.0.1");
    try (Arena arena = Arena.ofConfined();
        UdpSocket rx = UdpSocket.open(lo, 0, false, true);
        UdpSocket tx = UdpSocket.open(lo, 0, false, true)) {
      PacketBatch out = new PacketBatch(arena, 1, 2048, 0);
      out.length(0, 1000).peer(0, lo.getAddress(), rx.localPort()).count(1);
      assertEquals(1, tx.send(out, 0, 1));
      PacketBatch in = new PacketBatch(arena, 1, 600, 100);
      assertEquals(1, awaitReceive(rx, in));
      assertTrue(in.truncated(0));
      assertEquals(500, in.length(0));
    }
  }

  @Test
  void reusePortLetsTwoSocketsShareAPortAndSpreadsFlows() throws Exception {
    InetAddress lo = InetAddress.ofLiteral("127.0.0.1");
    try (Arena arena = Arena.ofConfined();
        UdpSocket a = UdpSocket.open(lo, 0, true, true);
        UdpSocket b = UdpSocket.open(lo, a.localPort(), true, true)) {
      assertEquals(a.localPort(), b.localPort());
      // 32 flows (source ports): the kernel hashes each to one socket; all on one side would be
      // a 2 in 2^32 chance.
      int flows = 32;
      List<UdpSocket> senders = new ArrayList<>();
      try {
        PacketBatch out = new PacketBatch(arena, 1, 256, 0);
        out.length(0, 16).peer(0, lo.getAddress(), a.localPort()).count(1);
        for (int i = 0; i < flows; i++) {
          UdpSocket s = UdpSocket.open(lo, 0, false, true);
          senders.add(s);
          assertEquals(1, s.send(out, 0, 1));
        }
        PacketBatch in = new PacketBatch(arena, 64, 256, 0);
        Poller poller = new Poller(a.fd(), b.fd());
        int onA = 0;
        int onB = 0;
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (onA + onB < flows && System.currentTimeMillis() < deadline) {
          int gotA = a.receive(in);
          int gotB = b.receive(in);
          onA += gotA;
          onB += gotB;
          if (gotA + gotB == 0) {
            poller.poll(100);
          }
        }
        assertEquals(flows, onA + onB);
        assertTrue(onA > 0 && onB > 0, "flows spread: " + onA + " / " + onB);
      } finally {
        for (UdpSocket s : senders) {
          s.close();
        }
      }
    }
  }

  @Test
  void bindingAUsedPortWithoutReusePortNamesEaddrinuse() throws Exception {
    InetAddress lo = InetAddress.ofLiteral("127.0.0.1");
    try (UdpSocket first = UdpSocket.open(lo, 0, false, true)) {
      NativeIOException e =
          assertThrows(
              NativeIOException.class, () -> UdpSocket.open(lo, first.localPort(), false, true));
      assertEquals(Errno.EADDRINUSE, e.errno());
      assertTrue(e.getMessage().contains("EADDRINUSE (98)"), e.getMessage());
      assertTrue(
          e.getMessage().startsWith("bind(/127.0.0.1:" + first.localPort() + ") failed"),
          e.getMessage());
    }
  }

  @Test
  void anIpv6SocketIsV6OnlySoAnIpv4SocketSharesItsPort() throws Exception {
    try (UdpSocket v6 = UdpSocket.open(InetAddress.ofLiteral("::"), 0, false, true);
        UdpSocket v4 =
            UdpSocket.open(InetAddress.ofLiteral("0.0.0.0"), v6.localPort(), false, true)) {
      assertEquals(v6.localPort(), v4.localPort());
    }
  }

  @Test
  void bufferSizesCanBeRaisedPastTheDefault() throws Exception {
    try (UdpSocket s = UdpSocket.open(InetAddress.ofLiteral("127.0.0.1"), 0, false, true)) {
      int before = s.receiveBufferSize();
      s.setReceiveBufferSize(4 << 20);
      s.setSendBufferSize(4 << 20);
      assertTrue(s.receiveBufferSize() > before, before + " -> " + s.receiveBufferSize());
      // Linux reports twice the size asked for (half is for its own bookkeeping); without
      // CAP_NET_ADMIN it is capped at rmem_max instead.
      assertTrue(s.receiveBufferSize() >= 2 * Math.min(4 << 20, rmemMaxUnlessRoot()));
      assertTrue(s.sendBufferSize() > 0);
    }
  }

  @Test
  void receiveAndSendAllocateNothingInSteadyState() throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported());
    threads.setThreadAllocatedMemoryEnabled(true);
    InetAddress lo = InetAddress.ofLiteral("127.0.0.1");
    try (Arena arena = Arena.ofConfined();
        UdpSocket rx = UdpSocket.open(lo, 0, false, true);
        UdpSocket tx = UdpSocket.open(lo, 0, false, true)) {
      PacketBatch out = new PacketBatch(arena, 16, 256, 0);
      for (int i = 0; i < 16; i++) {
        out.length(i, 64).peer(i, lo.getAddress(), rx.localPort());
      }
      out.count(16);
      PacketBatch in = new PacketBatch(arena, 16, 256, 0);
      exchange(tx, rx, out, in, 10_000);
      long tid = Thread.currentThread().threadId();
      long allocated = Long.MAX_VALUE;
      for (int round = 0; round < 3 && allocated > 0; round++) {
        long before = threads.getThreadAllocatedBytes(tid);
        exchange(tx, rx, out, in, 5_000);
        allocated = Math.min(allocated, threads.getThreadAllocatedBytes(tid) - before);
      }
      double perCall = allocated / (2.0 * 5_000);
      assertTrue(perCall < 0.1, allocated + " bytes over 10000 calls (" + perCall + " B/call)");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void singleDatagramsGoBothWaysWithTheirPeer(String loopback) throws Exception {
    InetAddress lo = InetAddress.ofLiteral(loopback);
    try (UdpSocket socket = UdpSocket.open(lo, 0, false, true);
        DatagramSocket peer = new DatagramSocket(new InetSocketAddress(lo, 0))) {
      peer.setSoTimeout((int) WAIT_MILLIS);
      byte[] buffer = new byte[2048];
      assertNull(socket.receive(buffer, 0, buffer.length), "nothing waiting: null, no exception");

      byte[] message = "IKE_SA_INIT request".getBytes(StandardCharsets.US_ASCII);
      peer.send(new DatagramPacket(message, message.length, lo, socket.localPort()));
      UdpSocket.Datagram d = awaitDatagram(socket, buffer, 100, 600);
      assertEquals(new InetSocketAddress(lo, peer.getLocalPort()), d.sender());
      assertEquals(message.length, d.length());
      assertFalse(d.truncated());
      assertArrayEquals(message, Arrays.copyOfRange(buffer, 100, 100 + d.length()));

      byte[] framed = new byte[message.length + 10];
      System.arraycopy(message, 0, framed, 5, message.length);
      assertTrue(socket.sendTo(d.sender(), framed, 5, message.length));
      DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
      peer.receive(reply);
      assertEquals(new InetSocketAddress(lo, socket.localPort()), reply.getSocketAddress());
      assertArrayEquals(message, Arrays.copyOf(reply.getData(), reply.getLength()));
    }
  }

  @Test
  void aDatagramLongerThanTheRoomGivenIsFlaggedTruncated() throws Exception {
    InetAddress lo = InetAddress.ofLiteral("127.0.0.1");
    try (UdpSocket socket = UdpSocket.open(lo, 0, false, true);
        DatagramSocket peer = new DatagramSocket(new InetSocketAddress(lo, 0))) {
      byte[] big = new byte[3000];
      Arrays.fill(big, (byte) 7);
      peer.send(new DatagramPacket(big, big.length, lo, socket.localPort()));
      byte[] buffer = new byte[1000];
      UdpSocket.Datagram d = awaitDatagram(socket, buffer, 0, 1000);
      assertTrue(d.truncated());
      assertEquals(1000, d.length());
      assertEquals(7, buffer[999]);
    }
  }

  @Test
  void sendToRefusesWhatCannotBeSent() throws Exception {
    try (UdpSocket v4 = UdpSocket.open(InetAddress.ofLiteral("127.0.0.1"), 0, false, true)) {
      InetSocketAddress v6Peer = new InetSocketAddress(InetAddress.ofLiteral("::1"), 500);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> v4.sendTo(v6Peer, new byte[8], 0, 8));
      assertTrue(e.getMessage().contains("IPv4 socket cannot send to"), e.getMessage());
      InetSocketAddress peer = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 500);
      assertThrows(IllegalArgumentException.class, () -> v4.sendTo(peer, new byte[8], 0, 0));
      assertThrows(
          IllegalArgumentException.class,
          () -> v4.sendTo(peer, new byte[70_000], 0, UdpSocket.MAX_PAYLOAD + 1));
      assertThrows(IndexOutOfBoundsException.class, () -> v4.sendTo(peer, new byte[8], 4, 8));
      assertThrows(
          IllegalArgumentException.class,
          () ->
              v4.sendTo(
                  InetSocketAddress.createUnresolved("peer.example", 500), new byte[8], 0, 8));
    }
  }

  /** Four threads send at once through one socket's scratch buffer: no datagram is mixed up. */
  @Test
  void concurrentSendersDoNotCorruptEachOther() throws Exception {
    InetAddress lo = InetAddress.ofLiteral("127.0.0.1");
    int threads = 4;
    int perThread = 200;
    try (UdpSocket socket = UdpSocket.open(lo, 0, false, false);
        UdpSocket sink = UdpSocket.open(lo, 0, false, true)) {
      sink.setReceiveBufferSize(8 << 20);
      InetSocketAddress to = new InetSocketAddress(lo, sink.localPort());
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        byte fill = (byte) (t + 1);
        int size = 100 + t * 300;
        senders.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      byte[] message = new byte[size];
                      Arrays.fill(message, fill);
                      for (int i = 0; i < perThread; i++) {
                        try {
                          socket.sendTo(to, message, 0, size);
                        } catch (NativeIOException e) {
                          throw new IllegalStateException(e);
                        }
                      }
                    }));
      }
      for (Thread t : senders) {
        t.join();
      }
      byte[] buffer = new byte[2048];
      int received = 0;
      UdpSocket.Datagram d;
      while ((d = sink.receive(buffer, 0, buffer.length)) != null) {
        received++;
        int t = buffer[0] - 1;
        assertEquals(100 + t * 300, d.length(), "datagram " + received);
        for (int i = 0; i < d.length(); i++) {
          assertEquals(t + 1, buffer[i], "datagram " + received + " byte " + i);
        }
      }
      assertEquals(threads * perThread, received, "loopback with an 8 MiB buffer loses none");
    }
  }

  private static UdpSocket.Datagram awaitDatagram(
      UdpSocket socket, byte[] into, int offset, int length) throws NativeIOException {
    Poller poller = new Poller(socket.fd());
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      UdpSocket.Datagram d = socket.receive(into, offset, length);
      if (d != null) {
        return d;
      }
      poller.poll(100);
    }
    throw new AssertionError("no datagram within " + WAIT_MILLIS + " ms");
  }

  private static void exchange(UdpSocket tx, UdpSocket rx, PacketBatch out, PacketBatch in, int n)
      throws NativeIOException {
    for (int i = 0; i < n; i++) {
      tx.send(out, 0, out.count());
      rx.receive(in);
    }
    while (rx.receive(in) > 0) {
      // drain what the last rounds left
    }
  }

  private static int awaitReceive(UdpSocket rx, PacketBatch in) throws NativeIOException {
    Poller poller = new Poller(rx.fd());
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      int n = rx.receive(in);
      if (n > 0) {
        return n;
      }
      poller.poll(100);
    }
    return 0;
  }

  private static int rmemMaxUnlessRoot() throws Exception {
    if ("root".equals(System.getProperty("user.name"))) {
      return Integer.MAX_VALUE;
    }
    return Integer.parseInt(
        java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/core/rmem_max"))
            .strip());
  }

  private static byte payloadByte(int datagram, int index) {
    return (byte) (datagram * 31 + index * 7 + 1);
  }
}
