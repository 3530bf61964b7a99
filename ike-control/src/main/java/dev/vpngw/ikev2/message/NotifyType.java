package dev.vpngw.ikev2.message;

/**
 * Notify message types (RFC 7296 3.10.1 and the IANA "IKEv2 Notify Message Types" registry): error
 * types below {@value #FIRST_STATUS_TYPE}, status types from it on. The extensions we meet in
 * practice (MOBIKE, multiple authentication, redirect, fragmentation, signature hashes) are listed
 * too.
 */
public final class NotifyType {
  /** The first status type; every type below it is an error (RFC 7296 3.10.1). */
  public static final int FIRST_STATUS_TYPE = 16384;

  /**
   * A critical payload type was not understood (RFC 7296 2.5); data is the one-byte payload type.
   */
  public static final int UNSUPPORTED_CRITICAL_PAYLOAD = 1;

  /** The message named an IKE SA we do not have. */
  public static final int INVALID_IKE_SPI = 4;

  /** The major version is not one we speak; data is the highest we do. */
  public static final int INVALID_MAJOR_VERSION = 5;

  /** A protected message was authentic but malformed; only sent inside SK (RFC 7296 3.10.1). */
  public static final int INVALID_SYNTAX = 7;

  /** The message id was outside the window. */
  public static final int INVALID_MESSAGE_ID = 9;

  /** An ESP or AH packet arrived for an unknown SPI. */
  public static final int INVALID_SPI = 11;

  /** None of the proposed cryptographic suites was acceptable. */
  public static final int NO_PROPOSAL_CHOSEN = 14;

  /** The KE payload's group was not the one selected; data is the accepted group. */
  public static final int INVALID_KE_PAYLOAD = 17;

  /** The AUTH payload did not verify. */
  public static final int AUTHENTICATION_FAILED = 24;

  /** The responder accepts only a single pair of traffic selectors. */
  public static final int SINGLE_PAIR_REQUIRED = 34;

  /** The responder will not accept more Child SAs on this IKE SA. */
  public static final int NO_ADDITIONAL_SAS = 35;

  /** No internal address could be assigned. */
  public static final int INTERNAL_ADDRESS_FAILURE = 36;

  /** A configuration payload was required but absent. */
  public static final int FAILED_CP_REQUIRED = 37;

  /** None of the traffic selectors were acceptable. */
  public static final int TS_UNACCEPTABLE = 38;

  /** An ESP packet did not match its SA's selectors. */
  public static final int INVALID_SELECTORS = 39;

  /** Retry later: the responder is rekeying (RFC 7296 2.25). */
  public static final int TEMPORARY_FAILURE = 43;

  /** The Child SA to rekey does not exist (RFC 7296 2.25). */
  public static final int CHILD_SA_NOT_FOUND = 44;

  /** The sender has no other IKE SA with the receiver (RFC 7296 2.4). */
  public static final int INITIAL_CONTACT = 16384;

  /** The sender's message window size (RFC 7296 2.3). */
  public static final int SET_WINDOW_SIZE = 16385;

  /** The responder narrowed the traffic selectors (RFC 7296 2.9). */
  public static final int ADDITIONAL_TS_POSSIBLE = 16386;

  /** IP compression is offered (RFC 7296 2.22). */
  public static final int IPCOMP_SUPPORTED = 16387;

  /** Hash of the sender's SPIs, address and port (RFC 7296 2.23). */
  public static final int NAT_DETECTION_SOURCE_IP = 16388;

  /** Hash of the SPIs and the receiver's address and port (RFC 7296 2.23). */
  public static final int NAT_DETECTION_DESTINATION_IP = 16389;

  /** Anti-clogging cookie (RFC 7296 2.6). */
  public static final int COOKIE = 16390;

  /** Transport mode is requested (RFC 7296 1.3.1). */
  public static final int USE_TRANSPORT_MODE = 16391;

  /** Certificates may be fetched by URL (RFC 7296 3.6). */
  public static final int HTTP_CERT_LOOKUP_SUPPORTED = 16392;

  /** This CREATE_CHILD_SA rekeys the Child SA named by the SPI (RFC 7296 1.3.3). */
  public static final int REKEY_SA = 16393;

  /** The sender does not accept TFC padding (RFC 7296 1.3.1). */
  public static final int ESP_TFC_PADDING_NOT_SUPPORTED = 16394;

  /** Non-initial IP fragments are sent on this SA (RFC 7296 1.3.1). */
  public static final int NON_FIRST_FRAGMENTS_ALSO = 16395;

  /** MOBIKE is supported (RFC 4555 3.1). */
  public static final int MOBIKE_SUPPORTED = 16396;

  /** An additional IPv4 address of the sender (RFC 4555 3.6). */
  public static final int ADDITIONAL_IP4_ADDRESS = 16397;

  /** An additional IPv6 address of the sender (RFC 4555 3.6). */
  public static final int ADDITIONAL_IP6_ADDRESS = 16398;

  /** The sender has no additional addresses (RFC 4555 3.6). */
  public static final int NO_ADDITIONAL_ADDRESSES = 16399;

  /** The SAs should move to this message's addresses (RFC 4555 3.5). */
  public static final int UPDATE_SA_ADDRESSES = 16400;

  /** Return routability check (RFC 4555 3.5). */
  public static final int COOKIE2 = 16401;

  /** NAT between the peers is not allowed (RFC 4555 3.9). */
  public static final int NO_NATS_ALLOWED = 16402;

  /** Seconds until the peer must reauthenticate (RFC 4478). */
  public static final int AUTH_LIFETIME = 16403;

  /** Multiple authentication rounds are supported (RFC 4739). */
  public static final int MULTIPLE_AUTH_SUPPORTED = 16404;

  /** Another authentication round follows (RFC 4739). */
  public static final int ANOTHER_AUTH_FOLLOWS = 16405;

  /** Gateway redirection is supported (RFC 5685). */
  public static final int REDIRECT_SUPPORTED = 16406;

  /** Go to this other gateway (RFC 5685). */
  public static final int REDIRECT = 16407;

  /** The client was redirected from this gateway (RFC 5685). */
  public static final int REDIRECTED_FROM = 16408;

  /** EAP-only authentication of the responder is acceptable (RFC 5998). */
  public static final int EAP_ONLY_AUTHENTICATION = 16417;

  /** An IKE SA without a Child SA is supported (RFC 6023). */
  public static final int CHILDLESS_IKEV2_SUPPORTED = 16418;

  /** Message id synchronisation for HA is supported (RFC 6311). */
  public static final int IKEV2_MESSAGE_ID_SYNC_SUPPORTED = 16420;

  /** IKE fragmentation is supported (RFC 7383 2.3). */
  public static final int IKEV2_FRAGMENTATION_SUPPORTED = 16430;

  /** Hash algorithms accepted for digital signatures (RFC 7427 4). */
  public static final int SIGNATURE_HASH_ALGORITHMS = 16431;

  private NotifyType() {}

  /** True for error types, which make a response fail the request (RFC 7296 3.10.1). */
  public static boolean isError(int type) {
    return type < FIRST_STATUS_TYPE;
  }

  /** The registry name of a notify type, or {@code NOTIFY(n)} for one we do not know. */
  public static String name(int type) {
    return switch (type) {
      case UNSUPPORTED_CRITICAL_PAYLOAD -> "UNSUPPORTED_CRITICAL_PAYLOAD";
      case INVALID_IKE_SPI -> "INVALID_IKE_SPI";
      case INVALID_MAJOR_VERSION -> "INVALID_MAJOR_VERSION";
      case INVALID_SYNTAX -> "INVALID_SYNTAX";
      case INVALID_MESSAGE_ID -> "INVALID_MESSAGE_ID";
      case INVALID_SPI -> "INVALID_SPI";
      case NO_PROPOSAL_CHOSEN -> "NO_PROPOSAL_CHOSEN";
      case INVALID_KE_PAYLOAD -> "INVALID_KE_PAYLOAD";
      case AUTHENTICATION_FAILED -> "AUTHENTICATION_FAILED";
      case SINGLE_PAIR_REQUIRED -> "SINGLE_PAIR_REQUIRED";
      case NO_ADDITIONAL_SAS -> "NO_ADDITIONAL_SAS";
      case INTERNAL_ADDRESS_FAILURE -> "INTERNAL_ADDRESS_FAILURE";
      case FAILED_CP_REQUIRED -> "FAILED_CP_REQUIRED";
      case TS_UNACCEPTABLE -> "TS_UNACCEPTABLE";
      case INVALID_SELECTORS -> "INVALID_SELECTORS";
      case TEMPORARY_FAILURE -> "TEMPORARY_FAILURE";
      case CHILD_SA_NOT_FOUND -> "CHILD_SA_NOT_FOUND";
      case INITIAL_CONTACT -> "INITIAL_CONTACT";
      case SET_WINDOW_SIZE -> "SET_WINDOW_SIZE";
      case ADDITIONAL_TS_POSSIBLE -> "ADDITIONAL_TS_POSSIBLE";
      case IPCOMP_SUPPORTED -> "IPCOMP_SUPPORTED";
      case NAT_DETECTION_SOURCE_IP -> "NAT_DETECTION_SOURCE_IP";
      case NAT_DETECTION_DESTINATION_IP -> "NAT_DETECTION_DESTINATION_IP";
      case COOKIE -> "COOKIE";
      case USE_TRANSPORT_MODE -> "USE_TRANSPORT_MODE";
      case HTTP_CERT_LOOKUP_SUPPORTED -> "HTTP_CERT_LOOKUP_SUPPORTED";
      case REKEY_SA -> "REKEY_SA";
      case ESP_TFC_PADDING_NOT_SUPPORTED -> "ESP_TFC_PADDING_NOT_SUPPORTED";
      case NON_FIRST_FRAGMENTS_ALSO -> "NON_FIRST_FRAGMENTS_ALSO";
      case MOBIKE_SUPPORTED -> "MOBIKE_SUPPORTED";
      case ADDITIONAL_IP4_ADDRESS -> "ADDITIONAL_IP4_ADDRESS";
      case ADDITIONAL_IP6_ADDRESS -> "ADDITIONAL_IP6_ADDRESS";
      case NO_ADDITIONAL_ADDRESSES -> "NO_ADDITIONAL_ADDRESSES";
      case UPDATE_SA_ADDRESSES -> "UPDATE_SA_ADDRESSES";
      case COOKIE2 -> "COOKIE2";
      case NO_NATS_ALLOWED -> "NO_NATS_ALLOWED";
      case AUTH_LIFETIME -> "AUTH_LIFETIME";
      case MULTIPLE_AUTH_SUPPORTED -> "MULTIPLE_AUTH_SUPPORTED";
      case ANOTHER_AUTH_FOLLOWS -> "ANOTHER_AUTH_FOLLOWS";
      case REDIRECT_SUPPORTED -> "REDIRECT_SUPPORTED";
      case REDIRECT -> "REDIRECT";
      case REDIRECTED_FROM -> "REDIRECTED_FROM";
      case EAP_ONLY_AUTHENTICATION -> "EAP_ONLY_AUTHENTICATION";
      case CHILDLESS_IKEV2_SUPPORTED -> "CHILDLESS_IKEV2_SUPPORTED";
      case IKEV2_MESSAGE_ID_SYNC_SUPPORTED -> "IKEV2_MESSAGE_ID_SYNC_SUPPORTED";
      case IKEV2_FRAGMENTATION_SUPPORTED -> "IKEV2_FRAGMENTATION_SUPPORTED";
      case SIGNATURE_HASH_ALGORITHMS -> "SIGNATURE_HASH_ALGORITHMS";
      default -> "NOTIFY(" + type + ")";
    };
  }
}
