package dev.vpngw.esp;

import static dev.vpngw.esp.UdpEncapsulation.PayloadType.ESP;
import static dev.vpngw.esp.UdpEncapsulation.PayloadType.IKE;
import static dev.vpngw.esp.UdpEncapsulation.PayloadType.MALFORMED;
import static dev.vpngw.esp.UdpEncapsulation.PayloadType.NAT_KEEPALIVE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** RFC 3948 2.2/2.3: telling ESP, IKE and NAT-keepalives apart on port 4500. */
class UdpEncapsulationTest {
  private final UnsafeBuffer b = new UnsafeBuffer(new byte[64]);

  @Test
  void natKeepaliveIsExactlyOneFfByte() {
    assertEquals(1, UdpEncapsulation.writeNatKeepalive(b, 5));
    assertEquals((byte) 0xff, b.getByte(5));
    assertEquals(NAT_KEEPALIVE, UdpEncapsulation.classify(b, 5, 1));
    b.putByte(5, (byte) 0xfe);
    assertEquals(MALFORMED, UdpEncapsulation.classify(b, 5, 1));
    assertEquals(MALFORMED, UdpEncapsulation.classify(b, 5, 0));
  }

  @Test
  void nonEspMarkerThenAnIkeHeaderIsIke() {
    b.setMemory(0, 64, (byte) 0);
    assertEquals(IKE, UdpEncapsulation.classify(b, 0, 4 + 28));
    assertEquals(IKE, UdpEncapsulation.classify(b, 0, 64));
    assertEquals(MALFORMED, UdpEncapsulation.classify(b, 0, 4 + 27), "shorter than an IKE header");
    assertEquals(MALFORMED, UdpEncapsulation.classify(b, 0, 3));
  }

  @Test
  void aNonZeroSpiAndAFullHeaderIsEsp() {
    b.putInt(0, 0x0000_0100);
    assertEquals(ESP, UdpEncapsulation.classify(b, 0, 8));
    assertEquals(MALFORMED, UdpEncapsulation.classify(b, 0, 7));
    b.putByte(0, (byte) 0xff);
    assertEquals(ESP, UdpEncapsulation.classify(b, 0, 40), "0xff first is ESP when longer than 1");
  }
}
