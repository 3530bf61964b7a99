package dev.vpngw.ikev2.message;

import java.util.Arrays;

/**
 * Builds and opens SK (RFC 7296 3.14) and SKF (RFC 7383 2.5) datagrams: an IKE header followed by
 * the one encrypted payload, IV, padded plaintext, ICV. Shared by whole messages and fragments,
 * which differ only in the four fragment bytes after the generic payload header.
 */
final class SkFraming {
  /** Bytes before the IV in an SK datagram: IKE header and generic payload header. */
  static final int SK_AAD_LENGTH = IkeHeader.LENGTH + PayloadChain.HEADER_LENGTH;

  /** Bytes before the IV in an SKF datagram: also Fragment Number and Total Fragments. */
  static final int SKF_AAD_LENGTH = SK_AAD_LENGTH + 4;

  private SkFraming() {}

  static void checkCipher(SkCipher cipher) {
    if (cipher.blockSize() < 1 || cipher.blockSize() > 256) {
      throw new IllegalArgumentException("block size must be 1..256: " + cipher.blockSize());
    }
    if (cipher.ivLength() < 0 || cipher.icvLength() < 0) {
      throw new IllegalArgumentException("negative IV or ICV length");
    }
  }

  /** Plaintext bytes after padding {@code contentLength} bytes: pad, then the pad length byte. */
  static int paddedLength(int contentLength, int blockSize) {
    int withPadLength = contentLength + 1;
    return withPadLength + (blockSize - withPadLength % blockSize) % blockSize;
  }

  /** Length of the datagram that carries {@code contentLength} bytes of inner payloads. */
  static int datagramLength(int aadLength, int contentLength, SkCipher cipher) {
    return aadLength
        + cipher.ivLength()
        + paddedLength(contentLength, cipher.blockSize())
        + cipher.icvLength();
  }

  /**
   * Builds one protected datagram. For an SK payload {@code totalFragments} is 0; for SKF the
   * fragment fields are written and authenticated with the header.
   */
  static byte[] seal(
      IkeMessage header,
      int nextInner,
      int fragmentNumber,
      int totalFragments,
      byte[] content,
      int contentOffset,
      int contentLength,
      SkCipher cipher) {
    checkCipher(cipher);
    boolean fragment = totalFragments > 0;
    int aadLength = fragment ? SKF_AAD_LENGTH : SK_AAD_LENGTH;
    int plaintextLength = paddedLength(contentLength, cipher.blockSize());
    int total = datagramLength(aadLength, contentLength, cipher);
    int payloadLength = total - IkeHeader.LENGTH;
    if (payloadLength > PayloadChain.MAX_PAYLOAD_LENGTH) {
      throw new IllegalArgumentException(
          "SK payload of " + payloadLength + " bytes does not fit its length field; fragment it");
    }
    byte[] m = new byte[total];
    IkeHeader.write(
        m,
        0,
        header.initiatorSpi(),
        header.responderSpi(),
        fragment ? PayloadType.SKF : PayloadType.SK,
        header.exchangeType(),
        header.flags(),
        header.messageId(),
        total);
    m[IkeHeader.LENGTH] = (byte) nextInner;
    WireWriter.putShort(m, IkeHeader.LENGTH + 2, payloadLength);
    if (fragment) {
      WireWriter.putShort(m, SK_AAD_LENGTH, fragmentNumber);
      WireWriter.putShort(m, SK_AAD_LENGTH + 2, totalFragments);
    }
    int plaintextOffset = aadLength + cipher.ivLength();
    System.arraycopy(content, contentOffset, m, plaintextOffset, contentLength);
    // Padding bytes stay zero (RFC 7296 3.14 lets the sender choose); the last one is the count.
    m[plaintextOffset + plaintextLength - 1] = (byte) (plaintextLength - contentLength - 1);
    cipher.seal(m, aadLength, plaintextLength);
    return m;
  }

  /**
   * Verifies and decrypts the payload that runs from {@code aadLength} to the end of the datagram,
   * whose header the caller has checked, and returns the inner payload bytes without padding. The
   * datagram itself is not modified.
   */
  static byte[] open(byte[] datagram, int offset, int length, int aadLength, SkCipher cipher)
      throws IkeParseException {
    checkCipher(cipher);
    int ciphertextLength = length - aadLength - cipher.ivLength() - cipher.icvLength();
    if (ciphertextLength < 1 || ciphertextLength % cipher.blockSize() != 0) {
      throw IkeParseException.malformed(
          "encrypted payload of "
              + (length - IkeHeader.LENGTH)
              + " bytes does not fit IV, whole cipher blocks and ICV");
    }
    byte[] m = Arrays.copyOfRange(datagram, offset, offset + length);
    if (!cipher.open(m, aadLength, ciphertextLength)) {
      throw new IkeParseException(IkeParseException.Reason.INTEGRITY_CHECK_FAILED, "ICV mismatch");
    }
    int plaintextOffset = aadLength + cipher.ivLength();
    int padLength = m[plaintextOffset + ciphertextLength - 1] & 0xFF;
    if (padLength >= ciphertextLength) {
      throw new IkeParseException(
          IkeParseException.Reason.INVALID_SYNTAX,
          "pad length " + padLength + " in " + ciphertextLength + " bytes of plaintext");
    }
    return Arrays.copyOfRange(
        m, plaintextOffset, plaintextOffset + ciphertextLength - 1 - padLength);
  }
}
