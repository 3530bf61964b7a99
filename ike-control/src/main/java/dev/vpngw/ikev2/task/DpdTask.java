package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.message.IkeMessage;
import dev.vpngw.ikev2.message.Payload;
import dev.vpngw.ikev2.sa.IkeSa;
import java.util.List;

/**
 * Dead peer detection (RFC 7296 2.4): an empty INFORMATIONAL request; any authenticated response
 * proves the peer alive. A request that goes unanswered through all retransmissions (or past the
 * connection's DPD timeout) makes the task manager declare the peer dead.
 */
public final class DpdTask implements IkeTask {
  private final IkeSa sa;
  private final IkeContext ctx;

  /** A liveness check of the SA's peer. */
  public DpdTask(IkeSa sa, IkeContext ctx) {
    this.sa = sa;
    this.ctx = ctx;
  }

  @Override
  public void build(List<Payload> out) {
    ctx.log().event("dpd_sent", sa.config().name());
  }

  @Override
  public Status process(IkeMessage message, Inbound inbound) {
    sa.lastInboundNanos(ctx.nanoTime());
    return Status.DONE;
  }
}
