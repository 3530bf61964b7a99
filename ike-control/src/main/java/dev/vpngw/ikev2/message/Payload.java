package dev.vpngw.ikev2.message;

/**
 * One IKEv2 payload (RFC 7296 3.2): the records of this package, one per payload type, each an
 * immutable value holding the payload's body fields. The generic payload header (next payload,
 * critical bit, length) is not part of a record: {@link PayloadChain} derives it when encoding and
 * checks it when decoding.
 */
public sealed interface Payload
    permits SaPayload,
        KePayload,
        IdPayload,
        CertPayload,
        CertReqPayload,
        AuthPayload,
        NoncePayload,
        NotifyPayload,
        DeletePayload,
        VendorIdPayload,
        TsPayload,
        EncryptedPayload,
        ConfigPayload,
        EapPayload,
        EncryptedFragmentPayload,
        UnknownPayload {

  /** The payload type number, see {@link PayloadType}. */
  int type();

  /**
   * The critical bit of the generic header. RFC 7296 2.5 has senders clear it on every payload type
   * the RFC defines and receivers ignore it on types they know, so only {@link UnknownPayload}
   * carries one.
   */
  default boolean critical() {
    return false;
  }
}
