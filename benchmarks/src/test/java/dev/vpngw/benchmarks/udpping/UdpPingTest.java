package dev.vpngw.benchmarks.udpping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UdpPingTest {
  @Test
  void everyProbeOnLoopbackIsAnsweredAndTimed() throws Exception {
    try (EchoServer server =
        new EchoServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      Thread echo = Thread.ofPlatform().daemon().start(() -> runQuietly(server));
      PingReport report =
          new PingClient(
                  new PingClient.Options(
                      new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()),
                      null,
                      500,
                      TimeUnit.MILLISECONDS.toNanos(600),
                      TimeUnit.MILLISECONDS.toNanos(200),
                      TimeUnit.MILLISECONDS.toNanos(300),
                      64))
              .run();
      server.close();
      echo.join(2_000);

      // 600 ms at 500/s, after a 200 ms warm-up whose probes are not counted.
      assertEquals(300, report.sent());
      assertEquals(report.sent(), report.answered());
      assertEquals(0, report.lost());
      assertEquals(0, report.stray());
      double p50 = report.percentileMicros(50);
      double p999 = report.percentileMicros(99.9);
      assertTrue(p50 > 0 && p50 <= p999, "p50 " + p50 + " p99.9 " + p999);
      // A loopback round trip takes microseconds; a second would mean the clock math is wrong.
      assertTrue(p999 < 1_000_000, "p99.9 " + p999);
      String json = report.toJson();
      assertTrue(json.contains("\"sent\": 300") && json.contains("\"p999_us\": "), json);
    }
  }

  @Test
  void withoutEchoesEveryProbeIsLostAndPercentilesAreNull() throws Exception {
    // A bound socket that never answers: nothing comes back.
    try (EchoServer silent =
        new EchoServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      PingReport report =
          new PingClient(
                  new PingClient.Options(
                      new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.port()),
                      null,
                      100,
                      TimeUnit.MILLISECONDS.toNanos(200),
                      0,
                      TimeUnit.MILLISECONDS.toNanos(100),
                      ProbeLayout.MIN_LENGTH))
              .run();
      assertEquals(20, report.sent());
      assertEquals(20, report.lost());
      assertTrue(report.toJson().contains("\"p99_us\": null"), report.toJson());
    }
  }

  @Test
  void addressesTakeBracketsForIpv6AndRefuseGarbage() throws Exception {
    assertEquals(7007, UdpPing.socketAddress("10.2.0.2:7007").getPort());
    assertEquals(
        InetAddress.getByName("fd00:2::2"), UdpPing.socketAddress("[fd00:2::2]:7007").getAddress());
    assertThrows(IllegalArgumentException.class, () -> UdpPing.socketAddress("fd00:2::2:7007"));
    assertThrows(IllegalArgumentException.class, () -> UdpPing.socketAddress("10.2.0.2"));
    assertThrows(
        IllegalArgumentException.class,
        () -> UdpPing.options(new String[] {"client", "--rate"}, Set.of("--rate")));
    assertThrows(
        IllegalArgumentException.class,
        () -> UdpPing.options(new String[] {"client", "--speed", "1"}, Set.of("--rate")));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new PingClient.Options(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 7), null, 0, 1, 0, 0, 64));
  }

  private static void runQuietly(EchoServer server) {
    try {
      server.run();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
