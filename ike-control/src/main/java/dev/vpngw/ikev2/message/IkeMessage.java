package dev.vpngw.ikev2.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One IKEv2 message (RFC 7296 3.1): the header fields and the payloads, immutable. For a protected
 * message ({@link #encodeProtected}, {@link #decodeProtected}, {@link #encodeFragments}) the
 * payloads are the inner ones, those inside the SK payload (RFC 7296 3.14) or spread over SKF
 * fragments (RFC 7383); for {@link #encode} and {@link #decode} they are the payloads on the wire,
 * where an SK or SKF payload stays opaque.
 */
public final class IkeMessage {
  private final long initiatorSpi;
  private final long responderSpi;
  private final int exchangeType;
  private final int flags;
  private final int messageId;
  private final List<Payload> payloads;

  /** A message with these header fields; the flags are the header's flags byte. */
  public IkeMessage(
      long initiatorSpi,
      long responderSpi,
      int exchangeType,
      int flags,
      int messageId,
      List<Payload> payloads) {
    this.initiatorSpi = initiatorSpi;
    this.responderSpi = responderSpi;
    this.exchangeType = Fields.u8(exchangeType, "exchange type");
    this.flags = Fields.u8(flags, "flags");
    this.messageId = messageId;
    this.payloads = List.copyOf(payloads);
  }

  /** The IKE SA initiator's SPI. */
  public long initiatorSpi() {
    return initiatorSpi;
  }

  /** The IKE SA responder's SPI; zero in the first IKE_SA_INIT request. */
  public long responderSpi() {
    return responderSpi;
  }

  /** The exchange type, see {@link ExchangeType}. */
  public int exchangeType() {
    return exchangeType;
  }

  /** The flags byte, see {@link IkeHeader#FLAG_RESPONSE} and {@link IkeHeader#FLAG_INITIATOR}. */
  public int flags() {
    return flags;
  }

  /** The message id, as the 32-bit value it is on the wire. */
  public int messageId() {
    return messageId;
  }

  /** The payloads, in order. */
  public List<Payload> payloads() {
    return payloads;
  }

  /** True when the R flag is set. */
  public boolean isResponse() {
    return (flags & IkeHeader.FLAG_RESPONSE) != 0;
  }

  /** True when the I flag is set: the message comes from the original initiator of the IKE SA. */
  public boolean isInitiator() {
    return (flags & IkeHeader.FLAG_INITIATOR) != 0;
  }

  /** The first payload of a record type, or null. */
  public <T extends Payload> T first(Class<T> type) {
    for (Payload p : payloads) {
      if (type.isInstance(p)) {
        return type.cast(p);
      }
    }
    return null;
  }

  /** All payloads of a record type, in order. */
  public <T extends Payload> List<T> all(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Payload p : payloads) {
      if (type.isInstance(p)) {
        out.add(type.cast(p));
      }
    }
    return out;
  }

  /** The first notify of a type, or null. */
  public NotifyPayload notify(int notifyType) {
    for (Payload p : payloads) {
      if (p instanceof NotifyPayload n && n.notifyType() == notifyType) {
        return n;
      }
    }
    return null;
  }

  /**
   * Rejects the message if it holds a payload we do not understand with the critical bit set (RFC
   * 7296 2.5); the exception's {@link IkeParseException#payloadType()} is the data for the
   * UNSUPPORTED_CRITICAL_PAYLOAD notify.
   */
  public void requireNoUnsupportedCritical() throws IkeParseException {
    for (Payload p : payloads) {
      if (p instanceof UnknownPayload u && u.critical()) {
        throw new IkeParseException(
            IkeParseException.Reason.UNSUPPORTED_CRITICAL_PAYLOAD,
            "critical payload type " + u.type(),
            u.type());
      }
    }
  }

  /**
   * Decodes an unprotected datagram (IKE_SA_INIT, or any message whose SK payload is to stay
   * opaque). The major version must be 2, and the header's length field must equal {@code length}.
   *
   * @throws IndexOutOfBoundsException if the range is not inside the array (a caller bug, not bad
   *     input)
   */
  public static IkeMessage decode(byte[] datagram, int offset, int length)
      throws IkeParseException {
    checkHeader(datagram, offset, length);
    List<Payload> payloads =
        PayloadChain.decode(
            datagram,
            offset + IkeHeader.LENGTH,
            length - IkeHeader.LENGTH,
            IkeHeader.nextPayload(datagram, offset));
    return fromHeader(datagram, offset, payloads);
  }

  /** Encodes the header and the payloads as they are, for unprotected messages. */
  public byte[] encode() {
    WireWriter w = new WireWriter();
    w.zeros(IkeHeader.LENGTH);
    PayloadChain.encode(w, payloads);
    byte[] m = w.toByteArray();
    IkeHeader.write(
        m,
        0,
        initiatorSpi,
        responderSpi,
        PayloadChain.firstType(payloads),
        exchangeType,
        flags,
        messageId,
        m.length);
    return m;
  }

  /**
   * Encodes this message with its payloads inside an SK payload (RFC 7296 3.14): padding to the
   * cipher's block size, minimal, then the pad length byte, encrypted and protected by the cipher.
   */
  public byte[] encodeProtected(SkCipher cipher) {
    byte[] inner = innerBytes();
    return SkFraming.seal(
        this, PayloadChain.firstType(payloads), 0, 0, inner, 0, inner.length, cipher);
  }

  /**
   * Encodes this message protected, as one SK datagram when that fits {@code maxDatagramSize} (the
   * IKE message size, without IP and UDP headers and without the non-ESP marker), else as SKF
   * fragments that each fit it (RFC 7383 2.5): the inner payload bytes are cut into chunks numbered
   * from 1, each encrypted and protected on its own, and only fragment 1 names the first inner
   * payload type.
   *
   * @throws IllegalArgumentException if not even one inner byte fits a fragment of that size, or
   *     the message would need more than 65535 fragments
   */
  public List<byte[]> encodeFragments(SkCipher cipher, int maxDatagramSize) {
    SkFraming.checkCipher(cipher);
    byte[] inner = innerBytes();
    int firstType = PayloadChain.firstType(payloads);
    if (SkFraming.datagramLength(SkFraming.SK_AAD_LENGTH, inner.length, cipher)
        <= maxDatagramSize) {
      return List.of(SkFraming.seal(this, firstType, 0, 0, inner, 0, inner.length, cipher));
    }
    int room = maxDatagramSize - SkFraming.SKF_AAD_LENGTH - cipher.ivLength() - cipher.icvLength();
    // The largest whole number of blocks that fits, less the pad length byte.
    int chunk = room / cipher.blockSize() * cipher.blockSize() - 1;
    if (chunk < 1) {
      throw new IllegalArgumentException(
          "no inner byte fits a fragment of " + maxDatagramSize + " bytes");
    }
    int count = Math.max(1, (inner.length + chunk - 1) / chunk);
    if (count > 0xFFFF) {
      throw new IllegalArgumentException(count + " fragments needed, at most 65535 exist");
    }
    List<byte[]> fragments = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = i * chunk;
      int length = Math.min(chunk, inner.length - from);
      fragments.add(
          SkFraming.seal(
              this,
              i == 0 ? firstType : PayloadType.NONE,
              i + 1,
              count,
              inner,
              from,
              length,
              cipher));
    }
    return fragments;
  }

  /**
   * Decodes a protected datagram whose only payload is SK (RFC 7296 3.14 has nothing before it in
   * practice, and we accept nothing), verifies and decrypts it, and returns the message with the
   * inner payloads. An ICV failure is {@link IkeParseException.Reason#INTEGRITY_CHECK_FAILED};
   * anything wrong inside an authentic payload is {@link IkeParseException.Reason#INVALID_SYNTAX}.
   * SKF datagrams go to a {@link FragmentReassembler} instead.
   *
   * @throws IndexOutOfBoundsException if the range is not inside the array
   */
  public static IkeMessage decodeProtected(byte[] datagram, int offset, int length, SkCipher cipher)
      throws IkeParseException {
    checkHeader(datagram, offset, length);
    int first = IkeHeader.nextPayload(datagram, offset);
    if (first != PayloadType.SK) {
      throw IkeParseException.malformed(
          "protected message starts with " + PayloadType.name(first) + ", not SK");
    }
    checkEncryptedPayloadSpan(datagram, offset, length, SkFraming.SK_AAD_LENGTH);
    int firstInner = datagram[offset + IkeHeader.LENGTH] & 0xFF;
    byte[] inner = SkFraming.open(datagram, offset, length, SkFraming.SK_AAD_LENGTH, cipher);
    return fromHeader(datagram, offset, decodeInner(inner, firstInner));
  }

  /**
   * Checks the fixed header: enough bytes, major version 2, a length field equal to the datagram
   * length (RFC 7296 3.1; strict, as trailing bytes would be unauthenticated for SK).
   */
  static void checkHeader(byte[] datagram, int offset, int length) throws IkeParseException {
    Objects.checkFromIndexSize(offset, length, datagram.length);
    if (length < IkeHeader.LENGTH) {
      throw IkeParseException.malformed("datagram of " + length + " bytes, shorter than a header");
    }
    int major = IkeHeader.majorVersion(datagram, offset);
    if (major != 2) {
      throw new IkeParseException(
          IkeParseException.Reason.INVALID_MAJOR_VERSION, "major version " + major);
    }
    long declared = IkeHeader.length(datagram, offset);
    if (declared != length) {
      throw IkeParseException.malformed("length field " + declared + ", datagram " + length);
    }
  }

  /**
   * Checks that the payload after the header is an encrypted one that runs exactly to the end of
   * the datagram and has room for its {@code aadLength - 28} header bytes.
   */
  static void checkEncryptedPayloadSpan(byte[] datagram, int offset, int length, int aadLength)
      throws IkeParseException {
    if (length < aadLength) {
      throw IkeParseException.malformed("no room for the encrypted payload header");
    }
    int payloadLength =
        ((datagram[offset + IkeHeader.LENGTH + 2] & 0xFF) << 8)
            | (datagram[offset + IkeHeader.LENGTH + 3] & 0xFF);
    if (payloadLength != length - IkeHeader.LENGTH) {
      throw IkeParseException.malformed(
          "encrypted payload length "
              + payloadLength
              + " but "
              + (length - IkeHeader.LENGTH)
              + " bytes follow the header");
    }
  }

  /** Decodes authenticated inner payloads; any fault in them is INVALID_SYNTAX, not MALFORMED. */
  static List<Payload> decodeInner(byte[] inner, int firstInner) throws IkeParseException {
    List<Payload> payloads;
    try {
      payloads = PayloadChain.decode(inner, 0, inner.length, firstInner);
    } catch (IkeParseException e) {
      throw new IkeParseException(IkeParseException.Reason.INVALID_SYNTAX, e.detail());
    }
    for (Payload p : payloads) {
      if (p instanceof EncryptedPayload || p instanceof EncryptedFragmentPayload) {
        throw new IkeParseException(
            IkeParseException.Reason.INVALID_SYNTAX, "encrypted payload inside an encrypted one");
      }
    }
    return payloads;
  }

  static IkeMessage fromHeader(byte[] datagram, int offset, List<Payload> payloads) {
    return new IkeMessage(
        IkeHeader.initiatorSpi(datagram, offset),
        IkeHeader.responderSpi(datagram, offset),
        IkeHeader.exchangeType(datagram, offset),
        IkeHeader.flags(datagram, offset),
        IkeHeader.messageId(datagram, offset),
        payloads);
  }

  private byte[] innerBytes() {
    for (Payload p : payloads) {
      if (p instanceof EncryptedPayload || p instanceof EncryptedFragmentPayload) {
        throw new IllegalArgumentException("inner payloads cannot contain " + p);
      }
    }
    return PayloadChain.encode(payloads);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IkeMessage m
        && initiatorSpi == m.initiatorSpi
        && responderSpi == m.responderSpi
        && exchangeType == m.exchangeType
        && flags == m.flags
        && messageId == m.messageId
        && payloads.equals(m.payloads);
  }

  @Override
  public int hashCode() {
    return Objects.hash(initiatorSpi, responderSpi, exchangeType, flags, messageId, payloads);
  }

  /**
   * Reads like strongSwan's log line: {@code IKE_AUTH request 1 [ IDi N(INITIAL_CONTACT) ... ]}.
   */
  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder(ExchangeType.name(exchangeType))
            .append(isResponse() ? " response " : " request ")
            .append(Integer.toUnsignedString(messageId))
            .append(String.format(" %016x_i %016x_r [", initiatorSpi, responderSpi));
    for (Payload p : payloads) {
      sb.append(' ').append(p);
    }
    return sb.append(" ]").toString();
  }
}
