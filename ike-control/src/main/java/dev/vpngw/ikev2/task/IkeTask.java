package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.message.IkeMessage;
import dev.vpngw.ikev2.message.Payload;
import java.util.List;

/**
 * One concern of an exchange (strongSwan's task split, RFC 7296 1.2-1.5): IKE SA setup, NAT
 * detection, authentication, child SA creation and so on. Several tasks share one message. As
 * initiator a task first {@link #build}s its part of the request, then {@link #process}es the
 * response; as responder it first processes the request, then builds its part of the response.
 */
public interface IkeTask {
  /** What a task wants after processing a message. */
  enum Status {
    /** Finished. */
    DONE,
    /** Initiator only: build the same exchange again and resend it (COOKIE, INVALID_KE). */
    RETRY
  }

  /** Adds this task's payloads to the outgoing message. */
  void build(List<Payload> out) throws IkeFailure;

  /** Reads this task's payloads of an incoming message. */
  Status process(IkeMessage message, Inbound inbound) throws IkeFailure;

  /** Responder only: called once the response has been sent. */
  default void responded() {}

  /** Called once on the initiator side when the exchange is abandoned (no response). */
  default void abandoned() {}
}
