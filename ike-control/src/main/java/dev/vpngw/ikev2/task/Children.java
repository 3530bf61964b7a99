package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.sa.ChildSa;
import dev.vpngw.ikev2.sa.IkeSa;

/**
 * Taking child SAs out of the dataplane: a retired child SA loses its inbound SA, and its tunnel
 * goes only when no other child SA (a successor from a rekey) still uses it.
 */
final class Children {
  private Children() {}

  /** Removes a child SA from the IKE SA and the dataplane. */
  static void retire(IkeSa sa, IkeContext ctx, ChildSa child, String reason) {
    if (!sa.children().remove(child)) {
      return;
    }
    ChildSa newest = null;
    for (ChildSa c : sa.children()) {
      if (c.tunnel() == child.tunnel()
          && (newest == null || c.createdNanos() >= newest.createdNanos())) {
        newest = c;
      }
    }
    if (newest == null) {
      ctx.installer().removeTunnel(child.tunnel());
    } else {
      ctx.installer().deleteInbound(child.inboundSpi());
      if (child.outboundActive()) {
        activate(sa, ctx, newest);
      }
    }
    child.outboundActive(false);
    ctx.log()
        .event(
            "child_sa_deleted",
            sa.config().name(),
            "spi_in",
            IkeLog.spi(child.inboundSpi()),
            "spi_out",
            IkeLog.spi(child.outboundSpi()),
            "reason",
            reason);
  }

  /** Makes a child SA's outbound SA the one its tunnel sends on. */
  static void activate(IkeSa sa, IkeContext ctx, ChildSa child) {
    if (child.outboundActive()) {
      return;
    }
    for (ChildSa c : sa.children()) {
      if (c.tunnel() == child.tunnel()) {
        c.outboundActive(false);
      }
    }
    ctx.installer().installOutbound(child.tunnel(), child.outbound());
    child.outboundActive(true);
    ctx.log()
        .event(
            "child_sa_outbound_switched",
            sa.config().name(),
            "spi_out",
            IkeLog.spi(child.outboundSpi()));
  }

  /** The newest other child SA in the same tunnel that does not send yet, or null. */
  static ChildSa pendingSuccessor(IkeSa sa, ChildSa old) {
    ChildSa found = null;
    for (ChildSa c : sa.children()) {
      if (c != old
          && c.tunnel() == old.tunnel()
          && !c.outboundActive()
          && (found == null || c.createdNanos() >= found.createdNanos())) {
        found = c;
      }
    }
    return found;
  }
}
