package dev.vpngw.crypto;

import dev.vpngw.io.buffer.PacketBuffer;

/**
 * The cryptographic half of one ESP SA in one direction, owned by one worker thread: keyed once
 * when created, then called per packet with nothing allocated. Not thread-safe by design (each SA
 * belongs to exactly one worker).
 *
 * <p>Both calls work in place on an ESP packet that starts at {@code espOffset} (RFC 4303 2):
 *
 * <pre>
 *  espOffset: | SPI (4) | Sequence Number, low 32 bits (4) |
 *             | IV (suite.encryption().ivLength())            |
 *             | plaintext / ciphertext (textLength): payload, padding, pad length, next header |
 *             | ICV (suite.icvLength())                       |
 * </pre>
 *
 * <p>What is authenticated, per RFC: AEAD (RFC 4106 5, RFC 7634 2.1): AAD = SPI | [seq high] | seq
 * low, the text is encrypted. GMAC (RFC 4543 3.1/5): AAD = SPI | [seq high] | seq low | IV | text,
 * nothing is encrypted. CBC + HMAC (RFC 4303 3.3.2.1): the HMAC covers SPI | seq low | IV |
 * ciphertext | [seq high], the high half only implied (not sent). "[seq high]" takes part only when
 * the SA uses extended sequence numbers.
 */
public interface EspCipher extends AutoCloseable {
  /** The transforms this cipher implements. */
  EspSuite suite();

  /**
   * Writes the IV, encrypts {@code textLength} bytes of plaintext in place and writes the ICV after
   * them. The SPI and the low 32 bits of the sequence number are already in the header.
   *
   * @param seq the full 64-bit sequence number of this packet; counter-mode transforms use it as
   *     their IV (RFC 4106 3.1: unique per key because sequence numbers never repeat), CBC writes a
   *     fresh unpredictable IV instead
   * @param esn whether the high 32 bits of {@code seq} take part in the ICV (ESN, RFC 4303 2.2.1)
   */
  void seal(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn);

  /**
   * Verifies the ICV and, only if it verified, decrypts {@code textLength} bytes in place.
   *
   * @param seq the full 64-bit sequence number as reconstructed by the replay window
   * @return true if the ICV verified; false otherwise (the text is then left unspecified and must
   *     be dropped)
   */
  boolean open(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn);

  /** Frees native contexts and wipes key copies. Idempotent. */
  @Override
  void close();
}
