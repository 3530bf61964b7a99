package dev.vpngw.crypto.jdk;

import static dev.vpngw.crypto.jdk.JdkEngine.TAG_LENGTH;
import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.crypto.EspSuite;
import dev.vpngw.io.buffer.PacketBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * AES-GCM (RFC 4106) and ChaCha20-Poly1305 (RFC 7634) ESP through the JCE. The nonce is the 4-byte
 * salt from the key material followed by the packet's 8-byte explicit IV, which a sealer sets to
 * the 64-bit sequence number (unique per key, RFC 4106 3.1); the AAD is SPI | [seq high] | seq low
 * (RFC 4106 5, RFC 7634 2.1).
 *
 * <p>The JCE refuses to encrypt twice in a row under the same key and nonce (GCM and ChaCha20 both
 * check), so sealing the same sequence number twice throws; a correct sequence counter never asks
 * for that.
 */
final class JdkAeadCipher extends JdkCombinedCipher {
  private static final int TEXT_OFFSET = ESP_HEADER_LENGTH + IV_LENGTH;

  private final byte[] aad = new byte[12];
  private final UnsafeBuffer aadView = new UnsafeBuffer(aad);

  JdkAeadCipher(EspSuite suite, byte[] keyMaterial, boolean outbound) {
    super(suite, keyMaterial, outbound);
  }

  @Override
  public void seal(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
    checkUsable(true);
    UnsafeBuffer packet = buf.buffer();
    useSequenceAsIv(packet, espOffset, seq);
    int aadLength = aad(packet, espOffset, seq, esn);
    byte[] in = scratch.in(textLength + TAG_LENGTH);
    byte[] out = scratch.out(textLength + TAG_LENGTH);
    packet.getBytes(espOffset + TEXT_OFFSET, in, 0, textLength);
    try {
      init(Cipher.ENCRYPT_MODE);
      cipher.updateAAD(aad, 0, aadLength);
      int written = cipher.doFinal(in, 0, textLength, out, 0);
      packet.putBytes(espOffset + TEXT_OFFSET, out, 0, written);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(suite() + " seal failed", e);
    }
  }

  @Override
  public boolean open(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
    checkUsable(false);
    if (!fits(buf.capacity(), espOffset, IV_LENGTH, textLength, TAG_LENGTH)) {
      return false;
    }
    UnsafeBuffer packet = buf.buffer();
    // The receiver takes the IV from the packet, whatever the sender chose (RFC 4106 3.1).
    usePacketIv(packet, espOffset);
    int aadLength = aad(packet, espOffset, seq, esn);
    byte[] in = scratch.in(textLength + TAG_LENGTH);
    byte[] out = scratch.out(textLength + TAG_LENGTH);
    packet.getBytes(espOffset + TEXT_OFFSET, in, 0, textLength + TAG_LENGTH);
    initForOpen();
    try {
      cipher.updateAAD(aad, 0, aadLength);
      int written = cipher.doFinal(in, 0, textLength + TAG_LENGTH, out, 0);
      packet.putBytes(espOffset + TEXT_OFFSET, out, 0, written);
      return true;
    } catch (GeneralSecurityException e) {
      // AEADBadTagException in practice: a forged or corrupted packet, dropped by the caller.
      return false;
    }
  }

  @Override
  protected void release() {
    super.release();
    Arrays.fill(aad, (byte) 0);
  }

  private int aad(UnsafeBuffer packet, int espOffset, long seq, boolean esn) {
    aadView.putInt(0, packet.getInt(espOffset));
    if (esn) {
      aadView.putInt(4, (int) (seq >>> 32), BIG_ENDIAN);
      aadView.putInt(8, packet.getInt(espOffset + 4));
      return 12;
    }
    aadView.putInt(4, packet.getInt(espOffset + 4));
    return 8;
  }
}
