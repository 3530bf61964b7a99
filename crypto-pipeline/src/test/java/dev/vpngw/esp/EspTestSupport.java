package dev.vpngw.esp;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.packet.InternetChecksum;
import dev.vpngw.packet.Ipv4Header;
import dev.vpngw.packet.Ipv6Header;
import dev.vpngw.packet.UdpHeader;
import dev.vpngw.sa.SaConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;

/** Suites, SA configs and inner packets shared by the ESP codec tests. */
final class EspTestSupport {
  static final InetAddress LOCAL_V4 = address("192.0.2.1");
  static final InetAddress REMOTE_V4 = address("198.51.100.7");
  static final InetAddress LOCAL_V6 = address("2001:db8::1");
  static final InetAddress REMOTE_V6 = address("2001:db8:ffff::2");

  /** Inner TOS / traffic class: DSCP EF (46) with ECN ECT(1), to see DSCP copied, ECN cleared. */
  static final int INNER_TOS = (46 << 2) | 1;

  private EspTestSupport() {}

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<CryptoEngine> engines() {
    return CryptoEngines.available();
  }

  static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  /** A config for {@code suite} with random keys, outer family per {@code outerVersion}. */
  static SaConfig.Builder config(
      EspSuite suite, int spi, int outerVersion, boolean udp, boolean esn, Random random) {
    return SaConfig.builder()
        .spi(spi)
        .suite(suite)
        .encryptionKey(randomBytes(random, suite.encryption().keyMaterialLength()))
        .integrityKey(randomBytes(random, suite.integrity().keyLength()))
        .tunnel(outerVersion == 4 ? LOCAL_V4 : LOCAL_V6, outerVersion == 4 ? REMOTE_V4 : REMOTE_V6)
        .udpEncapsulation(udp)
        .esn(esn)
        .allowLegacyCiphers(true);
  }

  /**
   * Writes an inner IPv4 or IPv6 UDP packet of exactly {@code length} bytes at {@code offset},
   * payload bytes derived from {@code tag}.
   */
  static void writeInner(UnsafeBuffer b, int offset, int version, int length, int tag) {
    int headerLength = version == 4 ? Ipv4Header.MIN_LENGTH : Ipv6Header.LENGTH;
    for (int i = headerLength; i < length; i++) {
      b.putByte(offset + i, (byte) (tag * 31 + i));
    }
    if (version == 4) {
      new Ipv4Header()
          .wrap(b, offset)
          .versionAndHeaderLength(Ipv4Header.MIN_LENGTH)
          .tos(INNER_TOS)
          .totalLength(length)
          .identification(tag)
          .flagsAndFragmentOffset(0)
          .ttl(63)
          .protocol(UdpHeader.PROTOCOL)
          .source(new byte[] {10, 1, 0, 2})
          .destination(new byte[] {10, 2, 0, (byte) tag})
          .updateChecksum();
    } else {
      byte[] src = new byte[16];
      byte[] dst = new byte[16];
      src[0] = (byte) 0xfd;
      src[15] = 2;
      dst[0] = (byte) 0xfd;
      dst[1] = 2;
      dst[15] = (byte) tag;
      new Ipv6Header()
          .wrap(b, offset)
          .versionClassFlow(INNER_TOS, tag)
          .payloadLength(length - Ipv6Header.LENGTH)
          .nextHeader(UdpHeader.PROTOCOL)
          .hopLimit(63)
          .source(src)
          .destination(dst);
    }
    if (length >= headerLength + UdpHeader.LENGTH) {
      int udpOffset = offset + headerLength;
      int udpLength = length - headerLength;
      UdpHeader udp =
          new UdpHeader()
              .wrap(b, udpOffset)
              .sourcePort(33_000)
              .destinationPort(40_000)
              .length(udpLength)
              .checksum(0);
      udp.checksum(
          version == 4
              ? InternetChecksum.udpIpv4(b, offset, udpOffset, udpLength)
              : InternetChecksum.udpIpv6(b, offset, udpOffset, udpLength));
    }
  }

  /** The smallest inner packet of a version: its bare IP header. */
  static int minInner(int version) {
    return version == 4 ? Ipv4Header.MIN_LENGTH : Ipv6Header.LENGTH;
  }

  static byte[] copy(UnsafeBuffer b, int offset, int length) {
    byte[] bytes = new byte[length];
    b.getBytes(offset, bytes);
    return bytes;
  }
}
