package dev.vpngw.ikev2.crypto;

/**
 * The peer's key exchange value is unusable: wrong length, outside the group, on the wrong curve,
 * or it yields a degenerate shared secret (RFC 6989, RFC 8031 2). The IKE layer answers with
 * INVALID_SYNTAX. Messages name the check that failed, never the value.
 */
public final class InvalidKeyExchangeException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A rejection with a reason. */
  public InvalidKeyExchangeException(String reason) {
    super(reason);
  }

  /** A rejection caused by a provider failure. */
  public InvalidKeyExchangeException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
