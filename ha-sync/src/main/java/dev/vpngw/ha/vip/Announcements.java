package dev.vpngw.ha.vip;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;

/**
 * The frames a node sends when it takes over the virtual address, so that neighbours on the subnet
 * send to its MAC at once instead of waiting for their cache entry to go stale.
 *
 * <pre>
 * Gratuitous ARP (RFC 5227 "ARP announcement"; RFC 826 packet), Ethernet broadcast:
 *   htype 1 | ptype 0x0800 | hlen 6 | plen 4 | oper 1 (request) or 2 (reply)
 *   sender MAC = ours | sender IP = VIP | target MAC = 0 (request) or ours | target IP = VIP
 *
 * Unsolicited neighbour advertisement (RFC 4861 7.2.6), to ff02::1 (MAC 33:33:00:00:00:01):
 *   IPv6: src VIP, dst ff02::1, next header 58, hop limit 255
 *   ICMPv6 type 136 code 0 | checksum | R=0 S=0 O=1 | target = VIP
 *   option 2 (target link-layer address), length 1 (8 bytes), our MAC
 * </pre>
 */
public final class Announcements {
  private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
  private static final byte[] ALL_NODES_MAC = {0x33, 0x33, 0, 0, 0, 1};
  private static final byte[] ALL_NODES = {
    (byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
  };

  private Announcements() {}

  /** A gratuitous ARP for VIP from MAC: a request (OPER 1) or a reply (OPER 2). */
  public static byte[] gratuitousArp(byte[] mac, Inet4Address vip, int oper) {
    if (oper != 1 && oper != 2) {
      throw new IllegalArgumentException("ARP operation " + oper + " is not 1 or 2");
    }
    ByteBuffer b = ByteBuffer.allocate(42);
    b.put(BROADCAST).put(mac).putShort((short) 0x0806);
    b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4);
    b.putShort((short) oper);
    b.put(mac).put(vip.getAddress());
    b.put(oper == 1 ? new byte[6] : mac).put(vip.getAddress());
    return b.array();
  }

  /** An unsolicited neighbour advertisement (override flag set) for VIP from MAC. */
  public static byte[] unsolicitedNeighbourAdvertisement(byte[] mac, Inet6Address vip) {
    ByteBuffer b = ByteBuffer.allocate(14 + 40 + 32);
    b.put(ALL_NODES_MAC).put(mac).putShort((short) 0x86DD);
    b.putInt(0x6000_0000).putShort((short) 32).put((byte) 58).put((byte) 255);
    b.put(vip.getAddress()).put(ALL_NODES);
    int icmp = b.position();
    b.put((byte) 136).put((byte) 0).putShort((short) 0);
    b.putInt(0x2000_0000);
    b.put(vip.getAddress());
    b.put((byte) 2).put((byte) 1).put(mac);
    byte[] frame = b.array();
    int sum = icmpv6Checksum(vip.getAddress(), ALL_NODES, frame, icmp, 32);
    frame[icmp + 2] = (byte) (sum >> 8);
    frame[icmp + 3] = (byte) sum;
    return frame;
  }

  /** The ICMPv6 checksum (RFC 4443 2.3) over the pseudo-header and LENGTH bytes at OFFSET. */
  static int icmpv6Checksum(byte[] src, byte[] dst, byte[] data, int offset, int length) {
    long sum = 0;
    for (int i = 0; i < 16; i += 2) {
      sum += ((src[i] & 0xFF) << 8) | (src[i + 1] & 0xFF);
      sum += ((dst[i] & 0xFF) << 8) | (dst[i + 1] & 0xFF);
    }
    sum += length;
    sum += 58;
    for (int i = 0; i < length; i += 2) {
      int hi = data[offset + i] & 0xFF;
      int lo = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
      sum += (hi << 8) | lo;
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return (int) (~sum & 0xFFFF);
  }
}
