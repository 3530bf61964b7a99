package dev.vpngw.ikev2.message;

/**
 * IKEv2 payload type numbers (RFC 7296 3.2, RFC 7383 2.5 for SKF), as carried in the Next Payload
 * fields of the header and of each generic payload header.
 */
public final class PayloadType {
  /** No next payload: ends the chain. */
  public static final int NONE = 0;

  /** Security Association (RFC 7296 3.3). */
  public static final int SA = 33;

  /** Key Exchange (RFC 7296 3.4). */
  public static final int KE = 34;

  /** Identification of the initiator (RFC 7296 3.5). */
  public static final int IDI = 35;

  /** Identification of the responder (RFC 7296 3.5). */
  public static final int IDR = 36;

  /** Certificate (RFC 7296 3.6). */
  public static final int CERT = 37;

  /** Certificate Request (RFC 7296 3.7). */
  public static final int CERTREQ = 38;

  /** Authentication (RFC 7296 3.8). */
  public static final int AUTH = 39;

  /** Nonce (RFC 7296 3.9). */
  public static final int NONCE = 40;

  /** Notify (RFC 7296 3.10). */
  public static final int NOTIFY = 41;

  /** Delete (RFC 7296 3.11). */
  public static final int DELETE = 42;

  /** Vendor ID (RFC 7296 3.12). */
  public static final int VENDOR_ID = 43;

  /** Traffic Selector, initiator (RFC 7296 3.13). */
  public static final int TSI = 44;

  /** Traffic Selector, responder (RFC 7296 3.13). */
  public static final int TSR = 45;

  /** Encrypted and Authenticated (RFC 7296 3.14). */
  public static final int SK = 46;

  /** Configuration (RFC 7296 3.15). */
  public static final int CP = 47;

  /** Extensible Authentication (RFC 7296 3.16). */
  public static final int EAP = 48;

  /** Encrypted and Authenticated Fragment (RFC 7383 2.5). */
  public static final int SKF = 53;

  private PayloadType() {}

  /** True for the types this package decodes into their own record. */
  public static boolean isKnown(int type) {
    return (type >= SA && type <= EAP) || type == SKF;
  }

  /** The registry name of a payload type, or {@code PAYLOAD(n)} for one we do not know. */
  public static String name(int type) {
    return switch (type) {
      case NONE -> "NONE";
      case SA -> "SA";
      case KE -> "KE";
      case IDI -> "IDi";
      case IDR -> "IDr";
      case CERT -> "CERT";
      case CERTREQ -> "CERTREQ";
      case AUTH -> "AUTH";
      case NONCE -> "Nonce";
      case NOTIFY -> "N";
      case DELETE -> "D";
      case VENDOR_ID -> "V";
      case TSI -> "TSi";
      case TSR -> "TSr";
      case SK -> "SK";
      case CP -> "CP";
      case EAP -> "EAP";
      case SKF -> "SKF";
      default -> "PAYLOAD(" + type + ")";
    };
  }
}
