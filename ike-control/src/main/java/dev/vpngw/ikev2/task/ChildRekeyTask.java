package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.message.ExchangeType;
import dev.vpngw.ikev2.message.IkeMessage;
import dev.vpngw.ikev2.message.NotifyPayload;
import dev.vpngw.ikev2.message.NotifyType;
import dev.vpngw.ikev2.message.Payload;
import dev.vpngw.ikev2.message.TransformType;
import dev.vpngw.ikev2.sa.ChildSa;
import dev.vpngw.ikev2.sa.IkeSa;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Rekeys a child SA make-before-break (RFC 7296 1.3.3, 2.8): CREATE_CHILD_SA with N(REKEY_SA) makes
 * a successor in the same dataplane tunnel; its inbound SA is keyed before anything is sent on it,
 * and the old SA is deleted after. The initiator switches its outbound SA at once; the responder
 * when the old SA's delete arrives. Simultaneous rekeys of one SA (2.8.1) are resolved by the
 * nonces: the exchange with the lowest nonce made the redundant SA, which its initiator deletes, so
 * exactly one successor remains.
 */
public final class ChildRekeyTask implements IkeTask {
  private final IkeSa sa;
  private final IkeContext ctx;
  private final boolean initiator;
  private ChildSa old;
  private ChildCreateTask create;

  /** An initiator's rekey of {@code old}. */
  public static ChildRekeyTask initiate(IkeSa sa, IkeContext ctx, ChildSa old) {
    ChildRekeyTask t = new ChildRekeyTask(sa, ctx, true);
    t.old = old;
    t.create = new ChildCreateTask(sa, ctx, true, ExchangeType.CREATE_CHILD_SA, old);
    return t;
  }

  /** A responder's task; the SA to rekey is named by the request. */
  public static ChildRekeyTask respond(IkeSa sa, IkeContext ctx) {
    return new ChildRekeyTask(sa, ctx, false);
  }

  private ChildRekeyTask(IkeSa sa, IkeContext ctx, boolean initiator) {
    this.sa = sa;
    this.ctx = ctx;
    this.initiator = initiator;
  }

  @Override
  public void build(List<Payload> out) throws IkeFailure {
    if (initiator) {
      old.state(ChildSa.State.REKEYING);
      out.add(
          NotifyPayload.child(TransformType.PROTOCOL_ESP, old.inboundSpi(), NotifyType.REKEY_SA));
      create.build(out);
      return;
    }
    create.build(out);
    ChildSa fresh = create.child();
    if (fresh == null) {
      return;
    }
    if (old.state() == ChildSa.State.REKEYING) {
      old.collision(new ChildSa.Collision(fresh, create.peerNonce(), create.nonce()));
      ctx.log()
          .event(
              "child_rekey_collision", sa.config().name(), "spi_in", IkeLog.spi(old.inboundSpi()));
    } else {
      old.state(ChildSa.State.REKEYED);
    }
  }

  @Override
  public Status process(IkeMessage message, Inbound inbound) throws IkeFailure {
    return initiator ? processResponse(message, inbound) : processRequest(message, inbound);
  }

  private Status processRequest(IkeMessage request, Inbound inbound) throws IkeFailure {
    NotifyPayload rekey = request.notify(NotifyType.REKEY_SA);
    if (rekey.protocolId() != TransformType.PROTOCOL_ESP || rekey.spi().length != 4) {
      throw IkeFailure.child(NotifyType.INVALID_SYNTAX, "REKEY_SA names no ESP SPI");
    }
    int spi = ByteBuffer.wrap(rekey.spi()).getInt();
    old = sa.child(spi, false); // the peer names its inbound SPI: our outbound one
    if (old == null) {
      throw new IkeFailure(
          NotifyType.CHILD_SA_NOT_FOUND, null, false, "rekey of unknown SPI " + IkeLog.spi(spi));
    }
    if (old.state() == ChildSa.State.REKEYED || old.state() == ChildSa.State.DELETING) {
      throw new IkeFailure(
          NotifyType.TEMPORARY_FAILURE,
          null,
          false,
          "SA " + IkeLog.spi(spi) + " is being replaced");
    }
    create = new ChildCreateTask(sa, ctx, false, ExchangeType.CREATE_CHILD_SA, old);
    return create.process(request, inbound);
  }

  private Status processResponse(IkeMessage response, Inbound inbound) throws IkeFailure {
    Status status;
    try {
      status = create.process(response, inbound);
    } catch (IkeFailure f) {
      failed(f);
      throw f;
    }
    if (status == Status.RETRY) {
      return status;
    }
    ChildSa fresh = create.child();
    ChildSa.Collision collision = old.collision();
    boolean oldGone = !sa.children().contains(old);
    if (collision == null) {
      old.state(ChildSa.State.REKEYED);
      if (!oldGone) {
        deleteLater(old, "rekeyed");
      }
      return Status.DONE;
    }
    byte[] lowestOurs = min(create.nonce(), create.peerNonce());
    byte[] lowestTheirs = min(collision.peerNonce(), collision.ourNonce());
    boolean oursRedundant = Arrays.compareUnsigned(lowestOurs, lowestTheirs) < 0;
    old.collision(null);
    old.state(ChildSa.State.REKEYED);
    if (oursRedundant) {
      // The peer's successor wins: switch to it, drop ours; the peer deletes the old SA.
      Children.activate(sa, ctx, collision.peerChild());
      fresh.state(ChildSa.State.DELETING);
      deleteLater(fresh, "redundant after rekey collision");
    } else if (!oldGone) {
      // Ours wins: the peer deletes its redundant one; we delete the old SA as usual.
      deleteLater(old, "rekeyed");
    }
    ctx.log()
        .event(
            "child_rekey_collision_resolved",
            sa.config().name(),
            "kept_spi_in",
            IkeLog.spi(oursRedundant ? collision.peerChild().inboundSpi() : fresh.inboundSpi()));
    return Status.DONE;
  }

  private void failed(IkeFailure f) {
    ChildSa.Collision collision = old.collision();
    if (collision != null) {
      // Our rekey lost outright; the peer's successor stands and the peer deletes the old SA.
      old.collision(null);
      old.state(ChildSa.State.REKEYED);
      Children.activate(sa, ctx, collision.peerChild());
    } else if (old.state() == ChildSa.State.REKEYING) {
      old.state(ChildSa.State.INSTALLED);
      old.timers(ctx.nanoTime() + RETRY_NANOS, old.expireAtNanos());
    }
  }

  /** How long after a failed rekey we try again. */
  static final long RETRY_NANOS = 10_000_000_000L;

  @Override
  public void abandoned() {
    create.abandoned();
  }

  private void deleteLater(ChildSa child, String reason) {
    ctx.manager(sa)
        .queue(
            new Exchange(
                ExchangeType.INFORMATIONAL,
                List.of(DeleteTask.children(sa, ctx, List.of(child), reason)),
                "delete-child"));
  }

  private static byte[] min(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b) <= 0 ? a : b;
  }
}
