package dev.vpngw.ha.vip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AnnouncementsTest {
  static final byte[] MAC = HexFormat.of().parseHex("020000aabbcc");

  @Test
  void gratuitousArpRequestLayout() throws Exception {
    byte[] f =
        Announcements.gratuitousArp(MAC, (Inet4Address) InetAddress.getByName("10.77.0.100"), 1);
    assertEquals(
        "ffffffffffff"
            + "020000aabbcc"
            + "0806"
            + "0001"
            + "0800"
            + "06"
            + "04"
            + "0001"
            + "020000aabbcc"
            + "0a4d0064"
            + "000000000000"
            + "0a4d0064",
        HexFormat.of().formatHex(f));
  }

  @Test
  void neighbourAdvertisementChecksumVerifies() throws Exception {
    Inet6Address vip = (Inet6Address) InetAddress.getByName("fd00:77::100");
    byte[] f = Announcements.unsolicitedNeighbourAdvertisement(MAC, vip);
    assertEquals(14 + 40 + 32, f.length);
    assertArrayEquals(HexFormat.of().parseHex("333300000001"), Arrays.copyOf(f, 6));
    assertEquals(136, f[54] & 0xFF);
    assertEquals(255, f[14 + 7] & 0xFF, "hop limit 255 or receivers drop it (RFC 4861 7.1.2)");
    // Summing the whole message with its checksum in place gives 0 (the RFC 1071 check).
    byte[] src = Arrays.copyOfRange(f, 22, 38);
    byte[] dst = Arrays.copyOfRange(f, 38, 54);
    assertEquals(0, Announcements.icmpv6Checksum(src, dst, f, 54, 32));
    assertEquals(0x20, f[58] & 0xFF, "override flag");
  }
}
