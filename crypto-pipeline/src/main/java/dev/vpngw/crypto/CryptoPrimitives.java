package dev.vpngw.crypto;

/**
 * One-shot access to the primitives an engine builds its {@link EspCipher}s from, so that published
 * known-answer vectors (NIST GCM, RFC 8439, RFC 3602, RFC 4231, RFC 2202) can be checked against
 * the same native or JCE calls the dataplane makes, even where the vector's shape (a 20-byte AAD, a
 * 131-byte HMAC key) cannot be expressed as an ESP packet. These methods allocate and are for tests
 * and benchmarks only, never for the packet path.
 */
public interface CryptoPrimitives {
  /**
   * AEAD encryption: returns ciphertext followed by the 16-byte tag.
   *
   * @param aead an AEAD or GMAC transform (GMAC means AES-GCM with the same key size)
   * @param key the cipher key alone, without the ESP salt
   * @param nonce the 12-byte nonce
   */
  byte[] aeadSeal(Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] plaintext);

  /**
   * AEAD decryption of ciphertext followed by the 16-byte tag.
   *
   * @return the plaintext, or null when the tag did not verify
   */
  byte[] aeadOpen(Encryption aead, byte[] key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag);

  /** CBC encryption without padding; the plaintext length must be a multiple of the block. */
  byte[] cbcEncrypt(Encryption cbc, byte[] key, byte[] iv, byte[] plaintext);

  /** CBC decryption without padding; the ciphertext length must be a multiple of the block. */
  byte[] cbcDecrypt(Encryption cbc, byte[] key, byte[] iv, byte[] ciphertext);

  /** The full, untruncated HMAC of {@code data} with a key of any length. */
  byte[] hmac(Integrity integrity, byte[] key, byte[] data);
}
