package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.config.Retransmission;
import dev.vpngw.ikev2.message.ExchangeType;
import dev.vpngw.ikev2.message.IkeHeader;
import dev.vpngw.ikev2.message.IkeMessage;
import dev.vpngw.ikev2.message.NotifyPayload;
import dev.vpngw.ikev2.message.NotifyType;
import dev.vpngw.ikev2.message.Payload;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Runs the exchanges of one IKE SA (RFC 7296 2.1-2.3, as strongSwan's task manager): a window of
 * one request in flight, the message ids of both directions, retransmission with back-off and a
 * give-up limit, and the cached last response, sent again when the peer retransmits its request.
 * Exchanges we start wait in a queue; requests from the peer get responder tasks made by {@link
 * ResponderTasks}.
 */
public final class TaskManager {
  /**
   * Largest IKE datagram we send unfragmented once both sides support RFC 7383: an IPv6 minimum MTU
   * less the IP, UDP and non-ESP-marker headers, with room to spare.
   */
  static final int FRAGMENT_SIZE = 1200;

  private final IkeSa sa;
  private final IkeContext ctx;
  private final Retransmission retransmission;
  private final long giveUpNanos;
  private final Deque<Exchange> queue = new ArrayDeque<>();
  private Exchange active;
  private List<byte[]> activeDatagrams;
  private long firstSentNanos;
  private long nextRetransmitNanos;
  private int retransmits;
  private int nextRequestId;
  private int expectedRequestId;
  private int cachedResponseId = -1;
  private List<byte[]> cachedResponse;

  /**
   * A task manager.
   *
   * @param giveUpNanos on an established SA, abandon a request unanswered this long even before the
   *     retransmissions are used up (the DPD timeout); 0 for no such limit
   */
  public TaskManager(IkeSa sa, IkeContext ctx, Retransmission retransmission, long giveUpNanos) {
    this.sa = sa;
    this.ctx = ctx;
    this.retransmission = retransmission;
    this.giveUpNanos = giveUpNanos;
  }

  /** Starts an exchange now, or after those already queued. */
  public void queue(Exchange exchange) {
    queue.add(exchange);
    startNext();
  }

  /** Whether a request is in flight or queued. */
  public boolean busy() {
    return active != null || !queue.isEmpty();
  }

  /** Whether a request of this name is in flight or queued. */
  public boolean pending(String name) {
    if (active != null && active.name().equals(name)) {
      return true;
    }
    return queue.stream().anyMatch(e -> e.name().equals(name));
  }

  /** The message id our next request carries. */
  public int nextRequestId() {
    return nextRequestId;
  }

  /** The message id we expect on the peer's next request. */
  public int expectedRequestId() {
    return expectedRequestId;
  }

  /** Whether our request with {@link #nextRequestId()} is sent and not yet answered. */
  public boolean requestInFlight() {
    return active != null;
  }

  /**
   * The message ids of an IKE SA taken over from an HA peer (issue 6): our next request carries
   * NEXT (if the peer already saw a request with it, it answers with its cached response, which the
   * first exchange accepts whatever it holds), the peer's next request must carry EXPECTED. Only
   * before anything was queued.
   */
  public void restoreMessageIds(int next, int expected) {
    if (busy()) {
      throw new IllegalStateException("message ids restored on a busy IKE SA");
    }
    nextRequestId = next;
    expectedRequestId = expected;
  }

  private void startNext() {
    while (active == null && !queue.isEmpty() && sa.state() != IkeSaState.DESTROYED) {
      sendRequest(queue.poll());
    }
  }

  private void sendRequest(Exchange exchange) {
    List<Payload> payloads = new ArrayList<>();
    try {
      for (IkeTask task : exchange.tasks()) {
        task.build(payloads);
      }
    } catch (IkeFailure f) {
      ctx.log()
          .event(
              "exchange_failed",
              sa.config().name(),
              "exchange",
              exchange.name(),
              "type",
              ExchangeType.name(exchange.exchangeType()),
              "stage",
              "build",
              "reason",
              f.getMessage());
      exchange.tasks().forEach(IkeTask::abandoned);
      if (f.fatalForIkeSa()) {
        ctx.destroy(sa, f.getMessage(), false);
      }
      return;
    }
    IkeMessage request =
        new IkeMessage(
            sa.initiatorSpi(),
            sa.responderSpi(),
            exchange.exchangeType(),
            sa.originalInitiator() ? IkeHeader.FLAG_INITIATOR : 0,
            nextRequestId,
            payloads);
    activeDatagrams = encode(request);
    if (exchange.exchangeType() == ExchangeType.IKE_SA_INIT) {
      sa.initMessages(activeDatagrams.get(0), null);
    }
    active = exchange;
    retransmits = 0;
    firstSentNanos = ctx.nanoTime();
    nextRetransmitNanos = firstSentNanos + retransmission.waitNanos(0);
    ctx.log()
        .event(
            "exchange_started",
            sa.config().name(),
            "exchange",
            exchange.name(),
            "type",
            ExchangeType.name(exchange.exchangeType()),
            "role",
            "initiator",
            "message_id",
            nextRequestId);
    transmit(activeDatagrams);
  }

  /** Processes the response to our request in flight; anything else is dropped. */
  public void onResponse(IkeMessage response, Inbound inbound) {
    if (active == null || response.messageId() != nextRequestId) {
      ctx.log()
          .event(
              "message_dropped",
              sa.config().name(),
              "reason",
              "unexpected response",
              "message_id",
              response.messageId());
      return;
    }
    Exchange exchange = active;
    if (exchange.exchangeType() == ExchangeType.IKE_SA_INIT) {
      sa.initMessages(sa.initRequest(), inbound.raw());
    }
    boolean retry = false;
    try {
      for (IkeTask task : exchange.tasks()) {
        retry |= task.process(response, inbound) == IkeTask.Status.RETRY;
      }
    } catch (RuntimeException e) {
      active = null;
      internalError(exchange.name(), e);
      return;
    } catch (IkeFailure f) {
      active = null;
      nextRequestId++;
      ctx.log()
          .event(
              "exchange_failed",
              sa.config().name(),
              "exchange",
              exchange.name(),
              "type",
              ExchangeType.name(exchange.exchangeType()),
              "notify",
              f.notifyName(),
              "reason",
              f.getMessage());
      if (f.fatalForIkeSa()) {
        if (f.notifyType() != 0 && exchange.exchangeType() != ExchangeType.IKE_SA_INIT) {
          tellPeer(f);
        }
        ctx.destroy(sa, f.getMessage(), true);
      } else {
        startNext();
      }
      return;
    }
    active = null;
    if (retry) {
      // COOKIE or INVALID_KE_PAYLOAD: the same exchange again, still message id 0 (RFC 7296 2.6).
      sendRequest(exchange);
      return;
    }
    ctx.log()
        .event(
            "exchange_completed",
            sa.config().name(),
            "exchange",
            exchange.name(),
            "type",
            ExchangeType.name(exchange.exchangeType()),
            "role",
            "initiator",
            "message_id",
            nextRequestId);
    nextRequestId++;
    startNext();
  }

  /**
   * RFC 7296 2.21.2: an initiator that rejects the peer's response (in IKE_AUTH: the peer's
   * identity, certificate or AUTH) names the error in an INFORMATIONAL request of its own, since
   * the peer already holds the IKE SA as established. Sent once and not awaited: the SA is gone by
   * the time the answer comes, as it would be after a lost one.
   */
  private void tellPeer(IkeFailure f) {
    IkeMessage info =
        new IkeMessage(
            sa.initiatorSpi(),
            sa.responderSpi(),
            ExchangeType.INFORMATIONAL,
            sa.originalInitiator() ? IkeHeader.FLAG_INITIATOR : 0,
            nextRequestId,
            List.of(NotifyPayload.of(f.notifyType(), f.notifyData())));
    transmit(encode(info));
  }

  /**
   * Processes a request of the peer's: a retransmission of the last one gets the cached response,
   * the expected one is handled by responder tasks, any other id is dropped (RFC 7296 2.2).
   */
  public void onRequest(IkeMessage request, Inbound inbound) {
    if (request.messageId() == cachedResponseId && cachedResponse != null) {
      // Our response was lost: the same bytes again, and the request is not processed twice
      // (a second child SA, a second rekey). Logged so an operator sees a lossy path.
      ctx.log()
          .event(
              "duplicate_request",
              sa.config().name(),
              "exchange",
              ExchangeType.name(request.exchangeType()),
              "message_id",
              request.messageId(),
              "answer",
              "cached response");
      transmit(cachedResponse);
      return;
    }
    if (request.messageId() != expectedRequestId) {
      ctx.log()
          .event(
              "message_dropped",
              sa.config().name(),
              "reason",
              "unexpected message id",
              "message_id",
              request.messageId(),
              "expected",
              expectedRequestId);
      return;
    }
    List<IkeTask> tasks = List.of();
    List<Payload> out = new ArrayList<>();
    IkeFailure failure = null;
    try {
      tasks = ResponderTasks.create(sa, ctx, request);
      for (IkeTask task : tasks) {
        task.process(request, inbound);
      }
      for (IkeTask task : tasks) {
        task.build(out);
      }
    } catch (RuntimeException e) {
      // A bug of ours must not leave the SA half-changed: answer as a failure and end it.
      failure = IkeFailure.fatal(NotifyType.TEMPORARY_FAILURE, "internal error: " + e);
      out = new ArrayList<>(List.of(NotifyPayload.of(NotifyType.TEMPORARY_FAILURE)));
      internalErrorLog(ExchangeType.name(request.exchangeType()), e);
    } catch (IkeFailure f) {
      failure = f;
      out = new ArrayList<>();
      if (f.notifyType() != 0) {
        out.add(NotifyPayload.of(f.notifyType(), f.notifyData()));
      }
      responderEvent(
          "exchange_failed", request, "notify", f.notifyName(), "reason", f.getMessage());
    }
    boolean initFailed = failure != null && request.exchangeType() == ExchangeType.IKE_SA_INIT;
    IkeMessage response =
        new IkeMessage(
            sa.initiatorSpi(),
            initFailed ? 0 : sa.responderSpi(),
            request.exchangeType(),
            IkeHeader.FLAG_RESPONSE | (sa.originalInitiator() ? IkeHeader.FLAG_INITIATOR : 0),
            request.messageId(),
            out);
    List<byte[]> datagrams = encode(response);
    if (request.exchangeType() == ExchangeType.IKE_SA_INIT) {
      sa.initMessages(inbound.raw(), datagrams.get(0));
    }
    cachedResponse = datagrams;
    cachedResponseId = request.messageId();
    expectedRequestId++;
    transmit(datagrams);
    if (failure != null && failure.fatalForIkeSa()) {
      ctx.destroy(sa, failure.getMessage(), false);
    } else if (failure == null) {
      // A responder's exchange starts and ends with the one request: logged once, when answered.
      responderEvent("exchange_completed", request, "message_id", request.messageId());
      tasks.forEach(IkeTask::responded);
    }
  }

  /**
   * A responder's exchange event. The responder knows the exchange only by the request's type, so
   * it is both {@code exchange} and {@code type} (an initiator's {@code exchange} names its
   * purpose, e.g. {@code child-rekey}, and {@code type} the message's).
   */
  private void responderEvent(String event, IkeMessage request, Object... detail) {
    String type = ExchangeType.name(request.exchangeType());
    Object[] pairs = new Object[6 + detail.length];
    pairs[0] = "exchange";
    pairs[1] = type;
    pairs[2] = "type";
    pairs[3] = type;
    pairs[4] = "role";
    pairs[5] = "responder";
    System.arraycopy(detail, 0, pairs, 6, detail.length);
    ctx.log().event(event, sa.config().name(), pairs);
  }

  private void internalError(String exchange, RuntimeException e) {
    internalErrorLog(exchange, e);
    ctx.destroy(sa, "internal error: " + e, true);
  }

  private void internalErrorLog(String exchange, RuntimeException e) {
    ctx.log()
        .event(
            "internal_error",
            sa.config().name(),
            "exchange",
            exchange,
            "error",
            e.toString(),
            "at",
            e.getStackTrace().length > 0 ? e.getStackTrace()[0].toString() : "?");
  }

  /**
   * Answers the peer's request that authenticated but did not parse (RFC 7296 2.21): a response
   * holding only the error notify, if the request carried the message id we expect.
   */
  public void rejectRequest(int messageId, int exchangeType, int notifyType) {
    if (messageId != expectedRequestId || sa.keys() == null) {
      return;
    }
    IkeMessage response =
        new IkeMessage(
            sa.initiatorSpi(),
            sa.responderSpi(),
            exchangeType,
            IkeHeader.FLAG_RESPONSE | (sa.originalInitiator() ? IkeHeader.FLAG_INITIATOR : 0),
            messageId,
            List.of(NotifyPayload.of(notifyType)));
    cachedResponse = encode(response);
    cachedResponseId = messageId;
    expectedRequestId++;
    transmit(cachedResponse);
  }

  /** Retransmits or gives up; called by the daemon's timer. */
  public void onTimer(long now) {
    if (active == null || now < nextRetransmitNanos) {
      return;
    }
    boolean deadline =
        giveUpNanos > 0
            && sa.state() != IkeSaState.CONNECTING
            && now - firstSentNanos >= giveUpNanos;
    if (retransmits >= retransmission.tries() || deadline) {
      Exchange exchange = active;
      active = null;
      exchange.tasks().forEach(IkeTask::abandoned);
      ctx.log()
          .event(
              "peer_unreachable",
              sa.config().name(),
              "exchange",
              exchange.name(),
              "type",
              ExchangeType.name(exchange.exchangeType()),
              "retransmits",
              retransmits);
      ctx.destroy(sa, "no response to " + exchange.name(), true);
      return;
    }
    retransmits++;
    long wait = retransmission.waitNanos(retransmits);
    if (giveUpNanos > 0 && sa.state() != IkeSaState.CONNECTING) {
      wait = Math.min(wait, Math.max(1, firstSentNanos + giveUpNanos - now));
    }
    nextRetransmitNanos = now + wait;
    ctx.log()
        .event(
            "retransmit",
            sa.config().name(),
            "exchange",
            active.name(),
            "message_id",
            nextRequestId,
            "attempt",
            retransmits);
    transmit(activeDatagrams);
  }

  /** When the next retransmission is due, or Long.MAX_VALUE. */
  public long nextDeadline() {
    return active == null ? Long.MAX_VALUE : nextRetransmitNanos;
  }

  private List<byte[]> encode(IkeMessage message) {
    if (message.exchangeType() == ExchangeType.IKE_SA_INIT) {
      return List.of(message.encode());
    }
    if (sa.peerSupportsFragmentation()) {
      return message.encodeFragments(sa.sendCipher(), FRAGMENT_SIZE);
    }
    return List.of(message.encodeProtected(sa.sendCipher()));
  }

  private void transmit(List<byte[]> datagrams) {
    for (byte[] d : datagrams) {
      ctx.send(sa, d);
    }
  }
}
