package dev.vpngw.crypto.jdk;

import static dev.vpngw.crypto.jdk.JdkEngine.TAG_LENGTH;
import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.crypto.EspSuite;
import dev.vpngw.io.buffer.PacketBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ENCR_NULL_AUTH_AES_GMAC ESP (RFC 4543) through the JCE: AES-GCM with an empty plaintext, whose
 * tag over AAD = SPI | [seq high] | seq low | IV | text is the ICV (RFC 4543 3.1, 5). Nothing is
 * encrypted. The nonce is built as for GCM ESP: salt then the packet's 8-byte IV.
 *
 * <p>With ESN the high half of the sequence number sits between the SPI and the rest of the packet
 * in the AAD, so the AAD is assembled in the scratch array (SPI, seq high, then the packet from seq
 * low onwards) and handed to the Cipher in one call.
 */
final class JdkGmacCipher extends JdkCombinedCipher {
  private final UnsafeBuffer inView = new UnsafeBuffer(0, 0);

  JdkGmacCipher(EspSuite suite, byte[] keyMaterial, boolean outbound) {
    super(suite, keyMaterial, outbound);
  }

  @Override
  public void seal(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
    checkUsable(true);
    UnsafeBuffer packet = buf.buffer();
    useSequenceAsIv(packet, espOffset, seq);
    int aadLength = aad(packet, espOffset, textLength, seq, esn, 0);
    byte[] out = scratch.out(TAG_LENGTH);
    try {
      init(Cipher.ENCRYPT_MODE);
      cipher.updateAAD(scratch.in(aadLength), 0, aadLength);
      int written = cipher.doFinal(out, 0);
      packet.putBytes(espOffset + ESP_HEADER_LENGTH + IV_LENGTH + textLength, out, 0, written);
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
    usePacketIv(packet, espOffset);
    // The ICV travels right after the text, so it lands in the scratch array right after the AAD.
    int aadLength = aad(packet, espOffset, textLength, seq, esn, TAG_LENGTH);
    byte[] in = scratch.in(aadLength + TAG_LENGTH);
    initForOpen();
    try {
      cipher.updateAAD(in, 0, aadLength);
      cipher.doFinal(in, aadLength, TAG_LENGTH, scratch.out(TAG_LENGTH), 0);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * Copies SPI | [seq high] | seq low | IV | text (and {@code extra} bytes after it) into the input
   * scratch array; returns the AAD length.
   */
  private int aad(
      UnsafeBuffer packet, int espOffset, int textLength, long seq, boolean esn, int extra) {
    int tail = 4 + IV_LENGTH + textLength;
    int aadLength = (esn ? 8 : 4) + tail;
    byte[] in = scratch.in(aadLength + extra);
    inView.wrap(in);
    inView.putInt(0, packet.getInt(espOffset));
    if (esn) {
      inView.putInt(4, (int) (seq >>> 32), BIG_ENDIAN);
    }
    packet.getBytes(espOffset + 4, in, aadLength - tail, tail + extra);
    return aadLength;
  }
}
