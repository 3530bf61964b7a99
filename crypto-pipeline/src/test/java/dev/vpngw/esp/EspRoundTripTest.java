package dev.vpngw.esp;

import static dev.vpngw.esp.EspTestSupport.INNER_TOS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.packet.EspHeader;
import dev.vpngw.packet.InternetChecksum;
import dev.vpngw.packet.Ipv4Header;
import dev.vpngw.packet.Ipv6Header;
import dev.vpngw.packet.UdpHeader;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SaDatabase;
import dev.vpngw.sa.SecurityAssociation;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Encapsulate then decapsulate for every engine pair (what one seals, each opens), every suite,
 * every outer/inner family combination (4-in-4, 6-in-6, 4-in-6, 6-in-4), bare ESP and RFC 3948 UDP,
 * 32-bit and extended sequence numbers (the ESN cases cross the 2^32 boundary), and inner sizes
 * covering every padding length. Checks the outer headers field by field, then the inner packet
 * byte for byte.
 */
class EspRoundTripTest {
  private static final int SPI = 0x0bad_cafe;
  private static final int NAT_MAPPED_PORT = 4501;

  private static Arena arena;
  private static PacketBuffer buf;

  @BeforeAll
  static void allocate() {
    arena = Arena.ofShared();
    buf = PacketBuffer.allocate(arena, EspEncapsulator.HEADROOM + 1500 + EspEncapsulator.TAILROOM);
  }

  @AfterAll
  static void free() {
    arena.close();
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (CryptoEngine sealer : EspTestSupport.engines()) {
      for (CryptoEngine opener : EspTestSupport.engines()) {
        for (EspSuite suite : EspSuite.all()) {
          for (int outer : new int[] {4, 6}) {
            for (int inner : new int[] {4, 6}) {
              for (boolean udp : new boolean[] {false, true}) {
                for (boolean esn : new boolean[] {false, true}) {
                  cases.add(Arguments.of(sealer, opener, suite, outer, inner, udp, esn));
                }
              }
            }
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}->{1} {2} {4}-in-{3} udp={5} esn={6}")
  @MethodSource("cases")
  void innerPacketSurvivesTheTunnel(
      CryptoEngine sealer,
      CryptoEngine opener,
      EspSuite suite,
      int outerVersion,
      int innerVersion,
      boolean udp,
      boolean esn) {
    Random random = new Random(suite.hashCode() * 31L + outerVersion * 7 + innerVersion);
    SaConfig sent =
        EspTestSupport.config(suite, SPI, outerVersion, udp, esn, random)
            .remotePort(NAT_MAPPED_PORT)
            .initialSequenceNumber(esn ? 0xffff_fffeL : 1)
            .build();
    SaConfig received =
        sent.toBuilder()
            .tunnel(sent.remoteAddress(), sent.localAddress())
            .localPort(NAT_MAPPED_PORT)
            .remotePort(SaConfig.DEFAULT_NAT_T_PORT)
            .build();
    EspCounters outCounters = new EspCounters();
    EspCounters inCounters = new EspCounters();
    SaDatabase database = new SaDatabase();
    EspEncapsulator encapsulator = new EspEncapsulator(outCounters);
    EspDecapsulator decapsulator = new EspDecapsulator(database, inCounters);
    EspResult result = new EspResult();
    UnsafeBuffer b = buf.buffer();

    try (SecurityAssociation out = SecurityAssociation.outbound(sent, sealer);
        SecurityAssociation in = SecurityAssociation.inbound(received, opener)) {
      database.add(in);
      int min = EspTestSupport.minInner(innerVersion);
      int[] sizes = new int[19];
      for (int i = 0; i < 18; i++) {
        sizes[i] = min + 8 + i;
      }
      sizes[18] = 1400;
      long seq = sent.initialSequenceNumber();
      byte[] lastOuter = null;
      for (int i = 0; i < sizes.length; i++, seq++) {
        int innerOffset = EspEncapsulator.HEADROOM;
        EspTestSupport.writeInner(b, innerOffset, innerVersion, sizes[i], i);
        byte[] inner = EspTestSupport.copy(b, innerOffset, sizes[i]);

        assertEquals(
            EspResult.OK, encapsulator.encapsulate(out, buf, innerOffset, sizes[i], result));
        assertEquals(seq, result.sequence());
        checkOuter(sent, suite, innerVersion, sizes[i], seq, result);
        lastOuter = EspTestSupport.copy(b, result.packetOffset(), result.packetLength());

        int status;
        if (i % 2 == 0) {
          status =
              decapsulator.decapsulatePacket(
                  buf, result.packetOffset(), result.packetLength(), result);
        } else {
          status = decapsulator.decapsulate(buf, result.espOffset(), result.espLength(), result);
        }
        assertEquals(EspResult.OK, status, "size " + sizes[i] + ": " + describe(status));
        assertEquals(seq, result.sequence());
        assertSame(in, result.sa());
        assertEquals(innerVersion == 4 ? 4 : 41, result.nextHeader());
        assertArrayEquals(
            inner, EspTestSupport.copy(b, result.innerOffset(), result.innerLength()));
      }
      assertEquals(sizes.length, outCounters.packetsOut());
      assertEquals(0, inCounters.packetsIn(), "delivery is the worker's to count, not the codec's");
      assertEquals(0, outCounters.totalDrops() + inCounters.totalDrops());
      assertEquals(sizes.length, in.packets());
      assertEquals(out.bytes(), in.bytes());

      // The same packet again is a replay (RFC 4303 3.4.3).
      b.putBytes(0, lastOuter);
      assertEquals(
          DropReason.REPLAYED.id(),
          decapsulator.decapsulatePacket(buf, 0, lastOuter.length, result));
    }
  }

  private static String describe(int status) {
    return status == EspResult.OK ? "OK" : DropReason.fromId(status).toString();
  }

  private static void checkOuter(
      SaConfig config, EspSuite suite, int innerVersion, int innerLength, long seq, EspResult r) {
    UnsafeBuffer b = buf.buffer();
    boolean udp = config.udpEncapsulation();
    int ipOffset = r.packetOffset();
    int protocol = udp ? UdpHeader.PROTOCOL : EspHeader.PROTOCOL;
    int headerLength;
    if (config.isIpv6()) {
      Ipv6Header ip = new Ipv6Header().wrap(b, ipOffset);
      headerLength = Ipv6Header.LENGTH;
      assertEquals(6, ip.version());
      assertEquals(INNER_TOS & 0xfc, ip.trafficClass(), "DSCP copied, ECN cleared");
      assertEquals(0, ip.flowLabel());
      assertEquals(r.packetLength() - Ipv6Header.LENGTH, ip.payloadLength());
      assertEquals(protocol, ip.nextHeader());
      assertEquals(64, ip.hopLimit());
      byte[] address = new byte[16];
      ip.getSource(address);
      assertArrayEquals(config.localAddress().getAddress(), address);
      ip.getDestination(address);
      assertArrayEquals(config.remoteAddress().getAddress(), address);
    } else {
      Ipv4Header ip = new Ipv4Header().wrap(b, ipOffset);
      headerLength = Ipv4Header.MIN_LENGTH;
      assertEquals(4, ip.version());
      assertEquals(20, ip.headerLength());
      assertEquals(INNER_TOS & 0xfc, ip.tos(), "DSCP copied, ECN cleared");
      assertEquals(r.packetLength(), ip.totalLength());
      assertEquals(0, ip.flagsAndFragmentOffset(), "DF clear, not a fragment");
      assertEquals(64, ip.ttl());
      assertEquals(protocol, ip.protocol());
      assertTrue(ip.isChecksumValid());
      assertEquals(ByteBuffer.wrap(config.localAddress().getAddress()).getInt(), ip.source());
      assertEquals(ByteBuffer.wrap(config.remoteAddress().getAddress()).getInt(), ip.destination());
    }
    int espOffset = ipOffset + headerLength;
    if (udp) {
      UdpHeader header = new UdpHeader().wrap(b, ipOffset + headerLength);
      assertEquals(config.localPort(), header.sourcePort());
      assertEquals(config.remotePort(), header.destinationPort());
      assertEquals(r.packetLength() - headerLength, header.length());
      if (config.isIpv6()) {
        assertEquals(
            InternetChecksum.udpIpv6(b, ipOffset, header.offset(), header.length()),
            header.checksum());
      } else {
        assertEquals(0, header.checksum(), "RFC 3948 3.1: zero over IPv4");
      }
      espOffset += UdpHeader.LENGTH;
    }
    assertEquals(espOffset, r.espOffset());
    assertEquals(r.packetOffset() + r.packetLength(), r.espOffset() + r.espLength());
    EspHeader esp = new EspHeader().wrap(b, espOffset);
    assertEquals(SPI, esp.spi());
    assertEquals((int) seq, esp.sequenceLow());
    int textLength =
        r.espLength() - EspHeader.LENGTH - suite.encryption().ivLength() - suite.icvLength();
    int alignment = suite.encryption().paddingAlignment();
    assertEquals(0, textLength % alignment, "RFC 4303 2.4 alignment");
    assertTrue(textLength - innerLength - 2 < alignment, "no more padding than needed");
    assertEquals(EspEncapsulator.HEADROOM, espOffset + 8 + suite.encryption().ivLength());
    assertTrue(innerVersion == 4 || innerVersion == 6);
  }
}
