package dev.vpngw.io.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.io.batch.PacketBatch;
import dev.vpngw.io.udp.UdpSocket;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class PollerTest {
  private static final byte[] LOOPBACK = {127, 0, 0, 1};

  @Test
  void timesOutWhenIdleAndWakesWhenADatagramArrives() throws Exception {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
    InetAddress lo = InetAddress.getByAddress(LOOPBACK);
    try (Arena arena = Arena.ofConfined();
        UdpSocket idle = UdpSocket.open(lo, 0, false, true);
        UdpSocket rx = UdpSocket.open(lo, 0, false, true);
        UdpSocket tx = UdpSocket.open(lo, 0, false, true)) {
      Poller poller = new Poller(idle.fd(), rx.fd());
      assertEquals(2, poller.size());
      assertEquals(rx.fd(), poller.fd(1));

      assertEquals(0, poller.poll(0));
      assertEquals(0, poller.poll(50), "nothing was sent, so the wait must time out");
      assertFalse(poller.isReady(0));
      assertFalse(poller.isReady(1));

      PacketBatch out = new PacketBatch(arena, 1, 256, 0);
      out.buffer().buffer().putInt(0, 0xfeedbeef);
      out.length(0, 4).peer(0, LOOPBACK, rx.localPort()).count(1);
      Thread sender =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      tx.send(out, 0, 1);
                    } catch (NativeIOException e) {
                      throw new IllegalStateException(e);
                    }
                  });
      // A long timeout that a passing test never reaches: the arrival must end the wait.
      int ready = poller.poll(30_000);
      sender.join();
      assertEquals(1, ready);
      assertFalse(poller.isReady(0));
      assertTrue(poller.isReady(1));
      assertEquals(LibC.POLLIN, poller.revents(1) & LibC.POLLIN);

      PacketBatch in = new PacketBatch(arena, 4, 256, 0);
      assertEquals(1, rx.receive(in));
      assertEquals(0, poller.poll(0), "drained, so nothing is readable any more");
      assertFalse(poller.isReady(1));
    }
  }
}
