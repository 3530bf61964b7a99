package dev.vpngw.packet;

import static dev.vpngw.packet.TestPackets.TCP;
import static dev.vpngw.packet.TestPackets.checksum;
import static dev.vpngw.packet.TestPackets.pseudoHeaderSum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.io.tun.VirtioNetHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link TcpCoalescer}: runs of segments built here become one GSO frame whose header and partial
 * checksum are checked with {@link TestPackets}' naive sum, and which {@link GsoSegmenter} (what
 * the kernel does when it must cut the frame again) turns back into exactly the segments that went
 * in; everything that would not survive that round trip, or hides a bad checksum, is refused.
 */
class TcpCoalescerTest {
  private static final int PSH = 0x08;
  private static final int ACK = 0x10;
  private static final int SYN = 0x02;
  private static final int FIN = 0x01;
  private static final int RST = 0x04;
  private static final int URG = 0x20;
  private static final int CWR = 0x80;
  private static final byte[] TIMESTAMPS = {
    1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88
  };
  private static final int AT = 16;

  private final UnsafeBuffer out = new UnsafeBuffer(new byte[AT + 65_536]);
  private final TcpCoalescer coalescer = new TcpCoalescer(out, AT, 65_536);
  private final UnsafeBuffer ring = new UnsafeBuffer(new byte[70_000]);

  /** One segment of a flow: IPv4 (id) or IPv6, TCP with timestamps, a valid checksum. */
  private static byte[] segment(boolean v6, int id, int seq, int flags, byte[] data) {
    ByteBuffer t = ByteBuffer.allocate(32 + data.length);
    t.putShort((short) 40000).putShort((short) 5201).putInt(seq).putInt(0x0a0b0c0d);
    t.put((byte) (8 << 4)).put((byte) flags).putShort((short) 501).putShort((short) 0);
    t.putShort((short) 0).put(TIMESTAMPS).put(data);
    byte[] tcp = t.array();
    byte[] packet;
    if (v6) {
      ByteBuffer b = ByteBuffer.allocate(40 + tcp.length);
      b.putInt(0x6000_0000 | 0x54321).putShort((short) tcp.length).put((byte) TCP).put((byte) 63);
      b.put(address6(1)).put(address6(2)).put(tcp);
      packet = b.array();
    } else {
      ByteBuffer b = ByteBuffer.allocate(20 + tcp.length);
      b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + tcp.length));
      b.putShort((short) id).putShort((short) 0x4000).put((byte) 63).put((byte) TCP);
      b.putShort((short) 0).put(new byte[] {10, 1, 0, 2, 10, 2, 0, 2}).put(tcp);
      packet = b.array();
      int c = checksum(packet, 0, 20, 0);
      packet[10] = (byte) (c >>> 8);
      packet[11] = (byte) c;
    }
    TestPackets.fillTcpChecksum(packet, v6 ? 40 : 20);
    return packet;
  }

  private static byte[] address6(int last) {
    byte[] a = new byte[16];
    a[0] = (byte) 0xfd;
    a[15] = (byte) last;
    return a;
  }

  private static byte[] data(int length, long seed) {
    byte[] d = new byte[length];
    new Random(seed).nextBytes(d);
    return d;
  }

  /** A run of {@code count} full segments and a last one of {@code lastLength}, PSH on the last. */
  private static List<byte[]> run(boolean v6, int count, int mss, int lastLength) {
    List<byte[]> run = new ArrayList<>();
    int seq = 0xffff_fa00;
    for (int i = 0; i < count; i++) {
      boolean last = i == count - 1;
      int length = last ? lastLength : mss;
      run.add(segment(v6, 0xfff0 + i, seq, ACK | (last ? PSH : 0), data(length, i)));
      seq += length;
    }
    return run;
  }

  private boolean start(byte[] packet) {
    ring.putBytes(3, packet);
    return coalescer.start(ring, 3, packet.length);
  }

  private boolean append(byte[] packet) {
    ring.putBytes(3, packet);
    return coalescer.append(ring, 3, packet.length);
  }

  private byte[] finish() {
    int frame = coalescer.finish();
    byte[] bytes = new byte[frame];
    out.getBytes(coalescer.frameOffset(), bytes);
    return bytes;
  }

  private static int u16le(byte[] b, int at) {
    return (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8);
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  @Test
  void aRunBecomesOneGsoFrameThatCutsBackIntoTheSameSegments() {
    for (boolean v6 : new boolean[] {false, true}) {
      List<byte[]> run = run(v6, 20, 1388, 777);
      assertTrue(start(run.get(0)));
      for (int i = 1; i < run.size(); i++) {
        assertTrue(append(run.get(i)), "segment " + i);
      }
      assertEquals(20, coalescer.segments());
      byte[] frame = finish();
      assertTrue(coalescer.isEmpty());

      int ip = v6 ? 40 : 20;
      int headers = ip + 32;
      int length = headers + 19 * 1388 + 777;
      assertEquals(VirtioNetHeader.LENGTH + length, frame.length);
      assertEquals(VirtioNetHeader.FLAG_NEEDS_CSUM, frame[0]);
      assertEquals(v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4, frame[1]);
      assertEquals(headers, u16le(frame, 2), "hdr_len");
      assertEquals(1388, u16le(frame, 4), "gso_size");
      assertEquals(ip, u16le(frame, 6), "csum_start");
      assertEquals(16, u16le(frame, 8), "csum_offset");
      byte[] packet = Arrays.copyOfRange(frame, VirtioNetHeader.LENGTH, frame.length);
      if (v6) {
        assertEquals(length - 40, u16(packet, 4));
      } else {
        assertEquals(length, u16(packet, 2));
        assertEquals(0, checksum(packet, 0, 20, 0), "IPv4 header checksum");
      }
      assertEquals(PSH | ACK, packet[ip + 13] & 0xff, "PSH of the last segment kept");
      int partial = ~checksum(new byte[0], 0, 0, pseudoHeaderSum(packet, TCP, length - ip));
      assertEquals(partial & 0xffff, u16(packet, ip + 16), "partial checksum: the pseudo-header");

      GsoSegmenter segmenter = new GsoSegmenter();
      UnsafeBuffer b = new UnsafeBuffer(packet);
      int n = segmenter.prepare(b, 0, packet.length, frame[1] & 0xff, 1388, ip);
      assertEquals(20, n);
      UnsafeBuffer cut = new UnsafeBuffer(new byte[2000]);
      for (int i = 0; i < n; i++) {
        int len = segmenter.writeSegment(i, cut, 0);
        byte[] again = new byte[len];
        cut.getBytes(0, again);
        assertArrayEquals(run.get(i), again, (v6 ? "IPv6" : "IPv4") + " segment " + i);
      }
    }
  }

  @Test
  void aLoneSegmentGoesOutAsItCameBehindAZeroHeader() {
    byte[] packet = segment(false, 1, 100, ACK, data(500, 1));
    assertTrue(start(packet));
    byte[] frame = finish();
    assertArrayEquals(new byte[VirtioNetHeader.LENGTH], Arrays.copyOf(frame, 10));
    assertArrayEquals(packet, Arrays.copyOfRange(frame, 10, frame.length));
  }

  @Test
  void packetsThatCannotHeadARunAreLeftAlone() {
    assertFalse(start(segment(false, 1, 1, ACK | SYN, data(10, 1))), "SYN");
    assertFalse(start(segment(false, 1, 1, ACK | FIN, data(10, 1))), "FIN");
    assertFalse(start(segment(false, 1, 1, ACK | RST, data(10, 1))), "RST");
    assertFalse(start(segment(false, 1, 1, ACK | URG, data(10, 1))), "URG");
    assertFalse(start(segment(false, 1, 1, ACK | CWR, data(10, 1))), "CWR");
    assertFalse(start(segment(false, 1, 1, ACK, new byte[0])), "a pure ACK");
    byte[] corrupt = segment(false, 1, 1, ACK, data(100, 1));
    corrupt[corrupt.length - 1] ^= 1;
    assertFalse(start(corrupt), "a bad TCP checksum");
    byte[] udp = segment(false, 1, 1, ACK, data(100, 1));
    udp[9] = 17;
    assertFalse(start(udp), "not TCP");
    byte[] options = segment(false, 1, 1, ACK, data(100, 1));
    options[0] = 0x46;
    assertFalse(start(options), "IPv4 options");
    assertTrue(coalescer.isEmpty());
  }

  @Test
  void aSegmentThatDoesNotContinueTheRunIsRefused() {
    List<byte[]> run = run(false, 3, 1000, 1000);
    byte[] first = run.get(0);
    byte[] next = segment(false, 0xfff1, 0xffff_fa00 + 1000, ACK, data(1000, 9));

    assertRefused(first, segment(false, 0xfff1, 0xffff_fa00 + 999, ACK, data(1000, 9)), "gap");
    assertRefused(first, segment(false, 0xfff2, 0xffff_fa00 + 1000, ACK, data(1000, 9)), "id");
    assertRefused(first, segment(false, 0xfff1, 0xffff_fa00 + 1000, ACK, data(1001, 9)), "longer");
    byte[] otherPort = next.clone();
    otherPort[21] ^= 1;
    TestPackets.fillTcpChecksum(otherPort, 20);
    assertRefused(first, otherPort, "another flow");
    byte[] otherAck = next.clone();
    otherAck[31] ^= 1;
    TestPackets.fillTcpChecksum(otherAck, 20);
    assertRefused(first, otherAck, "another acknowledgment");
    byte[] otherWindow = next.clone();
    otherWindow[35] ^= 1;
    TestPackets.fillTcpChecksum(otherWindow, 20);
    assertRefused(first, otherWindow, "another window");
    byte[] otherTimestamp = next.clone();
    otherTimestamp[47] ^= 1;
    TestPackets.fillTcpChecksum(otherTimestamp, 20);
    assertRefused(first, otherTimestamp, "other options");
    byte[] otherTtl = next.clone();
    otherTtl[8] = 62;
    otherTtl[10] = 0;
    otherTtl[11] = 0;
    int c = checksum(otherTtl, 0, 20, 0);
    otherTtl[10] = (byte) (c >>> 8);
    otherTtl[11] = (byte) c;
    assertRefused(first, otherTtl, "another TTL");
    byte[] badHeader = next.clone();
    badHeader[11] ^= 1;
    assertRefused(first, badHeader, "a bad IPv4 header checksum");
    byte[] corrupt = next.clone();
    corrupt[corrupt.length - 1] ^= 1;
    assertRefused(first, corrupt, "a bad checksum");
    assertRefused(
        first, segment(false, 0xfff1, 0xffff_fa00 + 1000, ACK | FIN, data(1000, 9)), "FIN");
    assertRefused(first, segment(true, 0, 0xffff_fa00 + 1000, ACK, data(1000, 9)), "IPv6");
  }

  private void assertRefused(byte[] first, byte[] next, String why) {
    assertTrue(start(first));
    assertFalse(append(next), why);
    assertEquals(1, coalescer.segments(), why);
    finish();
  }

  @Test
  void aShortOrPushedSegmentEndsTheRun() {
    assertTrue(start(segment(false, 1, 0, ACK, data(1000, 1))));
    assertTrue(append(segment(false, 2, 1000, ACK, data(999, 2))), "a shorter one may be last");
    assertFalse(append(segment(false, 3, 1999, ACK, data(999, 3))), "nothing after it");
    finish();
    assertTrue(start(segment(false, 1, 0, ACK, data(1000, 1))));
    assertTrue(append(segment(false, 2, 1000, ACK | PSH, data(1000, 2))));
    assertFalse(append(segment(false, 3, 2000, ACK, data(1000, 3))), "nothing after PSH");
    finish();
  }

  @Test
  void aRunStopsShortOf64KiB() {
    assertTrue(start(segment(false, 0, 0, ACK, data(1400, 0))));
    int appended = 1;
    while (append(segment(false, appended, appended * 1400, ACK, data(1400, appended)))) {
      appended++;
    }
    // 20 + 32 + n * 1400 <= 65535
    assertEquals((65_535 - 52) / 1400, appended);
    byte[] frame = finish();
    assertTrue(frame.length - VirtioNetHeader.LENGTH <= 65_535);
  }
}
