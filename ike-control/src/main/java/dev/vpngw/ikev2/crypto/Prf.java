package dev.vpngw.ikev2.crypto;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * IKEv2 pseudorandom functions (transform type 2, RFC 7296 3.3.2) and the prf+ expansion of RFC
 * 7296 2.13. Only the HMAC family is offered: HMAC takes a key of any length, so the "first half of
 * each nonce" rule that RFC 7296 2.14 sets for fixed-key PRFs (AES-XCBC, AES-CMAC) never applies
 * here.
 */
public enum Prf {
  /** PRF_HMAC_SHA1 (RFC 2104); kept for old peers, weak by today's standards. */
  HMAC_SHA1(2, "HmacSHA1", 20),
  /** PRF_HMAC_SHA2_256 (RFC 4868). */
  HMAC_SHA2_256(5, "HmacSHA256", 32),
  /** PRF_HMAC_SHA2_384 (RFC 4868). */
  HMAC_SHA2_384(6, "HmacSHA384", 48),
  /** PRF_HMAC_SHA2_512 (RFC 4868). */
  HMAC_SHA2_512(7, "HmacSHA512", 64);

  private final int id;
  private final String jceName;
  private final int outputLength;

  Prf(int id, String jceName, int outputLength) {
    this.id = id;
    this.jceName = jceName;
    this.outputLength = outputLength;
  }

  /** The IANA transform id. */
  public int id() {
    return id;
  }

  /** The PRF with IANA transform id {@code id}, or null if we do not implement it. */
  public static Prf byId(int id) {
    for (Prf prf : values()) {
      if (prf.id == id) {
        return prf;
      }
    }
    return null;
  }

  /** Length in bytes of one PRF output block. */
  public int outputLength() {
    return outputLength;
  }

  /**
   * The key length RFC 7296 2.13 and 2.14 use for SK_d, SK_pi and SK_pr. For HMAC (RFC 4868 2.1.2)
   * that is the output length.
   */
  public int preferredKeyLength() {
    return outputLength;
  }

  /** prf(key, data[0] | data[1] | ...). */
  public byte[] compute(byte[] key, byte[]... data) {
    Mac mac = newMac(key);
    for (byte[] part : data) {
      mac.update(part);
    }
    return mac.doFinal();
  }

  /**
   * prf+ (RFC 7296 2.13): T1 | T2 | ... truncated to {@code length}, where T1 = prf(K, S | 0x01)
   * and Tn = prf(K, Tn-1 | S | n). The one-byte counter limits the output to 255 blocks.
   */
  public byte[] plus(byte[] key, byte[] seed, int length) {
    if (length < 0 || length > 255 * outputLength) {
      throw new IllegalArgumentException(
          "prf+ of " + this + " yields at most " + 255 * outputLength + " bytes, asked " + length);
    }
    Mac mac = newMac(key);
    byte[] out = new byte[length];
    byte[] previous = new byte[0];
    int done = 0;
    for (int counter = 1; done < length; counter++) {
      mac.update(previous);
      mac.update(seed);
      mac.update((byte) counter);
      byte[] block = mac.doFinal();
      int n = Math.min(block.length, length - done);
      System.arraycopy(block, 0, out, done, n);
      done += n;
      Arrays.fill(previous, (byte) 0);
      previous = block;
    }
    Arrays.fill(previous, (byte) 0);
    return out;
  }

  /** The JCE name of the HMAC, also used by {@link IkeIntegrity}. */
  String jceName() {
    return jceName;
  }

  private Mac newMac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(jceName);
      mac.init(hmacKey(key, jceName));
      return mac;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(jceName + " missing from the JDK", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(jceName + " refused its key", e);
    }
  }

  /**
   * An HMAC key spec. HMAC pads a short key with zeros to the block size (RFC 2104 2), so an empty
   * key is the same as a single zero byte; the JCE refuses empty keys, hence the substitute.
   */
  static SecretKeySpec hmacKey(byte[] key, String jceName) {
    return new SecretKeySpec(key.length == 0 ? new byte[1] : key, jceName);
  }
}
