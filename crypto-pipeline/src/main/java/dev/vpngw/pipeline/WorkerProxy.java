package dev.vpngw.pipeline;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;

/**
 * The control side's handle on the crypto workers' command queues (Aeron's {@code SenderProxy}, in
 * spirit). Every command rings the worker's doorbell, so a sleeping worker takes it at once. A full
 * queue is normal for a moment (a worker drains a few commands per duty cycle), so an offer waits,
 * backing off; but a worker that takes nothing for the whole timeout is stuck or dead, and the
 * caller then gets a clear exception instead of hanging for ever.
 */
final class WorkerProxy {
  private final List<ManyToOneConcurrentArrayQueue<WorkerCommand>> queues;
  private final Doorbell[] doorbells;
  private final long timeoutNanos;
  private final NanoClock clock;

  WorkerProxy(
      List<ManyToOneConcurrentArrayQueue<WorkerCommand>> queues,
      Doorbell[] doorbells,
      long timeoutNanos,
      NanoClock clock) {
    this.queues = queues;
    this.doorbells = doorbells;
    this.timeoutNanos = timeoutNanos;
    this.clock = clock;
  }

  /**
   * Queues {@code command} for worker {@code worker}.
   *
   * @throws IllegalStateException if the worker's queue stayed full for the whole timeout; the
   *     command was not queued, and what it carries is still the caller's
   */
  void offer(int worker, WorkerCommand command) {
    ManyToOneConcurrentArrayQueue<WorkerCommand> queue = queues.get(worker);
    if (queue.offer(command)) {
      doorbells[worker].ring();
      return;
    }
    long deadline = clock.nanoTime() + timeoutNanos;
    IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
    while (!queue.offer(command)) {
      if (clock.nanoTime() - deadline >= 0) {
        throw new IllegalStateException(
            String.format(
                "crypto worker %d took no command for %d ms: its queue of %d is full; the worker"
                    + " is stuck or no longer running (%s not delivered)",
                worker,
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos),
                queue.capacity(),
                command.getClass().getSimpleName()));
      }
      doorbells[worker].ring();
      idle.idle();
    }
    doorbells[worker].ring();
  }
}
