package dev.vpngw.ikev2;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless cookies against IKE_SA_INIT floods (RFC 7296 2.6): {@code <VersionIDofSecret> | Hash(Ni
 * | IPi | SPIi | <secret>)}, here an HMAC-SHA-256 keyed with a secret that changes every few
 * minutes; a cookie made with the previous secret is still accepted, so none is refused just
 * because the secret rolled over between the two requests.
 */
final class CookieGuard {
  private static final long ROTATE_NANOS = 300_000_000_000L;
  private static final int HASH_LENGTH = 16;

  private final SecureRandom random;
  private byte[] secret = new byte[32];
  private byte[] previous;
  private byte version;
  private long rotatedAtNanos;

  CookieGuard(SecureRandom random, long nowNanos) {
    this.random = random;
    random.nextBytes(secret);
    rotatedAtNanos = nowNanos;
  }

  /** The cookie for this initiator's request. */
  byte[] cookie(byte[] ni, InetAddress from, long spiI, long nowNanos) {
    rotate(nowNanos);
    return make(version, secret, ni, from, spiI);
  }

  /** Whether the request's cookie is one we made for it. */
  boolean valid(byte[] cookie, byte[] ni, InetAddress from, long spiI, long nowNanos) {
    rotate(nowNanos);
    if (cookie == null || cookie.length != 1 + HASH_LENGTH) {
      return false;
    }
    if (cookie[0] == version) {
      return MessageDigest.isEqual(cookie, make(version, secret, ni, from, spiI));
    }
    return previous != null
        && cookie[0] == (byte) (version - 1)
        && MessageDigest.isEqual(cookie, make((byte) (version - 1), previous, ni, from, spiI));
  }

  private void rotate(long nowNanos) {
    if (nowNanos - rotatedAtNanos < ROTATE_NANOS) {
      return;
    }
    previous = secret;
    secret = new byte[32];
    random.nextBytes(secret);
    version++;
    rotatedAtNanos = nowNanos;
  }

  private static byte[] make(byte version, byte[] key, byte[] ni, InetAddress from, long spiI) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(ni);
      mac.update(from.getAddress());
      mac.update(ByteBuffer.allocate(8).putLong(spiI).array());
      byte[] out = new byte[1 + HASH_LENGTH];
      out[0] = version;
      System.arraycopy(mac.doFinal(), 0, out, 1, HASH_LENGTH);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
