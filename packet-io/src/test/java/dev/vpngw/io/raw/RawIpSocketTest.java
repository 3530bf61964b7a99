package dev.vpngw.io.raw;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.io.batch.PacketBatch;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.sys.Poller;
import dev.vpngw.packet.EspHeader;
import dev.vpngw.packet.Ipv4Header;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Plain ESP (IP protocol 50) over raw sockets on loopback. This kernel has no ESP of its own, so
 * the raw sockets see every protocol-50 packet of the namespace; other tests may send some too, so
 * each test picks a random SPI and skips packets that are not its own.
 */
class RawIpSocketTest {
  private static final int PAYLOAD = 48;
  private static final long WAIT_MILLIS = 10_000;

  @BeforeAll
  static void needsLibC() {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
  }

  @Test
  void ipv4DeliversTheIpHeaderBeforeTheEspPacket() throws Exception {
    InetAddress lo = InetAddress.ofLiteral("127.0.0.1");
    try (Arena arena = Arena.ofConfined();
        RawIpSocket rx =
            RawIpSocket.open(InetAddress.ofLiteral("0.0.0.0"), EspHeader.PROTOCOL, true);
        RawIpSocket tx = RawIpSocket.open(lo, EspHeader.PROTOCOL, true)) {
      assertTrue(rx.deliversIpHeader());
      assertFalse(rx.isIpv6());
      assertEquals(EspHeader.PROTOCOL, rx.protocol());
      int spi = ThreadLocalRandom.current().nextInt(0x1000, Integer.MAX_VALUE);
      PacketBatch out = new PacketBatch(arena, 1, 256, 0);
      fillEsp(out.buffer().buffer(), 0, spi);
      UnsafeBuffer destination = new UnsafeBuffer(lo.getAddress());
      assertTrue(tx.sendTo(out.buffer(), 0, PAYLOAD, destination, 0));

      PacketBatch in = new PacketBatch(arena, 8, 2048, 0);
      int slot = awaitSpi(rx, in, spi, Ipv4Header.MIN_LENGTH);
      UnsafeBuffer b = in.buffer().buffer();
      Ipv4Header ip = new Ipv4Header().wrap(b, in.dataOffset(slot));
      assertEquals(4, ip.version());
      assertEquals(EspHeader.PROTOCOL, ip.protocol());
      assertEquals(
          0x7f000001, b.getInt(in.dataOffset(slot) + Ipv4Header.SOURCE_OFFSET, BIG_ENDIAN));
      assertEquals(ip.headerLength() + PAYLOAD, in.length(slot));
      assertEspPayload(b, in.dataOffset(slot) + ip.headerLength(), spi);
      assertEquals(new InetSocketAddress(lo, 0), in.peerSocketAddress(slot));
    }
  }

  @Test
  void ipv6DeliversOnlyTheEspPacket() throws Exception {
    InetAddress lo = InetAddress.ofLiteral("::1");
    try (Arena arena = Arena.ofConfined();
        RawIpSocket rx = RawIpSocket.open(InetAddress.ofLiteral("::"), EspHeader.PROTOCOL, true);
        RawIpSocket tx = RawIpSocket.open(lo, EspHeader.PROTOCOL, true)) {
      assertFalse(rx.deliversIpHeader());
      assertTrue(rx.isIpv6());
      int spi = ThreadLocalRandom.current().nextInt(0x1000, Integer.MAX_VALUE);
      PacketBatch out = new PacketBatch(arena, 2, 256, 16);
      for (int i = 0; i < 2; i++) {
        fillEsp(out.buffer().buffer(), out.dataOffset(i), spi);
        out.length(i, PAYLOAD).peer(i, lo.getAddress(), 0);
      }
      out.count(2);
      assertEquals(2, tx.send(out, 0, 2));

      PacketBatch in = new PacketBatch(arena, 8, 2048, 0);
      int slot = awaitSpi(rx, in, spi, 0);
      assertEquals(PAYLOAD, in.length(slot));
      assertEspPayload(in.buffer().buffer(), in.dataOffset(slot), spi);
      assertEquals(new InetSocketAddress(lo, 0), in.peerSocketAddress(slot));
    }
  }

  /** An ESP-shaped packet: SPI, sequence number 1, then a counting pattern. */
  private static void fillEsp(UnsafeBuffer b, int offset, int spi) {
    b.putInt(offset + EspHeader.SPI_OFFSET, spi, BIG_ENDIAN);
    b.putInt(offset + EspHeader.SEQUENCE_OFFSET, 1, BIG_ENDIAN);
    for (int i = EspHeader.LENGTH; i < PAYLOAD; i++) {
      b.putByte(offset + i, (byte) i);
    }
  }

  private static void assertEspPayload(UnsafeBuffer b, int offset, int spi) {
    assertEquals(spi, b.getInt(offset + EspHeader.SPI_OFFSET, BIG_ENDIAN));
    assertEquals(1, b.getInt(offset + EspHeader.SEQUENCE_OFFSET, BIG_ENDIAN));
    for (int i = EspHeader.LENGTH; i < PAYLOAD; i++) {
      assertEquals((byte) i, b.getByte(offset + i));
    }
  }

  /** Receives until a packet with {@code spi} (at {@code espOffset} into the data) arrives. */
  private static int awaitSpi(RawIpSocket rx, PacketBatch in, int spi, int espOffset)
      throws Exception {
    Poller poller = new Poller(rx.fd());
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      int n = rx.receive(in);
      for (int i = 0; i < n; i++) {
        int at = in.dataOffset(i) + espOffset;
        if (in.length(i) >= espOffset + EspHeader.LENGTH
            && in.buffer().buffer().getInt(at + EspHeader.SPI_OFFSET, BIG_ENDIAN) == spi) {
          return i;
        }
      }
      if (n == 0) {
        poller.poll(100);
      }
    }
    throw new AssertionError("no ESP packet with SPI " + Integer.toHexString(spi) + " arrived");
  }
}
