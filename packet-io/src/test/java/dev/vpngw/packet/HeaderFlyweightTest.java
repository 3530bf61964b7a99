package dev.vpngw.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.io.buffer.PacketBuffer;
import java.lang.foreign.Arena;
import java.util.HexFormat;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class HeaderFlyweightTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void ipv4FieldsAreBigEndianAtTheirOffsets() {
    UnsafeBuffer buffer = new UnsafeBuffer(new byte[3 + 24]);
    Ipv4Header ip =
        new Ipv4Header()
            .wrap(buffer, 3)
            .versionAndHeaderLength(24)
            .tos(0xb8)
            .totalLength(0x1234)
            .identification(0xbeef)
            .flagsAndFragmentOffset(Ipv4Header.FLAG_DONT_FRAGMENT)
            .ttl(64)
            .protocol(EspHeader.PROTOCOL)
            .source(new byte[] {10, 0, 0, 1})
            .destination(0xc0a80102);
    byte[] wire = new byte[24];
    buffer.getBytes(3, wire);
    assertEquals(
        "46b81234beef400040320000" + "0a000001" + "c0a80102" + "00000000", HEX.formatHex(wire));
    assertEquals(4, ip.version());
    assertEquals(24, ip.headerLength());
    assertEquals(0xb8, ip.tos());
    assertEquals(0x1234, ip.totalLength());
    assertEquals(0xbeef, ip.identification());
    assertFalse(ip.isFragment());
    assertEquals(64, ip.ttl());
    assertEquals(50, ip.protocol());
    assertEquals(0x0a000001, ip.source());
    assertEquals(0xc0a80102, ip.destination());
    ip.flagsAndFragmentOffset(Ipv4Header.FLAG_MORE_FRAGMENTS);
    assertTrue(ip.isFragment());
    ip.flagsAndFragmentOffset(1);
    assertTrue(ip.isFragment());
  }

  @Test
  void ipv6FieldsAreBigEndianAtTheirOffsets() {
    try (Arena arena = Arena.ofConfined()) {
      PacketBuffer buf = PacketBuffer.allocate(arena, 64);
      byte[] src = HEX.parseHex("20010db8000000000000000000000001");
      byte[] dst = HEX.parseHex("20010db8000000000000000000000002");
      Ipv6Header ip =
          new Ipv6Header()
              .wrap(buf, 1)
              .versionClassFlow(0xb8, 0xabcde)
              .payloadLength(1400)
              .nextHeader(UdpHeader.PROTOCOL)
              .hopLimit(64)
              .source(src)
              .destination(dst);
      byte[] wire = new byte[8];
      buf.buffer().getBytes(1, wire);
      assertEquals("6b8abcde05781140", HEX.formatHex(wire));
      assertEquals(6, ip.version());
      assertEquals(0xb8, ip.trafficClass());
      assertEquals(0xabcde, ip.flowLabel());
      assertEquals(1400, ip.payloadLength());
      assertEquals(17, ip.nextHeader());
      assertEquals(64, ip.hopLimit());
      byte[] back = new byte[16];
      ip.getSource(back);
      assertArrayEquals(src, back);
      ip.getDestination(back);
      assertArrayEquals(dst, back);
      assertEquals(1, ip.offset());
    }
  }

  @Test
  void udpAndEspFields() {
    UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
    UdpHeader udp =
        new UdpHeader()
            .wrap(buffer, 0)
            .sourcePort(4500)
            .destinationPort(65535)
            .length(8)
            .checksum(0);
    EspHeader esp = new EspHeader().wrap(buffer, 8).spi(0xc0ffee01).sequenceLow(0xfffffffe);
    assertEquals("1194ffff00080000c0ffee01fffffffe", HEX.formatHex(buffer.byteArray()));
    assertEquals(4500, udp.sourcePort());
    assertEquals(65535, udp.destinationPort());
    assertEquals(8, udp.length());
    assertEquals(0, udp.checksum());
    assertEquals(0xc0ffee01, esp.spi());
    assertEquals(0xfffffffe, esp.sequenceLow());
  }
}
