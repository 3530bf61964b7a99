package dev.vpngw.ikev2.message;

/**
 * Test cipher that leaves the plaintext as it is and accepts every ICV, with configurable field
 * sizes: it lets the framing tests see the padding and lets the fuzz test reach the inner parser
 * with mutated bytes (a real ICV would stop nearly every mutant at the first check).
 */
final class TransparentCipher implements SkCipher {
  private final int ivLength;
  private final int icvLength;
  private final int blockSize;

  TransparentCipher(int ivLength, int icvLength, int blockSize) {
    this.ivLength = ivLength;
    this.icvLength = icvLength;
    this.blockSize = blockSize;
  }

  @Override
  public int ivLength() {
    return ivLength;
  }

  @Override
  public int icvLength() {
    return icvLength;
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public void seal(byte[] message, int aadLength, int plaintextLength) {
    // IV and ICV stay zero: nothing is secret here.
  }

  @Override
  public boolean open(byte[] message, int aadLength, int ciphertextLength) {
    return true;
  }
}
