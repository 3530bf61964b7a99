package dev.vpngw.pipeline;

/** How the pipeline's agents map onto threads (Aeron's media driver threading modes, in spirit). */
public enum ThreadingMode {
  /** One thread for all I/O agents (TUN and WAN receive, transmit), one per crypto worker. */
  DEDICATED,
  /** Every agent on one thread: the least handoff, for the smallest machines. */
  SHARED
}
