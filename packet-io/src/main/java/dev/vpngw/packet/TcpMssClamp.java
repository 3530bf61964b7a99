package dev.vpngw.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * TCP MSS clamping: lowers the Maximum Segment Size option (RFC 9293 3.7.1, kind 2, length 4) of a
 * SYN or SYN-ACK passing through the gateway, so the endpoints pick segments that fit the tunnel
 * MTU without relying on ICMP reaching them (the "MSS clamping" of RFC 4459). The TCP checksum is
 * patched incrementally (RFC 1624 3, equation 3), so the rest of the segment is never read and a
 * checksum that was wrong stays wrong.
 *
 * <p>Only packets whose TCP header is found without walking anything are touched: IPv4 that is not
 * a fragment, IPv6 whose next header is TCP. An IPv6 SYN behind an extension header keeps its MSS
 * (rare enough to be worth the simpler, bounded parser). Option parsing is bounded by the TCP data
 * offset and the packet's length; a malformed option list ends the walk, never an exception.
 */
public final class TcpMssClamp {
  /** IANA protocol number of TCP. */
  public static final int TCP_PROTOCOL = 6;

  /** Minimum TCP header length (data offset 5). */
  public static final int TCP_MIN_HEADER_LENGTH = 20;

  private static final int TCP_DATA_OFFSET_OFFSET = 12;
  private static final int TCP_FLAGS_OFFSET = 13;
  private static final int TCP_CHECKSUM_OFFSET = 16;
  private static final int FLAG_SYN = 0x02;
  private static final int OPTION_END = 0;
  private static final int OPTION_NOP = 1;
  private static final int OPTION_MSS = 2;
  private static final int OPTION_MSS_LENGTH = 4;

  private TcpMssClamp() {}

  /**
   * Lowers the MSS option of a TCP SYN to {@code maxMss} if it is larger.
   *
   * @param buffer the packet
   * @param ipOffset where its IP header starts
   * @param length bytes of packet available from {@code ipOffset}
   * @param maxMss the largest MSS to let through, 1 to 65535
   * @return true when the packet was changed
   * @throws IllegalArgumentException if {@code maxMss} is out of range (a configuration error)
   */
  public static boolean clamp(UnsafeBuffer buffer, int ipOffset, int length, int maxMss) {
    if (maxMss < 1 || maxMss > 0xffff) {
      throw new IllegalArgumentException("maxMss must be 1..65535: " + maxMss);
    }
    if (ipOffset < 0 || length < Ipv4Header.MIN_LENGTH || length > buffer.capacity() - ipOffset) {
      return false;
    }
    int version = (buffer.getByte(ipOffset) & 0xf0) >>> 4;
    int tcpOffset;
    int end;
    if (version == Ipv4Header.VERSION) {
      int headerLength = (buffer.getByte(ipOffset) & 0x0f) * 4;
      int totalLength =
          buffer.getShort(ipOffset + Ipv4Header.TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff;
      int fragment = buffer.getShort(ipOffset + Ipv4Header.FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN);
      if (headerLength < Ipv4Header.MIN_LENGTH
          || totalLength > length
          || (buffer.getByte(ipOffset + Ipv4Header.PROTOCOL_OFFSET) & 0xff) != TCP_PROTOCOL
          || (fragment & (Ipv4Header.FLAG_MORE_FRAGMENTS | Ipv4Header.FRAGMENT_OFFSET_MASK)) != 0) {
        return false;
      }
      tcpOffset = ipOffset + headerLength;
      end = ipOffset + totalLength;
    } else if (version == Ipv6Header.VERSION && length >= Ipv6Header.LENGTH) {
      int payloadLength =
          buffer.getShort(ipOffset + Ipv6Header.PAYLOAD_LENGTH_OFFSET, BIG_ENDIAN) & 0xffff;
      if ((buffer.getByte(ipOffset + Ipv6Header.NEXT_HEADER_OFFSET) & 0xff) != TCP_PROTOCOL
          || Ipv6Header.LENGTH + payloadLength > length) {
        return false;
      }
      tcpOffset = ipOffset + Ipv6Header.LENGTH;
      end = tcpOffset + payloadLength;
    } else {
      return false;
    }
    if (end - tcpOffset < TCP_MIN_HEADER_LENGTH
        || (buffer.getByte(tcpOffset + TCP_FLAGS_OFFSET) & FLAG_SYN) == 0) {
      return false;
    }
    int tcpHeaderLength = ((buffer.getByte(tcpOffset + TCP_DATA_OFFSET_OFFSET) & 0xf0) >>> 4) * 4;
    if (tcpHeaderLength < TCP_MIN_HEADER_LENGTH || tcpHeaderLength > end - tcpOffset) {
      return false;
    }
    int mssOffset = findMss(buffer, tcpOffset + TCP_MIN_HEADER_LENGTH, tcpOffset + tcpHeaderLength);
    if (mssOffset < 0) {
      return false;
    }
    int mss = buffer.getShort(mssOffset, BIG_ENDIAN) & 0xffff;
    if (mss <= maxMss) {
      return false;
    }
    buffer.putShort(mssOffset, (short) maxMss, BIG_ENDIAN);
    // The checksum sums 16-bit words counted from the TCP header. Options need no alignment, so
    // the MSS value may straddle two words; its contribution is then its byte-swapped value
    // (RFC 1071 2(B): the sum is independent of byte order), and the same update applies.
    boolean aligned = ((mssOffset - tcpOffset) & 1) == 0;
    int oldWord = aligned ? mss : swap(mss);
    int newWord = aligned ? maxMss : swap(maxMss);
    int checksumOffset = tcpOffset + TCP_CHECKSUM_OFFSET;
    int checksum = buffer.getShort(checksumOffset, BIG_ENDIAN) & 0xffff;
    buffer.putShort(checksumOffset, (short) update(checksum, oldWord, newWord), BIG_ENDIAN);
    return true;
  }

  /**
   * RFC 1624 equation 3: {@code HC' = ~(~HC + ~m + m')}, which, unlike equation 2 of RFC 1141,
   * never turns a sum into the ambiguous negative zero.
   */
  static int update(int checksum, int oldWord, int newWord) {
    int sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + newWord;
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    return ~sum & 0xffff;
  }

  /** The offset of the MSS option's value within [from, to), or -1. */
  private static int findMss(UnsafeBuffer buffer, int from, int to) {
    int i = from;
    while (i < to) {
      int kind = buffer.getByte(i) & 0xff;
      if (kind == OPTION_END) {
        return -1;
      }
      if (kind == OPTION_NOP) {
        i++;
        continue;
      }
      if (i + 1 >= to) {
        return -1;
      }
      int optionLength = buffer.getByte(i + 1) & 0xff;
      if (optionLength < 2 || i + optionLength > to) {
        return -1;
      }
      if (kind == OPTION_MSS) {
        return optionLength == OPTION_MSS_LENGTH ? i + 2 : -1;
      }
      i += optionLength;
    }
    return -1;
  }

  private static int swap(int word) {
    return ((word & 0xff) << 8) | ((word >>> 8) & 0xff);
  }
}
