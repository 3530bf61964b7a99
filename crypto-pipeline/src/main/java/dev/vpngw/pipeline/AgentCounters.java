package dev.vpngw.pipeline;

import dev.vpngw.counters.PipelineCounters;
import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.esp.EspCounters;

/**
 * The counters one agent writes, and only that agent (single writer, no atomics per packet): the
 * codec's (packets, bytes, ESP drop reasons) and the pipeline's own drop reasons. Readers sum every
 * agent's counters of a type from the counters file.
 *
 * @param esp the ESP codec's counters
 * @param pipeline the pipeline's drop counters
 */
record AgentCounters(EspCounters esp, PipelineCounters pipeline) {
  void drop(PipelineDropReason reason) {
    pipeline.drop(reason);
  }
}
