package dev.vpngw.pipeline;

/**
 * What the control side asks a crypto worker to do, through the worker's command queue (Aeron's
 * conductor-to-sender proxy, in spirit): the worker alone changes its SAs, so sequence numbers and
 * replay windows stay single-writer. SAs arrive keyed, with their counters allocated; the worker
 * takes ownership and closes them when they are replaced or deleted.
 */
sealed interface WorkerCommand {
  /** Starts carrying a tunnel (with no SA yet). */
  record AddTunnel(TunnelInfo tunnel) implements WorkerCommand {}

  /**
   * Makes {@code sa} the tunnel's outbound SA. A previous one is closed: a rekey switches senders
   * at once, while the old inbound SA stays until deleted, so no packet is lost.
   */
  record InstallOutbound(int tunnelId, OwnedSa sa) implements WorkerCommand {}

  /** Adds an inbound SA to a tunnel; several may be live during a rekey. */
  record InstallInbound(int tunnelId, OwnedSa sa) implements WorkerCommand {}

  /** Deletes and closes one inbound SA. */
  record DeleteInbound(int spi) implements WorkerCommand {}
}
