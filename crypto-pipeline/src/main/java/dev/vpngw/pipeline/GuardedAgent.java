package dev.vpngw.pipeline;

import dev.vpngw.counters.PipelineCounters;
import dev.vpngw.counters.PipelineDropReason;
import java.nio.channels.ClosedByInterruptException;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;

/**
 * Runs one agent and turns its failures into a counted, logged event: an exception from a duty
 * cycle is counted in the agent's own {@link PipelineDropReason#AGENT_ERROR} counter (from the
 * agent's thread, so the counter keeps its single writer), reported to the {@link AgentErrorLog},
 * and the duty cycle reports no work, so the agents sharing a thread with it go on. What ends an
 * agent runner (an interrupt, {@link AgentTerminationException}) still does.
 */
final class GuardedAgent implements Agent {
  private final Agent agent;
  private final PipelineCounters counters;
  private final AgentErrorLog log;

  GuardedAgent(Agent agent, PipelineCounters counters, AgentErrorLog log) {
    this.agent = agent;
    this.counters = counters;
    this.log = log;
  }

  @Override
  public void onStart() {
    try {
      agent.onStart();
    } catch (RuntimeException | Error e) {
      failed(e);
    }
  }

  @Override
  public int doWork() throws Exception {
    try {
      return agent.doWork();
    } catch (InterruptedException | ClosedByInterruptException | AgentTerminationException e) {
      throw e;
    } catch (Exception | Error e) {
      failed(e);
      return 0;
    }
  }

  @Override
  public void onClose() {
    try {
      agent.onClose();
    } catch (RuntimeException | Error e) {
      failed(e);
    }
  }

  @Override
  public String roleName() {
    return agent.roleName();
  }

  private void failed(Throwable t) {
    counters.drop(PipelineDropReason.AGENT_ERROR);
    log.report(agent.roleName(), t);
  }
}
