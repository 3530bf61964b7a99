package dev.vpngw.crypto.jdk;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.crypto.AbstractEspCipher;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.IvSource;
import dev.vpngw.io.buffer.PacketBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * AES-CBC (RFC 3602) or 3DES-CBC (RFC 2451) with HMAC-SHA1-96 (RFC 2404) or HMAC-SHA-2 (RFC 4868)
 * ESP through the JCE, encrypt-then-MAC: the HMAC covers SPI | seq low | IV | ciphertext and, with
 * ESN, the implied seq high appended (RFC 4303 3.3.2.1); the ICV is its truncation. Inbound packets
 * are verified before anything is decrypted.
 *
 * <p>The Cipher is initialised once with an all-zero IV and never again: CBC with IV v over P1, P2,
 * ... equals CBC with a zero IV over (P1 xor v), P2, ..., because the first block's input is P1 xor
 * v either way and later blocks chain on ciphertext alone. So sealing xors the fresh IV into the
 * first plaintext block and opening xors it into the first decrypted block, and {@code doFinal}
 * (which resets the Cipher to its zero IV) replaces a per-packet {@code init} with its allocation.
 */
final class JdkCbcHmacCipher extends AbstractEspCipher {
  private final Cipher cipher;
  private final Mac mac;
  private final int blockSize;
  private final int ivLength;
  private final int icvLength;
  private final byte[] digest;
  private final byte[] seqHigh = new byte[4];
  private final UnsafeBuffer seqHighView = new UnsafeBuffer(seqHigh);
  private final Scratch scratch = new Scratch();
  private final IvSource ivSource;

  JdkCbcHmacCipher(EspSuite suite, byte[] encryptionKey, byte[] integrityKey, boolean outbound) {
    super(suite, outbound);
    Encryption encryption = suite.encryption();
    this.blockSize = encryption.paddingAlignment();
    this.ivLength = encryption.ivLength();
    this.icvLength = suite.icvLength();
    try {
      this.cipher = Cipher.getInstance(JdkEngine.transformation(encryption));
      cipher.init(
          outbound ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE,
          new SecretKeySpec(encryptionKey, JdkEngine.keyAlgorithm(encryption)),
          new IvParameterSpec(new byte[ivLength]));
      String macAlgorithm = JdkEngine.macAlgorithm(suite.integrity());
      this.mac = Mac.getInstance(macAlgorithm);
      mac.init(new SecretKeySpec(integrityKey, macAlgorithm));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCE cannot key " + suite, e);
    }
    this.digest = new byte[mac.getMacLength()];
    this.ivSource = outbound ? new IvSource() : null;
  }

  @Override
  public void seal(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
    checkUsable(true);
    checkWholeBlocks(textLength, blockSize);
    UnsafeBuffer packet = buf.buffer();
    int ivOffset = ESP_HEADER_LENGTH;
    int textOffset = ivOffset + ivLength;
    ivSource.next(packet, espOffset + ivOffset, ivLength);
    byte[] in = scratch.in(textOffset + textLength);
    byte[] out = scratch.out(textLength);
    packet.getBytes(espOffset, in, 0, textOffset + textLength);
    for (int i = 0; i < blockSize; i++) {
      in[textOffset + i] ^= in[ivOffset + i];
    }
    try {
      cipher.doFinal(in, textOffset, textLength, out, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(suite() + " seal failed", e);
    }
    packet.putBytes(espOffset + textOffset, out, 0, textLength);
    mac.update(in, 0, textOffset);
    mac.update(out, 0, textLength);
    finishMac(seq, esn);
    packet.putBytes(espOffset + textOffset + textLength, digest, 0, icvLength);
  }

  @Override
  public boolean open(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
    checkUsable(false);
    if (!wholeBlocks(textLength, blockSize)
        || !fits(buf.capacity(), espOffset, ivLength, textLength, icvLength)) {
      return false;
    }
    UnsafeBuffer packet = buf.buffer();
    int ivOffset = ESP_HEADER_LENGTH;
    int textOffset = ivOffset + ivLength;
    int icvOffset = textOffset + textLength;
    byte[] in = scratch.in(icvOffset + icvLength);
    byte[] out = scratch.out(textLength);
    packet.getBytes(espOffset, in, 0, icvOffset + icvLength);
    mac.update(in, 0, icvOffset);
    finishMac(seq, esn);
    if (!constantTimeEquals(digest, in, icvOffset, icvLength)) {
      return false;
    }
    try {
      cipher.doFinal(in, textOffset, textLength, out, 0);
    } catch (GeneralSecurityException e) {
      return false;
    }
    for (int i = 0; i < blockSize; i++) {
      out[i] ^= in[ivOffset + i];
    }
    packet.putBytes(espOffset + textOffset, out, 0, textLength);
    return true;
  }

  @Override
  protected void release() {
    scratch.wipe();
    Arrays.fill(digest, (byte) 0);
  }

  private void finishMac(long seq, boolean esn) {
    if (esn) {
      seqHighView.putInt(0, (int) (seq >>> 32), BIG_ENDIAN);
      mac.update(seqHigh, 0, 4);
    }
    try {
      mac.doFinal(digest, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(suite() + " HMAC failed", e);
    }
  }

  /** Compares without an early exit, so the time taken does not say how many bytes matched. */
  private static boolean constantTimeEquals(
      byte[] expected, byte[] actual, int offset, int length) {
    int diff = 0;
    for (int i = 0; i < length; i++) {
      diff |= expected[i] ^ actual[offset + i];
    }
    return diff == 0;
  }
}
