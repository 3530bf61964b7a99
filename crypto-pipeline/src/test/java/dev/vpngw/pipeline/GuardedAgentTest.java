package dev.vpngw.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.counters.PipelineCounters;
import dev.vpngw.counters.PipelineDropReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CompositeAgent;
import org.junit.jupiter.api.Test;

/**
 * A failing agent is counted as an agent error on every failure, its stack trace printed once per
 * distinct error, and the agents sharing its thread keep running.
 */
class GuardedAgentTest {
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final AgentErrorLog errors =
      new AgentErrorLog(new PrintStream(log, true, StandardCharsets.UTF_8));
  private final PipelineCounters failingCounters =
      new PipelineCounters(CountersFile.inMemory(64), "failing");

  /** Fails with "socket gone" on every duty cycle, and with another message on every tenth. */
  private static final class Failing implements Agent {
    int cycles;

    @Override
    public int doWork() throws IOException {
      cycles++;
      throw new IOException(cycles % 10 == 0 ? "device gone" : "socket gone");
    }

    @Override
    public String roleName() {
      return "failing";
    }
  }

  /** Counts its duty cycles. */
  private static final class Counting implements Agent {
    int cycles;

    @Override
    public int doWork() {
      cycles++;
      return 1;
    }

    @Override
    public String roleName() {
      return "counting";
    }
  }

  @Test
  void everyFailureIsCountedEachDistinctOnePrintedOnceAndTheNeighbourRuns() throws Exception {
    Failing failing = new Failing();
    Counting counting = new Counting();
    CompositeAgent thread =
        new CompositeAgent(
            new GuardedAgent(failing, failingCounters, errors),
            new GuardedAgent(
                counting, new PipelineCounters(CountersFile.inMemory(64), "counting"), errors));
    int work = 0;
    for (int i = 0; i < 100; i++) {
      work += thread.doWork();
    }
    assertEquals(100, failing.cycles);
    assertEquals(100, counting.cycles, "the neighbour ran on every cycle");
    assertEquals(100, work, "a failed cycle reports no work");
    assertEquals(100, failingCounters.dropCount(PipelineDropReason.AGENT_ERROR));
    String printed = log.toString(StandardCharsets.UTF_8);
    assertEquals(
        List.of(
            "vpngw: agent failing failed (counted as an agent error; the same error again is only"
                + " counted):",
            "vpngw: agent failing failed (counted as an agent error; the same error again is only"
                + " counted):"),
        printed.lines().filter(l -> l.startsWith("vpngw:")).toList());
    assertEquals(1, count(printed, "java.io.IOException: socket gone"), printed);
    assertEquals(1, count(printed, "java.io.IOException: device gone"), printed);
    assertTrue(printed.contains("at dev.vpngw.pipeline.GuardedAgentTest$Failing.doWork"), printed);
  }

  @Test
  void anInterruptStillEndsTheRunner() {
    Agent interrupted =
        new Agent() {
          @Override
          public int doWork() throws InterruptedException {
            throw new InterruptedException("closing");
          }

          @Override
          public String roleName() {
            return "interrupted";
          }
        };
    GuardedAgent guarded = new GuardedAgent(interrupted, failingCounters, errors);
    assertThrows(InterruptedException.class, guarded::doWork);
    assertEquals(0, failingCounters.dropCount(PipelineDropReason.AGENT_ERROR));
  }

  @Test
  void pastTheDistinctLimitErrorsAreOnlyCounted() {
    for (int i = 0; i < AgentErrorLog.MAX_DISTINCT + 10; i++) {
      errors.report("noisy", new IllegalStateException("error " + i));
    }
    String printed = log.toString(StandardCharsets.UTF_8);
    assertEquals(AgentErrorLog.MAX_DISTINCT, count(printed, "vpngw: agent noisy failed"));
    assertEquals(1, count(printed, "further ones are only counted"));
  }

  private static int count(String text, String fragment) {
    int n = 0;
    for (int at = text.indexOf(fragment); at >= 0; at = text.indexOf(fragment, at + 1)) {
      n++;
    }
    return n;
  }
}
