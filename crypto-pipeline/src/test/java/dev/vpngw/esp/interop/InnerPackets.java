package dev.vpngw.esp.interop;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds the inner IP packets the interop tests send through a tunnel: UDP datagrams from the local
 * to the remote LAN, IPv4 or IPv6, each with a unique payload so that a decoder's output can be
 * matched packet by packet. Built by hand here, independently of the codec's flyweights.
 */
final class InnerPackets {
  static final int UDP_SOURCE_PORT = 33_000;
  static final int UDP_DESTINATION_PORT = 40_000;

  private InnerPackets() {}

  /** An inner packet of exactly {@code totalLength} bytes (at least header sizes + 12). */
  static byte[] udp(int ipVersion, int index, int totalLength) {
    int ipHeader = ipVersion == 4 ? 20 : 40;
    int udpLength = totalLength - ipHeader;
    byte[] payload = new byte[udpLength - 8];
    byte[] tag = String.format("pkt-%06d-", index).getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < payload.length; i++) {
      payload[i] = i < tag.length ? tag[i] : (byte) (index * 31 + i);
    }
    ByteBuffer b = ByteBuffer.allocate(totalLength);
    byte[] src;
    byte[] dst;
    if (ipVersion == 4) {
      src = new byte[] {10, 1, 0, 2};
      dst = new byte[] {10, 2, 0, 2};
      b.put((byte) 0x45).put((byte) 0).putShort((short) totalLength);
      b.putShort((short) index).putShort((short) 0).put((byte) 64).put((byte) 17);
      b.putShort((short) 0).put(src).put(dst);
      b.putShort(10, checksum(b.array(), 0, 20, 0));
    } else {
      src = v6(0x0001_0000, 2);
      dst = v6(0x0002_0000, 2);
      b.putInt(0x6000_0000 | (index & 0xfffff)).putShort((short) udpLength);
      b.put((byte) 17).put((byte) 64).put(src).put(dst);
    }
    int udp = b.position();
    b.putShort((short) UDP_SOURCE_PORT).putShort((short) UDP_DESTINATION_PORT);
    b.putShort((short) udpLength).putShort((short) 0).put(payload);
    int pseudo = sum(src) + sum(dst) + 17 + udpLength;
    short sum = checksum(b.array(), udp, udpLength, pseudo);
    b.putShort(udp + 6, sum == 0 ? (short) 0xffff : sum);
    return b.array();
  }

  private static byte[] v6(int prefixWord, int host) {
    return ByteBuffer.allocate(16).putInt(0x2001_0db8).putInt(prefixWord).putLong(host).array();
  }

  private static int sum(byte[] bytes) {
    int s = 0;
    for (int i = 0; i < bytes.length; i += 2) {
      s += ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
    }
    return s;
  }

  private static short checksum(byte[] data, int offset, int length, int initial) {
    long s = initial;
    for (int i = 0; i < length; i += 2) {
      int hi = data[offset + i] & 0xff;
      int lo = i + 1 < length ? data[offset + i + 1] & 0xff : 0;
      s += (hi << 8) | lo;
    }
    while ((s >> 16) != 0) {
      s = (s & 0xffff) + (s >> 16);
    }
    return (short) ~s;
  }
}
