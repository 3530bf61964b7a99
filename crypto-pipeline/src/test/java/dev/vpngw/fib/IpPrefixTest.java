package dev.vpngw.fib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpPrefixTest {
  @Test
  void parsesIpv4AndIpv6Cidr() {
    IpPrefix v4 = IpPrefix.parse("192.0.2.0/24");
    assertFalse(v4.isIpv6());
    assertEquals(24, v4.length());
    assertArrayEquals(new byte[] {(byte) 192, 0, 2, 0}, v4.address());
    assertEquals(0xc000_0200_0000_0000L, v4.high());
    assertEquals(0, v4.low());
    assertEquals(0xc000_02ff_0000_0000L, v4.lastHigh());
    assertEquals(0, v4.lastLow());

    IpPrefix v6 = IpPrefix.parse(" 2001:db8::/32 ");
    assertTrue(v6.isIpv6());
    assertEquals(32, v6.length());
    assertEquals(0x2001_0db8_0000_0000L, v6.high());
    assertEquals(0x2001_0db8_ffff_ffffL, v6.lastHigh());
    assertEquals(-1L, v6.lastLow());
  }

  @Test
  void aBareAddressIsAHostPrefix() {
    assertEquals(32, IpPrefix.parse("10.0.0.1").length());
    assertEquals(128, IpPrefix.parse("fe80::1").length());
    IpPrefix mapped = IpPrefix.parse("::ffff:10.0.0.1/128");
    assertTrue(mapped.isIpv6());
    assertEquals(0x0000_ffff_0a00_0001L, mapped.low());
  }

  @Test
  void clearsHostBitsAndComparesByValue() {
    assertEquals(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("10.1.2.3/8"));
    assertEquals(IpPrefix.parse("10.0.0.0/8").hashCode(), IpPrefix.parse("10.1.2.3/8").hashCode());
    assertNotEquals(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("10.0.0.0/9"));
    assertEquals("2001:db8:8000:0:0:0:0:0/33", IpPrefix.parse("2001:db8:ffff::/33").toString());
    assertEquals(IpPrefix.ipv4(0x0a01_0203, 16), IpPrefix.parse("10.1.0.0/16"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/8",
        "10.0.0.0/",
        "10.0.0.0/33",
        "10.0.0.0/-1",
        "10.0.0.0/+8",
        "10.0.0/8",
        "10.0.0.0.0/8",
        "10.0.0.256/8",
        "10.0..0/8",
        "10",
        "example.com",
        "localhost/8",
        "2001:db8::/129",
        "2001:db8:::/64",
        "2001:db8::g/64",
        "10.0.0.0/8/8",
        "1e1.0.0.0/8"
      })
  void rejectsBadCidrNamingTheValue(String bad) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(bad));
    assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
  }
}
