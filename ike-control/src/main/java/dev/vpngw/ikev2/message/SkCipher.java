package dev.vpngw.ikev2.message;

/** Protects the SK payload of an IKE message (RFC 7296 3.14). */
public interface SkCipher {
  int ivLength();

  int icvLength();

  int blockSize();

  /**
   * Encrypts and protects in place. message[0..aadLength) is the IKE header plus the SK/SKF payload
   * header (and for SKF its 4-byte fragment fields) with all length fields final; the IV goes to
   * message[aadLength..+ivLength), the plaintext (already padded, ending with the pad-length byte)
   * is at message[aadLength+ivLength .. +plaintextLength) and is replaced by ciphertext; the ICV
   * goes right after it.
   */
  void seal(byte[] message, int aadLength, int plaintextLength);

  /**
   * Verifies and decrypts in place, same layout, ciphertextLength bytes of ciphertext; returns
   * false when the ICV is wrong.
   */
  boolean open(byte[] message, int aadLength, int ciphertextLength);
}
