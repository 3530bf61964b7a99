package dev.vpngw.crypto.openssl;

import static dev.vpngw.crypto.openssl.NativeContexts.DIGEST;
import static dev.vpngw.crypto.openssl.NativeContexts.DIGEST_SIZE;
import static dev.vpngw.crypto.openssl.NativeContexts.IV_POOL;
import static dev.vpngw.crypto.openssl.NativeContexts.IV_POOL_SIZE;
import static dev.vpngw.crypto.openssl.NativeContexts.OUT_LENGTH;
import static dev.vpngw.crypto.openssl.NativeContexts.SEQ_HIGH;
import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.crypto.EspSuite;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.libcrypto.LibCrypto;
import java.lang.ref.Reference;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * AES-CBC (RFC 3602) or 3DES-CBC (RFC 2451) with HMAC-SHA1-96 (RFC 2404) or HMAC-SHA-2 (RFC 4868)
 * ESP, encrypt-then-MAC, over a keyed EVP_CIPHER_CTX (padding off: ESP pads to the block itself)
 * and a keyed EVP_MAC_CTX that is restarted per packet without re-keying. The HMAC covers SPI | seq
 * low | IV | ciphertext and, with ESN, the implied seq high after it (RFC 4303 3.3.2.1). Inbound,
 * the truncated ICV is compared in constant time ({@code CRYPTO_memcmp}) and nothing is decrypted
 * unless it matched.
 *
 * <p>Outbound IVs must be unpredictable (RFC 3602 2.3), so they are random: drawn with {@code
 * RAND_bytes} into an off-heap pool a few hundred IVs at a time, which keeps the per-packet cost to
 * a 16-byte copy. (A Java SecureRandom would allocate on every refill.) Used pool bytes are zeroed,
 * so an IV is never served twice, even if a refill fails.
 */
final class OpenSslCbcHmacCipher extends OpenSslCipher {
  private final int blockSize;
  private final int ivLength;
  private final int icvLength;
  private int ivNext = IV_POOL_SIZE;

  OpenSslCbcHmacCipher(
      EspSuite suite, byte[] encryptionKey, byte[] integrityKey, boolean outbound) {
    super(suite, encryptionKey, integrityKey, outbound);
    this.blockSize = suite.encryption().paddingAlignment();
    this.ivLength = suite.encryption().ivLength();
    this.icvLength = suite.icvLength();
  }

  @Override
  public void seal(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
    checkUsable(true);
    checkWholeBlocks(textLength, blockSize);
    checkFits(buf.capacity(), espOffset, ivLength, textLength, icvLength);
    try {
      UnsafeBuffer packet = buf.buffer();
      nextIv(packet, espOffset + ESP_HEADER_LENGTH);
      long ctx = contexts.cipherContext();
      long esp = buf.address() + espOffset;
      long iv = esp + ESP_HEADER_LENGTH;
      long text = iv + ivLength;
      long outLength = scratchAddress + OUT_LENGTH;
      boolean ok =
          LibCrypto.cipherSetIv(ctx, iv) == 1
              && LibCrypto.cipherUpdate(ctx, text, outLength, text, textLength) == 1
              && LibCrypto.cipherFinal(ctx, scratchAddress + DIGEST, outLength) == 1
              && mac(esp, ESP_HEADER_LENGTH + ivLength + textLength, seq, esn);
      if (!ok) {
        throw sealFailed();
      }
      packet.putBytes(
          espOffset + ESP_HEADER_LENGTH + ivLength + textLength, scratch, DIGEST, icvLength);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  @Override
  public boolean open(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
    checkUsable(false);
    if (!wholeBlocks(textLength, blockSize)
        || !fits(buf.capacity(), espOffset, ivLength, textLength, icvLength)) {
      return false;
    }
    try {
      long ctx = contexts.cipherContext();
      long esp = buf.address() + espOffset;
      long iv = esp + ESP_HEADER_LENGTH;
      long text = iv + ivLength;
      long outLength = scratchAddress + OUT_LENGTH;
      // RFC 4303 3.4.4.1: verify first; a forged packet costs one HMAC and no decryption.
      if (!mac(esp, ESP_HEADER_LENGTH + ivLength + textLength, seq, esn)
          || LibCrypto.memcmp(scratchAddress + DIGEST, text + textLength, icvLength) != 0) {
        return false;
      }
      return LibCrypto.cipherSetIv(ctx, iv) == 1
          && LibCrypto.cipherUpdate(ctx, text, outLength, text, textLength) == 1
          && LibCrypto.cipherFinal(ctx, scratchAddress + DIGEST, outLength) == 1;
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  private void nextIv(UnsafeBuffer packet, int index) {
    if (ivNext + ivLength > IV_POOL_SIZE) {
      if (LibCrypto.randBytes(scratchAddress + IV_POOL, IV_POOL_SIZE) != 1) {
        throw new IllegalStateException(
            suite() + " could not draw random IVs: " + LibCrypto.drainErrors());
      }
      ivNext = 0;
    }
    packet.putBytes(index, scratch, IV_POOL + ivNext, ivLength);
    scratch.setMemory(IV_POOL + ivNext, ivLength, (byte) 0);
    ivNext += ivLength;
  }

  /** The full HMAC over {@code length} bytes at {@code esp} [+ seq high] into the scratch area. */
  private boolean mac(long esp, int length, long seq, boolean esn) {
    long macCtx = contexts.macContext();
    if (LibCrypto.macReinit(macCtx) != 1 || LibCrypto.macUpdate(macCtx, esp, length) != 1) {
      return false;
    }
    if (esn) {
      scratch.putInt(SEQ_HIGH, (int) (seq >>> 32), BIG_ENDIAN);
      if (LibCrypto.macUpdate(macCtx, scratchAddress + SEQ_HIGH, 4) != 1) {
        return false;
      }
    }
    return LibCrypto.macFinal(
            macCtx, scratchAddress + DIGEST, scratchAddress + OUT_LENGTH, DIGEST_SIZE)
        == 1;
  }
}
