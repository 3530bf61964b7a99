package dev.vpngw.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.udp.UdpSocket;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.junit.jupiter.api.Test;

/**
 * The idle strategy of the dataplane threads: a ring wakes a sleeper, no wake is ever lost, and
 * pending work is never slept over. Every sleep here is a minute long, so a test that passes was
 * woken; a lost wake shows as the test's own timeout.
 */
class WakeableIdleStrategyTest {
  private static final long A_MINUTE = TimeUnit.MINUTES.toNanos(1);

  @Test
  void aRingWakesAParkedConsumer() {
    Doorbell.Park bell = new Doorbell.Park();
    wakesOnRing(bell);
  }

  @Test
  void aRingWakesAConsumerInPoll() throws Exception {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
    try (Doorbell.Poll bell = new Doorbell.Poll()) {
      wakesOnRing(bell);
    }
  }

  private static void wakesOnRing(Doorbell bell) {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          AtomicBoolean work = new AtomicBoolean();
          WakeableIdleStrategy idle = new WakeableIdleStrategy(bell, work::get, 0, 0, A_MINUTE);
          CountDownLatch slept = new CountDownLatch(1);
          Thread consumer =
              Thread.ofPlatform()
                  .start(
                      () -> {
                        idle.idle();
                        slept.countDown();
                      });
          // Ring until the consumer is past its sleep: a ring before it sleeps must not be lost
          // either, so one ring would do; repeating only covers the consumer not having started.
          while (!slept.await(10, TimeUnit.MILLISECONDS)) {
            work.set(true);
            bell.ring();
          }
          consumer.join();
        });
  }

  @Test
  void aDatagramWakesAConsumerInPoll() throws Exception {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (UdpSocket rx = UdpSocket.open(lo, 0, false, true);
        Doorbell.Poll bell = new Doorbell.Poll(rx.fd());
        DatagramSocket tx = new DatagramSocket()) {
      WakeableIdleStrategy idle = new WakeableIdleStrategy(bell, () -> false, 0, 0, A_MINUTE);
      assertTimeoutPreemptively(
          Duration.ofSeconds(30),
          () -> {
            Thread consumer = Thread.ofPlatform().start(idle::idle);
            tx.send(new DatagramPacket(new byte[] {1}, 1, lo, rx.localPort()));
            consumer.join();
          });
    }
  }

  @Test
  void pendingWorkIsNeverSleptOver() {
    Doorbell.Park bell = new Doorbell.Park();
    WakeableIdleStrategy idle = new WakeableIdleStrategy(bell, () -> true, 0, 0, A_MINUTE);
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          // Work that stays (a blocked transmit): short parks, never the minute's sleep.
          for (int i = 0; i < 100; i++) {
            idle.idle();
          }
        });
  }

  @Test
  void noWakeIsLostAcrossManyHandOffs() {
    // Producer and consumer hand 20,000 items over a queue, the consumer sleeping (for a minute)
    // whenever the queue is empty: a single lost wake would stall the run past the timeout.
    int items = 20_000;
    ManyToOneConcurrentArrayQueue<Integer> queue = new ManyToOneConcurrentArrayQueue<>(64);
    CountingPark bell = new CountingPark();
    WakeableIdleStrategy idle =
        new WakeableIdleStrategy(bell, () -> !queue.isEmpty(), 2, 1, A_MINUTE);
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          long[] sum = new long[1];
          Thread consumer =
              Thread.ofPlatform()
                  .start(
                      () -> {
                        int taken = 0;
                        while (taken < items) {
                          Integer v = queue.poll();
                          if (v == null) {
                            idle.idle(0);
                          } else {
                            sum[0] += v;
                            taken++;
                            idle.idle(1);
                          }
                        }
                      });
          for (int i = 1; i <= items; i++) {
            while (!queue.offer(i)) {
              bell.ring();
              Thread.onSpinWait();
            }
            bell.ring();
            if (i % 64 == 0) {
              Thread.yield(); // let the consumer run dry and sleep now and then
            }
          }
          consumer.join();
          assertEquals((long) items * (items + 1) / 2, sum[0]);
        });
    assertTrue(queue.isEmpty());
    assertTrue(bell.sleeps.get() > 0, "the consumer never slept: the test proved nothing");
  }

  /** A parking doorbell that counts the sleeps. */
  private static final class CountingPark extends Doorbell {
    final java.util.concurrent.atomic.AtomicInteger sleeps =
        new java.util.concurrent.atomic.AtomicInteger();
    private final Doorbell.Park park = new Doorbell.Park();

    @Override
    void sleep(long timeoutNanos) {
      sleeps.incrementAndGet();
      park.sleep(timeoutNanos);
    }

    @Override
    void wake() {
      park.wake();
    }
  }
}
