package dev.vpngw.packet;

import static dev.vpngw.packet.TestPackets.TCP;
import static dev.vpngw.packet.TestPackets.bytes;
import static dev.vpngw.packet.TestPackets.concat;
import static dev.vpngw.packet.TestPackets.fillTcpChecksum;
import static dev.vpngw.packet.TestPackets.ipv4;
import static dev.vpngw.packet.TestPackets.ipv6;
import static dev.vpngw.packet.TestPackets.tcp;
import static dev.vpngw.packet.TestPackets.tcpChecksumValid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class TcpMssClampTest {
  private static final int SYN = 0x02;
  private static final int SYN_ACK = 0x12;
  private static final int ACK = 0x10;
  private static final byte[] V4_SRC = bytes(10, 0, 0, 5);
  private static final byte[] V4_DST = bytes(10, 1, 0, 9);
  private static final byte[] V6_SRC =
      bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5);
  private static final byte[] V6_DST =
      bytes(0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9);

  /** Linux's SYN options: MSS, SACK permitted, timestamps, NOP, window scale. */
  private static byte[] linuxOptions(int mss) {
    return bytes(2, 4, mss >>> 8, mss, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7);
  }

  private static byte[] v4Syn(int flags, byte[] options) {
    byte[] packet = ipv4(TCP, V4_SRC, V4_DST, 0x4000, tcp(flags, options, new byte[0]));
    fillTcpChecksum(packet, 20);
    return packet;
  }

  private static byte[] v6Syn(int flags, byte[] options) {
    byte[] packet = ipv6(TCP, V6_SRC, V6_DST, tcp(flags, options, new byte[0]));
    fillTcpChecksum(packet, 40);
    return packet;
  }

  private static int mssAt(byte[] packet, int offset) {
    return ((packet[offset] & 0xff) << 8) | (packet[offset + 1] & 0xff);
  }

  @Test
  void clampsTheMssOfAnIpv4SynAndKeepsTheChecksumValid() {
    byte[] packet = v4Syn(SYN, linuxOptions(1460));
    assertTrue(TcpMssClamp.clamp(new UnsafeBuffer(packet), 0, packet.length, 1360));
    assertEquals(1360, mssAt(packet, 40 + 2));
    assertTrue(tcpChecksumValid(packet, 20));
  }

  @Test
  void clampsASynAckToo() {
    byte[] packet = v4Syn(SYN_ACK, linuxOptions(1460));
    assertTrue(TcpMssClamp.clamp(new UnsafeBuffer(packet), 0, packet.length, 1400));
    assertEquals(1400, mssAt(packet, 42));
    assertTrue(tcpChecksumValid(packet, 20));
  }

  @Test
  void clampsAnIpv6Syn() {
    byte[] packet = v6Syn(SYN, linuxOptions(1440));
    assertTrue(TcpMssClamp.clamp(new UnsafeBuffer(packet), 0, packet.length, 1220));
    assertEquals(1220, mssAt(packet, 60 + 2));
    assertTrue(tcpChecksumValid(packet, 40));
  }

  @Test
  void anMssAtAnOddOffsetStillGetsAValidChecksum() {
    // NOP, then MSS: the MSS value straddles two checksum words.
    byte[] packet = v4Syn(SYN, bytes(1, 2, 4, 0x05, 0xb4, 0, 0, 0));
    assertTrue(TcpMssClamp.clamp(new UnsafeBuffer(packet), 0, packet.length, 1300));
    assertEquals(1300, mssAt(packet, 40 + 3));
    assertTrue(tcpChecksumValid(packet, 20));
  }

  @Test
  void worksAtAnOffsetInsideALargerBuffer() {
    byte[] packet = v4Syn(SYN, linuxOptions(8960));
    byte[] frame = new byte[packet.length + 100];
    System.arraycopy(packet, 0, frame, 64, packet.length);
    assertTrue(TcpMssClamp.clamp(new UnsafeBuffer(frame), 64, packet.length, 1360));
    byte[] after = java.util.Arrays.copyOfRange(frame, 64, 64 + packet.length);
    assertEquals(1360, mssAt(after, 42));
    assertTrue(tcpChecksumValid(after, 20));
  }

  @Test
  void leavesSmallEnoughMssAlone() {
    byte[] packet = v4Syn(SYN, linuxOptions(1200));
    byte[] before = packet.clone();
    assertFalse(TcpMssClamp.clamp(new UnsafeBuffer(packet), 0, packet.length, 1360));
    assertFalse(TcpMssClamp.clamp(new UnsafeBuffer(packet), 0, packet.length, 1200));
    assertArrayEquals(before, packet);
  }

  @Test
  void leavesNonSynSegmentsFragmentsAndExtensionHeadersAlone() {
    byte[] ack = v4Syn(ACK, linuxOptions(1460));
    assertUntouched(ack, 1000);

    byte[] fragment = ipv4(TCP, V4_SRC, V4_DST, 0x2000, tcp(SYN, linuxOptions(1460), new byte[0]));
    fillTcpChecksum(fragment, 20);
    assertUntouched(fragment, 1000);

    // Hop-by-hop options header (next header 0) before TCP.
    byte[] hopByHop =
        concat(bytes(TCP, 0, 1, 4, 0, 0, 0, 0), tcp(SYN, linuxOptions(1460), new byte[0]));
    assertUntouched(ipv6(0, V6_SRC, V6_DST, hopByHop), 1000);

    byte[] udp = ipv4(17, V4_SRC, V4_DST, 0, tcp(SYN, linuxOptions(1460), new byte[0]));
    assertUntouched(udp, 1000);

    byte[] noMss = v4Syn(SYN, bytes(1, 1, 4, 2, 1, 3, 3, 7));
    assertUntouched(noMss, 1000);
  }

  @Test
  void malformedOptionsEndTheWalkWithoutThrowing() {
    assertUntouched(v4Syn(SYN, bytes(3, 0, 2, 4, 5, 0xb4, 0, 0)), 1000); // length 0
    assertUntouched(v4Syn(SYN, bytes(3, 1, 2, 4, 5, 0xb4, 0, 0)), 1000); // length 1
    assertUntouched(v4Syn(SYN, bytes(8, 40, 2, 4, 5, 0xb4, 0, 0)), 1000); // past the header
    assertUntouched(v4Syn(SYN, bytes(2, 3, 5, 0xb4)), 1000); // MSS with the wrong length
    assertUntouched(v4Syn(SYN, bytes(1, 1, 1, 2)), 1000); // kind with no room for a length
    assertUntouched(v4Syn(SYN, bytes(0, 2, 4, 5, 0xb4, 0, 0, 0)), 1000); // after end of list
  }

  @Test
  void lengthsThatDisagreeWithThePacketAreRejected() {
    byte[] packet = v4Syn(SYN, linuxOptions(1460));
    UnsafeBuffer buffer = new UnsafeBuffer(packet);
    assertFalse(TcpMssClamp.clamp(buffer, 0, packet.length - 1, 1000)); // total length > length
    assertFalse(TcpMssClamp.clamp(buffer, 0, packet.length + 1, 1000)); // past the buffer
    assertFalse(TcpMssClamp.clamp(buffer, -1, packet.length, 1000));
    assertFalse(TcpMssClamp.clamp(buffer, 0, 19, 1000));
    packet[32] = (byte) 0xf0; // data offset 60: more than the segment holds
    assertFalse(TcpMssClamp.clamp(buffer, 0, packet.length, 1000));
    packet[32] = (byte) 0x40; // data offset 16: below the minimum
    assertFalse(TcpMssClamp.clamp(buffer, 0, packet.length, 1000));
  }

  @Test
  void rejectsAnMssLimitOutOfRange() {
    UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
    assertThrows(IllegalArgumentException.class, () -> TcpMssClamp.clamp(buffer, 0, 64, 0));
    assertThrows(IllegalArgumentException.class, () -> TcpMssClamp.clamp(buffer, 0, 64, 65536));
  }

  /** Random option layouts: the result always agrees with a model and the checksum stays valid. */
  @Test
  void randomOptionLayoutsAgreeWithAModel() {
    Random random = new Random(4303);
    for (int round = 0; round < 20_000; round++) {
      byte[] options = new byte[4 * (1 + random.nextInt(10))];
      int at = 0;
      int mssOffset = -1;
      int mss = random.nextInt(65536);
      while (at < options.length) {
        int choice = random.nextInt(4);
        if (choice == 0 || options.length - at < 4) {
          options[at++] = 1; // NOP
        } else if (choice == 1 && mssOffset < 0) {
          options[at] = 2;
          options[at + 1] = 4;
          options[at + 2] = (byte) (mss >>> 8);
          options[at + 3] = (byte) mss;
          mssOffset = at + 2;
          at += 4;
        } else {
          int length = 2 + random.nextInt(Math.min(options.length - at - 1, 10));
          options[at] = (byte) (3 + random.nextInt(250));
          options[at + 1] = (byte) length;
          at += length;
        }
      }
      boolean v6 = random.nextBoolean();
      int limit = 1 + random.nextInt(65535);
      byte[] packet = v6 ? v6Syn(SYN, options) : v4Syn(SYN, options);
      int tcpOffset = v6 ? 40 : 20;
      boolean expected = mssOffset >= 0 && mss > limit;
      assertEquals(expected, TcpMssClamp.clamp(new UnsafeBuffer(packet), 0, packet.length, limit));
      if (mssOffset >= 0) {
        assertEquals(expected ? limit : mss, mssAt(packet, tcpOffset + 20 + mssOffset));
      }
      assertTrue(tcpChecksumValid(packet, tcpOffset), "round " + round);
    }
  }

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(1624);
    byte[] data = new byte[128];
    UnsafeBuffer buffer = new UnsafeBuffer(data);
    for (int round = 0; round < 100_000; round++) {
      random.nextBytes(data);
      data[0] = (byte) (random.nextBoolean() ? 0x45 + random.nextInt(11) : 0x60);
      data[9] = TCP;
      data[6] = (byte) TCP;
      data[33] = (byte) (data[33] | SYN);
      TcpMssClamp.clamp(buffer, random.nextInt(8), random.nextInt(130), 1 + random.nextInt(2000));
    }
  }

  @Test
  void theIncrementalUpdateMatchesRecomputation() {
    Random random = new Random(1141);
    for (int round = 0; round < 100_000; round++) {
      byte[] data = new byte[2 + 2 * random.nextInt(20)];
      random.nextBytes(data);
      int checksum = TestPackets.checksum(data, 0, data.length, 0);
      int oldWord = ((data[0] & 0xff) << 8) | (data[1] & 0xff);
      int newWord = random.nextInt(65536);
      data[0] = (byte) (newWord >>> 8);
      data[1] = (byte) newWord;
      int expected = TestPackets.checksum(data, 0, data.length, 0);
      int updated = TcpMssClamp.update(checksum, oldWord, newWord);
      // Both 0x0000 and 0xffff are zero in ones' complement; RFC 1624 yields the positive one.
      assertEquals(expected == 0xffff ? 0 : expected, updated == 0xffff ? 0 : updated);
    }
  }

  private static void assertUntouched(byte[] packet, int maxMss) {
    byte[] before = packet.clone();
    assertFalse(TcpMssClamp.clamp(new UnsafeBuffer(packet), 0, packet.length, maxMss));
    assertArrayEquals(before, packet);
  }
}
