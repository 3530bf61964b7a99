package dev.vpngw.appliance.er;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The link state as the monitor reads it from /sys/class/net. */
class CircuitMonitorTest {
  @Test
  void loopbackCountsAsUpAndAMissingDeviceAsDown() {
    // lo reports operstate "unknown", as devices without a carrier notion do.
    assertTrue(CircuitMonitor.carrier("lo"));
    assertFalse(CircuitMonitor.carrier("vpngw-none9"));
  }
}
