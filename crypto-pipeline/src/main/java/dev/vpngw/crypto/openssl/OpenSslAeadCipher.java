package dev.vpngw.crypto.openssl;

import static dev.vpngw.crypto.openssl.NativeContexts.AAD;
import static dev.vpngw.crypto.openssl.NativeContexts.OUT_LENGTH;
import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.crypto.EspSuite;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.libcrypto.LibCrypto;
import java.lang.ref.Reference;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * AES-GCM (RFC 4106) and ChaCha20-Poly1305 (RFC 7634) ESP over one keyed EVP_CIPHER_CTX. Per packet
 * only the nonce changes (salt | explicit IV, set with {@code EVP_CipherInit_ex} and no key), then
 * AAD = SPI | [seq high] | seq low (RFC 4106 5, RFC 7634 2.1), the text in place, the final and the
 * tag: five or six short native calls and no allocation.
 */
final class OpenSslAeadCipher extends OpenSslCombinedCipher {
  private static final int TEXT_OFFSET = ESP_HEADER_LENGTH + IV_LENGTH;

  OpenSslAeadCipher(EspSuite suite, byte[] keyMaterial, boolean outbound) {
    super(suite, keyMaterial, outbound);
  }

  @Override
  public void seal(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
    checkUsable(true);
    checkFits(buf.capacity(), espOffset, IV_LENGTH, textLength, TAG_LENGTH);
    try {
      UnsafeBuffer packet = buf.buffer();
      long ctx = contexts.cipherContext();
      long esp = buf.address() + espOffset;
      long text = esp + TEXT_OFFSET;
      boolean ok =
          startSeal(ctx, packet, espOffset, seq)
              && aad(ctx, packet, espOffset, esp, seq, esn) == 1
              && LibCrypto.cipherUpdate(ctx, text, scratchAddress + OUT_LENGTH, text, textLength)
                  == 1
              && finishSeal(ctx, text + textLength);
      if (!ok) {
        throw sealFailed();
      }
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  @Override
  public boolean open(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
    checkUsable(false);
    if (!fits(buf.capacity(), espOffset, IV_LENGTH, textLength, TAG_LENGTH)) {
      return false;
    }
    try {
      UnsafeBuffer packet = buf.buffer();
      long ctx = contexts.cipherContext();
      long esp = buf.address() + espOffset;
      long text = esp + TEXT_OFFSET;
      // The text is decrypted in place before the final checks the tag; on a mismatch the caller
      // drops the packet, so the unauthenticated plaintext never goes anywhere.
      return startOpen(ctx, packet, espOffset, text + textLength)
          && aad(ctx, packet, espOffset, esp, seq, esn) == 1
          && LibCrypto.cipherUpdate(ctx, text, scratchAddress + OUT_LENGTH, text, textLength) == 1
          && finishOpen(ctx);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Feeds the AAD: straight from the packet without ESN (SPI and seq low are adjacent there), from
   * the scratch area with ESN, where seq high has to be spliced in between.
   */
  private int aad(long ctx, UnsafeBuffer packet, int espOffset, long esp, long seq, boolean esn) {
    long outLength = scratchAddress + OUT_LENGTH;
    if (!esn) {
      return LibCrypto.cipherUpdate(ctx, 0L, outLength, esp, ESP_HEADER_LENGTH);
    }
    scratch.putInt(AAD, packet.getInt(espOffset));
    scratch.putInt(AAD + 4, (int) (seq >>> 32), BIG_ENDIAN);
    scratch.putInt(AAD + 8, packet.getInt(espOffset + 4));
    return LibCrypto.cipherUpdate(ctx, 0L, outLength, scratchAddress + AAD, 12);
  }
}
