package dev.vpngw.ikev2.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The data an AUTH payload covers and the shared-key MIC (RFC 7296 2.15). Each side signs its own
 * first message (the IKE_SA_INIT request for the initiator, the response for the responder) exactly
 * as sent, followed by the peer's nonce data and prf(SK_px, IDx'), where IDx' is the ID payload
 * body from the ID type octet on. With a pre-shared key AUTH = prf(prf(Shared Secret, "Key Pad for
 * IKEv2"), octets).
 */
public final class Auth {
  /** Auth Method 2, Shared Key Message Integrity Code (RFC 7296 3.8). */
  public static final int SHARED_KEY_MIC = 2;

  private static final byte[] KEY_PAD = "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII);

  private Auth() {}

  /**
   * InitiatorSignedOctets or ResponderSignedOctets: {@code firstMessage | peerNonce | prf(skP,
   * idBody)}.
   *
   * @param skP SK_pi for the initiator's AUTH, SK_pr for the responder's
   * @param idBody IDi' or IDr': ID type, three reserved bytes, identification data
   */
  public static byte[] signedOctets(
      byte[] firstMessage, byte[] peerNonce, Prf prf, byte[] skP, byte[] idBody) {
    return IkeKeys.concat(firstMessage, peerNonce, prf.compute(skP, idBody));
  }

  /** The AUTH data for a pre-shared key (RFC 7296 2.15). */
  public static byte[] pskAuth(Prf prf, byte[] sharedSecret, byte[] signedOctets) {
    byte[] padKey = prf.compute(sharedSecret, KEY_PAD);
    byte[] auth = prf.compute(padKey, signedOctets);
    Arrays.fill(padKey, (byte) 0);
    return auth;
  }

  /** Whether {@code authData} is the PSK AUTH for these octets; compares in constant time. */
  public static boolean verifyPsk(
      Prf prf, byte[] sharedSecret, byte[] signedOctets, byte[] authData) {
    return MessageDigest.isEqual(pskAuth(prf, sharedSecret, signedOctets), authData);
  }
}
