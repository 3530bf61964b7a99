package dev.vpngw.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.io.tun.VirtioNetHeader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Cutting a super-packet ({@link GsoSegmenter}) and coalescing its segments again ({@link
 * TcpCoalescer}) allocate nothing per packet: measured with the thread's allocation counter after a
 * warm-up, over off-heap buffers as the pipeline uses them.
 */
class OffloadAllocationTest {
  private static final int WARMUP = 20_000;
  private static final int MEASURED = 5_000;
  private static final int MSS = 1448;
  private static final int SEGMENTS = 40;

  @Test
  void cuttingAndCoalescingAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported());
    threads.setThreadAllocatedMemoryEnabled(true);

    byte[] tcp = TestPackets.tcp(0x10, new byte[0], new byte[SEGMENTS * MSS]);
    byte[] packet =
        TestPackets.ipv4(6, new byte[] {10, 1, 0, 2}, new byte[] {10, 2, 0, 2}, 0x4000, tcp);
    UnsafeBuffer superPacket = new UnsafeBuffer(ByteBuffer.allocateDirect(packet.length));
    superPacket.putBytes(0, packet);
    UnsafeBuffer segment = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(16 + 65_536));
    GsoSegmenter segmenter = new GsoSegmenter();
    TcpCoalescer coalescer = new TcpCoalescer(out, 16, 65_536);

    assertEquals(SEGMENTS, run(superPacket, packet.length, segmenter, segment, coalescer, 1));
    run(superPacket, packet.length, segmenter, segment, coalescer, WARMUP / SEGMENTS);
    long tid = Thread.currentThread().threadId();
    long allocated = Long.MAX_VALUE;
    for (int round = 0; round < 3 && allocated > 0; round++) {
      long before = threads.getThreadAllocatedBytes(tid);
      run(superPacket, packet.length, segmenter, segment, coalescer, MEASURED / SEGMENTS);
      allocated = Math.min(allocated, threads.getThreadAllocatedBytes(tid) - before);
    }
    double perSegment = (double) allocated / MEASURED;
    assertTrue(perSegment < 0.1, allocated + " bytes over " + MEASURED + " segments");
  }

  /**
   * Cuts the super-packet {@code times} times, coalescing each cut; returns the last run's size.
   */
  private static int run(
      UnsafeBuffer superPacket,
      int length,
      GsoSegmenter segmenter,
      UnsafeBuffer segment,
      TcpCoalescer coalescer,
      int times) {
    int coalesced = 0;
    for (int t = 0; t < times; t++) {
      int n = segmenter.prepare(superPacket, 0, length, VirtioNetHeader.GSO_TCPV4, MSS, 20);
      for (int i = 0; i < n; i++) {
        int segmentLength = segmenter.writeSegment(i, segment, 0);
        if (!coalescer.append(segment, 0, segmentLength)) {
          coalescer.finish();
          coalescer.start(segment, 0, segmentLength);
        }
      }
      coalesced = coalescer.segments();
      coalescer.finish();
    }
    return coalesced;
  }
}
