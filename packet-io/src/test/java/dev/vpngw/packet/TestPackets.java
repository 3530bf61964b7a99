package dev.vpngw.packet;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Builds test packets byte by byte with plain {@link ByteBuffer}s and checks checksums with a naive
 * RFC 1071 sum, independently of the code under test.
 */
final class TestPackets {
  static final int TCP = 6;
  static final int UDP = 17;
  static final int ICMP = 1;
  static final int ICMPV6 = 58;

  private TestPackets() {}

  /** The ones' complement of the ones' complement sum of 16-bit words, folded after every add. */
  static int checksum(byte[] data, int offset, int length, long initial) {
    long sum = initial;
    for (int i = 0; i < length; i += 2) {
      int hi = data[offset + i] & 0xff;
      int lo = i + 1 < length ? data[offset + i + 1] & 0xff : 0;
      sum += (hi << 8) | lo;
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }

  /** The sum of an IPv4 or IPv6 pseudo-header (RFC 768 / RFC 8200 8.1), not yet complemented. */
  static long pseudoHeaderSum(byte[] packet, int protocol, int upperLength) {
    boolean v6 = (packet[0] & 0xf0) == 0x60;
    int from = v6 ? 8 : 12;
    int to = v6 ? 40 : 20;
    long sum = 0;
    for (int i = from; i < to; i += 2) {
      sum += ((packet[i] & 0xff) << 8) | (packet[i + 1] & 0xff);
    }
    return sum + protocol + upperLength;
  }

  /** Builds an IPv4 header (no options) followed by {@code payload}, with a valid checksum. */
  static byte[] ipv4(int protocol, byte[] source, byte[] destination, int flags, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
    b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length));
    b.putShort((short) 0x1234).putShort((short) flags);
    b.put((byte) 64).put((byte) protocol).putShort((short) 0);
    b.put(source).put(destination).put(payload);
    byte[] packet = b.array();
    int checksum = checksum(packet, 0, 20, 0);
    packet[10] = (byte) (checksum >>> 8);
    packet[11] = (byte) checksum;
    return packet;
  }

  /** Builds an IPv6 header followed by {@code payload}. */
  static byte[] ipv6(int nextHeader, byte[] source, byte[] destination, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
    b.putInt(0x6000_0000).putShort((short) payload.length).put((byte) nextHeader).put((byte) 64);
    b.put(source).put(destination).put(payload);
    return b.array();
  }

  /** A TCP header with {@code flags}, the given raw option bytes (padded to 4) and data. */
  static byte[] tcp(int flags, byte[] options, byte[] data) {
    int optionLength = (options.length + 3) & ~3;
    ByteBuffer b = ByteBuffer.allocate(20 + optionLength + data.length);
    b.putShort((short) 40000).putShort((short) 443).putInt(0x01020304).putInt(0);
    b.put((byte) (((20 + optionLength) / 4) << 4)).put((byte) flags).putShort((short) 64240);
    b.putShort((short) 0).putShort((short) 0);
    b.put(options);
    b.position(20 + optionLength);
    b.put(data);
    return b.array();
  }

  /** Fills in the TCP checksum of a packet whose TCP header starts at {@code tcpOffset}. */
  static void fillTcpChecksum(byte[] packet, int tcpOffset) {
    packet[tcpOffset + 16] = 0;
    packet[tcpOffset + 17] = 0;
    int length = packet.length - tcpOffset;
    int checksum = checksum(packet, tcpOffset, length, pseudoHeaderSum(packet, TCP, length));
    packet[tcpOffset + 16] = (byte) (checksum >>> 8);
    packet[tcpOffset + 17] = (byte) checksum;
  }

  /** True when the TCP checksum of the segment at {@code tcpOffset} verifies. */
  static boolean tcpChecksumValid(byte[] packet, int tcpOffset) {
    int length = packet.length - tcpOffset;
    return checksum(packet, tcpOffset, length, pseudoHeaderSum(packet, TCP, length)) == 0;
  }

  /** Concatenates byte arrays. */
  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Bytes from ints, for readable literals. */
  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }
}
