package dev.vpngw.ikev2.message;

/** IKEv2 exchange types (RFC 7296 3.1, IANA "IKEv2 Exchange Types"). */
public final class ExchangeType {
  /** Initial exchange: SA, KE and nonces in the clear (RFC 7296 1.2). */
  public static final int IKE_SA_INIT = 34;

  /** Authentication and the first Child SA, protected (RFC 7296 1.2). */
  public static final int IKE_AUTH = 35;

  /** New or rekeyed Child SA, or IKE SA rekey (RFC 7296 1.3). */
  public static final int CREATE_CHILD_SA = 36;

  /** Notifications, deletes, liveness checks (RFC 7296 1.4). */
  public static final int INFORMATIONAL = 37;

  private ExchangeType() {}

  /** The registry name of an exchange type, or {@code EXCHANGE(n)} for one we do not know. */
  public static String name(int type) {
    return switch (type) {
      case IKE_SA_INIT -> "IKE_SA_INIT";
      case IKE_AUTH -> "IKE_AUTH";
      case CREATE_CHILD_SA -> "CREATE_CHILD_SA";
      case INFORMATIONAL -> "INFORMATIONAL";
      default -> "EXCHANGE(" + type + ")";
    };
  }
}
