package dev.vpngw.io.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.sys.SockAddr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class PacketBatchTest {
  private static final byte[] V4 = {10, 1, 2, 3};
  private static final byte[] V6 = {
    (byte) 0xfd, 0, 0, (byte) 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42
  };

  @Test
  void slotsSitAtMultiplesOfTheSlotSizeWithDataAtTheHeadroom() {
    try (Arena arena = Arena.ofConfined()) {
      PacketBatch batch = new PacketBatch(arena, 8, 2048, 128);
      assertEquals(8 * 2048, batch.buffer().capacity());
      assertEquals(1920, batch.receiveCapacity());
      assertEquals(3 * 2048, batch.slotOffset(3));
      assertEquals(3 * 2048 + 128, batch.dataOffset(3));
      assertEquals(batch.buffer().address() + 3 * 2048 + 128, batch.dataAddress(3));
      batch.offset(3, 100);
      assertEquals(3 * 2048 + 100, batch.dataOffset(3));
      batch.prepareReceive();
      assertEquals(128, batch.offset(3), "a receive puts data back at the headroom");
      assertEquals(0, batch.count());
    }
  }

  @Test
  void peersOfBothFamiliesRoundTripWithoutObjects() throws Exception {
    try (Arena arena = Arena.ofConfined()) {
      PacketBatch batch = new PacketBatch(arena, 4, 256, 0);
      UnsafeBuffer scratch = new UnsafeBuffer(new byte[32]);

      batch.peer(0, V4, 4500);
      assertFalse(batch.isIpv6(0));
      assertEquals(LibC.AF_INET, batch.family(0));
      assertEquals(4500, batch.port(0));
      assertEquals(0x0a010203, batch.ipv4Address(0));
      assertEquals(4, batch.peerAddress(0, scratch, 5));
      byte[] copied = new byte[4];
      scratch.getBytes(5, copied);
      assertArrayEquals(V4, copied);

      scratch.putBytes(0, V6);
      batch.peer(1, scratch, 0, 16, 500);
      assertTrue(batch.isIpv6(1));
      assertEquals(500, batch.port(1));
      assertEquals(
          new InetSocketAddress(InetAddress.getByAddress(V6), 500), batch.peerSocketAddress(1));

      batch.peerIpv4(2, 0xc0a80001, 65535);
      assertEquals(
          new InetSocketAddress(InetAddress.getByName("192.168.0.1"), 65535),
          batch.peerSocketAddress(2));

      batch.copyPeer(3, batch, 1);
      assertEquals(batch.peerSocketAddress(1), batch.peerSocketAddress(3));

      assertThrows(IllegalArgumentException.class, () -> batch.peer(0, new byte[5], 1));
    }
  }

  @Test
  void sendPointsEachMessageAtItsSlotDataAndPeer() {
    try (Arena arena = Arena.ofConfined()) {
      PacketBatch batch = new PacketBatch(arena, 4, 512, 32);
      batch.peer(1, V4, 1).length(1, 100).offset(1, 40);
      batch.peer(2, V6, 2).length(2, 200);
      long msgvec = batch.prepareSend(1, 2);
      MemorySegment messages = MemorySegment.ofAddress(msgvec).reinterpret(2 * 64);

      long name = messages.get(ValueLayout.JAVA_LONG, PacketBatch.MSG_NAME_OFFSET);
      assertEquals(SockAddr.IPV4_LENGTH, messages.get(ValueLayout.JAVA_INT, 8));
      assertEquals(1L, messages.get(ValueLayout.JAVA_LONG, PacketBatch.MSG_IOVLEN_OFFSET));
      MemorySegment iov =
          MemorySegment.ofAddress(messages.get(ValueLayout.JAVA_LONG, PacketBatch.MSG_IOV_OFFSET))
              .reinterpret(16);
      assertEquals(batch.dataAddress(1), iov.get(ValueLayout.JAVA_LONG, 0));
      assertEquals(batch.buffer().address() + 512 + 40, iov.get(ValueLayout.JAVA_LONG, 0));
      assertEquals(100L, iov.get(ValueLayout.JAVA_LONG, 8));
      assertEquals(
          LibC.AF_INET,
          MemorySegment.ofAddress(name).reinterpret(2).get(ValueLayout.JAVA_SHORT, 0));

      assertEquals(SockAddr.IPV6_LENGTH, messages.get(ValueLayout.JAVA_INT, 64 + 8));
      MemorySegment iov2 =
          MemorySegment.ofAddress(messages.get(ValueLayout.JAVA_LONG, 64 + 16)).reinterpret(16);
      assertEquals(batch.buffer().address() + 2 * 512 + 32, iov2.get(ValueLayout.JAVA_LONG, 0));
      assertEquals(200L, iov2.get(ValueLayout.JAVA_LONG, 8));

      assertThrows(IndexOutOfBoundsException.class, () -> batch.prepareSend(3, 2));
    }
  }

  @Test
  void rejectsImpossibleShapes() {
    try (Arena arena = Arena.ofConfined()) {
      assertThrows(IllegalArgumentException.class, () -> new PacketBatch(arena, 0, 2048, 0));
      assertThrows(IllegalArgumentException.class, () -> new PacketBatch(arena, 2000, 2048, 0));
      assertThrows(IllegalArgumentException.class, () -> new PacketBatch(arena, 4, 64, 64));
      PacketBatch batch = new PacketBatch(arena, 4, 256, 0);
      assertThrows(IllegalArgumentException.class, () -> batch.count(5));
    }
  }
}
