package dev.vpngw.ha;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The wire format of {@link Heartbeat}, authenticated with HMAC-SHA256 under the pair's shared key.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     magic 'V' 'H' 'A' '1'                     |
 * +---------------+---------------+---------------+---------------+
 * |    version    |     type      |     role      |   reserved    |
 * +---------------+---------------+---------------+---------------+
 * |                            node id                            |
 * |                            priority                           |
 * |                         epoch (64 bits)                       |
 * |                          lsn (64 bits)                        |
 * |                         stamp (64 bits)                       |
 * +---------------------------------------------------------------+
 * |              HMAC-SHA256 over bytes 0..39 (32 bytes)          |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * One instance per thread (it owns a {@link Mac}).
 */
public final class HeartbeatCodec {
  /** Length of an encoded heartbeat. */
  public static final int LENGTH = 72;

  private static final int MAGIC = 0x56484131; // "VHA1"
  private static final int VERSION = 1;
  private static final int SIGNED = 40;

  private final Mac mac;
  private final byte[] tag = new byte[32];

  /** A codec keyed with the pair's shared key (at least 16 bytes). */
  public HeartbeatCodec(byte[] key) {
    if (key.length < 16) {
      throw new IllegalArgumentException(
          "ha.key must be at least 16 bytes, is " + key.length + " bytes");
    }
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Writes HB into OUT (at its position; {@link #LENGTH} bytes) and signs it. */
  public void encode(Heartbeat hb, ByteBuffer out) {
    int start = out.position();
    out.putInt(MAGIC)
        .put((byte) VERSION)
        .put((byte) hb.type())
        .put((byte) hb.role().code())
        .put((byte) 0)
        .putInt(hb.nodeId())
        .putInt(hb.priority())
        .putLong(hb.epoch())
        .putLong(hb.lsn())
        .putLong(hb.stamp());
    mac.update(out.duplicate().position(start).limit(start + SIGNED));
    try {
      mac.doFinal(tag, 0);
    } catch (javax.crypto.ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    out.put(tag);
  }

  /** The outcome of {@link #decode}. */
  public enum Verdict {
    /** Authentic and well formed. */
    OK,
    /** Wrong length, magic or version, or a bad field. */
    MALFORMED,
    /** The HMAC does not verify: not from a holder of the shared key. */
    UNAUTHENTIC
  }

  /** The decoded heartbeat of the last successful {@link #decode}. */
  private Heartbeat last;

  /**
   * Checks and decodes the datagram in IN (position to limit). On {@link Verdict#OK} the heartbeat
   * is in {@link #decoded()}.
   */
  public Verdict decode(ByteBuffer in) {
    last = null;
    if (in.remaining() != LENGTH) {
      return Verdict.MALFORMED;
    }
    int start = in.position();
    mac.update(in.duplicate().limit(start + SIGNED));
    try {
      mac.doFinal(tag, 0);
    } catch (javax.crypto.ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    byte[] received = new byte[32];
    in.duplicate().position(start + SIGNED).get(received);
    if (!MessageDigest.isEqual(tag, received)) {
      return Verdict.UNAUTHENTIC;
    }
    if (in.getInt(start) != MAGIC || in.get(start + 4) != VERSION) {
      return Verdict.MALFORMED;
    }
    try {
      last =
          new Heartbeat(
              in.get(start + 5),
              in.getInt(start + 8),
              in.getInt(start + 12),
              Role.ofCode(in.get(start + 6)),
              in.getLong(start + 16),
              in.getLong(start + 24),
              in.getLong(start + 32));
    } catch (IllegalArgumentException e) {
      return Verdict.MALFORMED;
    }
    return Verdict.OK;
  }

  /** The heartbeat the last {@link #decode} returned {@link Verdict#OK} for. */
  public Heartbeat decoded() {
    return last;
  }
}
