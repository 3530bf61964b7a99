package dev.vpngw.io.libcrypto;

/**
 * A libcrypto call failed while setting something up (fetching an algorithm, creating or keying a
 * context): the message names the call and carries OpenSSL's error queue. Per-packet calls never
 * throw this; they return OpenSSL's status so a forged packet costs no exception.
 */
public final class LibCryptoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure of {@code call}, with OpenSSL's queued error text appended. */
  public LibCryptoException(String call, String openSslErrors) {
    super(call + " failed" + (openSslErrors.isEmpty() ? "" : ": " + openSslErrors));
  }

  /** A failure of {@code call} caused by {@code cause}. */
  public LibCryptoException(String call, Throwable cause) {
    super(call + " failed: " + cause, cause);
  }
}
