package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.message.DeletePayload;
import dev.vpngw.ikev2.message.IkeMessage;
import dev.vpngw.ikev2.message.NotifyType;
import dev.vpngw.ikev2.message.Payload;
import dev.vpngw.ikev2.message.TransformType;
import dev.vpngw.ikev2.sa.ChildSa;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes child SAs or the IKE SA with INFORMATIONAL exchanges (RFC 7296 1.4.1): a child SA's
 * delete names our inbound SPI and is answered with the peer's inbound SPI of the pair; an IKE SA's
 * delete takes the IKE SA and all its child SAs. Deleting the old SA of a rekey is what lets the
 * responder of that rekey switch to the new outbound SA. An INFORMATIONAL carrying
 * AUTHENTICATION_FAILED is the initiator refusing our IKE_AUTH response (RFC 7296 2.21.2): it ends
 * the IKE SA like a delete does, as strongSwan handles it.
 */
public final class DeleteTask implements IkeTask {
  private final IkeSa sa;
  private final IkeContext ctx;
  private final boolean initiator;
  private final List<ChildSa> children;
  private final String reason;
  private boolean deleteIke;
  private boolean refusedByPeer;
  private final List<Integer> answerSpis = new ArrayList<>();

  private DeleteTask(
      IkeSa sa,
      IkeContext ctx,
      boolean initiator,
      List<ChildSa> children,
      boolean deleteIke,
      String reason) {
    this.sa = sa;
    this.ctx = ctx;
    this.initiator = initiator;
    this.children = new ArrayList<>(children);
    this.deleteIke = deleteIke;
    this.reason = reason;
  }

  /** Deletes child SAs (ours to start). */
  public static DeleteTask children(IkeSa sa, IkeContext ctx, List<ChildSa> children, String why) {
    return new DeleteTask(sa, ctx, true, children, false, why);
  }

  /** Deletes the IKE SA and with it every child SA. */
  public static DeleteTask ike(IkeSa sa, IkeContext ctx, String why) {
    return new DeleteTask(sa, ctx, true, List.of(), true, why);
  }

  /** Answers the peer's INFORMATIONAL with Delete payloads. */
  public static DeleteTask respond(IkeSa sa, IkeContext ctx) {
    return new DeleteTask(sa, ctx, false, List.of(), false, "deleted by peer");
  }

  @Override
  public void build(List<Payload> out) {
    if (initiator) {
      if (deleteIke) {
        sa.state(IkeSaState.DELETING);
        out.add(DeletePayload.ike());
      } else {
        children.removeIf(c -> !sa.children().contains(c));
        children.forEach(c -> c.state(ChildSa.State.DELETING));
        if (!children.isEmpty()) {
          out.add(DeletePayload.esp(children.stream().mapToInt(ChildSa::inboundSpi).toArray()));
        }
      }
      return;
    }
    if (!answerSpis.isEmpty()) {
      out.add(DeletePayload.esp(answerSpis.stream().mapToInt(Integer::intValue).toArray()));
    }
  }

  @Override
  public Status process(IkeMessage message, Inbound inbound) {
    if (initiator) {
      if (deleteIke) {
        ctx.destroy(sa, reason, false);
      } else {
        for (ChildSa c : children) {
          Children.retire(sa, ctx, c, reason);
        }
      }
      return Status.DONE;
    }
    if (message.notify(NotifyType.AUTHENTICATION_FAILED) != null) {
      deleteIke = true;
      refusedByPeer = true;
    }
    for (DeletePayload d : message.all(DeletePayload.class)) {
      if (d.protocolId() == TransformType.PROTOCOL_IKE) {
        deleteIke = true;
      } else if (d.protocolId() == TransformType.PROTOCOL_ESP) {
        for (byte[] spiBytes : d.spis()) {
          if (spiBytes.length == 4) {
            deleteChild(ByteBuffer.wrap(spiBytes).getInt());
          }
        }
      }
    }
    return Status.DONE;
  }

  private void deleteChild(int peerInboundSpi) {
    ChildSa child = sa.child(peerInboundSpi, false);
    if (child == null) {
      ctx.log().event("delete_unknown_spi", sa.config().name(), "spi", IkeLog.spi(peerInboundSpi));
      return;
    }
    answerSpis.add(child.inboundSpi());
    if (child.collision() != null) {
      // The peer won a rekey collision and deletes the old SA: its successor takes over.
      Children.activate(sa, ctx, child.collision().peerChild());
    } else if (child.state() == ChildSa.State.REKEYED) {
      ChildSa successor = Children.pendingSuccessor(sa, child);
      if (successor != null) {
        Children.activate(sa, ctx, successor);
      }
    }
    Children.retire(sa, ctx, child, "deleted by peer");
  }

  @Override
  public void responded() {
    if (refusedByPeer) {
      ctx.log()
          .event(
              "ike_sa_refused_by_peer",
              sa.config().name(),
              "spi_i",
              IkeLog.spi(sa.initiatorSpi()),
              "notify",
              "AUTHENTICATION_FAILED");
      ctx.destroy(sa, "peer refused our authentication (AUTHENTICATION_FAILED)", false);
    } else if (deleteIke) {
      ctx.log()
          .event(
              "ike_sa_deleted_by_peer", sa.config().name(), "spi_i", IkeLog.spi(sa.initiatorSpi()));
      ctx.destroy(sa, "deleted by peer", false);
    }
  }
}
