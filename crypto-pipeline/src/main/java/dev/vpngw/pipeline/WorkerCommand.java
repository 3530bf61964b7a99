package dev.vpngw.pipeline;

/**
 * What the control side asks a crypto worker to do, through the worker's command queue (Aeron's
 * conductor-to-sender proxy, in spirit): the worker alone changes its SAs, so sequence numbers and
 * replay windows stay single-writer. SAs arrive keyed, with their counters allocated; the worker
 * takes ownership and closes them when they are replaced or deleted.
 */
sealed interface WorkerCommand {
  /**
   * Starts carrying a tunnel (with no SA yet). {@code generation} is what the tunnel's packets
   * carry in their {@code OUTBOUND_PLAIN} messages ({@link RingMessages}).
   */
  record AddTunnel(TunnelInfo tunnel, int generation) implements WorkerCommand {}

  /**
   * Makes {@code sa} the tunnel's outbound SA. A previous one is closed: a rekey switches senders
   * at once, while the old inbound SA stays until deleted, so no packet is lost.
   */
  record InstallOutbound(int tunnelId, OwnedSa sa) implements WorkerCommand {}

  /** Adds an inbound SA to a tunnel; several may be live during a rekey. */
  record InstallInbound(int tunnelId, OwnedSa sa) implements WorkerCommand {}

  /** Deletes and closes one inbound SA. */
  record DeleteInbound(int spi) implements WorkerCommand {}

  /**
   * Stops carrying a tunnel: closes its outbound and inbound SAs (freeing their counters) and
   * forgets it, so its id may be added again.
   */
  record RemoveTunnel(int tunnelId) implements WorkerCommand {}

  /**
   * The tunnel's peer moved (IKE learned the address and port its messages come from behind a NAT,
   * RFC 7296 2.23): {@code tunnel} is the same tunnel with the new peer and port, where ESP goes
   * from now on.
   */
  record UpdatePeer(TunnelInfo tunnel) implements WorkerCommand {}
}
