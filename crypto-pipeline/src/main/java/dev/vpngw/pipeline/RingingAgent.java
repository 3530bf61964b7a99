package dev.vpngw.pipeline;

import org.agrona.concurrent.Agent;

/**
 * Wraps an agent that hands work to other threads: after a duty cycle that did something, it rings
 * their {@link Doorbell}s so a sleeping consumer wakes at once. A ring costs a fence and a read
 * when nobody sleeps, once per duty cycle rather than per packet.
 *
 * @param agent the producer
 * @param consumers the doorbells of the threads it feeds
 */
record RingingAgent(Agent agent, Doorbell[] consumers) implements Agent {
  @Override
  public void onStart() {
    agent.onStart();
  }

  @Override
  public int doWork() throws Exception {
    int work = agent.doWork();
    if (work > 0) {
      for (Doorbell d : consumers) {
        d.ring();
      }
    }
    return work;
  }

  @Override
  public void onClose() {
    agent.onClose();
  }

  @Override
  public String roleName() {
    return agent.roleName();
  }
}
