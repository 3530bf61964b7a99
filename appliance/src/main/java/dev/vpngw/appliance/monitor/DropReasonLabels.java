package dev.vpngw.appliance.monitor;

import dev.vpngw.counters.CounterTypes;
import dev.vpngw.counters.PipelineDropReason;
import dev.vpngw.esp.DropReason;
import java.util.Locale;

/**
 * Short, stable label values for drop reasons ({@code reason="bad_icv"}): the enum constant's name
 * in lower case, where the counters file's descriptions are sentences for people. A reason id this
 * build does not know (a newer writer) becomes {@code reason_N}, never an error.
 */
public final class DropReasonLabels {
  private DropReasonLabels() {}

  /** The label value of a drop reason id of either kind; {@code other} for the catch-all id. */
  public static String of(int reasonId) {
    if (reasonId == CounterTypes.OTHER_REASON) {
      return "other";
    }
    if (PipelineDropReason.isPipelineId(reasonId)) {
      return PipelineDropReason.fromId(reasonId).name().toLowerCase(Locale.ROOT);
    }
    if (reasonId > 0 && reasonId <= DropReason.MAX_ID) {
      return DropReason.fromId(reasonId).name().toLowerCase(Locale.ROOT);
    }
    return "reason_" + reasonId;
  }
}
