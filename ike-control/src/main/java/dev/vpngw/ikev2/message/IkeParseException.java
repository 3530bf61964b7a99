package dev.vpngw.ikev2.message;

/**
 * The one exception the IKEv2 decoders throw, for any input at all. The {@link Reason} tells the
 * caller how to react (RFC 7296 2.21): drop silently, or answer with a notify. It carries no stack
 * trace: a bad datagram is an expected event from the network, not a bug, and a peer that can make
 * us fill stack traces at line rate could burn the control thread's CPU.
 */
public final class IkeParseException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a message was rejected, and so what the receiver may do about it. */
  public enum Reason {
    /**
     * Structurally invalid (before any authentication, so the sender may be forged), or beyond our
     * reassembly limits: drop silently and never answer (RFC 7296 2.21.1).
     */
    MALFORMED,
    /**
     * Major version is not 2: an IKE_SA_INIT request may be answered with INVALID_MAJOR_VERSION.
     */
    INVALID_MAJOR_VERSION,
    /** The ICV of an SK or SKF payload did not verify: drop silently (RFC 7296 2.21.2). */
    INTEGRITY_CHECK_FAILED,
    /**
     * The message was authenticated but its content is invalid: a request may be answered with
     * INVALID_SYNTAX inside SK (RFC 7296 2.21.2, 3.10.1).
     */
    INVALID_SYNTAX,
    /**
     * A payload we do not understand has the critical bit: answer UNSUPPORTED_CRITICAL_PAYLOAD with
     * {@link #payloadType()} as data (RFC 7296 2.5).
     */
    UNSUPPORTED_CRITICAL_PAYLOAD
  }

  private final Reason reason;
  private final String detail;
  private final int payloadType;

  /** A parse failure with a reason and a human-readable message (never containing key material). */
  public IkeParseException(Reason reason, String message) {
    this(reason, message, -1);
  }

  /** A parse failure about a payload type, for {@link Reason#UNSUPPORTED_CRITICAL_PAYLOAD}. */
  public IkeParseException(Reason reason, String message, int payloadType) {
    super(reason + ": " + message, null, false, false);
    this.reason = reason;
    this.detail = message;
    this.payloadType = payloadType;
  }

  /** Why the message was rejected. */
  public Reason reason() {
    return reason;
  }

  /** The payload type the failure is about, or -1. */
  public int payloadType() {
    return payloadType;
  }

  /** The message without the reason prefix, for re-raising under another reason. */
  String detail() {
    return detail;
  }

  static IkeParseException malformed(String message) {
    return new IkeParseException(Reason.MALFORMED, message);
  }
}
