package dev.vpngw.crypto.openssl;

import static dev.vpngw.crypto.openssl.NativeContexts.OUT_LENGTH;
import static dev.vpngw.crypto.openssl.NativeContexts.SEQ_HIGH;
import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.crypto.EspSuite;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.libcrypto.LibCrypto;
import java.lang.ref.Reference;

/**
 * ENCR_NULL_AUTH_AES_GMAC ESP (RFC 4543) over one keyed AES-GCM EVP_CIPHER_CTX: the whole packet,
 * SPI | [seq high] | seq low | IV | text, goes in as AAD, nothing is encrypted, and the GCM tag is
 * the ICV (RFC 4543 3.1, 5). With ESN the AAD is not contiguous in the packet (seq high is only
 * implied and belongs after the SPI), so it is fed in three updates; GCM's GHASH carries partial
 * blocks between AAD updates, so the tag is the same as over one contiguous AAD.
 */
final class OpenSslGmacCipher extends OpenSslCombinedCipher {
  OpenSslGmacCipher(EspSuite suite, byte[] keyMaterial, boolean outbound) {
    super(suite, keyMaterial, outbound);
  }

  @Override
  public void seal(PacketBuffer buf, int espOffset, int textLength, long seq, boolean esn) {
    checkUsable(true);
    checkFits(buf.capacity(), espOffset, IV_LENGTH, textLength, TAG_LENGTH);
    try {
      long ctx = contexts.cipherContext();
      long esp = buf.address() + espOffset;
      long icv = esp + ESP_HEADER_LENGTH + IV_LENGTH + textLength;
      boolean ok =
          startSeal(ctx, buf.buffer(), espOffset, seq)
              && aad(ctx, esp, textLength, seq, esn)
              && finishSeal(ctx, icv);
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
      long ctx = contexts.cipherContext();
      long esp = buf.address() + espOffset;
      long icv = esp + ESP_HEADER_LENGTH + IV_LENGTH + textLength;
      return startOpen(ctx, buf.buffer(), espOffset, icv)
          && aad(ctx, esp, textLength, seq, esn)
          && finishOpen(ctx);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  private boolean aad(long ctx, long esp, int textLength, long seq, boolean esn) {
    long outLength = scratchAddress + OUT_LENGTH;
    int afterSpi = 4 + IV_LENGTH + textLength;
    if (!esn) {
      return LibCrypto.cipherUpdate(ctx, 0L, outLength, esp, 4 + afterSpi) == 1;
    }
    scratch.putInt(SEQ_HIGH, (int) (seq >>> 32), BIG_ENDIAN);
    return LibCrypto.cipherUpdate(ctx, 0L, outLength, esp, 4) == 1
        && LibCrypto.cipherUpdate(ctx, 0L, outLength, scratchAddress + SEQ_HIGH, 4) == 1
        && LibCrypto.cipherUpdate(ctx, 0L, outLength, esp + 4, afterSpi) == 1;
  }
}
