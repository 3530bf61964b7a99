package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.message.ExchangeType;
import dev.vpngw.ikev2.message.IkeMessage;
import dev.vpngw.ikev2.message.NotifyType;
import dev.vpngw.ikev2.message.Payload;
import dev.vpngw.ikev2.message.SaPayload;
import dev.vpngw.ikev2.message.TransformType;
import dev.vpngw.ikev2.message.UnknownPayload;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import java.util.List;

/**
 * Picks the responder tasks for a request of the peer's, by exchange type and content (RFC 7296
 * 1.2-1.5), and refuses what the SA's state does not allow.
 */
final class ResponderTasks {
  private ResponderTasks() {}

  static List<IkeTask> create(IkeSa sa, IkeContext ctx, IkeMessage request) throws IkeFailure {
    for (Payload p : request.payloads()) {
      if (p instanceof UnknownPayload u && u.critical()) {
        // RFC 7296 2.5: reject the whole message, naming the payload type.
        throw new IkeFailure(
            NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
            new byte[] {(byte) u.type()},
            request.exchangeType() == ExchangeType.IKE_SA_INIT,
            "unsupported critical payload " + u.type());
      }
    }
    boolean established = sa.state() == IkeSaState.ESTABLISHED || sa.state() == IkeSaState.REKEYING;
    return switch (request.exchangeType()) {
      case ExchangeType.IKE_SA_INIT ->
          List.of(new IkeInitTask(sa, ctx, false), new NatDetectionTask(sa, ctx, false));
      case ExchangeType.IKE_AUTH -> {
        if (sa.state() != IkeSaState.CONNECTING) {
          throw IkeFailure.child(NotifyType.INVALID_SYNTAX, "IKE_AUTH on an established SA");
        }
        yield List.of(
            new IkeAuthTask(sa, ctx, false),
            new ChildCreateTask(sa, ctx, false, ExchangeType.IKE_AUTH, null));
      }
      case ExchangeType.CREATE_CHILD_SA -> {
        if (!established) {
          throw IkeFailure.child(NotifyType.TEMPORARY_FAILURE, "IKE SA is " + sa.state());
        }
        if (request.notify(NotifyType.REKEY_SA) != null) {
          yield List.of(ChildRekeyTask.respond(sa, ctx));
        }
        SaPayload saPayload = request.first(SaPayload.class);
        if (saPayload != null
            && !saPayload.proposals().isEmpty()
            && saPayload.proposals().get(0).protocolId() == TransformType.PROTOCOL_IKE) {
          yield List.of(new IkeRekeyTask(sa, ctx, false));
        }
        yield List.of(new ChildCreateTask(sa, ctx, false, ExchangeType.CREATE_CHILD_SA, null));
      }
      case ExchangeType.INFORMATIONAL -> List.of(DeleteTask.respond(sa, ctx));
      default ->
          throw IkeFailure.child(
              NotifyType.INVALID_SYNTAX, "unknown exchange type " + request.exchangeType());
    };
  }
}
