package dev.vpngw.crypto.jdk;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.crypto.AbstractEspCipher;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the JCE's two combined-mode ciphers ({@link JdkAeadCipher}, {@link JdkGmacCipher}) share:
 * one Cipher and its key, the scratch arrays packets are copied through, and the 12-byte nonce,
 * which is the 4-byte salt from the key material followed by the packet's 8-byte explicit IV (RFC
 * 4106 4, RFC 4543 3.2, RFC 7634 2). A sealer sets that IV to the 64-bit sequence number, unique
 * per key (RFC 4106 3.1); an opener takes it from the packet, whatever the sender chose. How the
 * AAD is built and whether the text is encrypted is left to the subclass.
 */
abstract class JdkCombinedCipher extends AbstractEspCipher {
  /** The explicit IV each packet carries. */
  static final int IV_LENGTH = 8;

  /** Salt then explicit IV. */
  private static final int NONCE_LENGTH = 12;

  /** Keyed once; initialised per packet with the packet's nonce. */
  final Cipher cipher;

  /** The arrays packets are copied through. */
  final Scratch scratch = new Scratch();

  private final Encryption encryption;
  private final SecretKeySpec key;
  private final byte[] nonce = new byte[NONCE_LENGTH];
  private final UnsafeBuffer nonceView = new UnsafeBuffer(nonce);

  JdkCombinedCipher(EspSuite suite, byte[] keyMaterial, boolean outbound) {
    super(suite, outbound);
    this.encryption = suite.encryption();
    int keyLength = encryption.keyLength();
    this.key = new SecretKeySpec(keyMaterial, 0, keyLength, JdkEngine.keyAlgorithm(encryption));
    System.arraycopy(keyMaterial, keyLength, nonce, 0, encryption.saltLength());
    try {
      this.cipher = Cipher.getInstance(JdkEngine.transformation(encryption));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCE cannot provide " + encryption, e);
    }
  }

  /** For seal: writes the sequence number as the packet's explicit IV and into the nonce. */
  final void useSequenceAsIv(UnsafeBuffer packet, int espOffset, long seq) {
    packet.putLong(espOffset + ESP_HEADER_LENGTH, seq, BIG_ENDIAN);
    nonceView.putLong(4, seq, BIG_ENDIAN);
  }

  /** For open: copies the packet's explicit IV, as sent, into the nonce. */
  final void usePacketIv(UnsafeBuffer packet, int espOffset) {
    packet.getBytes(espOffset + ESP_HEADER_LENGTH, nonce, 4, IV_LENGTH);
  }

  /** Initialises the Cipher for this packet's nonce (with the allocation the JCE forces). */
  final void init(int mode) throws GeneralSecurityException {
    cipher.init(mode, key, JdkEngine.aeadParams(encryption, nonce));
  }

  /** For open: a failed initialisation is a fault of ours, not of the packet, so it throws. */
  final void initForOpen() {
    try {
      init(Cipher.DECRYPT_MODE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(suite() + " open failed to initialise", e);
    }
  }

  @Override
  protected void release() {
    scratch.wipe();
    Arrays.fill(nonce, (byte) 0);
  }
}
