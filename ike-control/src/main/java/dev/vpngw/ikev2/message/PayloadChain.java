package dev.vpngw.ikev2.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes and encodes a chain of payloads (RFC 7296 3.2): each starts with the generic payload
 * header, whose Next Payload field gives the type of the payload after it. The SK and SKF payloads
 * end a chain; their Next Payload field instead holds the type of the first payload inside them
 * (RFC 7296 3.14, RFC 7383 2.5).
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Decoding is strict about sizes: a payload length below 4 or beyond the bytes that remain, and
 * bytes left over after the last payload, are {@link IkeParseException.Reason#MALFORMED}. Each
 * payload consumes at least its 4-byte header, so a chain is decoded in at most {@code length / 4}
 * steps whatever the input.
 */
public final class PayloadChain {
  /** Length of the generic payload header. */
  public static final int HEADER_LENGTH = 4;

  /** Largest payload, header included: the Payload Length field has 16 bits. */
  public static final int MAX_PAYLOAD_LENGTH = 0xFFFF;

  private static final int CRITICAL = 0x80;

  private PayloadChain() {}

  /**
   * Decodes the payloads in {@code buf[offset, offset + length)}, the first of type {@code
   * firstType} (from the IKE header, or from an SK payload for the inner chain).
   *
   * @throws IndexOutOfBoundsException if the range is not inside the array
   */
  public static List<Payload> decode(byte[] buf, int offset, int length, int firstType)
      throws IkeParseException {
    Objects.checkFromIndexSize(offset, length, buf.length);
    WireReader r = new WireReader(buf, offset, length);
    List<Payload> payloads = new ArrayList<>();
    int type = firstType;
    while (type != PayloadType.NONE) {
      int next = r.u8("payload header");
      boolean critical = (r.u8("payload header") & CRITICAL) != 0;
      int payloadLength = r.u16("payload header");
      if (payloadLength < HEADER_LENGTH) {
        throw IkeParseException.malformed(
            PayloadType.name(type) + " payload length " + payloadLength);
      }
      WireReader body = r.slice(payloadLength - HEADER_LENGTH, PayloadType.name(type) + " payload");
      payloads.add(decodeBody(type, critical, next, body));
      if (type == PayloadType.SK || type == PayloadType.SKF) {
        break;
      }
      type = next;
    }
    r.expectEnd("payload chain");
    return payloads;
  }

  private static Payload decodeBody(int type, boolean critical, int next, WireReader body)
      throws IkeParseException {
    return switch (type) {
      case PayloadType.SA -> SaPayload.decode(body);
      case PayloadType.KE -> KePayload.decode(body);
      case PayloadType.IDI -> IdPayload.decode(body, true);
      case PayloadType.IDR -> IdPayload.decode(body, false);
      case PayloadType.CERT -> CertPayload.decode(body);
      case PayloadType.CERTREQ -> CertReqPayload.decode(body);
      case PayloadType.AUTH -> AuthPayload.decode(body);
      case PayloadType.NONCE -> NoncePayload.decode(body);
      case PayloadType.NOTIFY -> NotifyPayload.decode(body);
      case PayloadType.DELETE -> DeletePayload.decode(body);
      case PayloadType.VENDOR_ID -> VendorIdPayload.decode(body);
      case PayloadType.TSI -> TsPayload.decode(body, true);
      case PayloadType.TSR -> TsPayload.decode(body, false);
      case PayloadType.SK -> new EncryptedPayload(next, body.rest());
      case PayloadType.CP -> ConfigPayload.decode(body);
      case PayloadType.EAP -> new EapPayload(body.rest());
      case PayloadType.SKF -> EncryptedFragmentPayload.decode(body, next);
      default -> new UnknownPayload(type, critical, body.rest());
    };
  }

  /**
   * Encodes the payloads with their generic headers and Next Payload fields.
   *
   * @throws IllegalArgumentException if an SK or SKF payload is not the last one, or a payload is
   *     longer than {@value #MAX_PAYLOAD_LENGTH} bytes
   */
  public static byte[] encode(List<Payload> payloads) {
    WireWriter w = new WireWriter();
    encode(w, payloads);
    return w.toByteArray();
  }

  static void encode(WireWriter w, List<Payload> payloads) {
    for (int i = 0; i < payloads.size(); i++) {
      Payload p = payloads.get(i);
      boolean last = i == payloads.size() - 1;
      int next;
      if (p instanceof EncryptedPayload sk) {
        next = sk.firstInnerType();
      } else if (p instanceof EncryptedFragmentPayload skf) {
        next = skf.firstInnerType();
      } else {
        next = last ? PayloadType.NONE : payloads.get(i + 1).type();
      }
      if (!last && (p.type() == PayloadType.SK || p.type() == PayloadType.SKF)) {
        throw new IllegalArgumentException(
            PayloadType.name(p.type()) + " must be the last payload");
      }
      int start = w.size();
      w.u8(next).u8(p.critical() ? CRITICAL : 0).u16(0);
      encodeBody(p, w);
      int length = w.size() - start;
      if (length > MAX_PAYLOAD_LENGTH) {
        throw new IllegalArgumentException(p + " is longer than " + MAX_PAYLOAD_LENGTH + " bytes");
      }
      w.patchU16(start + 2, length);
    }
  }

  private static void encodeBody(Payload p, WireWriter w) {
    switch (p) {
      case SaPayload sa -> sa.encodeBody(w);
      case KePayload ke -> ke.encodeBody(w);
      case IdPayload id -> id.encodeBody(w);
      case CertPayload cert -> cert.encodeBody(w);
      case CertReqPayload certReq -> certReq.encodeBody(w);
      case AuthPayload auth -> auth.encodeBody(w);
      case NoncePayload nonce -> nonce.encodeBody(w);
      case NotifyPayload notify -> notify.encodeBody(w);
      case DeletePayload delete -> delete.encodeBody(w);
      case VendorIdPayload vendor -> vendor.encodeBody(w);
      case TsPayload ts -> ts.encodeBody(w);
      case EncryptedPayload sk -> sk.encodeBody(w);
      case ConfigPayload cp -> cp.encodeBody(w);
      case EapPayload eap -> eap.encodeBody(w);
      case EncryptedFragmentPayload skf -> skf.encodeBody(w);
      case UnknownPayload unknown -> unknown.encodeBody(w);
    }
  }

  /** The type of the first payload, for the Next Payload field before it; NONE if empty. */
  public static int firstType(List<Payload> payloads) {
    return payloads.isEmpty() ? PayloadType.NONE : payloads.getFirst().type();
  }
}
