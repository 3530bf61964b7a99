package dev.vpngw.ikev2.message;

/**
 * Reassembles a message sent as SKF fragments (RFC 7383 2.6). Each fragment is verified and
 * decrypted as it arrives, so a forged one never changes the state: a fragment whose ICV fails is
 * reported as {@link IkeParseException.Reason#INTEGRITY_CHECK_FAILED} and discarded. Duplicates are
 * ignored without decrypting them again. A fragment with a larger Total Fragments than the ones
 * held means the sender re-fragmented with a smaller size: what was held is dropped and reassembly
 * starts over; one with a smaller total is stale and ignored (RFC 7383 2.6).
 *
 * <p>It holds one message at a time, so a caller keeps one per IKE SA and per kind of inbound
 * message (requests from the peer, responses to us), and checks the message id against its window
 * before offering, so a retransmission of a message it has already handled never reaches here.
 * Memory is bounded: at most {@value #MAX_FRAGMENTS} fragments and {@value #MAX_BYTES} bytes of
 * reassembled payloads. Not thread-safe: it belongs to the IKE control thread.
 */
public final class FragmentReassembler {
  /** Most fragments a message may be cut into; a fragment claiming more is rejected. */
  public static final int MAX_FRAGMENTS = 64;

  /** Most bytes of inner payloads a reassembled message may have. */
  public static final int MAX_BYTES = 64 * 1024;

  private boolean active;
  private long initiatorSpi;
  private long responderSpi;
  private int exchangeType;
  private int flags;
  private int messageId;
  private int total;
  private int firstInnerType;
  private byte[][] parts;
  private int received;
  private int bytes;

  /**
   * Offers one SKF datagram. Returns the reassembled message (inner payloads) once every fragment
   * has arrived, else null.
   *
   * @throws IkeParseException MALFORMED for a datagram that is not a well-formed SKF message or
   *     claims more than {@value #MAX_FRAGMENTS} fragments, or for a message that grows beyond
   *     {@value #MAX_BYTES} bytes (then the reassembly is dropped); INTEGRITY_CHECK_FAILED for a
   *     forged or corrupted fragment; INVALID_SYNTAX when the reassembled payloads are invalid
   * @throws IndexOutOfBoundsException if the range is not inside the array
   */
  public IkeMessage offer(byte[] datagram, int offset, int length, SkCipher cipher)
      throws IkeParseException {
    IkeMessage.checkHeader(datagram, offset, length);
    int first = IkeHeader.nextPayload(datagram, offset);
    if (first != PayloadType.SKF) {
      throw IkeParseException.malformed("not a fragment: first payload " + PayloadType.name(first));
    }
    IkeMessage.checkEncryptedPayloadSpan(datagram, offset, length, SkFraming.SKF_AAD_LENGTH);
    int number = readU16(datagram, offset + SkFraming.SK_AAD_LENGTH);
    int fragments = readU16(datagram, offset + SkFraming.SK_AAD_LENGTH + 2);
    if (number < 1 || number > fragments) {
      throw IkeParseException.malformed("fragment " + number + " of " + fragments);
    }
    if (fragments > MAX_FRAGMENTS) {
      throw IkeParseException.malformed(
          fragments + " fragments, at most " + MAX_FRAGMENTS + " accepted");
    }
    boolean same = active && sameMessage(datagram, offset);
    if (same && (fragments < total || (fragments == total && parts[number - 1] != null))) {
      return null;
    }
    byte[] content = SkFraming.open(datagram, offset, length, SkFraming.SKF_AAD_LENGTH, cipher);
    // Only now, with the fragment authentic, may it change what is held.
    if (!same || fragments > total) {
      start(datagram, offset, fragments);
    }
    if (bytes + content.length > MAX_BYTES) {
      reset();
      throw IkeParseException.malformed("reassembled message exceeds " + MAX_BYTES + " bytes");
    }
    if (number == 1) {
      firstInnerType = datagram[offset + IkeHeader.LENGTH] & 0xFF;
    }
    parts[number - 1] = content;
    received++;
    bytes += content.length;
    if (received < total) {
      return null;
    }
    byte[] inner = new byte[bytes];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, inner, at, part.length);
      at += part.length;
    }
    // Copied out before reset() clears them.
    long ispi = initiatorSpi;
    long rspi = responderSpi;
    int exchange = exchangeType;
    int flagsByte = flags;
    int id = messageId;
    int firstType = firstInnerType;
    reset();
    return new IkeMessage(
        ispi, rspi, exchange, flagsByte, id, IkeMessage.decodeInner(inner, firstType));
  }

  /** Drops any partly reassembled message. */
  public void reset() {
    active = false;
    parts = null;
    received = 0;
    bytes = 0;
    total = 0;
    firstInnerType = PayloadType.NONE;
  }

  /** True while fragments of a message are held. */
  public boolean inProgress() {
    return active;
  }

  private boolean sameMessage(byte[] d, int offset) {
    return IkeHeader.messageId(d, offset) == messageId
        && IkeHeader.initiatorSpi(d, offset) == initiatorSpi
        && IkeHeader.responderSpi(d, offset) == responderSpi
        && IkeHeader.exchangeType(d, offset) == exchangeType
        && (IkeHeader.flags(d, offset) & IkeHeader.FLAG_RESPONSE)
            == (flags & IkeHeader.FLAG_RESPONSE);
  }

  private void start(byte[] d, int offset, int fragments) {
    reset();
    active = true;
    initiatorSpi = IkeHeader.initiatorSpi(d, offset);
    responderSpi = IkeHeader.responderSpi(d, offset);
    exchangeType = IkeHeader.exchangeType(d, offset);
    flags = IkeHeader.flags(d, offset);
    messageId = IkeHeader.messageId(d, offset);
    total = fragments;
    parts = new byte[fragments][];
  }

  private static int readU16(byte[] b, int off) {
    return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
  }
}
