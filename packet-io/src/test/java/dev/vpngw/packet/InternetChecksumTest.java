package dev.vpngw.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {
  /** A naive RFC 1071 reference: 16-bit words, one at a time, folded after each add. */
  private static int reference(byte[] data, int offset, int length, long initial) {
    long sum = initial;
    for (int i = 0; i < length; i += 2) {
      int hi = data[offset + i] & 0xff;
      int lo = i + 1 < length ? data[offset + i + 1] & 0xff : 0;
      sum += (hi << 8) | lo;
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }

  /**
   * The sum read 8 bytes at a time in the machine's order matches the naive big-endian one for
   * every length and every alignment of the start, on heap and off heap, and split into ranges.
   */
  @Test
  void addMatchesTheReferenceAtEveryLengthAndAlignment() {
    byte[] bytes = new byte[400];
    new Random(11).nextBytes(bytes);
    java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(bytes.length);
    direct.put(bytes);
    for (UnsafeBuffer buffer :
        new UnsafeBuffer[] {new UnsafeBuffer(bytes), new UnsafeBuffer(direct)}) {
      for (int offset = 0; offset < 8; offset++) {
        for (int length = 0; length <= 300; length++) {
          int expected = reference(bytes, offset, length, 0x1234);
          assertEquals(
              expected,
              InternetChecksum.finish(InternetChecksum.add(buffer, offset, length, 0x1234)),
              "offset " + offset + " length " + length);
          int half = (length / 2) & ~1;
          long split = InternetChecksum.add(buffer, offset, half, 0x1234);
          split = InternetChecksum.add(buffer, offset + half, length - half, split);
          assertEquals(expected, InternetChecksum.finish(split), "split at " + half);
        }
      }
    }
  }

  @Test
  void ipv4HeaderChecksumOfAKnownHeader() {
    // A captured UDP datagram's header: 192.168.0.1 -> 192.168.0.199, checksum 0xb861.
    byte[] header = HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
    UnsafeBuffer buffer = new UnsafeBuffer(header);
    assertEquals(0xb861, InternetChecksum.ipv4Header(buffer, 0, 20));

    Ipv4Header ip = new Ipv4Header().wrap(buffer, 0);
    assertFalse(ip.isChecksumValid());
    ip.updateChecksum();
    assertEquals(0xb861, ip.checksum());
    assertTrue(ip.isChecksumValid());
    ip.ttl(63);
    assertFalse(ip.isChecksumValid());
  }

  @Test
  void ipv4HeaderChecksumCoversOptions() {
    byte[] bytes = new byte[64];
    new Random(7).nextBytes(bytes);
    UnsafeBuffer buffer = new UnsafeBuffer(bytes);
    Ipv4Header ip = new Ipv4Header().wrap(buffer, 4);
    ip.versionAndHeaderLength(28).checksum(0);
    int expected = reference(bytes, 4, 28, 0);
    assertEquals(expected, InternetChecksum.ipv4Header(buffer, 4, 28));
  }

  @Test
  void udpChecksumsMatchTheReferenceForEveryLength() {
    Random random = new Random(42);
    for (int udpLength = 8; udpLength < 200; udpLength++) {
      for (int v6 = 0; v6 < 2; v6++) {
        int ipLength = v6 == 1 ? Ipv6Header.LENGTH : Ipv4Header.MIN_LENGTH;
        byte[] bytes = new byte[2 + ipLength + udpLength];
        random.nextBytes(bytes);
        UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        int ipOffset = 2;
        int udpOffset = ipOffset + ipLength;
        new UdpHeader().wrap(buffer, udpOffset).length(udpLength).checksum(0);

        long pseudo;
        int actual;
        if (v6 == 1) {
          pseudo =
              sumWords(bytes, ipOffset + Ipv6Header.SOURCE_OFFSET, 32)
                  + UdpHeader.PROTOCOL
                  + udpLength;
          actual = InternetChecksum.udpIpv6(buffer, ipOffset, udpOffset, udpLength);
        } else {
          pseudo =
              sumWords(bytes, ipOffset + Ipv4Header.SOURCE_OFFSET, 8)
                  + UdpHeader.PROTOCOL
                  + udpLength;
          actual = InternetChecksum.udpIpv4(buffer, ipOffset, udpOffset, udpLength);
        }
        int expected = reference(bytes, udpOffset, udpLength, pseudo);
        assertEquals(expected == 0 ? 0xffff : expected, actual, "length " + udpLength);

        // A receiver summing everything, checksum included, gets all ones.
        buffer.putShort(udpOffset + 6, (short) actual, BIG_ENDIAN);
        assertEquals(0, reference(bytes, udpOffset, udpLength, pseudo), "verify " + udpLength);
      }
    }
  }

  @Test
  void computedZeroIsSentAsAllOnes() {
    // Choose the payload word so that the complemented sum is zero.
    byte[] bytes = new byte[20 + 10];
    UnsafeBuffer buffer = new UnsafeBuffer(bytes);
    new UdpHeader().wrap(buffer, 20).length(10).checksum(0);
    long partial = UdpHeader.PROTOCOL + 10 + 10;
    int word = (int) (0xffff - partial);
    buffer.putShort(28, (short) word, BIG_ENDIAN);
    assertEquals(0xffff, InternetChecksum.udpIpv4(buffer, 0, 20, 10));
  }

  private static long sumWords(byte[] data, int offset, int length) {
    long sum = 0;
    for (int i = 0; i < length; i += 2) {
      sum += ((data[offset + i] & 0xff) << 8) | (data[offset + i + 1] & 0xff);
    }
    return sum;
  }
}
