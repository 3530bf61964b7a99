package dev.vpngw.ikev2.message;

/**
 * The keyed cipher of one direction of an IKE SA, as the SK and SKF payloads need it (RFC 7296
 * 3.14, RFC 5282 for AEAD ciphers, RFC 7383 2.5 for fragments). This package frames the message and
 * leaves the cryptography behind this interface, which the {@code ikev2.crypto} package implements.
 *
 * <p>Both methods work in place on a whole message laid out as:
 *
 * <pre>
 * [0, aadLength)                          IKE header + SK header (+ SKF fragment fields), lengths final
 * [aadLength, +ivLength)                  IV
 * [aadLength + ivLength, +textLength)     plaintext, or ciphertext after seal
 * [aadLength + ivLength + textLength, +icvLength)  ICV
 * </pre>
 *
 * For an AEAD the first {@code aadLength} bytes are the associated data; for an encrypt-then-MAC
 * pair the ICV covers everything from byte 0 up to the ICV.
 */
public interface SkCipher {
  /** Length of the IV field. */
  int ivLength();

  /** Length of the integrity checksum field. */
  int icvLength();

  /**
   * The plaintext (payloads, padding and pad length byte) is padded to a multiple of this, 1..256:
   * the cipher's block size for CBC; RFC 5282 lets AEADs need none, so 1 will do for them.
   */
  int blockSize();

  /**
   * Encrypts and protects in place: writes a fresh IV at {@code aadLength}, replaces the {@code
   * plaintextLength} bytes after it (already padded, ending with the pad length byte) with
   * ciphertext, and writes the ICV after them.
   */
  void seal(byte[] message, int aadLength, int plaintextLength);

  /**
   * Verifies and decrypts in place, same layout with {@code ciphertextLength} bytes of ciphertext.
   * Returns false, without throwing, when the ICV is wrong; then nothing in the message is to be
   * trusted.
   */
  boolean open(byte[] message, int aadLength, int ciphertextLength);
}
