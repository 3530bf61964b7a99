package dev.vpngw.packet;

import static dev.vpngw.packet.TestPackets.TCP;
import static dev.vpngw.packet.TestPackets.UDP;
import static dev.vpngw.packet.TestPackets.checksum;
import static dev.vpngw.packet.TestPackets.pseudoHeaderSum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.io.tun.VirtioNetHeader;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link GsoSegmenter} against super-packets built byte by byte here: every segment's headers,
 * payload slice and checksums are checked with {@link TestPackets}' naive RFC 1071 sum, not with
 * the code under test.
 */
class GsoSegmenterTest {
  private static final byte[] SRC4 = {10, 1, 0, 2};
  private static final byte[] DST4 = {10, 2, 0, 2};
  private static final byte[] SRC6 = address6(1);
  private static final byte[] DST6 = address6(2);
  private static final int FIN = 0x01;
  private static final int PSH = 0x08;
  private static final int ACK = 0x10;
  private static final int CWR = 0x80;

  private final GsoSegmenter segmenter = new GsoSegmenter();

  private static byte[] address6(int last) {
    byte[] a = new byte[16];
    a[0] = (byte) 0xfd;
    a[15] = (byte) last;
    return a;
  }

  private static byte[] payload(int length, long seed) {
    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    return data;
  }

  /**
   * An IPv4 header with {@code options} (a multiple of 4 bytes), id 0xfffe, DF, then {@code l4}.
   */
  private static byte[] ipv4(int protocol, byte[] options, byte[] l4) {
    int headerLength = 20 + options.length;
    ByteBuffer b = ByteBuffer.allocate(headerLength + l4.length);
    b.put((byte) (0x40 | headerLength / 4)).put((byte) 0x02).putShort((short) b.capacity());
    b.putShort((short) 0xfffe).putShort((short) 0x4000);
    b.put((byte) 64).put((byte) protocol).putShort((short) 0);
    b.put(SRC4).put(DST4).put(options).put(l4);
    byte[] packet = b.array();
    int c = checksum(packet, 0, headerLength, 0);
    packet[10] = (byte) (c >>> 8);
    packet[11] = (byte) c;
    return packet;
  }

  /** An IPv6 header, then {@code extension} (next header in its first byte), then {@code l4}. */
  private static byte[] ipv6(int protocol, byte[] extension, byte[] l4) {
    ByteBuffer b = ByteBuffer.allocate(40 + extension.length + l4.length);
    b.putInt(0x6000_0000 | (0x2e << 20) | 0x12345)
        .putShort((short) (extension.length + l4.length))
        .put((byte) (extension.length == 0 ? protocol : 0))
        .put((byte) 64);
    b.put(SRC6).put(DST6).put(extension).put(l4);
    return b.array();
  }

  /**
   * A TCP header with sequence number {@code seq}, {@code flags}, {@code options} (a multiple of
   * 4), a checksum field holding the pseudo-header's partial sum as the kernel leaves it, and data.
   */
  private static byte[] tcp(int seq, int flags, byte[] options, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(20 + options.length + data.length);
    b.putShort((short) 40000).putShort((short) 5201).putInt(seq).putInt(0x0a0b0c0d);
    b.put((byte) (((20 + options.length) / 4) << 4)).put((byte) flags).putShort((short) 501);
    b.putShort((short) 0x1357).putShort((short) 0).put(options).put(data);
    return b.array();
  }

  private static byte[] udp(byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + data.length);
    b.putShort((short) 4433).putShort((short) 443).putShort((short) (8 + data.length));
    b.putShort((short) 0x2468).put(data);
    return b.array();
  }

  /** NOP, NOP, timestamps (RFC 7323): what Linux puts on every data segment. */
  private static final byte[] TIMESTAMPS = {
    1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88
  };

  /** Cuts the packet and returns the segments, each written at an odd offset of a dirty buffer. */
  private byte[][] cut(byte[] packet, int gsoType, int gsoSize, int csumStart) {
    UnsafeBuffer source = new UnsafeBuffer(new byte[packet.length + 7]);
    source.putBytes(7, packet);
    int n = segmenter.prepare(source, 7, packet.length, gsoType, gsoSize, csumStart);
    assertTrue(n > 0, "prepare refused the packet");
    assertEquals(n, segmenter.segments());
    byte[][] segments = new byte[n][];
    UnsafeBuffer out = new UnsafeBuffer(new byte[70_000]);
    for (int i = 0; i < n; i++) {
      out.setMemory(0, out.capacity(), (byte) 0x5a);
      int length = segmenter.writeSegment(i, out, 13);
      assertEquals(segmenter.segmentLength(i), length);
      segments[i] = new byte[length];
      out.getBytes(13, segments[i]);
    }
    byte[] after = new byte[packet.length];
    source.getBytes(7, after);
    assertArrayEquals(packet, after, "the super-packet must stay as it was");
    return segments;
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  private static int u32(byte[] b, int at) {
    return ByteBuffer.wrap(b, at, 4).getInt();
  }

  /** Checks the transport checksum of a segment with its L4 header at {@code l4}. */
  private static void assertL4ChecksumValid(byte[] segment, int l4, int protocol) {
    int length = segment.length - l4;
    assertEquals(
        0,
        checksum(segment, l4, length, pseudoHeaderSum(segment, protocol, length)),
        "transport checksum");
  }

  @Test
  void ipv4TcpWithOptionsIsCutAtGsoSizeWithLastSegmentFlags() {
    byte[] ipOptions = {1, 1, 1, 0}; // NOP NOP NOP EOL: an IHL of 6
    int gsoSize = 1448;
    byte[] data = payload(3 * gsoSize + 657, 1);
    int seq = 0xffff_f000; // wraps past 2^32 within the packet
    byte[] packet = ipv4(TCP, ipOptions, tcp(seq, ACK | PSH | FIN | CWR, TIMESTAMPS, data));
    int l4 = 24;
    int headers = l4 + 20 + TIMESTAMPS.length;

    byte[][] segments =
        cut(packet, VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN, gsoSize, l4);

    assertEquals(4, segments.length);
    for (int i = 0; i < segments.length; i++) {
      byte[] s = segments[i];
      int expectedPayload = i < 3 ? gsoSize : 657;
      assertEquals(headers + expectedPayload, s.length);
      assertEquals(s.length, u16(s, 2), "total length");
      assertEquals((0xfffe + i) & 0xffff, u16(s, 4), "identification advances per segment");
      assertEquals(0x4000, u16(s, 6), "DF kept");
      assertEquals(0, checksum(s, 0, 24, 0), "IPv4 header checksum");
      assertArrayEquals(
          Arrays.copyOfRange(packet, 0, 2), Arrays.copyOfRange(s, 0, 2), "version, IHL, TOS");
      assertArrayEquals(Arrays.copyOfRange(packet, 8, 10), Arrays.copyOfRange(s, 8, 10));
      assertArrayEquals(Arrays.copyOfRange(packet, 12, 24), Arrays.copyOfRange(s, 12, 24));
      assertEquals(seq + i * gsoSize, u32(s, l4 + 4), "sequence number");
      assertEquals(0x0a0b0c0d, u32(s, l4 + 8), "acknowledgment");
      int flags = s[l4 + 13] & 0xff;
      assertEquals(i == 0, (flags & CWR) != 0, "CWR on the first segment only");
      assertEquals(i == 3, (flags & FIN) != 0, "FIN on the last segment only");
      assertEquals(i == 3, (flags & PSH) != 0, "PSH on the last segment only");
      assertTrue((flags & ACK) != 0);
      assertArrayEquals(
          TIMESTAMPS, Arrays.copyOfRange(s, l4 + 20, headers), "TCP options repeated");
      assertArrayEquals(
          Arrays.copyOfRange(data, i * gsoSize, i * gsoSize + expectedPayload),
          Arrays.copyOfRange(s, headers, s.length),
          "payload slice " + i);
      assertL4ChecksumValid(s, l4, TCP);
    }
  }

  @Test
  void ipv6TcpBehindAHopByHopHeaderGetsPayloadLengthsAndChecksums() {
    // Hop-by-hop options: next header TCP, length 0 (8 bytes), a PadN filling the rest.
    byte[] hopByHop = {6, 0, 1, 4, 0, 0, 0, 0};
    int gsoSize = 1001; // odd, so the next segment's data starts at an odd offset of the source
    byte[] data = payload(2 * gsoSize + 1, 2);
    byte[] packet = ipv6(TCP, hopByHop, tcp(7, ACK | PSH, TIMESTAMPS, data));
    int l4 = 48;
    int headers = l4 + 32;

    byte[][] segments = cut(packet, VirtioNetHeader.GSO_TCPV6, gsoSize, l4);

    assertEquals(3, segments.length);
    assertEquals(headers + 1, segments[2].length, "the last segment carries the odd byte");
    for (int i = 0; i < segments.length; i++) {
      byte[] s = segments[i];
      assertEquals(s.length - 40, u16(s, 4), "payload length");
      assertArrayEquals(
          Arrays.copyOfRange(packet, 0, 4), Arrays.copyOfRange(s, 0, 4), "class and flow label");
      assertArrayEquals(Arrays.copyOfRange(packet, 6, 48), Arrays.copyOfRange(s, 6, 48));
      assertEquals(7 + i * gsoSize, u32(s, l4 + 4));
      assertEquals(i == 2, (s[l4 + 13] & PSH) != 0);
      assertArrayEquals(
          Arrays.copyOfRange(data, i * gsoSize, Math.min(data.length, (i + 1) * gsoSize)),
          Arrays.copyOfRange(s, headers, s.length));
      assertL4ChecksumValid(s, l4, TCP);
    }
  }

  @Test
  void udpSuperPacketsBecomeDatagramsWithTheirOwnLengthAndChecksum() {
    for (boolean v6 : new boolean[] {false, true}) {
      byte[] data = payload(3 * 1200 - 1, 3);
      byte[] packet = v6 ? ipv6(UDP, new byte[0], udp(data)) : ipv4(UDP, new byte[0], udp(data));
      int l4 = v6 ? 40 : 20;

      byte[][] segments = cut(packet, VirtioNetHeader.GSO_UDP_L4, 1200, l4);

      assertEquals(3, segments.length);
      for (int i = 0; i < 3; i++) {
        byte[] s = segments[i];
        assertEquals(s.length - l4, u16(s, l4 + 4), "UDP length");
        assertEquals(i < 2 ? 1208 : 1207, s.length - l4);
        assertArrayEquals(
            Arrays.copyOfRange(data, i * 1200, Math.min(data.length, (i + 1) * 1200)),
            Arrays.copyOfRange(s, l4 + 8, s.length));
        assertL4ChecksumValid(s, l4, UDP);
        if (!v6) {
          assertEquals(0, checksum(s, 0, 20, 0));
          assertEquals(s.length, u16(s, 2));
        }
      }
    }
  }

  @Test
  void aGsoSizeAtLeastThePayloadMakesOneSegment() {
    byte[] data = payload(100, 4);
    byte[] packet = ipv4(TCP, new byte[0], tcp(1, ACK | PSH, new byte[0], data));
    byte[][] segments = cut(packet, VirtioNetHeader.GSO_TCPV4, 1448, 20);
    assertEquals(1, segments.length);
    assertEquals(packet.length, segments[0].length);
    assertEquals(PSH | ACK, segments[0][33] & 0xff, "a lone segment is the first and the last");
    assertL4ChecksumValid(segments[0], 20, TCP);
  }

  @Test
  void superPacketsThatDoNotParseAreRefused() {
    byte[] v4 = ipv4(TCP, new byte[0], tcp(1, ACK, new byte[0], payload(3000, 5)));
    byte[] v6 = ipv6(TCP, new byte[0], tcp(1, ACK, new byte[0], payload(3000, 5)));
    assertRefused(v4, VirtioNetHeader.GSO_TCPV6, 1448, 20, "TCPV6 on an IPv4 packet");
    assertRefused(v6, VirtioNetHeader.GSO_TCPV4, 1448, 40, "TCPV4 on an IPv6 packet");
    assertRefused(v4, VirtioNetHeader.GSO_UDP_L4, 1448, 20, "UDP type on TCP");
    assertRefused(v4, 3, 1448, 20, "the old UFO type");
    assertRefused(v4, VirtioNetHeader.GSO_TCPV4, 0, 20, "no gso size");
    assertRefused(v4, VirtioNetHeader.GSO_TCPV4, 1448, 24, "csum_start not the TCP header");
    assertRefused(Arrays.copyOf(v4, 1000), VirtioNetHeader.GSO_TCPV4, 500, 20, "cut short");
    byte[] headersOnly = ipv4(TCP, new byte[0], tcp(1, ACK, new byte[0], new byte[0]));
    assertRefused(headersOnly, VirtioNetHeader.GSO_TCPV4, 1448, 20, "no payload");
    byte[] fragment = v4.clone();
    fragment[6] = 0x20; // MF
    assertRefused(fragment, VirtioNetHeader.GSO_TCPV4, 1448, 20, "a fragment");
    byte[] badOffset = v4.clone();
    badOffset[32] = 0x40; // data offset 4: shorter than a TCP header
    assertRefused(badOffset, VirtioNetHeader.GSO_TCPV4, 1448, 20, "data offset below 5");
    byte[] fragmentHeader =
        ipv6(TCP, new byte[] {6, 0, 0, 0, 0, 0, 0, 1}, tcp(1, ACK, new byte[0], payload(3000, 5)));
    fragmentHeader[6] = 44;
    assertRefused(fragmentHeader, VirtioNetHeader.GSO_TCPV6, 1448, 48, "an IPv6 fragment header");
  }

  private void assertRefused(byte[] packet, int gsoType, int gsoSize, int csumStart, String why) {
    UnsafeBuffer b = new UnsafeBuffer(packet);
    assertEquals(
        GsoSegmenter.MALFORMED,
        segmenter.prepare(b, 0, packet.length, gsoType, gsoSize, csumStart),
        why);
  }

  @Test
  void aPartialChecksumOfAPlainPacketIsCompleted() {
    for (boolean v6 : new boolean[] {false, true}) {
      for (int protocol : new int[] {TCP, UDP}) {
        for (int dataLength = 0; dataLength < 40; dataLength += 7) {
          byte[] data = payload(dataLength, dataLength);
          byte[] l4 = protocol == TCP ? tcp(9, ACK, TIMESTAMPS, data) : udp(data);
          byte[] packet = v6 ? ipv6(protocol, new byte[0], l4) : ipv4(protocol, new byte[0], l4);
          int start = v6 ? 40 : 20;
          int field = protocol == TCP ? 16 : 6;
          // What the kernel leaves: the folded pseudo-header sum, not complemented.
          int partial = ~checksum(new byte[0], 0, 0, pseudoHeaderSum(packet, protocol, l4.length));
          packet[start + field] = (byte) (partial >>> 8);
          packet[start + field + 1] = (byte) partial;

          UnsafeBuffer b = new UnsafeBuffer(packet);
          assertTrue(GsoSegmenter.completeChecksum(b, 0, packet.length, start, field));
          assertL4ChecksumValid(packet, start, protocol);
        }
      }
    }
  }

  /**
   * A segment whose checksum comes out as zero: TCP keeps 0x0000 (a correct sender never writes
   * 0xffff there, and Wireshark calls it wrong), UDP writes 0xffff (zero there means none).
   */
  @Test
  void aZeroChecksumIsWrittenAsZeroForTcpAndAsAllOnesForUdp() {
    for (int protocol : new int[] {TCP, UDP}) {
      for (boolean viaGso : new boolean[] {false, true}) {
        byte[] data = payload(64, 6);
        data[0] = 0;
        data[1] = 0;
        byte[] l4 = protocol == TCP ? tcp(9, ACK, new byte[0], data) : udp(data);
        int dataAt = 20 + (protocol == TCP ? 20 : 8);
        int field = 20 + (protocol == TCP ? 16 : 6);
        // Fill the data's first word with what the checksum would be: the sum then folds to all
        // ones and the checksum to zero.
        byte[] probe = ipv4(protocol, new byte[0], l4);
        probe[field] = 0;
        probe[field + 1] = 0;
        int c = checksum(probe, 20, l4.length, pseudoHeaderSum(probe, protocol, l4.length));
        data[0] = (byte) (c >>> 8);
        data[1] = (byte) c;
        l4 = protocol == TCP ? tcp(9, ACK, new byte[0], data) : udp(data);
        byte[] packet = ipv4(protocol, new byte[0], l4);
        assertEquals(c >>> 8, packet[dataAt] & 0xff);
        byte[] result;
        if (viaGso) {
          int type = protocol == TCP ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_UDP_L4;
          result = cut(packet, type, 1000, 20)[0];
        } else {
          int partial = ~checksum(new byte[0], 0, 0, pseudoHeaderSum(packet, protocol, l4.length));
          packet[field] = (byte) (partial >>> 8);
          packet[field + 1] = (byte) partial;
          assertTrue(
              GsoSegmenter.completeChecksum(
                  new UnsafeBuffer(packet), 0, packet.length, 20, field - 20));
          result = packet;
        }
        assertEquals(protocol == TCP ? 0 : 0xffff, u16(result, field), "protocol " + protocol);
        assertL4ChecksumValid(result, 20, protocol);
      }
    }
  }

  @Test
  void aChecksumFieldOutsideThePacketIsRefused() {
    byte[] packet = ipv4(UDP, new byte[0], udp(new byte[4]));
    byte[] before = packet.clone();
    UnsafeBuffer b = new UnsafeBuffer(packet);
    assertFalse(GsoSegmenter.completeChecksum(b, 0, packet.length, 20, 12));
    assertFalse(GsoSegmenter.completeChecksum(b, 0, packet.length, 20, 5), "odd offset");
    assertFalse(GsoSegmenter.completeChecksum(b, 0, packet.length, 4, 6), "inside the IP header");
    assertArrayEquals(before, packet);
  }
}
