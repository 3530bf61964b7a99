package dev.vpngw.crypto.openssl;

import static dev.vpngw.crypto.openssl.NativeContexts.DIGEST;
import static dev.vpngw.crypto.openssl.NativeContexts.NONCE;
import static dev.vpngw.crypto.openssl.NativeContexts.OUT_LENGTH;
import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.crypto.EspSuite;
import dev.vpngw.io.libcrypto.LibCrypto;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What OpenSSL's two combined-mode ciphers ({@link OpenSslAeadCipher}, {@link OpenSslGmacCipher})
 * share: the nonce (the salt, fixed at keying, then the packet's 8-byte explicit IV, RFC 4106 4),
 * the tag handling, and the steps that bracket every packet. A sealer uses the 64-bit sequence
 * number as the explicit IV, unique per key and so sufficient (RFC 4106 3.1, RFC 4543 3.1, RFC 7634
 * 2), and writes the tag as the ICV; an opener takes the IV as sent and sets the ICV as the
 * expected tag before the final checks it. What goes in between (the AAD, and whether the text is
 * encrypted) is the subclass's. Every step is a final method over raw addresses, called from inside
 * the subclass's reachability-fenced block.
 */
abstract class OpenSslCombinedCipher extends OpenSslCipher {
  /** The explicit IV each packet carries. */
  static final int IV_LENGTH = 8;

  /** The tag, which is the ICV. */
  static final int TAG_LENGTH = 16;

  OpenSslCombinedCipher(EspSuite suite, byte[] keyMaterial, boolean outbound) {
    super(suite, keyMaterial, null, outbound);
  }

  /** Seal's first step: the sequence number as the packet's explicit IV and in the nonce. */
  final boolean startSeal(long ctx, UnsafeBuffer packet, int espOffset, long seq) {
    packet.putLong(espOffset + ESP_HEADER_LENGTH, seq, BIG_ENDIAN);
    scratch.putLong(NONCE + 4, seq, BIG_ENDIAN);
    return LibCrypto.cipherSetIv(ctx, scratchAddress + NONCE) == 1;
  }

  /** Seal's last steps: the final (no output for GCM or ChaCha20), then the tag to {@code icv}. */
  final boolean finishSeal(long ctx, long icv) {
    return LibCrypto.cipherFinal(ctx, scratchAddress + DIGEST, scratchAddress + OUT_LENGTH) == 1
        && LibCrypto.cipherCtrl(ctx, LibCrypto.EVP_CTRL_AEAD_GET_TAG, TAG_LENGTH, icv) == 1;
  }

  /**
   * Open's first steps: the nonce from the IV as sent (a raw 8-byte copy, byte order irrelevant),
   * then the ICV at {@code icv} as the tag the final must match.
   */
  final boolean startOpen(long ctx, UnsafeBuffer packet, int espOffset, long icv) {
    scratch.putLong(NONCE + 4, packet.getLong(espOffset + ESP_HEADER_LENGTH));
    return LibCrypto.cipherSetIv(ctx, scratchAddress + NONCE) == 1
        && LibCrypto.cipherCtrl(ctx, LibCrypto.EVP_CTRL_AEAD_SET_TAG, TAG_LENGTH, icv) == 1;
  }

  /** Open's last step: the final, which verifies the tag. */
  final boolean finishOpen(long ctx) {
    return LibCrypto.cipherFinal(ctx, scratchAddress + DIGEST, scratchAddress + OUT_LENGTH) == 1;
  }
}
