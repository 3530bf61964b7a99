package dev.vpngw.esp;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.packet.EspHeader;
import dev.vpngw.packet.Ipv4Header;
import dev.vpngw.packet.Ipv6Header;
import dev.vpngw.packet.UdpHeader;
import dev.vpngw.sa.ReplayWindow;
import dev.vpngw.sa.SaDatabase;
import dev.vpngw.sa.SecurityAssociation;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Inbound ESP tunnel mode (RFC 4303 3.4), bare or inside UDP (RFC 3948), decrypted in place. The
 * checks run in the order of strongSwan's {@code esp_packet.c}, cheapest and least trusting first:
 *
 * <ol>
 *   <li>outer IPv4/IPv6 and UDP headers, each length field against the real length (only for {@link
 *       #decapsulatePacket});
 *   <li>length sanity, then the SA by SPI ({@link SaDatabase});
 *   <li>the replay window, before any crypto (RFC 4303 3.4.3), inferring the ESN high half;
 *   <li>ICV verification and decryption ({@link dev.vpngw.crypto.EspCipher#open});
 *   <li>only now the window moves (a forged packet must not move it);
 *   <li>padding 1, 2, 3, ... (RFC 4303 2.4), next header: 59 is a dummy (2.6), 4 and 41 must match
 *       the inner version;
 *   <li>the inner packet's length from its own IP header, which must fit: anything after it is TFC
 *       padding (RFC 4303 2.7) and ignored.
 * </ol>
 *
 * <p>Every drop is counted exactly once, under its {@link DropReason}. A success is not counted
 * here: the caller counts it as delivered ({@link EspCounters#delivered}) once the inner packet is
 * really passed on, after its own checks (traffic selectors, the ring to the TUN writer), so that
 * delivered plus dropped adds up to the packets seen. No input bytes make it throw; the only reads
 * are of ranges checked against the caller's length, and the caller's range is checked against the
 * buffer.
 *
 * <p>One instance per worker thread, over that worker's SAs; not thread-safe.
 */
public final class EspDecapsulator {
  /** Marks a bare ESP packet, for which no UDP destination port is to be checked. */
  private static final int NO_PORT = -1;

  private final SaDatabase database;
  private final EspCounters counters;
  private final Ipv4Header ipv4 = new Ipv4Header();
  private final Ipv6Header ipv6 = new Ipv6Header();
  private final UdpHeader udp = new UdpHeader();
  private final EspHeader esp = new EspHeader();

  /** A decapsulator over the inbound SAs of {@code database}, counting into {@code counters}. */
  public EspDecapsulator(SaDatabase database, EspCounters counters) {
    this.database = database;
    this.counters = counters;
  }

  /**
   * Decapsulates a bare ESP packet, as a UDP socket on the NAT-T port delivers it after the non-ESP
   * marker check, or a raw ESP socket after the IP header.
   *
   * @return {@link EspResult#OK} with the inner packet in {@code out}, or a {@link DropReason#id()}
   */
  public int decapsulate(PacketBuffer buf, int espOffset, int espLength, EspResult out) {
    out.reset();
    DropReason reason;
    if (!withinBuffer(buf.buffer(), espOffset, espLength)) {
      reason = DropReason.OUT_OF_BUFFER;
    } else {
      out.packet(espOffset, espLength);
      reason = open(buf, espOffset, espLength, NO_PORT, out);
    }
    return count(reason, out);
  }

  /**
   * Decapsulates a full outer IPv4 or IPv6 packet carrying ESP (protocol 50) or UDP-encapsulated
   * ESP. Bytes beyond the IP header's own length (link-layer padding) are ignored; a length field
   * that claims more than {@code length}, or less than its header, is {@link
   * DropReason#MALFORMED_HEADER}.
   *
   * @return {@link EspResult#OK} with the inner packet in {@code out}, or a {@link DropReason#id()}
   */
  public int decapsulatePacket(PacketBuffer buf, int ipOffset, int length, EspResult out) {
    out.reset();
    DropReason reason =
        withinBuffer(buf.buffer(), ipOffset, length)
            ? openPacket(buf, ipOffset, length, out)
            : DropReason.OUT_OF_BUFFER;
    return count(reason, out);
  }

  private int count(DropReason reason, EspResult out) {
    if (reason == null) {
      return EspResult.OK;
    }
    counters.drop(reason);
    return reason.id();
  }

  private static boolean withinBuffer(UnsafeBuffer b, int offset, int length) {
    return offset >= 0 && length >= 0 && offset <= b.capacity() - length;
  }

  private DropReason openPacket(PacketBuffer buf, int ipOffset, int length, EspResult out) {
    UnsafeBuffer b = buf.buffer();
    if (length < 1) {
      return DropReason.TRUNCATED;
    }
    int version = (b.getByte(ipOffset) & 0xf0) >>> 4;
    int protocol;
    int headerLength;
    int packetLength;
    if (version == Ipv4Header.VERSION) {
      if (length < Ipv4Header.MIN_LENGTH) {
        return DropReason.TRUNCATED;
      }
      ipv4.wrap(b, ipOffset);
      headerLength = ipv4.headerLength();
      packetLength = ipv4.totalLength();
      if (headerLength < Ipv4Header.MIN_LENGTH
          || headerLength > length
          || packetLength < headerLength
          || packetLength > length) {
        return DropReason.MALFORMED_HEADER;
      }
      if (!ipv4.isChecksumValid()) {
        return DropReason.BAD_IP_CHECKSUM;
      }
      if (ipv4.isFragment()) {
        return DropReason.FRAGMENT;
      }
      protocol = ipv4.protocol();
    } else if (version == Ipv6Header.VERSION) {
      if (length < Ipv6Header.LENGTH) {
        return DropReason.TRUNCATED;
      }
      ipv6.wrap(b, ipOffset);
      headerLength = Ipv6Header.LENGTH;
      packetLength = Ipv6Header.LENGTH + ipv6.payloadLength();
      if (packetLength > length) {
        return DropReason.MALFORMED_HEADER;
      }
      protocol = ipv6.nextHeader();
      if (isIpv6ExtensionHeader(protocol)) {
        return DropReason.IPV6_EXTENSION_HEADER;
      }
    } else {
      return DropReason.MALFORMED_HEADER;
    }
    out.packet(ipOffset, packetLength);
    int payloadOffset = ipOffset + headerLength;
    int payloadLength = packetLength - headerLength;
    if (protocol == EspHeader.PROTOCOL) {
      return open(buf, payloadOffset, payloadLength, NO_PORT, out);
    }
    if (protocol != UdpHeader.PROTOCOL) {
      return DropReason.NOT_ESP;
    }
    if (payloadLength < UdpHeader.LENGTH) {
      return DropReason.TRUNCATED;
    }
    udp.wrap(b, payloadOffset);
    int udpLength = udp.length();
    if (udpLength < UdpHeader.LENGTH || udpLength > payloadLength) {
      return DropReason.MALFORMED_HEADER;
    }
    // RFC 3948 3.1 lets the receiver ignore the UDP checksum: the ICV authenticates all of ESP.
    int dataOffset = payloadOffset + UdpHeader.LENGTH;
    int dataLength = udpLength - UdpHeader.LENGTH;
    return switch (UdpEncapsulation.classify(b, dataOffset, dataLength)) {
      case ESP -> open(buf, dataOffset, dataLength, udp.destinationPort(), out);
      case IKE -> DropReason.NON_ESP_MARKER;
      case NAT_KEEPALIVE -> DropReason.NAT_KEEPALIVE;
      case MALFORMED -> DropReason.TRUNCATED;
    };
  }

  /** The IPv6 extension headers (RFC 8200 4, RFC 7045): ESP and UDP are not among them. */
  private static boolean isIpv6ExtensionHeader(int nextHeader) {
    return switch (nextHeader) {
      case 0, 43, 44, 51, 60, 135, 139, 140, 253, 254 -> true;
      default -> false;
    };
  }

  /** Steps 2 to 7 on the ESP packet at {@code espOffset}, which lies within the buffer. */
  private DropReason open(
      PacketBuffer buf, int espOffset, int espLength, int udpPort, EspResult out) {
    UnsafeBuffer b = buf.buffer();
    out.esp(espOffset, espLength);
    if (espLength < EspHeader.LENGTH) {
      return DropReason.TRUNCATED;
    }
    esp.wrap(b, espOffset);
    int spi = esp.spi();
    out.spi(spi);
    SecurityAssociation sa = database.lookup(spi);
    if (sa == null) {
      return DropReason.UNKNOWN_SPI;
    }
    out.sa(sa);
    if (udpPort != NO_PORT && udpPort != sa.config().localPort()) {
      return DropReason.NOT_ESP;
    }
    if (sa.isExpired()) {
      return DropReason.SA_EXPIRED;
    }
    Encryption encryption = sa.config().suite().encryption();
    int ivLength = encryption.ivLength();
    int textLength = espLength - EspHeader.LENGTH - ivLength - sa.config().suite().icvLength();
    if (textLength < EspHeader.TRAILER_LENGTH) {
      return DropReason.TRUNCATED;
    }
    // CBC cannot decrypt a partial block. The 4-byte alignment RFC 4303 2.4 asks of other
    // transforms is the sender's duty and costs no security if missing, so it is not enforced.
    if (!encryption.isCombined() && textLength % encryption.paddingAlignment() != 0) {
      return DropReason.MISALIGNED;
    }

    ReplayWindow window = sa.replayWindow();
    long seq = window.infer(esp.sequenceLow());
    int verdict = window.check(seq);
    if (verdict == ReplayWindow.REPLAYED) {
      return DropReason.REPLAYED;
    }
    if (verdict == ReplayWindow.TOO_OLD) {
      return DropReason.TOO_OLD;
    }
    out.sequence(seq);
    if (!sa.cipher().open(buf, espOffset, textLength, seq, sa.esn())) {
      return DropReason.BAD_ICV;
    }
    // Authentic: from here on the number counts as received whatever the payload holds.
    window.update(seq);

    int textOffset = espOffset + EspHeader.LENGTH + ivLength;
    int trailer = textOffset + textLength - EspHeader.TRAILER_LENGTH;
    int padLength = b.getByte(trailer) & 0xff;
    int nextHeader = b.getByte(trailer + 1) & 0xff;
    int payloadLength = textLength - EspHeader.TRAILER_LENGTH - padLength;
    if (payloadLength < 0) {
      return DropReason.BAD_PADDING;
    }
    int padding = textOffset + payloadLength;
    for (int i = 1; i <= padLength; i++) {
      if ((b.getByte(padding + i - 1) & 0xff) != i) {
        return DropReason.BAD_PADDING;
      }
    }
    if (nextHeader == EspHeader.NEXT_HEADER_NONE) {
      return DropReason.DUMMY_PACKET;
    }
    int expectedVersion;
    if (nextHeader == EspHeader.NEXT_HEADER_IPV4) {
      expectedVersion = Ipv4Header.VERSION;
    } else if (nextHeader == EspHeader.NEXT_HEADER_IPV6) {
      expectedVersion = Ipv6Header.VERSION;
    } else {
      return DropReason.BAD_NEXT_HEADER;
    }
    if (payloadLength < 1) {
      return DropReason.BAD_INNER_PACKET;
    }
    if (((b.getByte(textOffset) & 0xf0) >>> 4) != expectedVersion) {
      return DropReason.BAD_NEXT_HEADER;
    }
    int innerLength = innerLength(b, textOffset, payloadLength, expectedVersion);
    if (innerLength < 0) {
      return DropReason.BAD_INNER_PACKET;
    }
    sa.chargeLifetime(innerLength);
    out.inner(textOffset, innerLength, nextHeader);
    return null;
  }

  /**
   * The inner packet's length per its own header, or -1 if the header is cut short or claims more
   * than the {@code available} bytes of payload.
   */
  private int innerLength(UnsafeBuffer b, int offset, int available, int version) {
    if (version == Ipv4Header.VERSION) {
      if (available < Ipv4Header.MIN_LENGTH) {
        return -1;
      }
      ipv4.wrap(b, offset);
      int headerLength = ipv4.headerLength();
      int totalLength = ipv4.totalLength();
      return headerLength >= Ipv4Header.MIN_LENGTH
              && totalLength >= headerLength
              && totalLength <= available
          ? totalLength
          : -1;
    }
    if (available < Ipv6Header.LENGTH) {
      return -1;
    }
    int total = Ipv6Header.LENGTH + ipv6.wrap(b, offset).payloadLength();
    return total <= available ? total : -1;
  }
}
