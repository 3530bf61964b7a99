package dev.vpngw.pipeline;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the agents' failures are reported: the stack trace of each distinct error once (the agent,
 * the exception's class and message, and where it was thrown), so the log shows every cause without
 * an agent that fails on every duty cycle flooding it; how often each happens is in the agents'
 * {@link dev.vpngw.counters.PipelineDropReason#AGENT_ERROR} counters. Thread-safe: every agent
 * thread reports here.
 */
final class AgentErrorLog {
  /** Distinct errors remembered; past this many, errors are only counted. */
  static final int MAX_DISTINCT = 64;

  private final PrintStream out;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean overflowReported = new AtomicBoolean();

  AgentErrorLog(PrintStream out) {
    this.out = out;
  }

  /** Reports a failure of agent {@code role}: printed if not seen before. */
  void report(String role, Throwable error) {
    StackTraceElement[] trace = error.getStackTrace();
    String key =
        role
            + '\n'
            + error.getClass().getName()
            + '\n'
            + error.getMessage()
            + '\n'
            + (trace.length > 0 ? trace[0] : "");
    if (seen.contains(key)) {
      return;
    }
    if (seen.size() >= MAX_DISTINCT) {
      if (overflowReported.compareAndSet(false, true)) {
        out.println(
            "vpngw: more than "
                + MAX_DISTINCT
                + " distinct agent errors; further ones are only counted (agent errors)");
      }
      return;
    }
    if (seen.add(key)) {
      synchronized (out) {
        out.println(
            "vpngw: agent "
                + role
                + " failed (counted as an agent error; the same error again is only counted):");
        error.printStackTrace(out);
      }
    }
  }
}
