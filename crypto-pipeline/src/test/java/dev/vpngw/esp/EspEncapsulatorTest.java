package dev.vpngw.esp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.packet.EspHeader;
import dev.vpngw.packet.Ipv4Header;
import dev.vpngw.packet.Ipv6Header;
import dev.vpngw.packet.UdpHeader;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SaDatabase;
import dev.vpngw.sa.SecurityAssociation;
import dev.vpngw.sa.SecurityAssociation.LifetimeState;
import dev.vpngw.sa.SequenceFence;
import java.lang.foreign.Arena;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Outbound refusals, lifetimes, sequence exhaustion and the cleartext layout (seen via GMAC). */
class EspEncapsulatorTest {
  private static final int SPI = 0x0e5c_0001;
  private static final EspSuite GCM = new EspSuite(Encryption.AES_GCM_16_256, Integrity.NONE);

  private final CryptoEngine engine = CryptoEngines.defaultEngine();
  private final Arena arena = Arena.ofConfined();
  private final PacketBuffer buf = PacketBuffer.allocate(arena, 70_000);
  private final UnsafeBuffer b = buf.buffer();
  private final EspCounters counters = new EspCounters();
  private final EspEncapsulator encapsulator = new EspEncapsulator(counters);
  private final EspResult result = new EspResult();

  @AfterEach
  void free() {
    arena.close();
  }

  private SaConfig.Builder config(int outerVersion, boolean udp) {
    return EspTestSupport.config(GCM, SPI, outerVersion, udp, false, new Random(9));
  }

  private int send(SecurityAssociation sa, int innerVersion, int innerLength) {
    EspTestSupport.writeInner(b, EspEncapsulator.HEADROOM, innerVersion, innerLength, 1);
    return encapsulator.encapsulate(sa, buf, EspEncapsulator.HEADROOM, innerLength, result);
  }

  private static void assertDrop(DropReason expected, int status) {
    assertEquals(expected.id(), status, () -> "expected " + expected + ", got " + status);
  }

  @Test
  void headroomAndTailroomMustHoldTheOverhead() {
    try (SecurityAssociation sa = SecurityAssociation.outbound(config(6, true).build(), engine)) {
      int need = Ipv6Header.LENGTH + UdpHeader.LENGTH + EspHeader.LENGTH + 8;
      EspTestSupport.writeInner(b, need - 1, 4, 100, 1);
      assertDrop(DropReason.NO_ROOM, encapsulator.encapsulate(sa, buf, need - 1, 100, result));
      EspTestSupport.writeInner(b, need, 4, 100, 1);
      assertEquals(EspResult.OK, encapsulator.encapsulate(sa, buf, need, 100, result));
      assertEquals(0, result.packetOffset(), "the outer header starts right at the buffer start");

      // 100 + 2 rounds up to 104 for 4-byte alignment, then a 16-byte ICV.
      int tail = b.capacity() - 100 - 4 - 16;
      EspTestSupport.writeInner(b, tail, 4, 100, 1);
      assertEquals(EspResult.OK, encapsulator.encapsulate(sa, buf, tail, 100, result));
      EspTestSupport.writeInner(b, tail + 1, 4, 100, 1);
      assertDrop(DropReason.NO_ROOM, encapsulator.encapsulate(sa, buf, tail + 1, 100, result));
      assertDrop(
          DropReason.OUT_OF_BUFFER, encapsulator.encapsulate(sa, buf, tail + 1, 70_000, result));
      assertDrop(DropReason.OUT_OF_BUFFER, encapsulator.encapsulate(sa, buf, -1, 100, result));
      assertEquals(4, counters.totalDrops());
      assertEquals(2, counters.packetsOut());
      assertEquals(3, sa.nextSequence(), "refused packets use no sequence number");
    }
  }

  @Test
  void outerLengthFieldsMustNotOverflow() {
    try (SecurityAssociation v4 = SecurityAssociation.outbound(config(4, true).build(), engine);
        SecurityAssociation v6 = SecurityAssociation.outbound(config(6, true).build(), engine)) {
      // IPv4 total length counts its header, IPv6 payload length does not. With GCM the text
      // (inner + 2, 4-aligned) may reach 65472 under IPv4+UDP (60 bytes around it) and 65492
      // under IPv6+UDP (40 bytes around it besides the fixed header).
      assertEquals(EspResult.OK, send(v4, 6, 65_470));
      assertEquals(65_532, result.packetLength());
      assertDrop(DropReason.INNER_TOO_BIG, send(v4, 6, 65_471));
      assertEquals(EspResult.OK, send(v6, 6, 65_490));
      assertEquals(65_535 - 3 + 40, result.packetLength());
      assertDrop(DropReason.INNER_TOO_BIG, send(v6, 6, 65_491));
    }
  }

  @Test
  void theInnerPacketMustBeIp() {
    try (SecurityAssociation sa = SecurityAssociation.outbound(config(4, false).build(), engine)) {
      int at = EspEncapsulator.HEADROOM;
      EspTestSupport.writeInner(b, at, 4, 100, 1);
      b.putByte(at, (byte) 0x55);
      assertDrop(DropReason.BAD_INNER_PACKET, encapsulator.encapsulate(sa, buf, at, 100, result));
      EspTestSupport.writeInner(b, at, 4, 100, 1);
      assertDrop(DropReason.BAD_INNER_PACKET, encapsulator.encapsulate(sa, buf, at, 99, result));
      assertDrop(DropReason.BAD_INNER_PACKET, encapsulator.encapsulate(sa, buf, at, 19, result));
      EspTestSupport.writeInner(b, at, 6, 100, 1);
      assertDrop(DropReason.BAD_INNER_PACKET, encapsulator.encapsulate(sa, buf, at, 99, result));
      assertEquals(EspResult.OK, encapsulator.encapsulate(sa, buf, at, 100, result));
      assertEquals(4, counters.dropCount(DropReason.BAD_INNER_PACKET));
    }
  }

  @Test
  void inboundSasCannotSend() {
    try (SecurityAssociation in = SecurityAssociation.inbound(config(4, false).build(), engine)) {
      assertThrows(IllegalArgumentException.class, () -> send(in, 4, 100));
    }
  }

  @Test
  void theLast32BitSequenceNumberIsSentThenTheSaRefuses() {
    SaConfig config = config(4, true).initialSequenceNumber(0xffff_ffffL).build();
    roundTripThenExhausted(config, 0xffff_ffffL);
  }

  @Test
  void theLastEsnSequenceNumberIsSentThenTheSaRefuses() {
    SaConfig config = config(6, false).esn(true).initialSequenceNumber(-1L).build();
    roundTripThenExhausted(config, -1L);
  }

  @Test
  void haFenceHoldsPacketsPastTheStandbysMark() {
    SequenceFence fence = new SequenceFence(5);
    SaConfig config = config(4, true).initialSequenceNumber(5).sequenceFence(fence).build();
    try (SecurityAssociation out = SecurityAssociation.outbound(config, engine)) {
      // nothing is safe yet: the standby holds no mark
      assertDrop(DropReason.SEQUENCE_FENCED, send(out, 4, 100));
      fence.raise(6);
      assertEquals(EspResult.OK, send(out, 4, 100));
      assertEquals(5, result.sequence());
      assertEquals(EspResult.OK, send(out, 4, 100));
      assertEquals(6, result.sequence());
      assertEquals(7, fence.next(), "the worker publishes how far it got");
      assertDrop(DropReason.SEQUENCE_FENCED, send(out, 4, 100));
      fence.raise(3); // never lowers
      assertEquals(6, fence.limit());
      fence.raise(100);
      assertEquals(EspResult.OK, send(out, 4, 100));
      assertEquals(7, result.sequence(), "a held packet never used a number");
      assertEquals(2, counters.dropCount(DropReason.SEQUENCE_FENCED));
    }
  }

  private void roundTripThenExhausted(SaConfig config, long last) {
    SaDatabase database = new SaDatabase();
    EspDecapsulator decapsulator = new EspDecapsulator(database, new EspCounters());
    try (SecurityAssociation out = SecurityAssociation.outbound(config, engine);
        SecurityAssociation in = SecurityAssociation.inbound(config, engine)) {
      database.add(in);
      assertEquals(EspResult.OK, send(out, 4, 100));
      assertEquals(last, result.sequence());
      assertTrue(out.needsRekey(), "the last number is gone: rekey now");
      assertEquals(
          EspResult.OK,
          decapsulator.decapsulatePacket(
              buf, result.packetOffset(), result.packetLength(), result));
      assertEquals(last, result.sequence());

      assertDrop(DropReason.SEQUENCE_EXHAUSTED, send(out, 4, 100));
      assertDrop(DropReason.SEQUENCE_EXHAUSTED, send(out, 4, 100));
      assertEquals(2, counters.dropCount(DropReason.SEQUENCE_EXHAUSTED));
      assertTrue(out.isSequenceExhausted());
    }
  }

  @Test
  void packetLifetimes() {
    SaConfig config = config(4, false).lifetimePackets(2, 3).build();
    try (SecurityAssociation sa = SecurityAssociation.outbound(config, engine)) {
      assertEquals(EspResult.OK, send(sa, 4, 100));
      assertFalse(sa.needsRekey());
      assertEquals(EspResult.OK, send(sa, 4, 100));
      assertTrue(sa.needsRekey(), "soft limit reached");
      assertEquals(LifetimeState.SOFT_EXPIRED, sa.lifetimeState());
      assertEquals(EspResult.OK, send(sa, 4, 100), "the hard limit's own packet still goes");
      assertTrue(sa.isExpired());
      assertDrop(DropReason.SA_EXPIRED, send(sa, 4, 100));
      assertEquals(3, sa.packets());
      assertEquals(300, sa.bytes());
      assertEquals(300, counters.bytesOut());
    }
  }

  @Test
  void byteLifetimesCountInnerBytes() {
    SaConfig config = config(4, false).lifetimeBytes(150, 250).build();
    try (SecurityAssociation sa = SecurityAssociation.outbound(config, engine)) {
      assertEquals(EspResult.OK, send(sa, 6, 100));
      assertEquals(LifetimeState.ACTIVE, sa.lifetimeState());
      assertEquals(EspResult.OK, send(sa, 6, 100));
      assertEquals(LifetimeState.SOFT_EXPIRED, sa.lifetimeState());
      assertEquals(EspResult.OK, send(sa, 6, 100));
      assertEquals(LifetimeState.HARD_EXPIRED, sa.lifetimeState());
      assertDrop(DropReason.SA_EXPIRED, send(sa, 6, 100));
    }
  }

  /** AES-GMAC encrypts nothing, so the RFC 4303 2.4 trailer can be read on the wire. */
  @Test
  void paddingCountsUpFromOneAndNextHeaderFollowsTheInnerVersion() {
    EspSuite gmac = new EspSuite(Encryption.AES_GMAC_128, Integrity.NONE);
    SaConfig config = EspTestSupport.config(gmac, SPI, 4, false, false, new Random(5)).build();
    try (SecurityAssociation sa = SecurityAssociation.outbound(config, engine)) {
      for (int innerLength = 40; innerLength < 48; innerLength++) {
        int version = innerLength % 2 == 0 ? 6 : 4;
        assertEquals(EspResult.OK, send(sa, version, innerLength));
        int text = result.espOffset() + EspHeader.LENGTH + 8;
        int textLength = result.espLength() - EspHeader.LENGTH - 8 - 16;
        assertEquals(0, textLength % 4);
        int padLength = b.getByte(text + textLength - 2);
        assertEquals(textLength - innerLength - 2, padLength);
        for (int i = 1; i <= padLength; i++) {
          assertEquals(i, b.getByte(text + innerLength + i - 1));
        }
        assertEquals(version == 4 ? 4 : 41, b.getByte(text + textLength - 1));
      }
    }
  }

  @Test
  void eachIpv4PacketGetsItsOwnIdentification() {
    try (SecurityAssociation sa = SecurityAssociation.outbound(config(4, true).build(), engine)) {
      assertEquals(EspResult.OK, send(sa, 4, 100));
      int first = new Ipv4Header().wrap(b, result.packetOffset()).identification();
      assertEquals(EspResult.OK, send(sa, 4, 100));
      assertNotEquals(first, new Ipv4Header().wrap(b, result.packetOffset()).identification());
    }
  }
}
