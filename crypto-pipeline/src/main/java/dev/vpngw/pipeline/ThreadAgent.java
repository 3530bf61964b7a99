package dev.vpngw.pipeline;

import dev.vpngw.io.sys.Affinity;
import java.io.IOException;
import org.agrona.concurrent.Agent;

/**
 * The outermost agent of a dataplane thread: gives the thread its name (an {@code AgentRunner}
 * names its thread after its agent's role), pins it to a core on start with {@code
 * sched_setaffinity} so a worker's cache keeps its SAs, then runs the agent it wraps. A thread that
 * cannot be pinned runs unpinned, and says so.
 *
 * @param roleName the thread's name
 * @param agent what the thread runs
 * @param cpuIndex -1 for no pinning; else an index into the CPUs the process may use, wrapping
 *     around when there are fewer
 */
record ThreadAgent(String roleName, Agent agent, int cpuIndex) implements Agent {
  @Override
  public void onStart() {
    if (cpuIndex >= 0) {
      try {
        int[] cpus = Affinity.availableCpus();
        Affinity.pinCurrentThread(cpus[cpuIndex % cpus.length]);
      } catch (IOException e) {
        System.err.println("vpngw: cannot pin " + roleName + ": " + e.getMessage());
      }
    }
    agent.onStart();
  }

  @Override
  public int doWork() throws Exception {
    return agent.doWork();
  }

  @Override
  public void onClose() {
    agent.onClose();
  }
}
