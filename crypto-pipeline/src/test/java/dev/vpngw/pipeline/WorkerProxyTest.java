package dev.vpngw.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

/** Commands to a worker that does not drain its queue end in an exception, not a hang. */
class WorkerProxyTest {
  private final ManyToOneConcurrentArrayQueue<WorkerCommand> queue =
      new ManyToOneConcurrentArrayQueue<>(2);
  private final WorkerProxy proxy =
      new WorkerProxy(
          List.of(queue),
          new Doorbell[] {new Doorbell.Park()},
          TimeUnit.MILLISECONDS.toNanos(200),
          SystemNanoClock.INSTANCE);

  @Test
  void aQueueNobodyDrainsFailsAfterTheTimeoutNamingTheWorker() {
    proxy.offer(0, new WorkerCommand.DeleteInbound(1));
    proxy.offer(0, new WorkerCommand.DeleteInbound(2));
    long start = System.nanoTime();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> proxy.offer(0, new WorkerCommand.RemoveTunnel(3)));
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(waitedMillis >= 200, "gave up after " + waitedMillis + " ms");
    assertEquals(
        "crypto worker 0 took no command for 200 ms: its queue of 2 is full; the worker is stuck"
            + " or no longer running (RemoveTunnel not delivered)",
        e.getMessage());
    assertEquals(2, queue.size(), "the failed command was not queued");
  }

  @Test
  void aWorkerThatDrainsLateStillGetsTheCommand() throws Exception {
    proxy.offer(0, new WorkerCommand.DeleteInbound(1));
    proxy.offer(0, new WorkerCommand.DeleteInbound(2));
    WorkerCommand third = new WorkerCommand.DeleteInbound(3);
    Thread worker =
        Thread.ofPlatform()
            .start(
                () -> {
                  long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                  while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // a worker busy with packets for a while
                  }
                  queue.poll();
                });
    proxy.offer(0, third);
    worker.join();
    queue.poll();
    assertSame(third, queue.poll());
  }
}
